using System.Security.Cryptography;
using System.Text;

namespace Matching.Data.Privacy;

/// <summary>
/// Protects sensitive personal information (ID numbers, phones): a keyed hash (HMAC-SHA256) for look-up and
/// de-duplication, and authenticated encryption (AES-256-GCM) of the value. Both keys are derived from one
/// 32-byte data key with HKDF, so the hash and the cipher never share a key.
/// </summary>
public sealed class PersonalDataProtector : IDisposable
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _hashKey;
    private readonly byte[] _encryptionKey;
    private readonly ThreadLocal<AesGcm> _aes;
    private readonly ThreadLocal<HMACSHA256> _hmac;
    private bool _disposed;

    public PersonalDataProtector(byte[] dataKey)
    {
        if (dataKey.Length != 32)
        {
            throw new ArgumentException("数据密钥应为32字节 (data key must be 32 bytes)", nameof(dataKey));
        }
        _hashKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, 32, info: "matching/pii/hmac"u8.ToArray());
        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, 32, info: "matching/pii/aes-gcm"u8.ToArray());
        // One keyed instance per thread: both types keep state between calls, and re-keying per call costs more than the hash.
        _aes = new ThreadLocal<AesGcm>(() => new AesGcm(_encryptionKey, TagSize), trackAllValues: true);
        _hmac = new ThreadLocal<HMACSHA256>(() => new HMACSHA256(_hashKey), trackAllValues: true);
    }

    /// <summary>Keyed hash of a value of a kind ("id", "phone"); equal values of the same kind hash equal.</summary>
    public byte[] Hash(string kind, string value)
    {
        Span<byte> buffer = stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes($"{kind}:{value}", buffer);
        var hash = new byte[32];
        _hmac.Value!.TryComputeHash(buffer[..length], hash, out _);
        return hash;
    }

    public byte[] Encrypt(string value) => Encrypt(Encoding.UTF8.GetBytes(value));

    /// <summary>Authenticated encryption of any bytes (e.g. a stored response that holds names).</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plain)
    {
        var output = new byte[1 + NonceSize + TagSize + plain.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Value!.Encrypt(nonce, plain, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize));
        return output;
    }

    public string Decrypt(byte[] protectedValue) => Encoding.UTF8.GetString(DecryptBytes(protectedValue));

    public byte[] DecryptBytes(byte[] protectedValue)
    {
        if (protectedValue.Length < 1 + NonceSize + TagSize || protectedValue[0] != FormatVersion)
        {
            throw new CryptographicException("受保护数据格式无法识别");
        }
        var plain = new byte[protectedValue.Length - 1 - NonceSize - TagSize];
        _aes.Value!.Decrypt(
            protectedValue.AsSpan(1, NonceSize),
            protectedValue.AsSpan(1 + NonceSize + TagSize),
            protectedValue.AsSpan(1 + NonceSize, TagSize),
            plain);
        return plain;
    }

    /// <summary>Safe to call more than once (the service container disposes it with its <c>DataEnvironment</c> too).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var aes in _aes.Values)
        {
            aes.Dispose();
        }
        _aes.Dispose();
        foreach (var hmac in _hmac.Values)
        {
            hmac.Dispose();
        }
        _hmac.Dispose();
    }
}

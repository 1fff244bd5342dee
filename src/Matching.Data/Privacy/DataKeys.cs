using System.Security.Cryptography;

namespace Matching.Data.Privacy;

/// <summary>Where the data key comes from: configuration (production) or a file generated once in the data folder.</summary>
public static class DataKeys
{
    public const string FileName = "data.key";

    /// <summary>
    /// The configured key (base64, 32 bytes) if any; otherwise the key in <c>keys/data.key</c> under the data
    /// folder, generated on first use with owner-only permissions.
    /// </summary>
    public static byte[] Load(string? configuredBase64, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configuredBase64))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(configuredBase64.Trim());
            }
            catch (FormatException)
            {
                throw new InvalidOperationException("Matching:DataKey 不是有效的 base64 字符串");
            }
            return key.Length == 32 ? key : throw new InvalidOperationException("Matching:DataKey 应为32字节密钥的 base64");
        }

        var stored = LoadOrCreate(dataDirectory, FileName);
        return stored.Length == 32 ? stored : throw new InvalidOperationException($"{FileName} 中的密钥长度不是32字节");
    }

    /// <summary>
    /// A 32-byte random key kept in <c>keys/{fileName}</c> under the data folder: read if present, otherwise
    /// generated with owner-only permissions. Two processes starting together end up with the same key.
    /// </summary>
    public static byte[] LoadOrCreate(string dataDirectory, string fileName)
    {
        var folder = Path.Combine(dataDirectory, "keys");
        var path = Path.Combine(folder, fileName);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(folder);
            var temp = $"{path}.{Environment.ProcessId}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // Owner-only from the moment the file exists: a chmod after writing would leave the key readable meanwhile.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }
            if (!OperatingSystem.IsWindows())
            {
                // A .tmp left by a crashed start keeps its old mode when reused.
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            try
            {
                // Never overwrite: a second process that lost the race uses the first one's key.
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException)
            {
                File.Delete(temp);
            }
        }
        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }
}

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

        var folder = Path.Combine(dataDirectory, "keys");
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            var existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
            return existing.Length == 32 ? existing : throw new InvalidOperationException($"{path} 中的密钥长度不是32字节");
        }

        Directory.CreateDirectory(folder);
        var fresh = RandomNumberGenerator.GetBytes(32);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Owner-only from the moment the file exists: a chmod after writing would leave the key readable meanwhile.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToBase64String(fresh));
        }
        if (!OperatingSystem.IsWindows())
        {
            // A .tmp left by a crashed start keeps its old mode when reused.
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        try
        {
            // A second process starting at the same moment must not overwrite the first one's key.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(temp);
            return Load(null, dataDirectory);
        }
        return fresh;
    }
}

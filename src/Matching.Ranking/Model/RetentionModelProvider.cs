namespace Matching.Ranking.Model;

/// <summary>
/// Holds the current retention model and swaps in a newly trained one without a restart: at most every
/// <c>checkInterval</c> it looks at the model file's time and size, and loads it when they changed. A file that
/// fails to load is reported in <see cref="LastError"/> and the previous model keeps serving.
/// </summary>
public sealed class RetentionModelProvider(string directory, TimeProvider time, TimeSpan checkInterval)
{
    private readonly Lock _gate = new();
    private volatile RetentionModel? _current;
    private (DateTime Written, long Length) _loadedFile;
    private long _lastCheck = long.MinValue;

    public string Directory { get; } = directory;

    /// <summary>Why the last attempt to load a model failed (in Chinese), or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>The model to score with, or null when none has been trained or shipped.</summary>
    public RetentionModel? Current
    {
        get
        {
            var now = time.GetTimestamp();
            if (_lastCheck == long.MinValue || time.GetElapsedTime(_lastCheck, now) >= checkInterval)
            {
                Refresh(now);
            }
            return _current;
        }
    }

    private void Refresh(long now)
    {
        lock (_gate)
        {
            if (_lastCheck != long.MinValue && time.GetElapsedTime(_lastCheck, now) < checkInterval)
            {
                return;
            }
            _lastCheck = now;
            var file = new FileInfo(Path.Combine(Directory, RetentionModel.ModelFileName));
            if (!file.Exists)
            {
                LastError = _current is null ? $"{Directory} 中没有排序模型，请先运行 train" : null;
                return;
            }
            var stamp = (file.LastWriteTimeUtc, file.Length);
            if (_current is not null && stamp == _loadedFile)
            {
                return;
            }
            try
            {
                _current = RetentionModel.Load(Directory);
                _loadedFile = stamp;
                LastError = null;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or FormatException or System.Text.Json.JsonException or UnauthorizedAccessException)
            {
                // Keep serving with the model we have; say why the new one was not taken.
                _loadedFile = stamp;
                LastError = $"模型文件无法加载：{e.Message}";
            }
        }
    }
}

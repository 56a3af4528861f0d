namespace Chartseal.Repository;

/// <summary>
/// How much <see cref="UploadStaging"/> holds: halves of uploads (a chart without its <c>.prov</c>, or a <c>.prov</c>
/// without its chart) wait in memory, bounded in count and bytes, overall and per uploader, and only for a while.
/// </summary>
public sealed record StagingLimits
{
    /// <summary>Halves held at once, for all uploaders together.</summary>
    public int MaxHalves { get; init; } = 64;

    /// <summary>Halves held at once for one uploader.</summary>
    public int MaxHalvesPerUploader { get; init; } = 16;

    /// <summary>Bytes held at once, for all uploaders together.</summary>
    public long MaxBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Bytes held at once for one uploader.</summary>
    public long MaxBytesPerUploader { get; init; } = 48L * 1024 * 1024;

    /// <summary>How long a half waits for the other one before it is dropped.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The defaults, widened so that at least two halves of the largest accepted upload fit for one uploader and
    /// eight overall.
    /// </summary>
    public static StagingLimits For(long maxUploadBytes) => new()
    {
        MaxBytes = Math.Max(128L * 1024 * 1024, 8 * maxUploadBytes),
        MaxBytesPerUploader = Math.Max(48L * 1024 * 1024, 2 * maxUploadBytes),
    };
}

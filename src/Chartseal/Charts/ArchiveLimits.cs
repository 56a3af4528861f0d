namespace Chartseal.Charts;

/// <summary>Bounds applied while reading a chart archive.</summary>
public sealed class ArchiveLimits
{
    /// <summary>The defaults: 100 MiB decompressed, 5 MiB per file, 10,000 entries (Helm's size limits).</summary>
    public static ArchiveLimits Default { get; } = new();

    /// <summary>Most decompressed bytes read (tar headers and padding included); default 100 MiB.</summary>
    public long MaxDecompressedSize { get; init; } = 100L * 1024 * 1024;

    /// <summary>Largest single file; default 5 MiB.</summary>
    public long MaxFileSize { get; init; } = ChartYaml.MaxFileSize;

    /// <summary>Most tar entries (directories included); default 10,000.</summary>
    public int MaxEntries { get; init; } = 10_000;
}

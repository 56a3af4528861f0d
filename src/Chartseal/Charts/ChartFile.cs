namespace Chartseal.Charts;

/// <summary>A file of a loaded chart: a path relative to the chart root (<c>/</c>-separated) and its bytes.</summary>
public sealed class ChartFile
{
    /// <summary>Creates a file entry.</summary>
    public ChartFile(string path, ReadOnlyMemory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        Bytes = bytes;
    }

    /// <summary>Path relative to the chart root, e.g. <c>templates/pod.yaml</c>.</summary>
    public string Path { get; }

    /// <summary>The content (a leading UTF-8 BOM removed, as Helm does when loading).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }
}

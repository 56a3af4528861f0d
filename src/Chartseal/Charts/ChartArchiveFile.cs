namespace Chartseal.Charts;

/// <summary>A regular file of a chart archive.</summary>
public sealed class ChartArchiveFile
{
    internal ChartArchiveFile(string path, ReadOnlyMemory<byte> bytes, string sha256)
    {
        Path = path;
        Bytes = bytes;
        Sha256 = sha256;
    }

    /// <summary>Path below the top folder, <c>/</c>-separated (e.g. <c>templates/pod.yaml</c>).</summary>
    public string Path { get; }

    /// <summary>Size in bytes.</summary>
    public long Size => Bytes.Length;

    /// <summary>Lower-case hex SHA-256 of <see cref="Bytes"/>.</summary>
    public string Sha256 { get; }

    /// <summary>The exact bytes stored in the archive (no BOM stripping).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }
}

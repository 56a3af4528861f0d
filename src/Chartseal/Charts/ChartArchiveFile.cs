using Chartseal.IO;

namespace Chartseal.Charts;

/// <summary>A regular file of a chart archive.</summary>
public sealed class ChartArchiveFile
{
    private string? _sha256;

    internal ChartArchiveFile(string path, ReadOnlyMemory<byte> bytes, string? sha256 = null)
    {
        Path = path;
        Bytes = bytes;
        _sha256 = sha256;
    }

    /// <summary>Path below the top folder, <c>/</c>-separated (e.g. <c>templates/pod.yaml</c>).</summary>
    public string Path { get; }

    /// <summary>Size in bytes.</summary>
    public long Size => Bytes.Length;

    /// <summary>Lower-case hex SHA-256 of <see cref="Bytes"/> (worked out on first use: verifying a chart never asks).</summary>
    public string Sha256 => _sha256 ??= ContentHash.Sha256Hex(Bytes.Span);

    /// <summary>The exact bytes stored in the archive (no BOM stripping).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }
}

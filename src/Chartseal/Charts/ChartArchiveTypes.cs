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

/// <summary>
/// A chart archive that is not safe or not well-formed (path traversal, links, devices, several top folders,
/// gzip bomb, corrupt data, invalid Chart.yaml...). Verification maps it to <see cref="RejectionReason.UnsafeArchive"/>.
/// </summary>
public sealed class UnsafeArchiveException : ChartsealException
{
    /// <summary>Creates the error for archive <paramref name="file"/>.</summary>
    /// <param name="file">The archive's name.</param>
    /// <param name="detail">What is wrong, e.g. <c>entry path contains ".."</c>.</param>
    /// <param name="entryName">The offending tar entry, if any.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public UnsafeArchiveException(string file, string detail, string? entryName = null, Exception? inner = null)
        : base(file, entryName is null ? detail : $"{detail} (entry \"{entryName}\")", inner)
    {
        Detail = detail;
        EntryName = entryName;
    }

    /// <summary>What is wrong, without the file or entry name.</summary>
    public string Detail { get; }

    /// <summary>The offending tar entry name as stored in the archive, or null.</summary>
    public string? EntryName { get; }
}

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

/// <summary>The checked contents of a chart archive, held in memory.</summary>
public sealed class ChartArchiveContents
{
    internal ChartArchiveContents(string fileName, ChartMetadata metadata, IReadOnlyList<ChartArchiveFile> files)
    {
        FileName = fileName;
        Metadata = metadata;
        Files = files;
    }

    /// <summary>The archive name given to the reader.</summary>
    public string FileName { get; }

    /// <summary>The validated metadata of the top folder's Chart.yaml (requirements.yaml dependencies merged).</summary>
    public ChartMetadata Metadata { get; }

    /// <summary>The chart name, which is also the archive's single top folder.</summary>
    public string ChartName => Metadata.Name;

    /// <summary>Regular files in archive order.</summary>
    public IReadOnlyList<ChartArchiveFile> Files { get; }
}

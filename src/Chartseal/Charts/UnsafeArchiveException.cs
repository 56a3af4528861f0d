namespace Chartseal.Charts;

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

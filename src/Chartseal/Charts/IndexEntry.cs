namespace Chartseal.Charts;

/// <summary>One chart version in <c>index.yaml</c>: the chart's metadata plus where and what the archive is.</summary>
public sealed class IndexEntry
{
    /// <summary>The chart's metadata (every Chart.yaml field Helm keeps).</summary>
    public required ChartMetadata Metadata { get; init; }

    /// <summary>Download URLs, absolute or relative to the repository URL; the first one is used.</summary>
    public required IReadOnlyList<string> Urls { get; init; }

    /// <summary>When the entry was created, RFC 3339 text as written (Go's nanosecond form).</summary>
    public string? Created { get; init; }

    /// <summary>Lower-case hex SHA-256 of the archive (a <c>sha256:</c> prefix is stripped on read).</summary>
    public required string Digest { get; init; }

    /// <summary>
    /// The digest as the index read wrote it, when that differs from <see cref="Digest"/> (<c>sha256:…</c>): written back
    /// so, as Helm writes back the text it read (<c>repo index --merge</c>); null for an entry made here.
    /// </summary>
    public string? DigestAsWritten { get; init; }

    /// <summary>The digest text an index written now holds: <see cref="DigestAsWritten"/>, else <see cref="Digest"/>.</summary>
    internal string DigestText => DigestAsWritten ?? Digest;
}

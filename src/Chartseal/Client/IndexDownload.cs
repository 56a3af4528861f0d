using Chartseal.Fetch;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>The outcome of <see cref="IndexUpdater.SaveAsync"/>.</summary>
public abstract record IndexDownload
{
    private IndexDownload() { }

    /// <summary>A new index was saved (and, when the repository signs its index, it is the one the snapshot signs).</summary>
    /// <param name="File">The downloaded file's length, SHA-256 and ETag.</param>
    /// <param name="Snapshot">The snapshot that covers it; null when the repository signs no index.</param>
    /// <param name="Tags">For a registry namespace, the verified <c>tags.json</c> the snapshot covers and the index was built from.</param>
    public sealed record Saved(FetchOutcome.Saved File, TrustedSnapshot? Snapshot, byte[]? Tags = null) : IndexDownload;

    /// <summary>The held index is still the current one (a 304 for its ETag, or the very index the snapshot signs).</summary>
    /// <param name="Snapshot">The snapshot that covers it; null when the repository signs no index.</param>
    public sealed record Unchanged(TrustedSnapshot? Snapshot) : IndexDownload;

    /// <summary>The repository has no index.</summary>
    public sealed record NotFound : IndexDownload;

    /// <summary>The index or its snapshot is refused (an index-* reason).</summary>
    /// <param name="File">The snapshot's or the index's address.</param>
    /// <param name="Refusal">Why.</param>
    public sealed record Rejected(string File, Refusal Refusal) : IndexDownload;
}

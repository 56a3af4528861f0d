using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>The outcome of <see cref="RepositoryClient.UpdateAsync"/> and <see cref="RepositoryClient.AddAsync(ClientHome, ConfiguredRepository, bool, DateTime, IProgress{Fetch.DownloadProgress}?, Fetch.FetchDeadline?, CancellationToken)"/>.</summary>
public abstract record RepositoryUpdate
{
    private RepositoryUpdate() { }

    /// <summary>The trust material was accepted and the index cached.</summary>
    /// <param name="Repository">The repository.</param>
    /// <param name="Material">The accepted trust material.</param>
    /// <param name="IndexChanged">False when the server answered 304 for the cached index's ETag.</param>
    /// <param name="ChartVersions">The number of chart versions in the downloaded index; null when it was unchanged.</param>
    /// <param name="Snapshot">The index snapshot the index was checked against; null when the repository signs no index.</param>
    public sealed record Updated(ConfiguredRepository Repository, TrustedMaterial Material, bool IndexChanged, int? ChartVersions, TrustedSnapshot? Snapshot = null) : RepositoryUpdate;

    /// <summary>
    /// An add of a repository configured exactly so already (Helm's idempotent <c>repo add</c>; found under the
    /// configuration's lock, so also when another add of it ran at the same time): nothing was fetched or changed.
    /// </summary>
    /// <param name="Repository">The repository as configured.</param>
    public sealed record Unchanged(ConfiguredRepository Repository) : RepositoryUpdate;

    /// <summary>The trust material was refused; the cache and configuration are unchanged.</summary>
    /// <param name="File">The trust manifest's URL.</param>
    /// <param name="Refusal">Why (a trust-* reason).</param>
    public sealed record Rejected(string File, Refusal Refusal) : RepositoryUpdate
    {
        /// <summary>Why (the refusal's reason).</summary>
        public RejectionReason Reason => Refusal.Reason;

        /// <summary>One line for people (the refusal's message).</summary>
        public string Message => Refusal.Message;
    }
}

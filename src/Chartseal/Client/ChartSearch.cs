using Chartseal.Compat;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>Searches the cached indexes of the configured repositories.</summary>
public static class ChartSearch
{
    /// <summary>
    /// The newest stable version of every chart (as Helm's <c>search repo</c>, the version <c>pull</c> takes without
    /// <c>--version</c>; with <paramref name="devel"/>, the newest version pre-releases included) whose <c>REPO/CHART</c>
    /// name, or that version's description or keywords, contain <paramref name="term"/> (case-insensitive; null or empty
    /// matches everything), sorted by reference. A chart with no such version is not shown.
    /// Repositories without a cached index are skipped. A repository that signs its index is searched only while its
    /// cached snapshot is fresh and covers the cached index (<see cref="RepositoryClient.CheckCachedIndexAsync"/>), which needs
    /// its cached trust material to be accepted still (else it is refused too, with the trust material's reason). A refused
    /// repository is listed in <see cref="ChartSearchResult.Refused"/> (a trust refusal, not an error) and the others are
    /// searched on.
    /// </summary>
    /// <exception cref="ChartsealException">A cached index is damaged.</exception>
    public static async Task<ChartSearchResult> SearchAsync(ClientHome home, IEnumerable<ConfiguredRepository> repositories, string? term, CancellationToken cancellationToken = default, DateTime? now = null, bool devel = false)
    {
        DateTime at = now ?? DateTime.UtcNow;
        // Helm's search repo: the range ">0.0.0", or with --devel ">0.0.0-0"; the newest version it contains is shown.
        var shown = VersionRange.Parse(devel ? PullRequest.DevelopmentVersions : ">0.0.0");
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repositories);
        var hits = new List<ChartSearchHit>();
        var refusals = new List<ChartSearchRefusal>();
        foreach (var repository in repositories)
        {
            var cache = new RepositoryCache(home.CacheFor(repository.Name));
            if (!cache.HasIndex)
            {
                continue;
            }
            var trust = await RepositoryClient.LoadCachedTrustAsync(home, repository, at, cancellationToken).ConfigureAwait(false);
            if (trust is TrustResult.Accepted { Material: var material }
                && await RepositoryClient.CheckCachedIndexAsync(home, repository, material, at, cancellationToken).ConfigureAwait(false) is { } stale)
            {
                refusals.Add(new ChartSearchRefusal(repository.Name, stale.File, stale.Refusal));
                continue;
            }
            if (trust is TrustResult.Rejected { Refusal: var refused } && await cache.ReadSnapshotAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                // The repository signs its index, and without accepted trust material its snapshot cannot be checked: fail closed.
                refusals.Add(new ChartSearchRefusal(repository.Name, Path.Combine(cache.Directory, TrustFiles.ManifestName), refused with
                {
                    Message = $"{refused.Message} (the cached index of \"{repository.Name}\" is covered by a signed snapshot that cannot be checked without it: run chartseal repo update {repository.Name})",
                }));
                continue;
            }
            var index = await cache.LoadIndexAsync(repository.Name, cancellationToken).ConfigureAwait(false);
            foreach (var (name, versions) in index.Entries)
            {
                if (versions.Find(e => SemanticVersion.TryParse(e.Metadata.Version, out var v) && shown.Contains(v)) is not { Metadata: var newest })
                {
                    continue;
                }
                if (Matches(repository.Name + "/" + name, newest.Description, newest.Keywords, term))
                {
                    hits.Add(new ChartSearchHit(repository.Name, name, newest.Version, newest.AppVersion, newest.Description));
                }
            }
        }
        hits.Sort((a, b) => string.CompareOrdinal(a.Reference, b.Reference));
        return new ChartSearchResult(hits, refusals);
    }

    private static bool Matches(string reference, string? description, List<string>? keywords, string? term) =>
        string.IsNullOrEmpty(term)
        || reference.Contains(term, StringComparison.OrdinalIgnoreCase)
        || (description?.Contains(term, StringComparison.OrdinalIgnoreCase) ?? false)
        || (keywords?.Exists(k => k.Contains(term, StringComparison.OrdinalIgnoreCase)) ?? false);
}

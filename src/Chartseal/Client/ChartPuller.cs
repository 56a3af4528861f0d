using Chartseal.Charts;
using Chartseal.Trust;
using Chartseal.Compat;
using Chartseal.Gate;

namespace Chartseal.Client;

/// <summary>
/// The client's pull pipeline: pick the version in the cached index, check the repository's current trust
/// material against the pinned root, download the archive and its <c>.prov</c> through the repository's source, and
/// ask <see cref="TrustGate"/> with only that repository's keys and the index's expectations. The result holds the
/// verified bytes; the caller writes them only when trusted.
/// </summary>
public static class ChartPuller
{
    /// <summary>
    /// Pulls and verifies a chart. Reasons: every trust-* reason, every reason of the gate (missing-archive when the
    /// archive is gone, missing-provenance when the <c>.prov</c> is, signer-not-trusted, signer-revoked,
    /// not-in-local-keyring, name-version-mismatch and digest-mismatch against the index entry or the registry reference;
    /// not-in-index for a registry tag outside the namespace's signed tag map, which is chosen only when no signed version matches).
    /// </summary>
    /// <exception cref="ChartsealException">No cached index, no such chart or version, a refused URL, a download failure.</exception>
    public static async Task<PullResult> PullAsync(ClientHome home, PullRequest request, DateTime now, CancellationToken cancellationToken = default) =>
        (await PullAllAsync(home, [request], now, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Pulls and verifies several charts (see <see cref="PullAsync"/>): every version is chosen first (a missing chart or
    /// version fails before anything is downloaded), then each repository's trust material is checked once, and its
    /// charts are downloaded and judged through one source, several at once for a remote repository.
    /// </summary>
    /// <returns>One result per request, in the order of <paramref name="requests"/>.</returns>
    /// <exception cref="ChartsealException">No cached index, no such chart or version, a refused URL, a download failure.</exception>
    public static async Task<IReadOnlyList<PullResult>> PullAllAsync(ClientHome home, IReadOnlyList<PullRequest> requests, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(requests);
        var results = new PullResult[requests.Count];
        foreach (var group in requests.Select((request, at) => (Request: request, At: at)).GroupBy(r => r.Request.Repository.Name, StringComparer.Ordinal))
        {
            var repository = group.First().Request.Repository;
            using var source = repository.OpenSource(group.First().Request.Deadline);

            // 1. Which versions: from the registry's tag list (several lists at once), or from the cached index (repo
            //    update refreshes it).
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = source.IsRemote ? MaxParallelDownloads : 1, CancellationToken = cancellationToken };
            var cachedIndex = new Lazy<Task<ChartIndex>>(() => new RepositoryCache(home.CacheFor(repository.Name)).LoadIndexAsync(repository.Name, cancellationToken));
            var chosen = new (PullRequest Request, int At, IndexEntry Entry, ChartLocation Chart)[group.Count()];
            Task ChooseAsync() => Parallel.ForEachAsync(group.Select((item, slot) => (item.Request, item.At, Slot: slot)), parallel, async (item, token) =>
            {
                var (request, at, slot) = item;
                ChartIndex? live = await source.ReadChartVersionsAsync(request.Chart, token).ConfigureAwait(false);
                ChartIndex index = live ?? await cachedIndex.Value.ConfigureAwait(false);
                // Only among the signed versions; when none matches, a tag outside them that does is chosen only to be judged,
                // and the gate refuses it (not-in-index, or its signature's reason), rather than a bare "not found".
                IndexEntry entry = index.Get(request.Chart, request.Version)
                    ?? (source is OciRepositorySource registry && await registry.ReadUnlistedVersionsAsync(request.Chart, token).ConfigureAwait(false) is { } unlisted
                        ? unlisted.Get(request.Chart, request.Version)
                        : null)
                    ?? SelectVersion(index, repository.Name, request.Chart, request.Version,
                        live is null ? null : $"{source.Location} holds no version of \"{request.Chart}\" (no SemVer tag at {source.Location}/{request.Chart})");
                if ((entry.Urls.Count > 0 ? source.Locate(entry.Urls[0]) : null) is not { } chart)
                {
                    throw new ChartsealException($"{repository.Name}/{request.Chart}", $"index entry {entry.Metadata.Version} has no usable download URL");
                }
                if (!ChartName.IsArchiveFileName(chart.FileName))
                {
                    throw new ChartsealException(chart.Address, "the archive's file name is not a plain NAME-VERSION.tgz (chart names: ASCII letters, digits, '.', '_' and '-')");
                }
                chosen[slot] = (request, at, entry, chart);
            });
            await ChooseAsync().ConfigureAwait(false);

            // 2. The repository's trust material, now: revocations and removals take effect at once (rollback and freeze checked).
            var trust = await RepositoryClient.RefreshTrustAsync(home, repository, source, now, cancellationToken).ConfigureAwait(false);
            if (trust is TrustResult.Rejected t)
            {
                foreach (var c in chosen)
                {
                    results[c.At] = new PullResult.Rejected(source.AddressOf(TrustFiles.ManifestName), Verdict.TrustRefused(c.Chart.FileName, TrustKindOf(c.Request), t.Refusal));
                }
                continue;
            }
            var material = ((TrustResult.Accepted)trust).Material;

            // 2b. A registry that signs its tags: the versions are chosen again from the signed map, and each manifest is
            //     then read by the digest it gives (the live tag list only said what to look for; a tag outside the map is
            //     chosen only when no signed version matches, and only to be refused).
            if (source is OciRepositorySource registry && material.RequiresSnapshot)
            {
                var pinned = await IndexUpdater.PinAsync(registry, repository.Root, home.TrustState, material, now, cancellationToken).ConfigureAwait(false);
                if (pinned.Rejected is { } refused)
                {
                    foreach (var c in chosen)
                    {
                        results[c.At] = new PullResult.Rejected(refused.File, Verdict.TrustRefused(c.Chart.FileName, TrustKindOf(c.Request), refused.Refusal));
                    }
                    continue;
                }
                home.TrustState.AcceptSnapshot(repository.Root, registry.Location, material, pinned.Snapshot!);
                await ChooseAsync().ConfigureAwait(false);
            }

            // 2c. The cached index the versions came from: when the repository signs its index, still the one a fresh
            //     snapshot made with this trust material covers (a registry's tag lists are checked by its source).
            if (source is not OciRepositorySource && await RepositoryClient.CheckCachedIndexAsync(home, repository, material, now, cancellationToken).ConfigureAwait(false) is { } stale)
            {
                foreach (var c in chosen)
                {
                    results[c.At] = new PullResult.Rejected(stale.File, Verdict.TrustRefused(c.Chart.FileName, TrustKindOf(c.Request), stale.Refusal));
                }
                continue;
            }

            // 3. Each chart: the archive and its .prov, then THE gate.
            await Parallel.ForEachAsync(chosen, parallel, async (c, token) =>
                results[c.At] = await JudgeAsync(source, material, c.Request, c.Entry, c.Chart, now, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>
    /// Writes every trusted chart of <paramref name="results"/> into <paramref name="directory"/> (<see cref="PullResult.Pulled.SaveAsync"/>,
    /// several at once: each write waits for the disk), and nothing for a refused one.
    /// </summary>
    /// <returns>Where each chart was written, by position; null for a refused chart.</returns>
    /// <exception cref="ChartsealException">
    /// Two trusted charts would be written to one path (the same chart named twice, or two repositories' charts with one
    /// file name: refused before anything is written, as the writes run at once), a chart folder already exists, or a write failed.
    /// </exception>
    public static async Task<IReadOnlyList<string?>> SaveAllAsync(IReadOnlyList<PullResult> results, string directory, bool untar, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var targets = new Dictionary<string, PullResult.Pulled>(StringComparer.Ordinal);
        foreach (var pulled in results.OfType<PullResult.Pulled>())
        {
            string target = pulled.TargetIn(directory, untar);
            if (!targets.TryAdd(Path.GetFullPath(target), pulled))
            {
                var first = targets[Path.GetFullPath(target)].Verdict.Metadata;
                throw new ChartsealException(target,
                    $"two of the charts pulled ({first.Name} {first.Version} and {pulled.Verdict.Metadata.Name} {pulled.Verdict.Metadata.Version}) would be written here; pull them into different folders");
            }
        }
        var saved = new string?[results.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelDownloads, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, results.Count), parallel, async (at, token) =>
        {
            if (results[at] is PullResult.Pulled pulled)
            {
                saved[at] = await pulled.SaveAsync(directory, untar, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        return saved;
    }

    /// <summary>Charts of one remote repository downloaded at once by <see cref="PullAllAsync"/>.</summary>
    public const int MaxParallelDownloads = 8;

    private static async Task<PullResult> JudgeAsync(RepositorySource source, TrustedMaterial material, PullRequest request, IndexEntry entry, ChartLocation chart, DateTime now, CancellationToken cancellationToken)
    {
        // The archive and its .prov (either may be missing: the gate says so).
        byte[]? archive = await source.ReadArchiveAsync(chart, request.Progress, null, cancellationToken).ConfigureAwait(false);
        byte[]? provenance = archive is null ? null : await source.ReadProvenanceAsync(chart, cancellationToken).ConfigureAwait(false);

        // THE gate, with only this repository's keys (plus the local keyring when required) and what the index or the
        // registry reference says.
        string fileName = source.ArchiveNameFor(chart, provenance);
        var verdict = TrustGate.Judge(fileName, archive, provenance, new TrustBasis.Repository(material, request.LocalKeyring), source.ExpectationsFor(entry), now);
        return verdict is Verdict.Trusted trusted
            ? new PullResult.Pulled(entry, trusted.File, archive!, provenance!, trusted)
            : new PullResult.Rejected(chart.Address, (Verdict.Refused)verdict);
    }

    private static TrustKind TrustKindOf(PullRequest request) => request.LocalKeyring is null ? TrustKind.Repository : TrustKind.RepositoryAndLocalKeyring;

    /// <summary>
    /// Picks a chart version from an index sorted newest first: an exact version, else the newest one a SemVer range
    /// contains; with no version, the newest version without a pre-release part (as Helm does).
    /// </summary>
    /// <param name="index">The versions to choose from.</param>
    /// <param name="repositoryName">The repository's name, for messages.</param>
    /// <param name="chart">The chart.</param>
    /// <param name="version">An exact version or a range; null for the newest stable one.</param>
    /// <param name="noSuchChart">The message when the index has no version of the chart (default: it is not in the cached index).</param>
    /// <exception cref="ChartsealException">No such chart, or no version matches.</exception>
    public static IndexEntry SelectVersion(ChartIndex index, string repositoryName, string chart, string? version, string? noSuchChart = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        string what = $"{repositoryName}/{chart}";
        if (!index.Entries.TryGetValue(chart, out var versions) || versions.Count == 0)
        {
            throw new ChartsealException(what, noSuchChart ?? $"no chart named \"{chart}\" in the cached index of \"{repositoryName}\" (run chartseal repo update {repositoryName})");
        }
        return index.Get(chart, version) ?? throw new ChartsealException(what,
            string.IsNullOrEmpty(version) ? "no stable version (pass --version to choose a pre-release)"
            : !VersionRange.TryParse(version, out _) ? $"version \"{version}\" not found (and not a version range)"
            : $"no version matches \"{version}\"");
    }
}

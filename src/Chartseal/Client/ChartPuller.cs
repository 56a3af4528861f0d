using Chartseal.Charts;
using Chartseal.Trust;
using Chartseal.Compat;
using Chartseal.Gate;
using Chartseal.Fetch;
using Chartseal.Keys;

namespace Chartseal.Client;

/// <summary>
/// The client's pull pipeline: pick the version in the cached index, check the repository's current trust
/// material against the pinned root, download the archive and its <c>.prov</c> through the repository's source, and
/// ask <see cref="TrustGate"/> with only that repository's keys and the index's expectations. The result holds the
/// verified bytes; the caller writes them only when trusted. A repository given by its location rather than configured
/// (<see cref="PullAllFromAsync"/>) goes through the same steps, its index read once its trust material is accepted.
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
    /// version fails before anything is downloaded; for a registry, once its trust material is accepted and its signed tag
    /// map pinned, so that its live tag list cannot hide a signed version), then each repository's trust material is checked once, and its
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
            Wanted[] wanted = [.. group.Select(r => new Wanted(r.At, r.Request.Chart, r.Request.Version, r.Request.LocalKeyring, r.Request.Progress))];
            await PullFromAsync(new ConfiguredOrigin(home, repository), source, wanted, results, now, cancellationToken).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>
    /// Pulls and verifies charts of a repository given by its location rather than configured (<c>pull --repo URL
    /// --root-fingerprint FPR</c>), through the same steps as a configured repository's, in the order its catalogue needs:
    /// the trust material is checked now against <paramref name="root"/> (and against what <paramref name="store"/> accepted
    /// before: rollback, freeze), then the index is read now, through its signed snapshot when the material names index keys
    /// (a registry: its tag lists, pinned to its signed tag map), then each chart is judged by the gate. Nothing is cached;
    /// only the trust state advances, as for <c>verify --repo URL</c>. The reasons are those of <see cref="PullAsync"/>; a
    /// chart refused before its version was chosen (the trust material or the index snapshot refused) is named as asked for.
    /// </summary>
    /// <param name="source">The repository, opened by the caller with its transport settings and deadline.</param>
    /// <param name="root">The root fingerprint pinned on the command line.</param>
    /// <param name="store">The trust state (rollback protection), as <c>verify --repo URL</c> keeps it.</param>
    /// <param name="charts">The charts' names in the repository.</param>
    /// <param name="version">An exact version or a SemVer range for every chart; null for the newest stable version.</param>
    /// <param name="localKeyring">A keyring the signer must also be in, or null.</param>
    /// <param name="progress">Download progress of the archives, or null.</param>
    /// <param name="now">The time of the checks.</param>
    /// <param name="cancellationToken">Cancels the downloads.</param>
    /// <returns>One result per chart, in the order of <paramref name="charts"/>.</returns>
    /// <exception cref="ChartsealException">No index, no such chart or version, a refused URL, a download failure.</exception>
    public static async Task<IReadOnlyList<PullResult>> PullAllFromAsync(RepositorySource source, PinnedRoot root, TrustStateStore store, IReadOnlyList<string> charts,
        string? version, Keyring? localKeyring, IProgress<DownloadProgress>? progress, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(charts);
        var results = new PullResult[charts.Count];
        Wanted[] wanted = [.. charts.Select((chart, at) => new Wanted(at, chart, version, localKeyring, progress))];
        await PullFromAsync(new LocatedOrigin(source.Location, root, store), source, wanted, results, now, cancellationToken).ConfigureAwait(false);
        return results;
    }

    // One repository's charts: the versions chosen, the trust material checked once, then each chart through THE gate.
    private static async Task PullFromAsync(Origin origin, RepositorySource source, Wanted[] wanted, PullResult[] results, DateTime now, CancellationToken cancellationToken)
    {
        // 1. Which versions: from the registry's tag list (several lists at once), or from the repository's catalogue
        //    (a configured repository: its cached index, which repo update refreshes).
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = source.IsRemote ? MaxParallelDownloads : 1, CancellationToken = cancellationToken };
        var chosen = new (IndexEntry Entry, ChartLocation Chart)[wanted.Length];
        Task ChooseAsync() => Parallel.ForEachAsync(Enumerable.Range(0, wanted.Length), parallel, async (slot, token) =>
        {
            var request = wanted[slot];
            ChartIndex? live = await source.ReadChartVersionsAsync(request.Chart, token).ConfigureAwait(false);
            ChartIndex index = live ?? await origin.CatalogueAsync(token).ConfigureAwait(false);
            // Only among the signed versions; when none matches, a tag outside them that does is chosen only to be judged,
            // and the gate refuses it (not-in-index, or its signature's reason), rather than a bare "not found".
            IndexEntry entry = index.Get(request.Chart, request.Version)
                ?? (source is OciRepositorySource registry && await registry.ReadUnlistedVersionsAsync(request.Chart, token).ConfigureAwait(false) is { } unlisted
                    ? unlisted.Get(request.Chart, request.Version)
                    : null)
                ?? SelectVersion(index, origin.Name, request.Chart, request.Version,
                    live is null ? origin.NoSuchChart(source, request.Chart) : $"{source.Location} holds no version of \"{request.Chart}\" (no SemVer tag at {source.Location}/{request.Chart})");
            if ((entry.Urls.Count > 0 ? source.Locate(entry.Urls[0]) : null) is not { } chart)
            {
                throw new ChartsealException($"{origin.Name}/{request.Chart}", $"index entry {entry.Metadata.Version} has no usable download URL");
            }
            if (!ChartName.IsArchiveFileName(chart.FileName))
            {
                throw new ChartsealException(chart.Address, "the archive's file name is not a plain NAME-VERSION.tgz (chart names: ASCII letters, digits, '.', '_' and '-')");
            }
            chosen[slot] = (entry, chart);
        });
        // Every chart refused for the repository's sake (its trust material or its index), named as chosen, else as asked for.
        void RefuseAll(string file, Refusal refusal)
        {
            for (int slot = 0; slot < wanted.Length; slot++)
            {
                results[wanted[slot].At] = new PullResult.Rejected(file, Verdict.TrustRefused(chosen[slot].Chart?.FileName ?? wanted[slot].Chart, TrustKindOf(wanted[slot]), refusal));
            }
        }
        // A catalogue read only once the trust material is accepted (a repository given by its location) is chosen from then,
        // and so is a registry's: its live tag list may hide a version that its signed tag map holds, so versions are chosen
        // once the map (when the namespace signs its tags) is pinned.
        bool chooseFirst = origin.CatalogueBeforeTrust && source is not OciRepositorySource;
        if (chooseFirst)
        {
            await ChooseAsync().ConfigureAwait(false);
        }

        // 2. The repository's trust material, now: revocations and removals take effect at once (rollback and freeze checked).
        var trust = await origin.RefreshTrustAsync(source, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            RefuseAll(source.AddressOf(TrustFiles.ManifestName), t.Refusal);
            return;
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // 2b. A registry that signs its tags: the versions are chosen from the signed map, and each manifest is then read by
        //     the digest it gives (a tag outside the map is chosen only when no signed version matches, and only to be refused).
        if (source is OciRepositorySource registry && material.RequiresSnapshot)
        {
            var pinned = await IndexUpdater.PinAsync(registry, origin.Root, origin.TrustState, material, now, cancellationToken).ConfigureAwait(false);
            if (pinned.Rejected is { } refused)
            {
                RefuseAll(refused.File, refused.Refusal);
                return;
            }
            origin.TrustState.AcceptSnapshot(origin.Root, registry.Location, material, pinned.Snapshot!);
        }
        // 2c. The catalogue the versions come from, with this trust material: when the repository signs its index, the one
        //     a fresh snapshot made with it covers (a registry's tag lists are checked by its source).
        else if (source is not OciRepositorySource && await origin.CheckCatalogueAsync(source, material, now, cancellationToken).ConfigureAwait(false) is { } stale)
        {
            RefuseAll(stale.File, stale.Refusal);
            return;
        }
        if (!chooseFirst)
        {
            await ChooseAsync().ConfigureAwait(false);
        }

        // 3. Each chart: the archive and its .prov, then THE gate.
        await Parallel.ForEachAsync(Enumerable.Range(0, wanted.Length), parallel, async (slot, token) =>
            results[wanted[slot].At] = await JudgeAsync(source, material, wanted[slot], chosen[slot].Entry, chosen[slot].Chart, now, token).ConfigureAwait(false)).ConfigureAwait(false);
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

    private static async Task<PullResult> JudgeAsync(RepositorySource source, TrustedMaterial material, Wanted request, IndexEntry entry, ChartLocation chart, DateTime now, CancellationToken cancellationToken)
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

    private static TrustKind TrustKindOf(Wanted request) => request.LocalKeyring is null ? TrustKind.Repository : TrustKind.RepositoryAndLocalKeyring;

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

    // One chart asked for, and where its result goes.
    private sealed record Wanted(int At, string Chart, string? Version, Keyring? LocalKeyring, IProgress<DownloadProgress>? Progress);

    // Where a repository's trust material and catalogue come from, and what is kept of them.
    private abstract class Origin(string name, PinnedRoot root, TrustStateStore trustState)
    {
        /// <summary>The repository as messages name it: its configured name, or its location.</summary>
        public string Name { get; } = name;

        public PinnedRoot Root { get; } = root;

        public TrustStateStore TrustState { get; } = trustState;

        /// <summary>Whether the catalogue is at hand before the trust material is read (a cache), so that versions are chosen first.</summary>
        public abstract bool CatalogueBeforeTrust { get; }

        public abstract Task<TrustResult> RefreshTrustAsync(RepositorySource source, DateTime now, CancellationToken cancellationToken);

        /// <summary>The versions to choose from, for a source without live version lists.</summary>
        public abstract Task<ChartIndex> CatalogueAsync(CancellationToken cancellationToken);

        /// <summary>With the accepted trust material, for a source without live version lists: the catalogue's refusal, or null.</summary>
        public abstract Task<(string File, Refusal Refusal)?> CheckCatalogueAsync(RepositorySource source, TrustedMaterial material, DateTime now, CancellationToken cancellationToken);

        /// <summary>The message when the catalogue lists no such chart; null for <see cref="SelectVersion"/>'s.</summary>
        public abstract string? NoSuchChart(RepositorySource source, string chart);
    }

    // A repository added with repo add: its cached index (repo update refreshes it), the accepted trust material cached again.
    private sealed class ConfiguredOrigin(ClientHome home, ConfiguredRepository repository) : Origin(repository.Name, repository.Root, home.TrustState)
    {
        private readonly Lock _lock = new();
        private Task<ChartIndex>? _index;

        public override bool CatalogueBeforeTrust => true;

        public override Task<TrustResult> RefreshTrustAsync(RepositorySource source, DateTime now, CancellationToken cancellationToken) =>
            RepositoryClient.RefreshTrustAsync(home, repository, source, now, cancellationToken);

        public override Task<ChartIndex> CatalogueAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return _index ??= new RepositoryCache(home.CacheFor(repository.Name)).LoadIndexAsync(repository.Name, cancellationToken);
            }
        }

        public override Task<(string File, Refusal Refusal)?> CheckCatalogueAsync(RepositorySource source, TrustedMaterial material, DateTime now, CancellationToken cancellationToken) =>
            RepositoryClient.CheckCachedIndexAsync(home, repository, material, now, cancellationToken);

        public override string? NoSuchChart(RepositorySource source, string chart) => null;
    }

    // A repository given by its location: nothing cached; the index read now, once its trust material is accepted.
    private sealed class LocatedOrigin(string location, PinnedRoot root, TrustStateStore trustState) : Origin(location, root, trustState)
    {
        private ChartIndex? _index;

        public override bool CatalogueBeforeTrust => false;

        public override Task<TrustResult> RefreshTrustAsync(RepositorySource source, DateTime now, CancellationToken cancellationToken) =>
            TrustUpdater.RefreshAsync(source, Root, TrustState, now, cancellationToken);

        public override Task<ChartIndex> CatalogueAsync(CancellationToken cancellationToken) =>
            Task.FromResult(_index ?? throw new InvalidOperationException("the index is read once the trust material is accepted"));

        // The index as repo update reads it (through its signed snapshot when the material names index keys), parsed whole.
        public override async Task<(string File, Refusal Refusal)?> CheckCatalogueAsync(RepositorySource source, TrustedMaterial material, DateTime now, CancellationToken cancellationToken)
        {
            var (opened, refused) = await IndexUpdater.OpenCurrentAsync(source, Root, TrustState, material, now, cancellationToken).ConfigureAwait(false);
            if (refused is not null)
            {
                return (refused.File, refused.Refusal);
            }
            using var stream = opened!;
            var index = ChartIndex.Load(stream, source.AddressOf(ChartIndex.FileName));
            index.SortVersions();
            _index = index;
            return null;
        }

        public override string NoSuchChart(RepositorySource source, string chart) => $"no chart named \"{chart}\" in the repository's index";
    }
}

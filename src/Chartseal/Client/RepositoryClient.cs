using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.Trust;
using Chartseal.Charts;
using Chartseal.Fetch;

namespace Chartseal.Client;

/// <summary>
/// The client side of remote repositories: add (pin the root), update (verify the trust material against the pin,
/// then cache it and the index), and read back the cached trust material. It never decides trust itself:
/// <see cref="TrustUpdater"/> and <see cref="TrustedMaterial"/> do.
/// </summary>
public static class RepositoryClient
{
    /// <summary>The fingerprint of the single certificate in a root key file (for <c>--root-key FILE</c>).</summary>
    /// <exception cref="ChartsealException">Unreadable, or not exactly one certificate.</exception>
    public static PinnedRoot RootFromKeyFile(string path)
    {
        var rings = Keyring.Load(path).PublicKeyRings;
        if (rings.Count != 1)
        {
            throw new ChartsealException(path, $"holds {rings.Count} certificates; a root key file must hold exactly one");
        }
        return new PinnedRoot(KeyInfo.Fingerprint(rings[0].GetPublicKey()));
    }

    /// <summary>
    /// Adds a repository: verifies its trust material against the pin and caches it and the index, and only then
    /// records the repository in the configuration. On a rejection nothing is recorded.
    /// </summary>
    /// <exception cref="ChartsealException">The name is taken, a refused http URL, a download or file failure, the deadline.</exception>
    public static Task<RepositoryUpdate> AddAsync(ClientHome home, ConfiguredRepository repository, DateTime now, IProgress<DownloadProgress>? progress = null, FetchDeadline? deadline = null, CancellationToken cancellationToken = default) =>
        AddAsync(home, repository, replace: false, now, progress, deadline, cancellationToken);

    /// <summary>
    /// <see cref="AddAsync(ClientHome, ConfiguredRepository, DateTime, IProgress{DownloadProgress}?, FetchDeadline?, CancellationToken)"/>,
    /// or with <paramref name="replace"/> (Helm's <c>repo add --force-update</c>) replacing a repository of that name.
    /// A repository configured exactly so already is <see cref="RepositoryUpdate.Unchanged"/>, as Helm's <c>repo add</c>
    /// finds it under the configuration's lock, held for the whole add (two adds of one name at once: the second waits).
    /// All or nothing, as Helm's: the trust material and the index are downloaded into a hidden folder beside the caches,
    /// which replaces the repository's cache (another URL or root: nothing cached for the old one may be taken for the new
    /// one) only once everything was verified and stored, and the configuration is recorded after it. A failure or a
    /// refusal leaves the configuration and the old cache as they were. The trust state is kept: it is the root's.
    /// </summary>
    /// <exception cref="ChartsealException">The name is taken by another configuration (without <paramref name="replace"/>), a refused http URL, a download or file failure, the deadline.</exception>
    public static async Task<RepositoryUpdate> AddAsync(ClientHome home, ConfiguredRepository repository, bool replace, DateTime now, IProgress<DownloadProgress>? progress = null, FetchDeadline? deadline = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repository);
        // As Helm's repo add, the whole add holds the configuration's lock: a second add of the same name (two CI jobs at
        // once) waits and then finds the name taken, instead of sharing the hidden folder below with this one.
        string configFolder = Path.GetDirectoryName(Path.GetFullPath(home.ConfigFile))!;
        OutputFolder.Create(configFolder);
        // The wait counts against the command's deadline (--timeout), as Helm's repo add waits on its lock within its own.
        TimeSpan? wait = deadline is null ? null : TimeSpan.FromTicks(Math.Min(deadline.Remaining.Ticks, RepositoryLock.DefaultTimeout.Ticks));
        var held = await RepositoryLock.AcquireAsync(configFolder, cancellationToken, wait).ConfigureAwait(false);
        await using (held.ConfigureAwait(false))
        {
            return await AddLockedAsync(home, repository, replace, now, progress, deadline, cancellationToken).ConfigureAwait(false);
        }
    }

    // The add, under the configuration's lock.
    private static async Task<RepositoryUpdate> AddLockedAsync(ClientHome home, ConfiguredRepository repository, bool replace, DateTime now, IProgress<DownloadProgress>? progress, FetchDeadline? deadline, CancellationToken cancellationToken)
    {
        var config = await RepositoryConfigFile.LoadAsync(home.ConfigFile, cancellationToken).ConfigureAwait(false);
        var recorded = config.Repositories.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        if (replace)
        {
            config.Remove(repository.Name);
        }
        else if (config.IsConfiguredAs(repository.Name, repository.Url, repository.TrustOnFirstUse ? null : repository.RootFingerprint, repository.InsecureHttp, repository.CaFile, repository))
        {
            // As Helm's: the same name configured exactly so (another add of it just finished) is nothing to do.
            return new RepositoryUpdate.Unchanged(config.Get(repository.Name));
        }
        config.Add(repository); // refuses a name that is taken (configured otherwise), before anything is fetched
        string cacheDir = home.CacheFor(repository.Name);
        // Repository names never start with a dot: these cannot be another repository's cache. Every add holds the lock, so
        // any such folder there now (of this name or another) was left by a killed add: only ever an unfinished copy.
        string staging = Path.Combine(home.CacheDirectory, $".{repository.Name}.adding");
        string previous = Path.Combine(home.CacheDirectory, $".{repository.Name}.replaced");
        DeleteLeftovers(home.CacheDirectory, repository.Name, recorded);
        try
        {
            var update = await UpdateIntoAsync(home, repository, staging, now, progress, deadline, cancellationToken).ConfigureAwait(false);
            if (update is not RepositoryUpdate.Updated)
            {
                return update;
            }
            // The verified cache takes the old one's place, then the configuration names it; if that fails, the old cache
            // is put back.
            bool hadCache = Directory.Exists(cacheDir);
            if (hadCache)
            {
                Directory.Move(cacheDir, previous);
            }
            Directory.Move(staging, cacheDir);
            try
            {
                await config.SaveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                DeleteCache(cacheDir);
                if (hadCache)
                {
                    Directory.Move(previous, cacheDir);
                }
                throw;
            }
            DeleteCache(previous);
            return update;
        }
        finally
        {
            DeleteCache(staging);
        }
    }

    /// <summary>
    /// Updates a repository's cache: the trust material is fetched and checked against the pinned root (rollback,
    /// freeze, expiry: <see cref="TrustUpdater.RefreshWithFilesAsync"/>) and cached when accepted; then <c>index.yaml</c>
    /// is fetched conditionally (If-None-Match with the cached ETag), parsed, and cached.
    /// </summary>
    /// <returns><see cref="RepositoryUpdate.Updated"/>, or <see cref="RepositoryUpdate.Rejected"/> with a trust-* reason (nothing cached then).</returns>
    /// <exception cref="ChartsealException">A refused http URL, a download failure, the deadline (<paramref name="deadline"/>), no index, or an invalid index.</exception>
    public static Task<RepositoryUpdate> UpdateAsync(ClientHome home, ConfiguredRepository repository, DateTime now, IProgress<DownloadProgress>? progress = null, FetchDeadline? deadline = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repository);
        return UpdateIntoAsync(home, repository, home.CacheFor(repository.Name), now, progress, deadline, cancellationToken);
    }

    // The update of the cache in cacheDir: the repository's own, or the hidden folder an add fills before it takes its place.
    private static async Task<RepositoryUpdate> UpdateIntoAsync(ClientHome home, ConfiguredRepository repository, string cacheDir, DateTime now, IProgress<DownloadProgress>? progress, FetchDeadline? deadline, CancellationToken cancellationToken)
    {
        using var source = repository.OpenSource(deadline);
        var refreshed = await RefreshTrustIntoAsync(home, repository, source, cacheDir, now, cancellationToken).ConfigureAwait(false);
        if (refreshed is TrustResult.Rejected t)
        {
            return new RepositoryUpdate.Rejected(source.AddressOf(TrustFiles.ManifestName), t.Refusal);
        }
        var material = ((TrustResult.Accepted)refreshed).Material;

        var cache = new RepositoryCache(cacheDir);
        string indexUri = source.AddressOf(ChartIndex.FileName);
        string? etag = await cache.ReadIndexETagAsync(cancellationToken).ConfigureAwait(false);
        // Streamed to disk and hashed on the way, then parsed from the file entry by entry: a large (or small but
        // compressed) index is never held in memory whole.
        string download = cache.PrepareIndexDownload();
        try
        {
            string? held = material.RequiresSnapshot ? (await cache.HashIndexAsync(cancellationToken).ConfigureAwait(false))?.Sha256 : null;
            switch (await IndexUpdater.SaveAsync(source, repository.Root, home.TrustState, material, held, etag, download, progress, now, cancellationToken).ConfigureAwait(false))
            {
                case IndexDownload.Unchanged unchanged:
                    await cache.StoreSnapshotAsync(unchanged.Snapshot, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return new RepositoryUpdate.Updated(repository, material, IndexChanged: false, ChartVersions: null, unchanged.Snapshot);
                case IndexDownload.Saved saved:
                    // A broken index is refused before it replaces a good one; the snapshot that covers it goes in after it.
                    int versions = await cache.StoreIndexDownloadAsync(saved.File.Sha256, saved.File.ETag, indexUri, cancellationToken).ConfigureAwait(false);
                    await cache.StoreSnapshotAsync(saved.Snapshot, saved.Tags, cancellationToken).ConfigureAwait(false);
                    return new RepositoryUpdate.Updated(repository, material, IndexChanged: true, versions, saved.Snapshot);
                case IndexDownload.Rejected rejected:
                    return new RepositoryUpdate.Rejected(rejected.File, rejected.Refusal);
                default:
                    throw new ChartsealException(indexUri, "not found: the repository has no index.yaml");
            }
        }
        finally
        {
            cache.DiscardIndexDownload();
        }
    }

    /// <summary>
    /// Checks, without network access, that the cached index may still be used with <paramref name="material"/>: when the
    /// repository signs its index, the cached snapshot must verify against that material (made with it, not expired, not
    /// older than one accepted) and cover the cached index exactly. For <c>pull</c>, <c>install</c> and <c>search</c>.
    /// </summary>
    /// <returns>Null when it may (or the repository signs no index); else the refusal, with the file it concerns.</returns>
    public static async Task<(string File, Refusal Refusal)?> CheckCachedIndexAsync(ClientHome home, ConfiguredRepository repository, TrustedMaterial material, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(material);
        if (!material.RequiresSnapshot)
        {
            return null;
        }
        var cache = new RepositoryCache(home.CacheFor(repository.Name));
        string where = Path.Combine(cache.Directory, IndexSnapshot.FileName);
        string update = $" (the cached index of \"{repository.Name}\": run chartseal repo update {repository.Name})";
        byte[]? bytes = await cache.ReadSnapshotAsync(cancellationToken).ConfigureAwait(false);
        SnapshotResult result = TrustedSnapshot.Load(bytes, material, home.TrustState.Get(repository.Root)?.Snapshot, now);
        if (result is not SnapshotResult.Accepted { Snapshot: var snapshot })
        {
            var refusal = ((SnapshotResult.Rejected)result).Refusal;
            return (where, refusal with { Message = refusal.Message + update });
        }
        string covered = Path.Combine(cache.Directory, snapshot.Snapshot.IndexName);
        if ((await cache.HashCoveredAsync(snapshot.Snapshot.IndexName, cancellationToken).ConfigureAwait(false)) is not { } held)
        {
            return (covered, new Refusal(RejectionReason.IndexMismatch, $"no cached {snapshot.Snapshot.IndexName}" + update));
        }
        return snapshot.CheckIndex(held.Sha256, held.Size, covered) is { } mismatch ? (covered, mismatch with { Message = mismatch.Message + update }) : null;
    }

    /// <summary>
    /// Fetches the repository's trust material and checks it against the pinned root and what was accepted before;
    /// accepted material is remembered and cached (so a later offline check sees the newest accepted version).
    /// </summary>
    /// <returns>Accepted material, or a trust-* rejection.</returns>
    public static Task<TrustResult> RefreshTrustAsync(ClientHome home, ConfiguredRepository repository, RepositorySource source, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repository);
        return RefreshTrustIntoAsync(home, repository, source, home.CacheFor(repository.Name), now, cancellationToken);
    }

    private static async Task<TrustResult> RefreshTrustIntoAsync(ClientHome home, ConfiguredRepository repository, RepositorySource source, string cacheDir, DateTime now, CancellationToken cancellationToken)
    {
        var refreshed = await TrustUpdater.RefreshWithFilesAsync(source, repository.Root, home.TrustState, now, cancellationToken).ConfigureAwait(false);
        if (refreshed.Result is TrustResult.Accepted)
        {
            await new RepositoryCache(cacheDir).StoreTrustAsync(refreshed.Files, cancellationToken).ConfigureAwait(false);
        }
        return refreshed.Result;
    }

    /// <summary>
    /// The cached trust material of a repository, checked again now (pinned root, no rollback against what was accepted,
    /// not expired), without any network access: for <c>verify --repo NAME</c>.
    /// </summary>
    /// <returns>Accepted material, or a trust-* rejection (trust-unsigned when nothing is cached).</returns>
    public static async Task<TrustResult> LoadCachedTrustAsync(ClientHome home, ConfiguredRepository repository, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repository);
        var files = await new RepositoryCache(home.CacheFor(repository.Name)).ReadTrustAsync(cancellationToken).ConfigureAwait(false);
        // A cached copy is refused when it expired, or when a newer version was accepted since (by pull, audit or
        // verify --repo URL after a revocation): the copy is stale, and repo update mends it.
        var held = TrustUpdater.CheckHeld(files, repository.Root, home.TrustState, now);
        return held is TrustResult.Rejected { Refusal: var refusal }
            ? new TrustResult.Rejected(refusal with { Message = $"{refusal.Message} (the cached trust material of \"{repository.Name}\": run chartseal repo update {repository.Name})" })
            : held;
    }

    /// <summary>Removes a repository from the configuration and deletes its cache; false when it was not configured.</summary>
    /// <remarks>The trust state is kept: adding the repository again still refuses older trust material than was seen.</remarks>
    public static async Task<bool> RemoveAsync(ClientHome home, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        if ((await RepositoryConfigFile.LoadAsync(home.ConfigFile, cancellationToken).ConfigureAwait(false)).Find(name) is null)
        {
            return false;
        }
        bool removed = false;
        await RepositoryConfigFile.ChangeAsync(home.ConfigFile, c => removed = c.Remove(name), cancellationToken).ConfigureAwait(false);
        if (!removed)
        {
            return false;
        }
        DeleteCache(home.CacheFor(name));
        return true;
    }

    // The hidden folders of adds that were killed: their unfinished copies are deleted; a cache one set aside goes back in
    // its place when it was killed before the new one took it and the configuration still names that repository (else it
    // is deleted: nothing names it, or the new one is in place). Another repository's leftover that cannot be cleaned now
    // (a pull or repo update of it, which do not take the lock, just made its cache) is left for a later add, rather than
    // failing this one; this repository's must go, or its add could not take their places.
    private static void DeleteLeftovers(string cacheDirectory, string adding, IReadOnlySet<string> configured)
    {
        if (!Directory.Exists(cacheDirectory))
        {
            return;
        }
        const string Adding = ".adding", Replaced = ".replaced";
        foreach (string folder in Directory.EnumerateDirectories(cacheDirectory, ".*"))
        {
            string name = Path.GetFileName(folder);
            string suffix = name.EndsWith(Adding, StringComparison.Ordinal) ? Adding : name.EndsWith(Replaced, StringComparison.Ordinal) ? Replaced : "";
            if (suffix.Length == 0)
            {
                continue;
            }
            string owner = name.Length > suffix.Length ? name[1..^suffix.Length] : "";
            try
            {
                string replaced = Path.Combine(cacheDirectory, owner);
                if (suffix == Replaced && configured.Contains(owner) && !Directory.Exists(replaced))
                {
                    Directory.Move(folder, replaced);
                }
                else
                {
                    DeleteCache(folder);
                }
            }
            catch (Exception e) when (owner != adding && e is IOException or UnauthorizedAccessException)
            {
                // Another repository's: the next add tries again.
            }
        }
    }

    private static void DeleteCache(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

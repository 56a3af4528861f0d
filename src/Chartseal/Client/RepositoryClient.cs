using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Trust;
using Chartseal.Charts;
using Chartseal.Fetch;
using Chartseal.OpenPgp;

namespace Chartseal.Client;

/// <summary>
/// The client side of remote repositories: add (pin the root), update (verify the trust material against the pin,
/// then cache it and the index), and read back the cached trust material. It never decides trust itself:
/// <see cref="TrustClient"/> and <see cref="TrustedMaterial"/> do.
/// </summary>
public static class RepositoryClient
{
    /// <summary>Reads the root fingerprint a repository names in its manifest, without verifying anything (to show it to the user).</summary>
    /// <exception cref="ChartsealException">No manifest, an unreadable one, or a download failure.</exception>
    public static async Task<ClaimedRoot> ReadClaimedRootAsync(string url, bool insecureHttp, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        Uri manifestUri = HttpFetcher.FileUri(url, TrustFiles.ManifestName);
        ConfiguredRepository.CheckTransport(manifestUri, insecureHttp);
        byte[] manifest = await HttpFetcher.GetAsync(manifestUri, TrustFiles.MaxFileSize, cancellationToken).ConfigureAwait(false)
            ?? throw new ChartsealException(manifestUri.ToString(), "not found: the repository publishes no root-signed trust material");
        if (ClearSignedMessage.TryParse(manifest, out string framingError) is not { } message
            || TrustManifest.TryParse(message.Plaintext, out framingError) is not { } body)
        {
            throw new ChartsealException(manifestUri.ToString(), "not a trust manifest: " + framingError);
        }
        string? userId = null;
        if (await HttpFetcher.GetAsync(HttpFetcher.FileUri(url, TrustFiles.RootKeysName), TrustFiles.MaxFileSize, cancellationToken).ConfigureAwait(false) is { } rootKeys)
        {
            try
            {
                var ring = Keyring.Parse(rootKeys, TrustFiles.RootKeysName).PublicKeyRings.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == body.Root);
                userId = ring is null ? null : KeyInfo.PrimaryUserId(ring);
            }
            catch (ChartsealException)
            {
                // Only a display nicety: the fingerprint is what gets pinned.
            }
        }
        return new ClaimedRoot(body.Root, userId);
    }

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
    /// <exception cref="ChartsealException">The name is taken, a refused http URL, a download or file failure.</exception>
    public static async Task<RepositoryUpdate> AddAsync(ClientHome home, ConfiguredRepository repository, DateTime now, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repository);
        var config = await RepositoryConfigFile.LoadAsync(home.ConfigFile, cancellationToken).ConfigureAwait(false);
        config.Add(repository);
        string cacheDir = home.CacheFor(repository.Name);
        bool hadCache = Directory.Exists(cacheDir);
        try
        {
            var update = await UpdateAsync(home, repository, now, progress, cancellationToken).ConfigureAwait(false);
            if (update is RepositoryUpdate.Updated)
            {
                await config.SaveAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (!hadCache)
            {
                DeleteCache(cacheDir);
            }
            return update;
        }
        catch when (!hadCache)
        {
            DeleteCache(cacheDir);
            throw;
        }
    }

    /// <summary>
    /// Updates a repository's cache: the trust material is fetched and checked against the pinned root (rollback,
    /// freeze, expiry: <see cref="TrustClient.RefreshWithFilesAsync"/>) and cached when accepted; then <c>index.yaml</c>
    /// is fetched conditionally (If-None-Match with the cached ETag), parsed, and cached.
    /// </summary>
    /// <returns><see cref="RepositoryUpdate.Updated"/>, or <see cref="RepositoryUpdate.Rejected"/> with a trust-* reason (nothing cached then).</returns>
    /// <exception cref="ChartsealException">A refused http URL, a download failure, no index, or an invalid index.</exception>
    public static async Task<RepositoryUpdate> UpdateAsync(ClientHome home, ConfiguredRepository repository, DateTime now, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repository);
        var refreshed = await RefreshTrustAsync(home, repository, now, cancellationToken).ConfigureAwait(false);
        if (refreshed is TrustResult.Rejected t)
        {
            return new RepositoryUpdate.Rejected(ManifestUrl(repository), t.Reason, t.Message);
        }
        var material = ((TrustResult.Accepted)refreshed).Material;

        var cache = new RepositoryCache(home.CacheFor(repository.Name));
        Uri indexUri = HttpFetcher.FileUri(repository.Url, RepositoryIndexer.IndexFileName);
        string? etag = await cache.ReadIndexETagAsync(cancellationToken).ConfigureAwait(false);
        var outcome = await HttpFetcher.FetchAsync(indexUri, ChartIndex.MaxIndexSize, new FetchOptions(etag, progress), cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case FetchOutcome.NotModified:
                return new RepositoryUpdate.Updated(repository, material, IndexChanged: false, ChartVersions: null);
            case FetchOutcome.Downloaded downloaded:
                ChartIndex index;
                using (var stream = new MemoryStream(downloaded.Content, writable: false))
                {
                    index = ChartIndex.Load(stream, indexUri.ToString()); // refuse a broken index before it replaces a good one
                }
                await cache.StoreIndexAsync(downloaded.Content, index, downloaded.ETag, cancellationToken).ConfigureAwait(false);
                return new RepositoryUpdate.Updated(repository, material, IndexChanged: true, index.Count);
            default:
                throw new ChartsealException(indexUri.ToString(), "not found: the repository has no index.yaml");
        }
    }

    /// <summary>
    /// Fetches the repository's trust material and checks it against the pinned root and what was accepted before;
    /// accepted material is remembered and cached (so a later offline check sees the newest accepted version).
    /// </summary>
    /// <returns>Accepted material, or a trust-* rejection.</returns>
    public static async Task<TrustResult> RefreshTrustAsync(ClientHome home, ConfiguredRepository repository, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repository);
        repository.CheckTransport();
        var refreshed = await TrustClient.RefreshWithFilesAsync(repository.Url, repository.Root, home.TrustState, now, cancellationToken).ConfigureAwait(false);
        if (refreshed.Result is TrustResult.Accepted)
        {
            await new RepositoryCache(home.CacheFor(repository.Name)).StoreTrustAsync(refreshed.Files, cancellationToken).ConfigureAwait(false);
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
        return TrustClient.CheckHeld(files, repository.Url, repository.Root, home.TrustState, now);
    }

    /// <summary>Removes a repository from the configuration and deletes its cache; false when it was not configured.</summary>
    /// <remarks>The trust state is kept: adding the repository again still refuses older trust material than was seen.</remarks>
    public static async Task<bool> RemoveAsync(ClientHome home, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        var config = await RepositoryConfigFile.LoadAsync(home.ConfigFile, cancellationToken).ConfigureAwait(false);
        if (!config.Remove(name))
        {
            return false;
        }
        await config.SaveAsync(cancellationToken).ConfigureAwait(false);
        DeleteCache(home.CacheFor(name));
        return true;
    }

    /// <summary>The URL of a repository's trust manifest (the file named in trust rejections).</summary>
    public static string ManifestUrl(ConfiguredRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return HttpFetcher.FileUri(repository.Url, TrustFiles.ManifestName).ToString();
    }

    private static void DeleteCache(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

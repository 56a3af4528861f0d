using System.Text;
using Chartseal.IO;
using Chartseal.Repository;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// One repository's cache folder: its <c>index.yaml</c> with the ETag it was served with, and the trust files the
/// client last accepted (written only after <see cref="TrustedMaterial"/> accepted them, each file atomically,
/// the manifest last).
/// </summary>
public sealed class RepositoryCache
{
    private const string ETagFileName = "index.etag";

    /// <summary>A cache in <paramref name="directory"/> (created on first write).</summary>
    public RepositoryCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>The cached <c>index.yaml</c>.</summary>
    public string IndexPath => Path.Combine(Directory, RepositoryIndexer.IndexFileName);

    /// <summary>Whether an index has been cached.</summary>
    public bool HasIndex => File.Exists(IndexPath);

    /// <summary>The ETag of the cached index, or null (no index, or the server sent none).</summary>
    public async Task<string?> ReadIndexETagAsync(CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(Directory, ETagFileName);
        if (!HasIndex || !File.Exists(path))
        {
            return null;
        }
        string etag = Encoding.UTF8.GetString(await InputFile.ReadAsync(path, 4096, cancellationToken).ConfigureAwait(false)).Trim();
        return etag.Length == 0 ? null : etag;
    }

    /// <summary>Replaces the cached index (already parsed by the caller) and its ETag.</summary>
    public async Task StoreIndexAsync(byte[] index, string? etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        System.IO.Directory.CreateDirectory(Directory);
        string etagPath = Path.Combine(Directory, ETagFileName);
        // The old ETag goes first, so a crash between the two writes never pairs a new index with an old ETag.
        File.Delete(etagPath);
        await AtomicFile.WriteAllBytesAsync(IndexPath, index, cancellationToken).ConfigureAwait(false);
        if (etag is not null)
        {
            await AtomicFile.WriteAllBytesAsync(etagPath, Encoding.UTF8.GetBytes(etag), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Loads the cached index (streamed), newest versions first.</summary>
    /// <exception cref="ChartsealException">Nothing cached yet, or the cached file is damaged.</exception>
    public async Task<ChartIndex> LoadIndexAsync(string repositoryName, CancellationToken cancellationToken = default)
    {
        if (!HasIndex)
        {
            throw new ChartsealException(IndexPath, $"no cached index for repository \"{repositoryName}\" (run chartseal repo update {repositoryName})");
        }
        var index = await ChartIndex.LoadAsync(IndexPath, cancellationToken).ConfigureAwait(false);
        index.SortVersions();
        return index;
    }

    /// <summary>Keeps trust files that were just accepted: keyrings first, the manifest last.</summary>
    public async Task StoreTrustAsync(TrustFiles accepted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var (name, bytes) in new[]
        {
            (TrustFiles.PublicKeysName, accepted.PublicKeys),
            (TrustFiles.RevokedName, accepted.Revoked),
            (TrustFiles.RootKeysName, accepted.RootKeys),
            (TrustFiles.ManifestName, accepted.Manifest),
        })
        {
            string path = Path.Combine(Directory, name);
            if (bytes is null)
            {
                File.Delete(path);
            }
            else
            {
                await AtomicFile.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The cached trust files (unverified until checked again).</summary>
    public Task<TrustFiles> ReadTrustAsync(CancellationToken cancellationToken = default) =>
        System.IO.Directory.Exists(Directory)
            ? TrustFiles.ReadAsync(Directory, cancellationToken)
            : Task.FromResult(new TrustFiles(null, null, null, null));
}

using Chartseal.Charts;
using Chartseal.Fetch;
using Chartseal.Gate;
using Chartseal.IO;
using Chartseal.Oci;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// The one seam through which a repository's bytes arrive, whatever holds them (a local folder, an http(s) server,
/// an OCI registry namespace): its trust files, its <c>index.yaml</c> (or, for a registry, the list of its charts),
/// and each chart's archive and <c>.prov</c>. Every read has a size limit, and every remote read the
/// <see cref="FetchPolicy"/> (https unless plain http was allowed, timeouts, retries). Nothing read here is trusted:
/// the trust updater and the gate decide. Dispose a source to close its connections.
/// </summary>
public abstract class RepositorySource : IDisposable
{
    /// <summary>The largest chart archive read.</summary>
    public const long MaxArchiveSize = InputFile.DefaultMaxBytes;

    /// <summary>
    /// A <c>.prov</c> is read up to one byte over the verifier's limit, never failing on size: a longer one then reaches
    /// the gate as too long and is refused as malformed, the same at every door.
    /// </summary>
    public const long ProvenanceReadLimit = ChartVerifier.MaxProvenanceLength + 1L;

    /// <summary>
    /// A source for a repository folder, an http(s) repository URL, or an OCI registry namespace (<c>oci://HOST/NS</c>).
    /// For a registry, <paramref name="registry"/> gives the CA file, credentials and limits (default: the system roots
    /// and Helm's and Docker's credentials); plain HTTP is used only when <paramref name="policy"/> allows it, the one
    /// consent (<c>--plain-http</c>) for both kinds of remote repository.
    /// </summary>
    /// <exception cref="ChartsealException">A URL the policy refuses (plain http without consent, another scheme), or not an OCI namespace.</exception>
    public static RepositorySource Open(string location, FetchPolicy policy, OciRegistryOptions? registry = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentNullException.ThrowIfNull(policy);
        if (OciRepositorySource.IsOciLocation(location))
        {
            return new OciRepositorySource(OciRepositorySource.ParseNamespace(location), (registry ?? new OciRegistryOptions()) with { PlainHttp = policy.AllowPlainHttp, Deadline = policy.Deadline ?? registry?.Deadline });
        }
        return FetchPolicy.IsUrl(location) ? new HttpRepositorySource(location, policy) : new FolderRepositorySource(location);
    }

    /// <summary>Whether <paramref name="location"/> names a remote repository (an http(s) URL or an <c>oci://</c> namespace) rather than a folder.</summary>
    public static bool IsRemoteLocation(string location) => FetchPolicy.IsUrl(location) || OciRepositorySource.IsOciLocation(location);

    /// <summary>
    /// The repository's canonical location: the full folder path, or the URL in canonical form (lower-case scheme and
    /// host, no default port, no trailing slash). What rollback protection is remembered under.
    /// </summary>
    public abstract string Location { get; }

    /// <summary>Whether the bytes come over the network.</summary>
    public abstract bool IsRemote { get; }

    /// <summary>The path or URL of a file at the repository's root, for messages.</summary>
    public abstract string AddressOf(string name);

    /// <summary>A file at the repository's root; null when it does not exist.</summary>
    /// <exception cref="ChartsealException">Unreadable, larger than <paramref name="maxBytes"/>, or a failed download.</exception>
    public abstract Task<byte[]?> ReadFileAsync(string name, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary><c>index.yaml</c>, conditionally on <paramref name="etag"/> when the source can tell it is unchanged.</summary>
    /// <exception cref="ChartsealException">Unreadable, too large, or a failed download.</exception>
    public abstract Task<FetchOutcome> ReadIndexAsync(string? etag, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>index.yaml</c> streamed into the file <paramref name="path"/> and hashed on the way (never held in memory),
    /// conditionally on <paramref name="etag"/>: <see cref="FetchOutcome.Saved"/>, <see cref="FetchOutcome.NotModified"/>
    /// or <see cref="FetchOutcome.NotFound"/>. The caller renames or deletes the file.
    /// </summary>
    /// <exception cref="ChartsealException">Unreadable, too large, a failed download, or the file cannot be written.</exception>
    public abstract Task<FetchOutcome> SaveIndexAsync(string? etag, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default);

    /// <summary>Where an index entry's URL points; null when it leads outside the repository (or to a scheme never fetched).</summary>
    public abstract ChartLocation? Locate(string url);

    /// <summary>
    /// A chart's archive; null when it does not exist. With a <paramref name="lease"/> of a <see cref="MemoryBudget"/>,
    /// the bytes are reserved in it before they are read (waiting while other readers hold the budget); the caller
    /// disposes the lease when it drops the bytes.
    /// </summary>
    /// <exception cref="ChartsealException">Unreadable, larger than <see cref="MaxArchiveSize"/>, or a failed download.</exception>
    public abstract Task<byte[]?> ReadArchiveAsync(ChartLocation chart, IProgress<DownloadProgress>? progress, MemoryLease? lease, CancellationToken cancellationToken = default);

    /// <summary>A chart's <c>.prov</c>, at most <see cref="ProvenanceReadLimit"/> bytes; null when it does not exist.</summary>
    /// <exception cref="ChartsealException">Unreadable, or a failed download.</exception>
    public abstract Task<byte[]?> ReadProvenanceAsync(ChartLocation chart, CancellationToken cancellationToken = default);

    /// <summary>
    /// The versions of one chart, read live from the repository (a registry's tag list), newest first; null when the
    /// source has no such list and the client's cached <c>index.yaml</c> is the catalogue (folders and http(s)).
    /// </summary>
    /// <exception cref="ChartsealException">A failed download.</exception>
    public virtual Task<ChartIndex?> ReadChartVersionsAsync(string chart, CancellationToken cancellationToken = default) => Task.FromResult<ChartIndex?>(null);

    /// <summary>
    /// The file name the gate judges a chart's archive under: the location's file name. A registry's charts have no
    /// file name; there it is the archive name the chart's <c>.prov</c> signs, which the gate then requires to be the
    /// canonical <c>NAME-VERSION.tgz</c> of the signed chart (<see cref="ExpectationsFor"/>).
    /// </summary>
    public virtual string ArchiveNameFor(ChartLocation chart, byte[]? provenance)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return chart.FileName;
    }

    /// <summary>What the gate expects of the chart an index entry (or a registry tag) names: its name, version and digest.</summary>
    public virtual GateExpectations ExpectationsFor(IndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new GateExpectations(entry.Metadata.Name, entry.Metadata.Version, Digest: entry.Digest);
    }

    /// <summary>The trust files (missing ones are null).</summary>
    /// <exception cref="ChartsealException">A file is unreadable or too large, or a download failed.</exception>
    public virtual Task<TrustFiles> ReadTrustFilesAsync(CancellationToken cancellationToken = default) =>
        TrustFiles.ReadAsync((name, maxBytes) => ReadFileAsync(name, maxBytes, cancellationToken));

    /// <summary>
    /// A file at the repository's root streamed into the file <paramref name="path"/> and hashed on the way:
    /// <see cref="FetchOutcome.Saved"/> or <see cref="FetchOutcome.NotFound"/>. The caller renames or deletes the file.
    /// </summary>
    /// <exception cref="ChartsealException">Unreadable, larger than <paramref name="maxBytes"/>, a failed download, or the file cannot be written.</exception>
    public virtual Task<FetchOutcome> SaveFileAsync(string name, long maxBytes, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default) =>
        throw new ChartsealException(AddressOf(name), "this repository holds no such files");

    /// <summary>The unescaped last segment of a URL path.</summary>
    internal static string FileNameOf(string urlPath) => Uri.UnescapeDataString(urlPath[(urlPath.LastIndexOf('/') + 1)..]);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the source's connections (nothing for folders and http(s), which share one client).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

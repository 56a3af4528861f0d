using Chartseal.Charts;
using Chartseal.Fetch;

namespace Chartseal.Client;

/// <summary>A repository served over http(s): every read goes through one <see cref="HttpFetcher"/> and its policy.</summary>
public sealed class HttpRepositorySource : RepositorySource
{
    private readonly HttpFetcher _fetcher;
    private readonly Uri _base;

    /// <summary>A source for the repository at <paramref name="url"/>.</summary>
    /// <exception cref="ChartsealException">Not an absolute URL, or one the policy refuses.</exception>
    public HttpRepositorySource(string url, FetchPolicy policy)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(policy);
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out Uri? uri) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new ChartsealException(url, "not a repository URL (an absolute http(s) URL without query or fragment)");
        }
        policy.Check(uri);
        _base = uri;
        _fetcher = new HttpFetcher(policy);
        // Canonical: scheme and host lower case, no default port, no trailing slash (System.Uri normalises the rest).
        Location = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
    }

    /// <inheritdoc />
    public override string Location { get; }

    /// <inheritdoc />
    public override bool IsRemote => true;

    /// <summary>The rules every download from this repository obeys.</summary>
    public FetchPolicy Policy => _fetcher.Policy;

    /// <inheritdoc />
    public override string AddressOf(string name) => new Uri(_base, name).ToString();

    /// <inheritdoc />
    /// <remarks>
    /// A 403 for any file but <c>trust.yaml.asc</c> (which every Chartseal repository has, and which is read first) is
    /// that file's absence: static hosting (S3, CloudFront) answers so for an object it does not hold. Whether the file
    /// may be missing is then decided as for a 404 (a repository that signs its index and has no snapshot is refused).
    /// </remarks>
    public override async Task<byte[]?> ReadFileAsync(string name, long maxBytes, CancellationToken cancellationToken = default) =>
        await _fetcher.FetchAsync(new Uri(_base, name), maxBytes, new FetchOptions(ForbiddenIsMissing: name != Trust.TrustFiles.ManifestName), cancellationToken).ConfigureAwait(false)
            is FetchOutcome.Downloaded d ? d.Content : null;

    /// <inheritdoc />
    public override Task<FetchOutcome> ReadIndexAsync(string? etag, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default) =>
        _fetcher.FetchAsync(new Uri(_base, ChartIndex.FileName), ChartIndex.MaxIndexSize, new FetchOptions(etag, progress), cancellationToken);

    /// <inheritdoc />
    public override Task<FetchOutcome> SaveIndexAsync(string? etag, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default) =>
        _fetcher.FetchToFileAsync(new Uri(_base, ChartIndex.FileName), ChartIndex.MaxIndexSize, path, new FetchOptions(etag, progress), cancellationToken);

    /// <inheritdoc />
    public override Task<FetchOutcome> SaveFileAsync(string name, long maxBytes, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default) =>
        _fetcher.FetchToFileAsync(new Uri(_base, name), maxBytes, path, new FetchOptions(null, progress), cancellationToken);

    /// <inheritdoc />
    public override ChartLocation? Locate(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        // Relative to the repository, or absolute (charts are often hosted elsewhere); only http(s) is ever fetched,
        // and the policy decides on plain http at the download.
        if (!Uri.TryCreate(_base, url, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }
        string fileName = FileNameOf(uri.AbsolutePath);
        return fileName.Length == 0 ? null : new ChartLocation(uri.ToString(), fileName);
    }

    /// <inheritdoc />
    public override async Task<byte[]?> ReadArchiveAsync(ChartLocation chart, IProgress<DownloadProgress>? progress, MemoryLease? lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return await _fetcher.FetchAsync(new Uri(chart.Address), MaxArchiveSize, new FetchOptions(Progress: progress, Lease: lease), cancellationToken).ConfigureAwait(false)
            is FetchOutcome.Downloaded d ? d.Content : null;
    }

    /// <inheritdoc />
    public override async Task<byte[]?> ReadProvenanceAsync(ChartLocation chart, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        // Read after its archive: a 403 here is a .prov static hosting does not hold (see ReadFileAsync).
        return await _fetcher.FetchAsync(new Uri(chart.Address + ".prov"), ProvenanceReadLimit, new FetchOptions(Truncate: true, ForbiddenIsMissing: true), cancellationToken).ConfigureAwait(false)
            is FetchOutcome.Downloaded d ? d.Content : null;
    }
}

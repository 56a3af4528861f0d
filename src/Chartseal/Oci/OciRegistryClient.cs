using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Chartseal.Fetch;

namespace Chartseal.Oci;

/// <summary>
/// A client of the OCI distribution API, limited to what Helm uses: ping, manifests (GET, HEAD, PUT, DELETE), blobs
/// (HEAD, GET, monolithic upload), tag lists and the catalog, both paginated. It authenticates as Helm does (HTTP Basic,
/// or the registry token flow answering a <c>WWW-Authenticate: Bearer</c> challenge, tokens cached per scope) with the
/// credentials of <see cref="OciRegistryOptions.Credentials"/>.
/// <para>
/// Nothing read is trusted before it is checked: manifests are hashed and compared with the digest asked for (or the
/// one the registry announced), blobs are streamed through the hash with a size cap and compared with their digest
/// and size before they are returned. Every request has a deadline covering its body, a read that receives less than
/// the low-speed limit (<see cref="OciRegistryOptions.LowSpeedLimit"/>) is cut early, reads are retried on connection
/// failures, timeouts, too slow transfers and 5xx answers, and every failure is an <see cref="OciRegistryException"/> with one line naming
/// the reference and the reason. Redirects (blob downloads are often sent to storage) are followed only to http(s)
/// URLs, never from HTTPS to HTTP unless plain HTTP is allowed, and credentials are sent only to the registry itself.
/// </para>
/// </summary>
public sealed class OciRegistryClient : IDisposable
{
    /// <summary>The most redirects followed for one request.</summary>
    public const int MaxRedirects = 5;

    /// <summary>The most entries a tag or repository listing returns (all pages together).</summary>
    public const int MaxListEntries = 100_000;

    private static readonly string ManifestAccept = string.Join(", ", OciMediaTypes.ImageManifest, OciMediaTypes.ImageIndex,
        OciMediaTypes.DockerManifest, OciMediaTypes.DockerManifestList);

    private readonly OciRegistryOptions _options;
    private readonly HttpClient _http;
    private readonly TlsSettings _tls;
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _basic = new(StringComparer.OrdinalIgnoreCase);

    // The low-speed watchdog of the attempt a request belongs to (reads only): the body readers count into it.
    private static readonly HttpRequestOptionsKey<TransferWatchdog> WatchdogKey = new("Chartseal.TransferWatchdog");

    /// <summary>Creates a client; dispose it to close its connections.</summary>
    /// <exception cref="ChartsealException">The CA file or the client certificate cannot be read (the file is named).</exception>
    public OciRegistryClient(OciRegistryOptions? options = null)
    {
        _options = options ?? new OciRegistryOptions();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // redirects are checked one by one (scheme, host, credentials)
            AutomaticDecompression = DecompressionMethods.None, // digests cover the bytes as stored
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
        };
        _tls = _options.Tls;
        _tls.ApplyTo(handler);
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Chartseal", typeof(OciRegistryClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    /// <summary>The options this client was made with.</summary>
    public OciRegistryOptions Options => _options;

    /// <summary>Checks that <paramref name="registry"/> (<c>host[:port]</c>) answers the distribution API and accepts the credentials.</summary>
    /// <exception cref="OciRegistryException">Unreachable, not a registry, or credentials refused.</exception>
    public Task PingAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        var call = new Call(HttpMethod.Get, new Uri(BaseUri(registry), "/v2/"), registry, null, OciReference.Scheme + registry);
        return RunAsync<bool>(call, async (response, token) =>
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new OciRegistryException(call.What, "does not answer the OCI distribution API (/v2/ answered 404)", 404);
            }
            await EnsureSuccessAsync(call, response, token).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Fetches a manifest by tag or digest and checks its digest: against the digest of the reference when it has one,
    /// else against the <c>Docker-Content-Digest</c> the registry announced. Null when the registry has no such
    /// manifest (404).
    /// </summary>
    /// <exception cref="OciRegistryException">Refused, larger than <see cref="OciRegistryOptions.MaxManifestSize"/>, or a digest mismatch.</exception>
    public Task<OciManifestResponse?> GetManifestAsync(OciReference reference, CancellationToken cancellationToken = default)
    {
        string manifestReference = RequireManifestReference(reference);
        var call = new Call(HttpMethod.Get, RepositoryUri(reference, "manifests/" + manifestReference), reference.Registry, PullScope(reference), reference.ToString())
        {
            Accept = ManifestAccept,
        };
        return RunAsync<OciManifestResponse?>(call, async (response, token) =>
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            await EnsureSuccessAsync(call, response, token).ConfigureAwait(false);
            byte[] content = await ReadCappedAsync(call, response, _options.MaxManifestSize, "manifest", token).ConfigureAwait(false);
            string digest = CheckManifestDigest(call.What, reference, content, AnnouncedDigest(call.What, response));
            string mediaType = response.Content.Headers.ContentType?.MediaType is { Length: > 0 } m && m != "application/octet-stream"
                ? m : SniffMediaType(content);
            return new OciManifestResponse(content, digest, mediaType);
        }, cancellationToken);
    }

    /// <summary>
    /// The descriptor of a manifest without its body (HEAD), or null when there is none. When the registry announces no
    /// digest or size, the manifest is fetched and hashed instead.
    /// </summary>
    /// <exception cref="OciRegistryException">Refused, or the registry announced a digest other than the one asked for.</exception>
    public async Task<OciDescriptor?> HeadManifestAsync(OciReference reference, CancellationToken cancellationToken = default)
    {
        string manifestReference = RequireManifestReference(reference);
        var call = new Call(HttpMethod.Head, RepositoryUri(reference, "manifests/" + manifestReference), reference.Registry, PullScope(reference), reference.ToString())
        {
            Accept = ManifestAccept,
        };
        var (found, descriptor) = await RunAsync<(bool, OciDescriptor?)>(call, async (response, token) =>
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return (false, null);
            }
            await EnsureSuccessAsync(call, response, token).ConfigureAwait(false);
            string? digest = AnnouncedDigest(call.What, response);
            long? size = response.Content.Headers.ContentLength;
            if (digest is null || size is null || response.Content.Headers.ContentType?.MediaType is not { Length: > 0 } mediaType)
            {
                return (true, null);
            }
            if (reference.Digest is not null && digest != reference.Digest)
            {
                throw new OciRegistryException(call.What, $"the registry announced digest {digest} for it");
            }
            if (size > _options.MaxManifestSize)
            {
                throw new OciRegistryException(call.What, $"manifest is larger than the {_options.MaxManifestSize} byte limit ({size} bytes)");
            }
            return (true, new OciDescriptor(mediaType, digest, size.Value));
        }, cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            return null;
        }
        return descriptor ?? (await GetManifestAsync(reference, cancellationToken).ConfigureAwait(false))?.Descriptor;
    }

    /// <summary>Stores <paramref name="manifest"/> at the reference's tag (or digest) and returns its descriptor.</summary>
    /// <exception cref="OciRegistryException">Refused (e.g. a blob it names is missing), or the registry computed another digest.</exception>
    public Task<OciDescriptor> PutManifestAsync(OciReference reference, OciManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return PutManifestAsync(reference, manifest.ToJson(), manifest.MediaType ?? OciMediaTypes.ImageManifest, cancellationToken);
    }

    /// <summary>Stores the manifest bytes <paramref name="content"/> of media type <paramref name="mediaType"/> at the reference.</summary>
    /// <exception cref="OciRegistryException">Refused, too large, or the registry computed another digest.</exception>
    public Task<OciDescriptor> PutManifestAsync(OciReference reference, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken = default)
    {
        string manifestReference = RequireManifestReference(reference);
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        var descriptor = new OciDescriptor(mediaType, reference.Digest is { } d ? OciDigest.ComputeLike(d, content.Span) : OciDigest.Sha256(content.Span), content.Length);
        if (reference.Digest is not null && descriptor.Digest != reference.Digest)
        {
            throw new OciRegistryException(reference.ToString(), $"the manifest's digest is {descriptor.Digest}, not the one of the reference");
        }
        if (content.Length > _options.MaxManifestSize)
        {
            throw new OciRegistryException(reference.ToString(), $"manifest is larger than the {_options.MaxManifestSize} byte limit ({content.Length} bytes)");
        }
        var call = new Call(HttpMethod.Put, RepositoryUri(reference, "manifests/" + manifestReference), reference.Registry, PushScope(reference), reference.ToString())
        {
            Content = () => Bytes(content, mediaType),
        };
        return RunAsync(call, async (response, token) =>
        {
            await EnsureSuccessAsync(call, response, token).ConfigureAwait(false);
            if (AnnouncedDigest(call.What, response) is { } stored && stored != OciDigest.ComputeLike(stored, content.Span))
            {
                throw new OciRegistryException(call.What, $"the registry stored the manifest as {stored}, not {descriptor.Digest}");
            }
            return descriptor;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes the manifest at the reference's digest (a tag is first resolved to its digest, and deleting removes the
    /// manifest under every tag). False when there was no such manifest.
    /// </summary>
    /// <exception cref="OciRegistryException">Refused; <see cref="OciRegistryException.IsUnsupported"/> when the registry does not allow deletes.</exception>
    public async Task<bool> DeleteManifestAsync(OciReference reference, CancellationToken cancellationToken = default)
    {
        RequireManifestReference(reference);
        OciReference target = reference;
        if (reference.Digest is null)
        {
            if (await HeadManifestAsync(reference, cancellationToken).ConfigureAwait(false) is not { } head)
            {
                return false;
            }
            target = reference.WithDigest(head.Digest);
        }
        var call = new Call(HttpMethod.Delete, RepositoryUri(target, "manifests/" + target.Digest), target.Registry, $"repository:{target.Repository}:delete", target.ToString());
        return await RunAsync(call, async (response, token) =>
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            if (response.StatusCode == HttpStatusCode.MethodNotAllowed)
            {
                throw new OciRegistryException(call.What, "the registry does not allow deleting manifests (405 Method Not Allowed)", 405);
            }
            await EnsureSuccessAsync(call, response, token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the repository holds the blob <paramref name="digest"/>.</summary>
    public Task<bool> BlobExistsAsync(OciReference repository, string digest, CancellationToken cancellationToken = default)
    {
        OciDigest.Check(digest, repository.ToString());
        var call = new Call(HttpMethod.Head, RepositoryUri(repository, "blobs/" + digest), repository.Registry, PullScope(repository), BlobWhat(repository, digest))
        {
            FollowRedirects = true,
        };
        return RunAsync(call, async (response, token) =>
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            await EnsureSuccessAsync(call, response, token).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>Downloads the blob of <paramref name="descriptor"/>; returned only when its size and digest match.</summary>
    /// <exception cref="OciRegistryException">Missing, refused, a size or digest mismatch.</exception>
    public Task<byte[]> GetBlobAsync(OciReference repository, OciDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return GetBlobAsync(repository, descriptor.Digest, descriptor.Size, descriptor.Size, check: true, cancellationToken);
    }

    /// <summary>Downloads the blob <paramref name="digest"/> of unknown size, at most <paramref name="maxBytes"/>; returned only when its digest matches.</summary>
    /// <exception cref="OciRegistryException">Missing, refused, larger than <paramref name="maxBytes"/>, or a digest mismatch.</exception>
    public Task<byte[]> GetBlobAsync(OciReference repository, string digest, long maxBytes, CancellationToken cancellationToken = default) =>
        GetBlobAsync(repository, digest, null, maxBytes, check: true, cancellationToken);

    /// <summary>
    /// Downloads the blob of <paramref name="descriptor"/> as the registry sends it, without comparing its size and
    /// digest with the descriptor: at most one byte more than the descriptor's size is read (a longer answer is cut
    /// there, and so differs from the descriptor too). For a caller that judges the content itself and must report a
    /// mismatch as a verdict on that one artifact rather than as a failed request: the trust gate compares a chart
    /// layer with the digest its manifest names (<c>digest-mismatch</c>), and an audit goes on with the next chart.
    /// </summary>
    /// <exception cref="OciRegistryException">Missing or refused.</exception>
    public async Task<byte[]> GetBlobAsSentAsync(OciReference repository, OciDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return await GetBlobAsync(repository, descriptor.Digest, descriptor.Size, descriptor.Size, check: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> GetBlobAsync(OciReference repository, string digest, long? size, long maxBytes, bool check, CancellationToken cancellationToken)
    {
        byte[]? result = null;
        await TransferBlobAsync(repository, digest, size, maxBytes, () => new MemoryStream(), (stream, _) =>
        {
            result = ((MemoryStream)stream).ToArray();
            return Task.CompletedTask;
        }, retry: true, check, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    /// <summary>
    /// Streams the blob of <paramref name="descriptor"/> into <paramref name="destination"/> through the hash. The bytes
    /// written are unchecked until this returns: on any exception (a digest or size mismatch included) the caller must
    /// discard them, e.g. by writing to a temporary file that is renamed only afterwards (<c>IO/AtomicFile.WriteAsync</c>).
    /// Not retried, since part of the blob may already be written.
    /// </summary>
    /// <exception cref="OciRegistryException">Missing, refused, a size or digest mismatch.</exception>
    public Task CopyBlobToAsync(OciReference repository, OciDescriptor descriptor, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(destination);
        return TransferBlobAsync(repository, descriptor.Digest, descriptor.Size, descriptor.Size, () => destination, (_, _) => Task.CompletedTask, retry: false, check: true, cancellationToken);
    }

    private Task TransferBlobAsync(OciReference repository, string digest, long? size, long maxBytes, Func<Stream> openDestination,
        Func<Stream, CancellationToken, Task> onComplete, bool retry, bool check, CancellationToken cancellationToken)
    {
        OciDigest.Check(digest, repository.ToString());
        var call = new Call(HttpMethod.Get, RepositoryUri(repository, "blobs/" + digest), repository.Registry, PullScope(repository), BlobWhat(repository, digest))
        {
            FollowRedirects = true,
            Retry = retry,
        };
        return RunAsync(call, async (response, token) =>
        {
            await EnsureSuccessAsync(call, response, token).ConfigureAwait(false);
            long? announced = response.Content.Headers.ContentLength;
            if (check && (announced > maxBytes || (size is not null && announced is not null && announced != size)))
            {
                throw new OciRegistryException(call.What, size is not null
                    ? $"the registry announced {announced} bytes, the descriptor says {size}"
                    : $"blob is larger than the {maxBytes} byte limit ({announced} bytes)");
            }
            Stream destination = openDestination();
            using IncrementalHash hash = OciDigest.CreateHash(digest)!;
            long total = 0;
            TransferWatchdog? watchdog = WatchdogOf(response);
            Stream body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                byte[] buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
                {
                    watchdog?.Count(read);
                    total += read;
                    if (total > maxBytes && !check)
                    {
                        // Cut one byte past the limit: enough to differ from the descriptor, never more held.
                        await destination.WriteAsync(buffer.AsMemory(0, read - (int)(total - maxBytes - 1)), token).ConfigureAwait(false);
                        break;
                    }
                    if (total > maxBytes)
                    {
                        throw new OciRegistryException(call.What, size is not null
                            ? $"the registry sent more than the {size} bytes the descriptor says"
                            : $"blob is larger than the {maxBytes} byte limit");
                    }
                    hash.AppendData(buffer, 0, read);
                    await destination.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                }
            }
            if (!check)
            {
                await onComplete(destination, token).ConfigureAwait(false);
                return true;
            }
            if (size is not null && total != size)
            {
                throw new OciRegistryException(call.What, $"the registry sent {total} bytes, the descriptor says {size}");
            }
            string actual = OciDigest.Finish(digest, hash);
            if (actual != digest)
            {
                throw new OciRegistryException(call.What, $"blob digest mismatch: the registry sent content with digest {actual}");
            }
            await onComplete(destination, token).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Uploads <paramref name="content"/> as the blob of <paramref name="descriptor"/> (monolithic: POST, then PUT with
    /// the digest), unless the repository already holds it. True when it was uploaded, false when it was already there.
    /// </summary>
    /// <exception cref="ArgumentException">The content does not match the descriptor.</exception>
    /// <exception cref="OciRegistryException">Refused, or the registry stored another digest.</exception>
    public Task<bool> PushBlobAsync(OciReference repository, OciDescriptor descriptor, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (content.Length != descriptor.Size || !OciDigest.Matches(descriptor.Digest, content.Span))
        {
            throw new ArgumentException($"the content does not match the descriptor {descriptor.Digest} ({descriptor.Size} bytes)", nameof(content));
        }
        return PushBlobAsync(repository, descriptor, () => new MemoryStream(content.ToArray(), writable: false), cancellationToken);
    }

    /// <summary>
    /// Uploads the blob of <paramref name="descriptor"/> from a stream (opened by <paramref name="openContent"/>, once per
    /// attempt), unless the repository already holds it. The registry checks the digest of what it receives.
    /// </summary>
    /// <exception cref="OciRegistryException">Refused, or the registry stored another digest.</exception>
    public Task<bool> PushBlobAsync(OciReference repository, OciDescriptor descriptor, Func<Stream> openContent, CancellationToken cancellationToken = default) =>
        PushBlobAsync(repository, descriptor, openContent, evenIfHeld: false, cancellationToken);

    private async Task<bool> PushBlobAsync(OciReference repository, OciDescriptor descriptor, Func<Stream> openContent, bool evenIfHeld, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(openContent);
        OciDigest.Check(descriptor.Digest, repository.ToString());
        if (!evenIfHeld && await BlobExistsAsync(repository, descriptor.Digest, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        string what = BlobWhat(repository, descriptor.Digest);
        var start = new Call(HttpMethod.Post, RepositoryUri(repository, "blobs/uploads/"), repository.Registry, PushScope(repository), what)
        {
            Content = () => new ByteArrayContent([]),
        };
        Uri location = await RunAsync(start, async (response, token) =>
        {
            await EnsureSuccessAsync(start, response, token).ConfigureAwait(false);
            Uri? given = response.Headers.Location;
            return given is null
                ? throw new OciRegistryException(what, "the registry started an upload without a Location")
                : given.IsAbsoluteUri ? given : new Uri(start.Uri, given);
        }, cancellationToken).ConfigureAwait(false);
        CheckSameRegistry(what, start.Uri, location, "upload location");
        var target = new Uri(location.AbsoluteUri + (location.Query.Length > 0 ? "&" : "?") + "digest=" + Uri.EscapeDataString(descriptor.Digest));
        var put = new Call(HttpMethod.Put, target, repository.Registry, PushScope(repository), what)
        {
            Content = () =>
            {
                var body = new StreamContent(openContent());
                body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                body.Headers.ContentLength = descriptor.Size;
                return body;
            },
        };
        return await RunAsync(put, async (response, token) =>
        {
            await EnsureSuccessAsync(put, response, token).ConfigureAwait(false);
            if (AnnouncedDigest(what, response) is { } stored && stored != descriptor.Digest)
            {
                throw new OciRegistryException(what, $"the registry stored the blob as {stored}");
            }
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes an artifact: every blob the manifest names (config and layers) that the repository does not hold yet,
    /// then the manifest at <paramref name="target"/>'s tag or digest. Blobs already in the repository need not be given.
    /// </summary>
    /// <returns>The manifest's descriptor.</returns>
    /// <exception cref="ArgumentException">A blob does not match its descriptor.</exception>
    /// <exception cref="OciRegistryException">A blob the manifest names is neither given nor in the repository, or a request failed.</exception>
    public async Task<OciDescriptor> PushArtifactAsync(OciReference target, OciManifest manifest, IEnumerable<OciBlob> blobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(blobs);
        RequireManifestReference(target);
        var given = new Dictionary<string, OciBlob>(StringComparer.Ordinal);
        foreach (OciBlob blob in blobs)
        {
            given.TryAdd(blob.Descriptor.Digest, blob);
        }
        // Pushers of the same blob at once (two CI jobs pushing charts with the same empty config) race in some registries
        // (CNCF distribution 2.8): one sees the blob as held while the other is still writing it, and its manifest is
        // refused as naming an unknown or invalid blob. Uploading the given blobs again and retrying resolves it.
        for (int attempt = 1; ; attempt++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (OciDescriptor needed in manifest.Layers.Prepend(manifest.Config))
            {
                if (!seen.Add(needed.Digest))
                {
                    continue;
                }
                if (given.TryGetValue(needed.Digest, out OciBlob? blob))
                {
                    await PushBlobAsync(target, needed, () => new MemoryStream(blob.Content.ToArray(), writable: false), evenIfHeld: attempt > 1, cancellationToken).ConfigureAwait(false);
                }
                else if (!await BlobExistsAsync(target, needed.Digest, cancellationToken).ConfigureAwait(false))
                {
                    throw new OciRegistryException(BlobWhat(target, needed.Digest), "the manifest names this blob, but it was not given and the repository does not hold it");
                }
            }
            try
            {
                return await PutManifestAsync(target, manifest, cancellationToken).ConfigureAwait(false);
            }
            catch (OciRegistryException e) when (attempt < MaxBlobRaceAttempts && e.StatusCode == 400
                && e.ErrorCodes.Any(c => c is "MANIFEST_BLOB_UNKNOWN" or "BLOB_UNKNOWN" or "DIGEST_INVALID"))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Empty pages naming a next page followed in one listing.</summary>
    private const int MaxEmptyListPages = 100;

    /// <summary>How many times an artifact push is tried when the registry loses a blob to a concurrent push of it.</summary>
    private const int MaxBlobRaceAttempts = 3;

    /// <summary>
    /// The repository's tags, all pages (<c>Link: &lt;…&gt;; rel="next"</c>) followed, in the registry's order. Empty when
    /// the repository does not exist. <paramref name="pageSize"/> asks for pages of that many tags (0: the registry's default).
    /// </summary>
    /// <exception cref="OciRegistryException">Refused, a malformed answer, or more than <see cref="MaxListEntries"/> tags.</exception>
    public async Task<IReadOnlyList<string>> ListTagsAsync(OciReference repository, int pageSize = 0, CancellationToken cancellationToken = default)
    {
        RequireRepository(repository);
        Uri first = RepositoryUri(repository, "tags/list" + (pageSize > 0 ? "?n=" + pageSize.ToString(CultureInfo.InvariantCulture) : ""));
        return await ListAsync(first, repository.Registry, PullScope(repository), repository.WithoutReference.ToString(), "tags", notFoundIsEmpty: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The registry's repositories (<c>/v2/_catalog</c>), all pages followed. Many registries do not offer this; they are
    /// reported as an <see cref="OciRegistryException"/> whose <see cref="OciRegistryException.IsUnsupported"/> is true
    /// (or whose status is 401/403 when the registry keeps the catalog to some users).
    /// </summary>
    /// <exception cref="OciRegistryException">No catalog, refused, a malformed answer, or more than <see cref="MaxListEntries"/> entries.</exception>
    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(string registry, int pageSize = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        Uri first = new(BaseUri(registry), "/v2/_catalog" + (pageSize > 0 ? "?n=" + pageSize.ToString(CultureInfo.InvariantCulture) : ""));
        try
        {
            return await ListAsync(first, registry, "registry:catalog:*", OciReference.Scheme + registry, "repositories", notFoundIsEmpty: false, cancellationToken).ConfigureAwait(false);
        }
        catch (OciRegistryException e) when (e.IsUnsupported)
        {
            throw new OciRegistryException(OciReference.Scheme + registry,
                $"the registry does not list its repositories (/v2/_catalog answered {e.StatusCode}{(e.ErrorCodes.Count > 0 ? " " + string.Join(", ", e.ErrorCodes) : "")}); name the repositories instead",
                e.StatusCode, e.ErrorCodes, e);
        }
    }

    private async Task<IReadOnlyList<string>> ListAsync(Uri first, string registry, string scope, string what, string field, bool notFoundIsEmpty, CancellationToken cancellationToken)
    {
        var all = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        int emptyPages = 0;
        for (Uri? next = first; next is not null;)
        {
            if (!visited.Add(next.AbsoluteUri))
            {
                throw new OciRegistryException(what, $"the registry's pages loop back to {next}");
            }
            var call = new Call(HttpMethod.Get, next, registry, scope, what);
            (List<string>? page, Uri? following) = await RunAsync<(List<string>?, Uri?)>(call, async (response, token) =>
            {
                if (response.StatusCode == HttpStatusCode.NotFound && notFoundIsEmpty)
                {
                    return (null, null);
                }
                await EnsureSuccessAsync(call, response, token).ConfigureAwait(false);
                byte[] body = await ReadCappedAsync(call, response, _options.MaxMetadataSize, "list", token).ConfigureAwait(false);
                return (ReadStringList(what, body, field), NextLink(call, response));
            }, cancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                break;
            }
            if (all.Count + page.Count > MaxListEntries)
            {
                throw new OciRegistryException(what, $"the registry lists more than {MaxListEntries} {field}");
            }
            // A registry that filters its catalogue by permission may answer a few empty pages that name another; a
            // hostile one could do so forever. With empty pages counted, the entry cap also bounds the pages followed.
            if (page.Count == 0 && following is not null && ++emptyPages > MaxEmptyListPages)
            {
                throw new OciRegistryException(what, $"the registry answered more than {MaxEmptyListPages} empty pages of {field} that name a next page (the last: {Redacted(following)}), which is refused");
            }
            // Entries are tags (at most 128 characters) or repository names (255), so that the entry cap also bounds the memory held.
            int longest = field == "tags" ? OciReference.MaxTagLength : OciReference.MaxNameLength;
            if (page.Find(entry => entry.Length > longest) is { } tooLong)
            {
                throw new OciRegistryException(what, $"the registry's {field} list holds an entry of {tooLong.Length} characters, longer than any {(field == "tags" ? "tag" : "repository name")} ({longest})");
            }
            all.AddRange(page);
            next = following;
        }
        return all;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    // ---- requests ----

    private sealed record Call(HttpMethod Method, Uri Uri, string Registry, string? Scope, string What)
    {
        public Func<HttpContent>? Content { get; init; }

        public string? Accept { get; init; }

        public bool FollowRedirects { get; init; }

        public bool Retry { get; init; } = true;

        public bool IsRead => Method == HttpMethod.Get || Method == HttpMethod.Head;
    }

    private sealed class TransientFailure(string reason, Exception? inner = null) : Exception(reason, inner);

    private sealed record CachedToken(string Authorization, DateTimeOffset Expires);

    /// <summary>Sends <paramref name="call"/> with a deadline, retries reads on transient failures, and hands the answer to <paramref name="handle"/>.</summary>
    private async Task<T> RunAsync<T>(Call call, Func<HttpResponseMessage, CancellationToken, Task<T>> handle, CancellationToken cancellationToken)
    {
        int attempts = call.IsRead && call.Retry ? Math.Max(1, _options.MaxAttempts) : 1;
        for (int attempt = 1; ; attempt++)
        {
            // Each attempt ends at the request timeout or at the command's overall deadline, whichever comes first.
            var overall = _options.Deadline;
            if (overall is { HasPassed: true })
            {
                throw new OciRegistryException(call.What, overall.TimedOut(call.What).Reason);
            }
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // When the command's deadline comes first, it is what cancels the attempt (its timer may fire a hair before
            // the deadline's clock reads zero: the reason is still the deadline, never the request timeout).
            bool overallFirst = overall is not null && overall.Remaining <= _options.RequestTimeout;
            deadline.CancelAfter(overallFirst ? overall!.Remaining : _options.RequestTimeout);
            // Reads only: an upload receives nothing while it sends, and is bounded by the request timeout.
            using TransferWatchdog? watchdog = call.IsRead ? new TransferWatchdog(deadline.Token, _options.LowSpeedLimit, _options.LowSpeedTime) : null;
            CancellationToken token = watchdog?.Token ?? deadline.Token;
            try
            {
                HttpResponseMessage response = await SendAuthorizedAsync(call, watchdog, token).ConfigureAwait(false);
                try
                {
                    if ((int)response.StatusCode >= 500 && attempt < attempts)
                    {
                        throw new TransientFailure($"the registry answered {(int)response.StatusCode} {response.ReasonPhrase}");
                    }
                    return await handle(response, token).ConfigureAwait(false);
                }
                finally
                {
                    Release(response);
                }
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && watchdog?.TooSlow is { } received)
            {
                string reason = received == 0
                    ? $"the registry sent nothing for {FetchDeadline.Format(watchdog.Window)}"
                    : $"too slow: {received} bytes in {FetchDeadline.Format(watchdog.Window)} (the least accepted is {_options.LowSpeedLimit} bytes a second)";
                if (attempt >= attempts)
                {
                    throw new OciRegistryException(call.What, attempts > 1 ? $"{reason} ({attempts} attempts)" : reason, null, null, e);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250 << (attempt - 1)), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && overall is not null && (overallFirst || overall.HasPassed))
            {
                throw new OciRegistryException(call.What, overall.TimedOut(call.What).Reason);
            }
            catch (HttpRequestException e) when (ClientCertificateRefusal(call.Uri, e) is { } refusal)
            {
                // Not worth another attempt: a certificate is not given in a second.
                throw new OciRegistryException(call.What, refusal, null, null, e);
            }
            catch (Exception e) when (attempt < attempts && Transient(e, cancellationToken) is not null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 << (attempt - 1)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Transient(e, cancellationToken) is { } reason)
            {
                throw new OciRegistryException(call.What, attempts > 1 ? $"{reason} ({attempts} attempts)" : reason, null, null, e);
            }
            catch (HttpRequestException e)
            {
                throw new OciRegistryException(call.What, Unreachable(call.Uri, e), null, null, e);
            }
        }
    }

    /// <summary>The reason to report for a failure worth another attempt, or null when it is not one.</summary>
    private string? Transient(Exception e, CancellationToken cancellationToken) => e switch
    {
        TransientFailure t => t.Message,
        OperationCanceledException when !cancellationToken.IsCancellationRequested =>
            $"no complete answer within {_options.RequestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s (timed out)",
        HttpRequestException h when !IsTlsFailure(h) => Unreachable(null, h),
        IOException io => "the connection failed: " + io.Message,
        _ => null,
    };

    private string Unreachable(Uri? uri, HttpRequestException e)
    {
        if (IsTlsFailure(e))
        {
            string hint = _tls.InsecureSkipVerify ? "its certificate is not checked (--insecure-skip-tls-verify): does it speak plain HTTP (--plain-http)?"
                : _tls.CaFile is null ? "give the registry's CA with --ca-file, or use --plain-http if it speaks plain HTTP"
                : $"its certificate does not chain to a CA of {_tls.CaFile}, or it speaks plain HTTP (--plain-http)";
            return $"TLS handshake with {uri?.Authority ?? "the registry"} failed: {Innermost(e).Message} ({hint})";
        }
        return $"cannot reach the registry: {Innermost(e).Message}";
    }

    private static bool IsTlsFailure(HttpRequestException e) => TlsSettings.IsHandshakeFailure(e);

    // The same line as for an https repository.
    private string? ClientCertificateRefusal(Uri uri, HttpRequestException e) =>
        _tls.ClientCertificateRefusal(uri, e, "give one with --cert-file CERT --key-file KEY (PEM), which repo add records for the namespace");

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }

    /// <summary>Sends with the cached authorization; on a 401 answers the challenge once and sends again.</summary>
    private async Task<HttpResponseMessage> SendAuthorizedAsync(Call call, TransferWatchdog? watchdog, CancellationToken token)
    {
        for (bool answered = false; ; answered = true)
        {
            string? authorization = CachedAuthorization(call);
            HttpResponseMessage response = await SendFollowingRedirectsAsync(call, authorization, watchdog, token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || answered || !SameOrigin(call.Uri, response.RequestMessage?.RequestUri))
            {
                return response;
            }
            var headers = response.Headers.TryGetValues("WWW-Authenticate", out var values) ? values : [];
            if (AuthChallenge.Select(headers) is not { } challenge || !await AnswerChallengeAsync(call, challenge, authorization, token).ConfigureAwait(false))
            {
                return response;
            }
            Release(response);
        }
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(Call call, string? authorization, TransferWatchdog? watchdog, CancellationToken token)
    {
        Uri uri = call.Uri;
        for (int hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(call.Method, uri);
            if (watchdog is not null)
            {
                request.Options.Set(WatchdogKey, watchdog);
            }
            if (call.Content is not null)
            {
                request.Content = call.Content();
            }
            if (call.Accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", call.Accept);
            }
            if (authorization is not null && SameOrigin(call.Uri, uri))
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization); // never to another host
            }
            HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            if (!call.FollowRedirects || (int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                return response;
            }
            Release(response);
            Uri next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (hop + 1 > MaxRedirects)
            {
                throw new OciRegistryException(call.What, $"more than {MaxRedirects} redirects (the last to {Redacted(next)})");
            }
            if (next.Scheme != Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttp)
            {
                throw new OciRegistryException(call.What, $"the registry redirected to a {next.Scheme}: URL, which is refused");
            }
            if (next.Scheme == Uri.UriSchemeHttp && uri.Scheme == Uri.UriSchemeHttps && !_options.PlainHttp)
            {
                throw new OciRegistryException(call.What, $"the registry redirected from HTTPS to plain HTTP ({Redacted(next)}), which is refused without --plain-http");
            }
            uri = next;
        }
    }

    /// <summary>Disposes an answer and its request (whose content may hold an open stream).</summary>
    private static void Release(HttpResponseMessage response)
    {
        response.RequestMessage?.Dispose();
        response.Dispose();
    }

    private string? CachedAuthorization(Call call)
    {
        if (_tokens.TryGetValue(TokenKey(call.Registry, call.Scope), out CachedToken? cached) && cached.Expires > DateTimeOffset.UtcNow)
        {
            return cached.Authorization;
        }
        return _basic.TryGetValue(call.Registry, out string? basic) ? basic : null;
    }

    /// <summary>
    /// Gets what the challenge asks for (Basic credentials, or a token); false when there is nothing new to try.
    /// <paramref name="sent"/> is the authorization the refused request carried: only those credentials were
    /// refused (a request sent in parallel may have cached the very ones to try while this one was on its way).
    /// </summary>
    private async Task<bool> AnswerChallengeAsync(Call call, AuthChallenge challenge, string? sent, CancellationToken token)
    {
        RegistryCredential? credential = await _options.Credentials.FindAsync(call.Registry, token).ConfigureAwait(false);
        if (challenge.IsBasic)
        {
            if (credential is not { HasPassword: true })
            {
                return false;
            }
            string basic = BasicCredentials.HeaderFor(credential.Username, credential.Password);
            if (sent == basic)
            {
                return false; // these very credentials were refused
            }
            _basic[call.Registry] = basic;
            return true;
        }
        string key = TokenKey(call.Registry, call.Scope);
        if (credential?.RegistryToken is { } registryToken)
        {
            string bearer = "Bearer " + registryToken;
            if (sent == bearer)
            {
                return false;
            }
            _tokens[key] = new CachedToken(bearer, DateTimeOffset.MaxValue);
            return true;
        }
        _tokens[key] = await FetchTokenAsync(call, challenge, credential, token).ConfigureAwait(false);
        return true;
    }

    /// <summary>The registry token flow: asks the challenge's realm for a token for the challenge's scope and ours.</summary>
    private async Task<CachedToken> FetchTokenAsync(Call call, AuthChallenge challenge, RegistryCredential? credential, CancellationToken token)
    {
        if (challenge["realm"] is not { Length: > 0 } realmText || !Uri.TryCreate(realmText, UriKind.Absolute, out Uri? realm)
            || (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
        {
            throw new OciRegistryException(call.What, $"the registry asked for a token without a valid realm (\"{OciReference.Printable(challenge["realm"])}\")", 401);
        }
        if (realm.Scheme == Uri.UriSchemeHttp && !_options.PlainHttp)
        {
            throw new OciRegistryException(call.What, $"the registry's token service {realm.GetLeftPart(UriPartial.Path)} is plain HTTP, which is refused without --plain-http", 401);
        }
        var scopes = MergeScopes((challenge["scope"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Append(call.Scope ?? ""));
        string? service = challenge["service"];
        using var request = new HttpRequestMessage();
        if (credential?.IdentityToken is { } refreshToken)
        {
            // OAuth2 refresh token (docker login's identity token): POST to the realm.
            request.Method = HttpMethod.Post;
            request.RequestUri = realm;
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"),
                new("refresh_token", refreshToken),
                new("client_id", "chartseal"),
            };
            if (service is not null)
            {
                form.Add(new("service", service));
            }
            if (scopes.Count > 0)
            {
                form.Add(new("scope", string.Join(' ', scopes)));
            }
            request.Content = new FormUrlEncodedContent(form);
        }
        else
        {
            var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query[1..] : "");
            void Add(string name, string value) => query.Append(query.Length > 0 ? "&" : "").Append(name).Append('=').Append(Uri.EscapeDataString(value));
            if (service is not null)
            {
                Add("service", service);
            }
            foreach (string scope in scopes)
            {
                Add("scope", scope);
            }
            request.Method = HttpMethod.Get;
            request.RequestUri = new Uri(realm.GetLeftPart(UriPartial.Path) + (query.Length > 0 ? "?" + query : ""));
            if (credential is { HasPassword: true })
            {
                request.Headers.TryAddWithoutValidation("Authorization", BasicCredentials.HeaderFor(credential.Username, credential.Password));
            }
        }
        string where = realm.GetLeftPart(UriPartial.Path);
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new OciRegistryException(call.What, credential is null
                ? $"the token service {where} refused anonymous access ({(int)response.StatusCode}): credentials are needed ({await _options.Credentials.ExplainAsync(call.Registry, token).ConfigureAwait(false)})"
                : $"the token service {where} refused the credentials from {credential.Source} ({(int)response.StatusCode})", (int)response.StatusCode);
        }
        if (!response.IsSuccessStatusCode)
        {
            string reason = $"the token service {where} answered {(int)response.StatusCode} {response.ReasonPhrase}";
            throw (int)response.StatusCode >= 500 ? new TransientFailure(reason) : new OciRegistryException(call.What, reason, (int)response.StatusCode);
        }
        byte[] body = await ReadCappedAsync(call, response, _options.MaxMetadataSize, "token answer", token).ConfigureAwait(false);
        try
        {
            using JsonDocument document = OciJson.Parse(body);
            JsonElement root = document.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            string issued = Text("token") is { Length: > 0 } t ? t : Text("access_token") is { Length: > 0 } a ? a
                : throw new OciRegistryException(call.What, $"the token service {where} answered without a token");
            if (issued.Any(c => c is <= ' ' or > '~'))
            {
                // It could not go into an Authorization header: sent, it would be dropped (a new line) or fail as if the
                // registry were unreachable (any other character), and the error would blame the wrong thing.
                throw new OciRegistryException(call.What, $"the token service {where} answered a token with a character that cannot be sent in a header (only printable ASCII can)");
            }
            int lifetime = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("expires_in", out JsonElement e) && e.ValueKind == JsonValueKind.Number
                && e.TryGetInt32(out int seconds) && seconds > 0 ? seconds : 60;
            // Renew a little early, so that a token does not expire between our check and the registry's.
            return new CachedToken("Bearer " + issued, DateTimeOffset.UtcNow.AddSeconds(Math.Max(lifetime - 10, lifetime / 2)));
        }
        catch (JsonException)
        {
            throw new OciRegistryException(call.What, $"the token service {where} answered something other than JSON");
        }
    }

    /// <summary>Throws the failure an unsuccessful answer means, with the registry's error codes and messages.</summary>
    private async Task EnsureSuccessAsync(Call call, HttpResponseMessage response, CancellationToken token)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        int status = (int)response.StatusCode;
        var (codes, summary) = await ReadErrorsAsync(response, token).ConfigureAwait(false);
        string detail = summary.Length > 0 ? $" ({summary})" : "", inside = summary.Length > 0 ? " " + summary : "";
        string reason;
        if (status == 401)
        {
            RegistryCredential? credential = await _options.Credentials.FindAsync(call.Registry, token).ConfigureAwait(false);
            reason = credential is null
                ? $"anonymous access refused (401{inside}): credentials are needed ({await _options.Credentials.ExplainAsync(call.Registry, token).ConfigureAwait(false)})"
                : $"the registry refused the credentials from {credential.Source} (401{inside})";
        }
        else if (status == 403)
        {
            RegistryCredential? credential = await _options.Credentials.FindAsync(call.Registry, token).ConfigureAwait(false);
            reason = $"access denied (403{inside}) to {(credential is null ? "anonymous users" : "the credentials from " + credential.Source)}";
        }
        else if (status == 404)
        {
            reason = $"not found (404{inside})";
        }
        else if (status is >= 300 and < 400)
        {
            reason = $"the registry answered {status} {response.ReasonPhrase} (a redirect where none is expected)";
        }
        else
        {
            reason = $"the registry answered {status} {response.ReasonPhrase}{detail}";
        }
        throw new OciRegistryException(call.What, reason, status, codes);
    }

    /// <summary>The distribution error body's <c>errors[].code</c> and a one-line summary of codes and messages.</summary>
    private static async Task<(List<string> Codes, string Summary)> ReadErrorsAsync(HttpResponseMessage response, CancellationToken token)
    {
        var codes = new List<string>();
        var parts = new List<string>();
        try
        {
            byte[] body = await ReadAtMostAsync(response, 64 * 1024, token).ConfigureAwait(false);
            using JsonDocument document = OciJson.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("errors", out JsonElement errors)
                && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement error in errors.EnumerateArray().Take(5))
                {
                    string? Text(string name) => error.ValueKind == JsonValueKind.Object && error.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                    string code = Text("code") ?? "";
                    string message = Text("message") ?? "";
                    if (code.Length > 0)
                    {
                        codes.Add(code);
                    }
                    parts.Add(code.Length > 0 && message.Length > 0 ? $"{code}: {message}" : code + message);
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
        {
            // Not a distribution error body: the status says enough.
        }
        string summary = OneLine(string.Join("; ", parts.Where(p => p.Length > 0)));
        return (codes, summary.Length > 300 ? summary[..300] + "…" : summary);
    }

    private static string OneLine(string text) => OciReference.Printable(string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)));

    /// <summary>The low-speed watchdog of the attempt that got <paramref name="response"/>, or null (uploads, token answers).</summary>
    private static TransferWatchdog? WatchdogOf(HttpResponseMessage response) =>
        response.RequestMessage?.Options.TryGetValue(WatchdogKey, out TransferWatchdog? watchdog) == true ? watchdog : null;

    private static async Task<byte[]> ReadAtMostAsync(HttpResponseMessage response, int maxBytes, CancellationToken token)
    {
        TransferWatchdog? watchdog = WatchdogOf(response);
        Stream stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            byte[] buffer = new byte[maxBytes];
            int total = 0, read;
            while (total < maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(total), token).ConfigureAwait(false)) > 0)
            {
                watchdog?.Count(read);
                total += read;
            }
            return buffer[..total];
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Call call, HttpResponseMessage response, long maxBytes, string what, CancellationToken token)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new OciRegistryException(call.What, $"{what} is larger than the {maxBytes} byte limit ({response.Content.Headers.ContentLength} bytes)");
        }
        TransferWatchdog? watchdog = WatchdogOf(response);
        Stream stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, token).ConfigureAwait(false)) > 0)
            {
                watchdog?.Count(read);
                if (buffer.Length + read > maxBytes)
                {
                    throw new OciRegistryException(call.What, $"{what} is larger than the {maxBytes} byte limit");
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }

    // ---- digests, names and URLs ----

    /// <summary>The <c>Docker-Content-Digest</c> of the answer, or null; one Chartseal cannot check is an error.</summary>
    private static string? AnnouncedDigest(string what, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Docker-Content-Digest", out var values))
        {
            return null;
        }
        string digest = values.First().Trim();
        return OciDigest.Problem(digest) is { } problem ? throw new OciRegistryException(what, "the registry announced a bad digest: " + problem) : digest;
    }

    private static string CheckManifestDigest(string what, OciReference reference, byte[] content, string? announced)
    {
        if (reference.Digest is { } expected)
        {
            string actual = OciDigest.ComputeLike(expected, content);
            return actual == expected ? expected : throw new OciRegistryException(what, $"manifest digest mismatch: the registry sent content with digest {actual}");
        }
        if (announced is not null)
        {
            string actual = OciDigest.ComputeLike(announced, content);
            return actual == announced ? announced
                : throw new OciRegistryException(what, $"manifest digest mismatch: the registry announced {announced} but sent content with digest {actual}");
        }
        return OciDigest.Sha256(content);
    }

    private static string SniffMediaType(byte[] content)
    {
        try
        {
            using JsonDocument document = OciJson.Parse(content);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("mediaType", out JsonElement m)
                && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } mediaType)
            {
                return mediaType;
            }
        }
        catch (JsonException)
        {
        }
        return OciMediaTypes.ImageManifest;
    }

    private static List<string> ReadStringList(string what, byte[] body, string field)
    {
        try
        {
            using JsonDocument document = OciJson.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new OciRegistryException(what, $"the {field} list is not a JSON object");
            }
            if (!document.RootElement.TryGetProperty(field, out JsonElement items) || items.ValueKind == JsonValueKind.Null)
            {
                return [];
            }
            if (items.ValueKind != JsonValueKind.Array)
            {
                throw new OciRegistryException(what, $"\"{field}\" in the registry's answer is not a list");
            }
            return items.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString()!
                : throw new OciRegistryException(what, $"\"{field}\" in the registry's answer holds a non-string")).ToList();
        }
        catch (JsonException e)
        {
            throw new OciRegistryException(what, $"the {field} list is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The <c>rel="next"</c> target of the answer's <c>Link</c> header, on the same registry; null on the last page.</summary>
    private static Uri? NextLink(Call call, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }
        // One header value may hold several links (RFC 8288: <a>; rel="prev", <b>; rel="next"): each is read with its own parameters.
        foreach (string value in values)
        {
            for (int open = value.IndexOf('<', StringComparison.Ordinal); open >= 0;)
            {
                int close = value.IndexOf('>', open);
                if (close < 0)
                {
                    break;
                }
                int following = value.IndexOf('<', close);
                string parameters = value[(close + 1)..(following < 0 ? value.Length : following)].Replace(" ", "", StringComparison.Ordinal);
                if (parameters.Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase) || parameters.Contains("rel=next", StringComparison.OrdinalIgnoreCase))
                {
                    return NextPage(call, value[(open + 1)..close]);
                }
                open = following;
            }
        }
        return null;
    }

    private static Uri NextPage(Call call, string link)
    {
        if (!Uri.TryCreate(call.Uri, link, out Uri? next))
        {
            throw new OciRegistryException(call.What, $"the registry's next-page link \"{OciReference.Printable(link)}\" is not a URL");
        }
        CheckSameRegistry(call.What, call.Uri, next, "next-page link");
        return next;
    }

    private static void CheckSameRegistry(string what, Uri registryUri, Uri other, string name)
    {
        if (!SameOrigin(registryUri, other))
        {
            throw new OciRegistryException(what, $"the registry's {name} points to another host ({Redacted(other)}), which is refused");
        }
    }

    private static bool SameOrigin(Uri a, Uri? b) =>
        b is not null && a.Scheme == b.Scheme && string.Equals(a.Authority, b.Authority, StringComparison.OrdinalIgnoreCase);

    private static string Redacted(Uri uri) => uri.GetLeftPart(UriPartial.Path); // storage redirects carry signatures in the query

    private Uri BaseUri(string registry) =>
        new((_options.PlainHttp ? "http://" : "https://") + (registry == "docker.io" ? "registry-1.docker.io" : registry) + "/");

    private Uri RepositoryUri(OciReference reference, string tail)
    {
        RequireRepository(reference);
        return new Uri(BaseUri(reference.Registry), $"/v2/{reference.Repository}/{tail}");
    }

    private static void RequireRepository(OciReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Repository.Length == 0)
        {
            throw new ChartsealException(reference.ToString(), "names a registry, not a repository");
        }
    }

    private static string RequireManifestReference(OciReference reference)
    {
        RequireRepository(reference);
        return reference.Digest ?? reference.Tag ?? throw new ChartsealException(reference.ToString(), "needs a tag or a digest");
    }

    private static string PullScope(OciReference reference) => $"repository:{reference.Repository}:pull";

    private static string PushScope(OciReference reference) => $"repository:{reference.Repository}:pull,push";

    /// <summary>
    /// Scopes of the same resource merged into one, actions in a fixed order: a registry may list a resource's actions in
    /// any order (distribution's come from a Go map), and asking for <c>push,pull</c> beside <c>pull,push</c> is noise.
    /// </summary>
    private static List<string> MergeScopes(IEnumerable<string> scopes)
    {
        var merged = new List<(string Resource, List<string> Actions)>();
        foreach (string scope in scopes.Where(s => s.Length > 0))
        {
            int colon = scope.LastIndexOf(':');
            string resource = colon > 0 ? scope[..colon] : scope;
            var actions = colon > 0 ? scope[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
            int at = merged.FindIndex(m => m.Resource == resource);
            if (at < 0)
            {
                merged.Add((resource, []));
                at = merged.Count - 1;
            }
            merged[at].Actions.AddRange(actions.Where(a => !merged[at].Actions.Contains(a)));
        }
        static int Rank(string action) => action switch { "pull" => 0, "push" => 1, "delete" => 2, _ => 3 };
        return [.. merged.Select(m => m.Actions.Count == 0 ? m.Resource
            : m.Resource + ":" + string.Join(',', m.Actions.OrderBy(Rank).ThenBy(a => a, StringComparer.Ordinal)))];
    }

    private static string TokenKey(string registry, string? scope) => registry.ToLowerInvariant() + " " + scope;

    private static string BlobWhat(OciReference repository, string digest) => $"{repository.WithoutReference}@{digest} (blob)";

    private static ByteArrayContent Bytes(ReadOnlyMemory<byte> content, string mediaType)
    {
        var body = new ByteArrayContent(content.ToArray());
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return body;
    }
}

using System.Net;
using System.Net.Http.Headers;

namespace Chartseal.Fetch;

/// <summary>
/// Downloads files with the limits every network read must have: the <see cref="FetchPolicy"/> (https unless plain
/// http was allowed, also for each redirect), a connect and per-attempt timeout covering the body, a size cap counted
/// on the decoded bytes while streaming, cancellation, retries of transient failures (connection errors, 5xx,
/// timeouts; never 4xx), redirects followed here (only to http(s), never from https down to http), and one-line
/// errors naming the URL.
/// </summary>
public sealed class HttpFetcher
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.GZip,
        // Followed by FetchOnceAsync, so that each hop is checked against the policy.
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own deadline, covering the body too
    };

    /// <summary>A fetcher that obeys <paramref name="policy"/>.</summary>
    public HttpFetcher(FetchPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
    }

    /// <summary>The rules this fetcher obeys.</summary>
    public FetchPolicy Policy { get; }

    /// <summary>A failure worth another attempt.</summary>
    private sealed class TransientFailure(string reason, Exception? inner = null) : Exception(reason, inner);

    /// <summary>Fetches <paramref name="uri"/>; null when the server answers 404 (the file does not exist).</summary>
    /// <exception cref="ChartsealException">A refused URL, any other status, a timeout, a dropped connection (after retries), or more than <paramref name="maxBytes"/>.</exception>
    public async Task<byte[]?> GetAsync(Uri uri, long maxBytes, CancellationToken cancellationToken = default) =>
        await FetchAsync(uri, maxBytes, null, cancellationToken).ConfigureAwait(false) is FetchOutcome.Downloaded d ? d.Content : null;

    /// <summary>
    /// Fetches <paramref name="uri"/>, conditionally when <see cref="FetchOptions.IfNoneMatch"/> is set. Connection errors,
    /// timeouts and 5xx answers are tried again (<see cref="FetchPolicy.MaxAttempts"/> attempts, doubling pauses); 4xx answers never are.
    /// </summary>
    /// <exception cref="ChartsealException">A refused URL, any status other than 2xx, 304 and 404, a failure after the last attempt, or more than <paramref name="maxBytes"/> (unless <see cref="FetchOptions.Truncate"/>).</exception>
    public async Task<FetchOutcome> FetchAsync(Uri uri, long maxBytes, FetchOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Policy.Check(uri);
        options ??= new FetchOptions();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await FetchOnceAsync(uri, maxBytes, options, cancellationToken).ConfigureAwait(false);
            }
            catch (TransientFailure) when (attempt < Policy.MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 << (attempt - 1)), cancellationToken).ConfigureAwait(false);
            }
            catch (TransientFailure e)
            {
                throw new ChartsealException(uri.ToString(), $"{e.Message} ({attempt} attempts)", e.InnerException);
            }
        }
    }

    private async Task<FetchOutcome> FetchOnceAsync(Uri uri, long maxBytes, FetchOptions options, CancellationToken cancellationToken)
    {
        string where = uri.ToString();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Policy.AttemptTimeout);
        try
        {
            Uri current = uri;
            for (int hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                if (options.IfNoneMatch is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
                {
                    request.Headers.IfNoneMatch.Add(tag);
                }
                using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    current = NextHop(uri, current, response, hop);
                    continue;
                }
                return await ReadAnswerAsync(where, response, maxBytes, options, uri, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException e)
        {
            throw new TransientFailure("download failed: " + e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientFailure("download timed out", e);
        }
        catch (InvalidDataException e)
        {
            // A body that claims Content-Encoding: gzip and is not: the server is broken or hostile, not slow.
            throw new ChartsealException(where, "the answer is not valid gzip although the server says it is (Content-Encoding): " + e.Message, e);
        }
        catch (IOException e)
        {
            throw new TransientFailure("connection dropped: " + e.Message, e);
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The redirect's target, checked: http(s) only, the policy's plain-http rule, never from https down to http.</summary>
    private Uri NextHop(Uri first, Uri current, HttpResponseMessage response, int hop)
    {
        string where = first.ToString();
        if (hop + 1 > Policy.MaxRedirects)
        {
            throw new ChartsealException(where, $"more than {Policy.MaxRedirects} redirects");
        }
        string? location = response.Headers.Location?.OriginalString;
        if (string.IsNullOrWhiteSpace(location) || !Uri.TryCreate(current, location, out Uri? next))
        {
            throw new ChartsealException(where, $"server answered {(int)response.StatusCode} with no usable Location");
        }
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
        {
            throw new ChartsealException(where, $"refusing a redirect to a {next.Scheme}: URL");
        }
        if (current.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
        {
            throw new ChartsealException(where, $"refusing a redirect from https down to plain http ({next})");
        }
        Policy.Check(next);
        return next;
    }

    private static async Task<FetchOutcome> ReadAnswerAsync(string where, HttpResponseMessage response, long maxBytes, FetchOptions options, Uri uri, CancellationToken token)
    {
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new FetchOutcome.NotFound();
        }
        if (response.StatusCode == HttpStatusCode.NotModified && options.IfNoneMatch is not null)
        {
            return new FetchOutcome.NotModified();
        }
        if ((int)response.StatusCode >= 500)
        {
            throw new TransientFailure($"server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new ChartsealException(where, $"server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        long? length = response.Content.Headers.ContentLength;
        if (length > maxBytes && !options.Truncate)
        {
            throw new ChartsealException(where, $"is larger than the {maxBytes} byte limit");
        }
        var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // The bytes counted are the decoded ones: a small gzip answer cannot grow past the limit.
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    if (!options.Truncate)
                    {
                        throw new ChartsealException(where, $"is larger than the {maxBytes} byte limit");
                    }
                    buffer.Write(chunk, 0, (int)(maxBytes - buffer.Length));
                    break;
                }
                buffer.Write(chunk, 0, read);
                options.Progress?.Report(new DownloadProgress(uri, buffer.Length, length));
            }
            options.Progress?.Report(new DownloadProgress(uri, buffer.Length, length, Done: true));
            return new FetchOutcome.Downloaded(buffer.ToArray(), response.Headers.ETag?.ToString());
        }
    }

    /// <summary>The URL of <paramref name="name"/> at the root of the repository at <paramref name="repositoryUrl"/>.</summary>
    public static Uri FileUri(string repositoryUrl, string name)
    {
        ArgumentNullException.ThrowIfNull(repositoryUrl);
        return new(new Uri(repositoryUrl.TrimEnd('/') + "/"), name);
    }
}

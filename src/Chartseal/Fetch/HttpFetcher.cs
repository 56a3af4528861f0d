using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace Chartseal.Fetch;

/// <summary>
/// Downloads files with the limits every network read must have: the <see cref="FetchPolicy"/> (https unless plain
/// http was allowed, also for each redirect), a connect and per-attempt timeout covering the body, a low-speed limit,
/// the command's overall deadline, a size cap counted on the decoded bytes while streaming, an optional share of a
/// <see cref="MemoryBudget"/> for the bytes held, cancellation, retries of transient failures (connection errors, 5xx,
/// timeouts, too slow transfers; never 4xx), redirects followed here (only to http(s), never from https down to
/// http), the policy's TLS settings and Basic credentials (only to the repository's own scheme, host and port, unless
/// it said otherwise; never to a redirect on another host), and one-line errors naming the URL.
/// </summary>
public sealed class HttpFetcher
{
    // One client (and its connection pool) per TLS setup: the default one for almost every fetch.
    private static readonly ConcurrentDictionary<TlsSettings, HttpClient> Clients = new();

    private readonly HttpClient _client;

    /// <summary>A fetcher that obeys <paramref name="policy"/>.</summary>
    /// <exception cref="ChartsealException">The policy's CA file or client certificate cannot be read.</exception>
    public HttpFetcher(FetchPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        _client = Clients.TryGetValue(policy.Tls, out HttpClient? client) ? client : Clients.GetOrAdd(policy.Tls, CreateClient(policy.Tls));
    }

    private static HttpClient CreateClient(TlsSettings tls)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // gzip is asked for and decoded here (GzipBody), so that a cut gzip stream is an error, not a shorter file.
            AutomaticDecompression = DecompressionMethods.None,
            // Followed by FetchOnceAsync, so that each hop is checked against the policy (and credentials kept to their host).
            AllowAutoRedirect = false,
            PreAuthenticate = false,
            UseCookies = false,
        };
        tls.ApplyTo(handler);
        return new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own deadline, covering the body too
        };
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
    /// timeouts, too slow transfers and 5xx answers are tried again (<see cref="FetchPolicy.MaxAttempts"/> attempts,
    /// doubling pauses); 4xx answers never are. Nothing goes on past the policy's <see cref="FetchPolicy.Deadline"/>.
    /// </summary>
    /// <exception cref="ChartsealException">A refused URL, any status other than 2xx, 304 and 404, a failure after the last attempt, the deadline, or more than <paramref name="maxBytes"/> (unless <see cref="FetchOptions.Truncate"/>).</exception>
    public Task<FetchOutcome> FetchAsync(Uri uri, long maxBytes, FetchOptions? options, CancellationToken cancellationToken = default) =>
        FetchCoreAsync(uri, maxBytes, options, null, cancellationToken);

    /// <summary>
    /// Like <see cref="FetchAsync(Uri, long, FetchOptions?, CancellationToken)"/>, but the body streams into the file
    /// <paramref name="path"/> (created or emptied; the caller renames or deletes it), hashed on the way: a large answer
    /// is never held in memory. Returns <see cref="FetchOutcome.Saved"/>, <see cref="FetchOutcome.NotModified"/> or
    /// <see cref="FetchOutcome.NotFound"/>.
    /// </summary>
    /// <exception cref="ChartsealException">As for <see cref="FetchAsync(Uri, long, FetchOptions?, CancellationToken)"/>, or the file cannot be written.</exception>
    public Task<FetchOutcome> FetchToFileAsync(Uri uri, long maxBytes, string path, FetchOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FetchCoreAsync(uri, maxBytes, options, path, cancellationToken);
    }

    private async Task<FetchOutcome> FetchCoreAsync(Uri uri, long maxBytes, FetchOptions? options, string? toFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Policy.Check(uri);
        options ??= new FetchOptions();
        for (int attempt = 1; ; attempt++)
        {
            if (Policy.Deadline is { HasPassed: true } passed)
            {
                throw passed.TimedOut(uri.ToString());
            }
            try
            {
                return await FetchOnceAsync(uri, maxBytes, options, toFile, cancellationToken).ConfigureAwait(false);
            }
            catch (TransientFailure) when (attempt < Policy.MaxAttempts)
            {
                var pause = TimeSpan.FromMilliseconds(250 << (attempt - 1));
                if (Policy.Deadline is { } deadline && deadline.Remaining <= pause)
                {
                    throw deadline.TimedOut(uri.ToString());
                }
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
            catch (TransientFailure e)
            {
                throw new ChartsealException(uri.ToString(), $"{e.Message} ({attempt} attempts)", e.InnerException);
            }
        }
    }

    private async Task<FetchOutcome> FetchOnceAsync(Uri uri, long maxBytes, FetchOptions options, string? toFile, CancellationToken cancellationToken)
    {
        string where = uri.ToString();
        // The attempt ends at its own timeout or at the command's deadline, whichever comes first.
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bool deadlineFirst = ArmAttempt(attempt);
        using var watchdog = new TransferWatchdog(attempt.Token, Policy.LowSpeedLimit, Policy.LowSpeedTime);
        try
        {
            Uri current = uri;
            // Helm's rule: the repository's credentials go to its own scheme, host and port (or everywhere with
            // --pass-credentials), and on a redirect never to another scheme, host or port.
            bool authorize = Policy.Credentials?.AppliesTo(uri) == true;
            for (int hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
                bool authorized = authorize && BasicCredentials.SameOrigin(current, uri);
                if (authorized)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", Policy.Credentials!.Header);
                }
                if (options.IfNoneMatch is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
                {
                    request.Headers.IfNoneMatch.Add(tag);
                }
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watchdog.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    current = NextHop(uri, current, response, hop);
                    continue;
                }
                if (options.Lease is { } lease && response.IsSuccessStatusCode)
                {
                    // Room for the body in the budget shared with other downloads; the wait is neither the server's
                    // slowness nor part of this attempt's time (the command's deadline still runs).
                    watchdog.Pause();
                    await lease.ReserveAsync(ReservationFor(response, maxBytes), watchdog.Token).ConfigureAwait(false);
                    deadlineFirst = ArmAttempt(attempt);
                    watchdog.Resume();
                }
                return await ReadAnswerAsync(where, response, maxBytes, options, uri, toFile, watchdog, authorized ? null : current).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException e) when (Policy.Tls.ClientCertificateRefusal(uri, e, "add the repository with --cert-file CERT --key-file KEY (PEM)") is { } refusal)
        {
            // Not worth another attempt either: the same certificate (or none) would be refused again.
            throw new ChartsealException(where, refusal, e);
        }
        catch (HttpRequestException e) when (TlsSettings.IsHandshakeFailure(e))
        {
            // Not worth another attempt: the certificate will not change in a second.
            string hint = Policy.Tls.HandshakeHint("the server");
            throw new ChartsealException(where, $"TLS handshake failed: {Innermost(e).Message} ({hint})", e);
        }
        catch (HttpRequestException e)
        {
            throw new TransientFailure("download failed: " + e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (watchdog.TooSlow is { } received)
            {
                throw new TransientFailure(received == 0
                    ? $"the server sent nothing for {FetchDeadline.Format(watchdog.Window)}"
                    : $"too slow: {received} bytes in {FetchDeadline.Format(watchdog.Window)} (the least accepted is {Policy.LowSpeedLimit} bytes a second)", e);
            }
            if (deadlineFirst && Policy.Deadline is { } deadline)
            {
                throw deadline.TimedOut(where);
            }
            throw new TransientFailure($"download timed out after {FetchDeadline.Format(Policy.AttemptTimeout)}", e);
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

    // Starts (or restarts) the attempt's clock; true when the command's deadline comes before the attempt's own timeout.
    private bool ArmAttempt(CancellationTokenSource attempt)
    {
        TimeSpan limit = Policy.AttemptTimeout;
        bool deadlineFirst = false;
        if (Policy.Deadline is { } deadline && deadline.Remaining <= limit)
        {
            limit = deadline.Remaining;
            deadlineFirst = true;
        }
        attempt.CancelAfter(limit > TimeSpan.Zero ? limit : TimeSpan.FromTicks(1));
        return deadlineFirst;
    }

    // What the body may hold: its announced length (a plain answer, read into one array of that size), or twice the
    // limit (compressed or chunked: the decoded size is known only at the end, and for a moment the chunks and the
    // final array both exist). The lease is trimmed to the real size once it is known.
    private static long ReservationFor(HttpResponseMessage response, long maxBytes) =>
        DecodedLength(response) is { } length ? Math.Min(length, maxBytes) : 2 * maxBytes;

    // The body's length as read: the announced one, unless the body is gzip (its decoded size is known only at the end).
    private static long? DecodedLength(HttpResponseMessage response) =>
        IsGzip(response) ? null : response.Content.Headers.ContentLength;

    // Only "gzip", as the platform's decoder and Go's (Helm) read it: a server that labels .tgz files "x-gzip" (an old
    // Apache default) sends the archive itself, which must arrive as stored.
    private static bool IsGzip(HttpResponseMessage response) =>
        response.Content.Headers.ContentEncoding.LastOrDefault() is { } encoding && encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);

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

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }

    private async Task<FetchOutcome> ReadAnswerAsync(string where, HttpResponseMessage response, long maxBytes, FetchOptions options, Uri uri, string? toFile, TransferWatchdog watchdog, Uri? unauthorized)
    {
        if (response.StatusCode == HttpStatusCode.NotFound || (response.StatusCode == HttpStatusCode.Forbidden && options.ForbiddenIsMissing))
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
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            string status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            throw new ChartsealException(where, unauthorized is null
                ? $"the server refused the credentials ({status}): check the user name and password (chartseal repo add NAME URL --username USER --password-stdin --force-update, or the --username given with --repo URL)"
                : Policy.Credentials is null
                    ? $"the server wants credentials ({status}): add the repository with chartseal repo add NAME URL --username USER --password-stdin (or give --username USER --password-stdin to a pull or install --repo URL)"
                    : unauthorized != uri
                        ? $"the server wants credentials ({status}) at {unauthorized.GetLeftPart(UriPartial.Authority)}, where a redirect led; credentials never follow a redirect to another host"
                        : $"the server wants credentials ({status}), and the repository's are sent only to its own host (add it with --pass-credentials to send them to {uri.GetLeftPart(UriPartial.Authority)} too)");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new ChartsealException(where, $"server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        // Known only for a plain answer: a compressed one is decoded on the way.
        long? length = DecodedLength(response);
        if (length > maxBytes && !options.Truncate)
        {
            throw new ChartsealException(where, $"is larger than the {maxBytes} byte limit");
        }
        var token = watchdog.Token;
        var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        if (IsGzip(response))
        {
            stream = new GzipBody(stream);
        }
        await using (stream.ConfigureAwait(false))
        {
            // The bytes counted are the decoded ones: a small gzip answer cannot grow past the limit.
            BodySink body = toFile is null ? new BodyBuffer(length is { } l ? Math.Min(l, maxBytes) : null) : new FileSink(toFile);
            await using (body.ConfigureAwait(false))
            {
                int read;
                while ((read = await stream.ReadAsync(body.Space(), token).ConfigureAwait(false)) > 0)
                {
                    watchdog.Count(read);
                    if (body.Length + read > maxBytes)
                    {
                        if (!options.Truncate)
                        {
                            throw new ChartsealException(where, $"is larger than the {maxBytes} byte limit");
                        }
                        await body.AdvanceAsync((int)(maxBytes - body.Length), token).ConfigureAwait(false);
                        break;
                    }
                    await body.AdvanceAsync(read, token).ConfigureAwait(false);
                    options.Progress?.Report(new DownloadProgress(uri, body.Length, length, TimeLeft: Policy.Deadline?.Remaining));
                }
                options.Lease?.TrimTo(toFile is null ? body.Length : 0);
                options.Progress?.Report(new DownloadProgress(uri, body.Length, length, Done: true, TimeLeft: Policy.Deadline?.Remaining));
                string? etag = response.Headers.ETag?.ToString();
                return body is FileSink file
                    ? new FetchOutcome.Saved(body.Length, await file.CompleteAsync(token).ConfigureAwait(false), etag)
                    : new FetchOutcome.Downloaded(((BodyBuffer)body).ToArray(), etag);
            }
        }
    }

    /// <summary>The URL of <paramref name="name"/> at the root of the repository at <paramref name="repositoryUrl"/>.</summary>
    public static Uri FileUri(string repositoryUrl, string name)
    {
        ArgumentNullException.ThrowIfNull(repositoryUrl);
        return new(new Uri(repositoryUrl.TrimEnd('/') + "/"), name);
    }
}

using System.Net;
using System.Net.Http.Headers;

namespace Chartseal.Fetch;

/// <summary>
/// Downloads repository files with the limits every network read must have: a connect and overall
/// timeout, a size cap enforced while streaming, cancellation, retries of transient failures
/// (connection errors, 5xx, timeouts; never 4xx), and one-line errors naming the URL.
/// </summary>
public static class HttpFetcher
{
    /// <summary>How many times a download is tried before a transient failure is reported.</summary>
    public const int MaxAttempts = 3;

    /// <summary>The longest a single attempt (headers and body) may take.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(2);

    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.GZip,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own deadline, covering the body too
    };

    /// <summary>A failure worth another attempt.</summary>
    private sealed class TransientFailure(string reason, Exception? inner = null) : Exception(reason, inner);

    /// <summary>True when <paramref name="location"/> is an http(s) URL rather than a folder.</summary>
    public static bool IsUrl(string location) =>
        location.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fetches <paramref name="uri"/>; null when the server answers 404 (the file does not exist).</summary>
    /// <exception cref="ChartsealException">Any other status, a timeout, a dropped connection (after retries), or more than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]?> GetAsync(Uri uri, long maxBytes, CancellationToken cancellationToken = default) =>
        await FetchAsync(uri, maxBytes, null, cancellationToken).ConfigureAwait(false) is FetchOutcome.Downloaded d ? d.Content : null;

    /// <summary>
    /// Fetches <paramref name="uri"/>, conditionally when <see cref="FetchOptions.IfNoneMatch"/> is set. Connection errors,
    /// timeouts and 5xx answers are tried again (<see cref="MaxAttempts"/> attempts, doubling pauses); 4xx answers never are.
    /// </summary>
    /// <exception cref="ChartsealException">Any status other than 2xx, 304 and 404, a failure after the last attempt, or more than <paramref name="maxBytes"/>.</exception>
    public static async Task<FetchOutcome> FetchAsync(Uri uri, long maxBytes, FetchOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        options ??= new FetchOptions();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await FetchOnceAsync(uri, maxBytes, options, cancellationToken).ConfigureAwait(false);
            }
            catch (TransientFailure) when (attempt < MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 << (attempt - 1)), cancellationToken).ConfigureAwait(false);
            }
            catch (TransientFailure e)
            {
                throw new ChartsealException(uri.ToString(), $"{e.Message} ({attempt} attempts)", e.InnerException);
            }
        }
    }

    private static async Task<FetchOutcome> FetchOnceAsync(Uri uri, long maxBytes, FetchOptions options, CancellationToken cancellationToken)
    {
        string where = uri.ToString();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(AttemptTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (options.IfNoneMatch is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
            {
                request.Headers.IfNoneMatch.Add(tag);
            }
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
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
            if (length > maxBytes)
            {
                throw new ChartsealException(where, $"is larger than the {maxBytes} byte limit");
            }
            var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                byte[] chunk = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(chunk, deadline.Token).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes)
                    {
                        throw new ChartsealException(where, $"is larger than the {maxBytes} byte limit");
                    }
                    buffer.Write(chunk, 0, read);
                    options.Progress?.Report(new DownloadProgress(uri, buffer.Length, length));
                }
                options.Progress?.Report(new DownloadProgress(uri, buffer.Length, length, Done: true));
                return new FetchOutcome.Downloaded(buffer.ToArray(), response.Headers.ETag?.ToString());
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
        catch (IOException e)
        {
            throw new TransientFailure("connection dropped: " + e.Message, e);
        }
    }

    /// <summary>The URL of <paramref name="name"/> at the root of the repository at <paramref name="repositoryUrl"/>.</summary>
    public static Uri FileUri(string repositoryUrl, string name) => new(new Uri(repositoryUrl.TrimEnd('/') + "/"), name);
}

using System.Net;

namespace Chartseal.Repository;

/// <summary>
/// Downloads repository files with the limits every network read must have: a connect and overall
/// timeout, a size cap enforced while streaming, cancellation, and one-line errors naming the URL.
/// </summary>
public static class HttpFetcher
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.GZip,
    })
    {
        Timeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>True when <paramref name="location"/> is an http(s) URL rather than a folder.</summary>
    public static bool IsUrl(string location) =>
        location.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fetches <paramref name="uri"/>; null when the server answers 404 (the file does not exist).</summary>
    /// <exception cref="ChartsealException">Any other status, a timeout, a dropped connection, or more than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]?> GetAsync(Uri uri, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        string where = uri.ToString();
        try
        {
            using var response = await Client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new ChartsealException(where, $"server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            if (response.Content.Headers.ContentLength is > 0 and var length && length > maxBytes)
            {
                throw new ChartsealException(where, $"is larger than the {maxBytes} byte limit");
            }
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                byte[] chunk = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes)
                    {
                        throw new ChartsealException(where, $"is larger than the {maxBytes} byte limit");
                    }
                    buffer.Write(chunk, 0, read);
                }
                return buffer.ToArray();
            }
        }
        catch (HttpRequestException e)
        {
            throw new ChartsealException(where, "download failed: " + e.Message, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChartsealException(where, "download timed out", e);
        }
        catch (IOException e)
        {
            throw new ChartsealException(where, "connection dropped: " + e.Message, e);
        }
    }

    /// <summary>The URL of <paramref name="name"/> at the root of the repository at <paramref name="repositoryUrl"/>.</summary>
    public static Uri FileUri(string repositoryUrl, string name) => new(new Uri(repositoryUrl.TrimEnd('/') + "/"), name);
}

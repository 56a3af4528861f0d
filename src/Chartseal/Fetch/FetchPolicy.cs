namespace Chartseal.Fetch;

/// <summary>
/// The rules every download obeys, in one place: which URLs may be fetched (https, or plain http only when the user
/// said so), how long one attempt may take, how slow a transfer may be, how often a transient failure is tried again,
/// and the command's overall deadline.
/// </summary>
/// <param name="AllowPlainHttp">
/// Allow plain <c>http://</c> (<c>--insecure-http</c>, or Helm's <c>--plain-http</c>). Loopback addresses are not
/// excepted: a local proxy is no more trustworthy than a remote one.
/// </param>
public sealed record FetchPolicy(bool AllowPlainHttp = false)
{
    /// <summary>https only: the default.</summary>
    public static FetchPolicy HttpsOnly { get; } = new();

    /// <summary>https, and plain http too.</summary>
    public static FetchPolicy PlainHttpAllowed { get; } = new(AllowPlainHttp: true);

    /// <summary>How many times a download is tried before a transient failure is reported.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The longest a single attempt (headers and body) may take.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most redirects followed for one download.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>
    /// The overall deadline of the command, shared by all its downloads (retries included), or null for none (each
    /// attempt is still bounded by <see cref="AttemptTimeout"/> and the low-speed limit).
    /// </summary>
    public FetchDeadline? Deadline { get; init; }

    /// <summary>
    /// The low-speed limit, in bytes per second, as curl's <c>--speed-limit</c>: an attempt that receives fewer than
    /// <see cref="LowSpeedLimit"/> × <see cref="LowSpeedTime"/> bytes in any <see cref="LowSpeedTime"/> window (waiting
    /// for the answer's headers included) fails as too slow and is tried again. A server that drips a byte a second,
    /// or accepts the connection and says nothing, is cut off after one window instead of holding the command.
    /// </summary>
    public long LowSpeedLimit { get; init; } = DefaultLowSpeedLimit;

    /// <summary>The default <see cref="LowSpeedLimit"/>: 1 KiB a second.</summary>
    public const long DefaultLowSpeedLimit = 1024;

    /// <summary>The default <see cref="LowSpeedTime"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultLowSpeedTime = TimeSpan.FromSeconds(30);

    /// <summary>The window of the low-speed limit (curl's <c>--speed-time</c>).</summary>
    public TimeSpan LowSpeedTime { get; init; } = DefaultLowSpeedTime;

    /// <summary>How TLS connections are made: the CA file, a client certificate, or no certificate check (<see cref="TlsSettings"/>).</summary>
    public TlsSettings Tls { get; init; } = TlsSettings.Default;

    /// <summary>
    /// HTTP Basic credentials of the repository, or null for none: sent only where <see cref="BasicCredentials.AppliesTo"/>
    /// says, and on a redirect only to the same scheme, host and port.
    /// </summary>
    public BasicCredentials? Credentials { get; init; }

    /// <summary>
    /// Refuses <paramref name="uri"/> unless it is https, or plain http that this policy allows. Every URL a download
    /// touches is checked: the first, and each redirect.
    /// </summary>
    /// <exception cref="ChartsealException">Another scheme, or plain http without the user's consent.</exception>
    public void Check(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            throw new ChartsealException(uri.OriginalString, "not an absolute http(s) URL");
        }
        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && AllowPlainHttp))
        {
            return;
        }
        throw new ChartsealException(uri.ToString(), uri.Scheme == Uri.UriSchemeHttp
            ? "refusing a plain http:// URL: anyone on the way can change what it serves (use https, or allow it with --insecure-http, also spelt --plain-http)"
            : $"unsupported URL scheme \"{uri.Scheme}\" (https:// is required)");
    }

    /// <summary>True when <paramref name="location"/> is an http(s) URL rather than a folder.</summary>
    public static bool IsUrl(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
    }
}

using Chartseal.Fetch;

namespace Chartseal.Oci;

/// <summary>How an <see cref="OciRegistryClient"/> reaches registries.</summary>
public sealed record OciRegistryOptions
{
    /// <summary>
    /// Talk plain HTTP instead of HTTPS (Helm's <c>--plain-http</c>). Off by default: without it every request and
    /// redirect is HTTPS, and a token service or redirect that would downgrade to HTTP is refused.
    /// </summary>
    public bool PlainHttp { get; init; }

    /// <summary>
    /// The TLS settings of every request, the same as an https repository's and with Helm's flags: <c>--ca-file</c> (a
    /// registry's certificate must chain to one of its CAs; the system roots are then not used), <c>--cert-file</c> and
    /// <c>--key-file</c> (a client certificate presented on every connection, to the registry and to its token service,
    /// for a registry that requires mutual TLS), <c>--insecure-skip-tls-verify</c>. The system roots and no client
    /// certificate by default.
    /// </summary>
    public TlsSettings Tls { get; init; } = TlsSettings.Default;

    /// <summary>Where credentials come from; <see cref="RegistryCredentials.FromEnvironment"/> (Helm's, then Docker's config) by default.</summary>
    public RegistryCredentials Credentials { get; init; } = RegistryCredentials.FromEnvironment();

    /// <summary>
    /// The overall deadline of the command's requests (<c>--timeout</c>), shared with its HTTP downloads; null for none.
    /// Each request ends at <see cref="RequestTimeout"/> or at this deadline, and retries stop there.
    /// </summary>
    public FetchDeadline? Deadline { get; init; }

    /// <summary>The longest one request may take, its body included (default 2 minutes).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The low-speed limit of a read, in bytes per second (curl's <c>--speed-limit</c>, as <see cref="FetchPolicy.LowSpeedLimit"/>
    /// for HTTP repositories): a GET or HEAD that receives fewer than <see cref="LowSpeedLimit"/> × <see cref="LowSpeedTime"/>
    /// bytes in any <see cref="LowSpeedTime"/> window (the wait for the answer's headers included) is cut and tried
    /// again, instead of holding the command until the request timeout. 0 turns it off.
    /// </summary>
    public long LowSpeedLimit { get; init; } = FetchPolicy.DefaultLowSpeedLimit;

    /// <summary>The window of the low-speed limit (curl's <c>--speed-time</c>; 30 seconds by default).</summary>
    public TimeSpan LowSpeedTime { get; init; } = FetchPolicy.DefaultLowSpeedTime;

    /// <summary>The longest opening a connection may take (default 15 seconds).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many times a read (GET or HEAD) is tried when the connection fails, times out or gets a 5xx (default 3).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The largest manifest read or written (default 4 MiB).</summary>
    public long MaxManifestSize { get; init; } = OciManifest.DefaultMaxSize;

    /// <summary>The largest answer read for tag and repository lists, tokens and error bodies, per page (default 4 MiB).</summary>
    public long MaxMetadataSize { get; init; } = 4L * 1024 * 1024;
}

using Chartseal.Repository;
using Chartseal.Trust;
using Chartseal.Client;

namespace Chartseal.Server;

/// <summary>How a repository server runs: what it serves, who may write, and its limits.</summary>
public sealed record ServerOptions
{
    /// <summary>The repository folder: index.yaml, archives, their .prov files and the trust material.</summary>
    public required string RepositoryDir { get; init; }

    /// <summary>
    /// Where to listen, e.g. <c>http://127.0.0.1:8080</c> (port 0 picks a free port); <c>https://</c> with
    /// <see cref="TlsCertFile"/> and <see cref="TlsKeyFile"/>, and only then.
    /// </summary>
    public string Listen { get; init; } = "http://127.0.0.1:8080";

    /// <summary>What set <see cref="Listen"/>, as a refusal of it names it: <c>--listen</c>, or a variable such as <c>LISTEN_HOST=…</c>.</summary>
    public string ListenSetting { get; init; } = "--listen";

    /// <summary>
    /// The PEM file of the server's TLS certificate (the certificate first, then its chain), with <see cref="TlsKeyFile"/>:
    /// the server then speaks https only. Both files are read again when they change (certificate rotation).
    /// </summary>
    public string? TlsCertFile { get; init; }

    /// <summary>The PEM file of the certificate's private key (RSA or EC; PKCS #8, PKCS #1 or SEC 1; unencrypted).</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>
    /// A PEM file of CA certificates: every client must then present a certificate issued by one of them (mutual TLS),
    /// for every route, the probes and <c>/metrics</c> included. Needs <see cref="TlsCertFile"/>.
    /// </summary>
    public string? TlsCaCertFile { get; init; }

    /// <summary>Whether the server speaks https (a certificate or a key was given; <see cref="Validate"/> wants both).</summary>
    public bool Tls => TlsCertFile is not null || TlsKeyFile is not null;

    /// <summary>The least time between two looks at the certificate's files for a renewed pair (tests shorten it).</summary>
    internal TimeSpan TlsCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bearer tokens that may write (empty: see <see cref="AllowAnonymousUpload"/>).</summary>
    public IReadOnlyList<string> UploadTokens { get; init; } = [];

    /// <summary>Users that may write with HTTP Basic auth (none: Basic auth is off).</summary>
    public BasicAuthUsers BasicAuth { get; init; } = BasicAuthUsers.None;

    /// <summary>Accept writes without credentials (only when no token and no Basic user is configured).</summary>
    public bool AllowAnonymousUpload { get; init; }

    /// <summary>
    /// Every read of the repository (index, charts, <c>.prov</c> files, trust material, snapshot, page, API GETs) needs the
    /// same credentials as a write, as ChartMuseum does with basic auth unless <c>--auth-anonymous-get</c>; only
    /// <c>/health</c>, <c>/ready</c> and <c>/metrics</c> stay open. Off by default: reads are public.
    /// </summary>
    public bool RequireAuthForReads { get; init; }

    /// <summary>
    /// Let an upload with <c>?force</c> replace a published version (still through the gate). Without it, and
    /// always without <c>?force</c>, a published version is never replaced.
    /// </summary>
    public bool AllowOverwrite { get; init; }

    /// <summary>Refuse <c>DELETE /api/charts/NAME/VERSION</c> (405).</summary>
    public bool DisableDelete { get; init; }

    /// <summary>Serve no <c>/api/charts</c> and <c>/api/prov</c> routes (ChartMuseum's <c>--disable-api</c>): a read-only repository.</summary>
    public bool DisableApi { get; init; }

    /// <summary>
    /// Whether the server writes nothing at all: <see cref="DisableApi"/> without an <see cref="IndexSigner"/>. It then
    /// serves a folder that may be read-only (a read-only volume, a mirror): it makes no folder, takes no lock, removes no
    /// interrupted writer's files, and keeps its trust state in memory when that folder cannot be written (with a
    /// <see cref="Root"/> only).
    /// </summary>
    public bool ReadOnly => DisableApi && IndexSigner is null;

    /// <summary>Serve no <c>/metrics</c> (docs/operations.md lists what it exports).</summary>
    public bool DisableMetrics { get; init; }

    /// <summary>Log at debug level, ASP.NET Core's request lines included (ChartMuseum's <c>--debug</c>).</summary>
    public bool Debug { get; init; }

    /// <summary>
    /// The path prefix every route is served under, e.g. <c>/charts</c> (empty: the root). Requests outside it get
    /// 404, and <c>index.yaml</c> carries it as <c>serverInfo.contextPath</c> for ChartMuseum clients.
    /// </summary>
    public string ContextPath { get; init; } = "";

    /// <summary>Bounds of the staging area for two-request uploads (default: <see cref="StagingLimits.For"/> the upload size).</summary>
    public StagingLimits? Staging { get; init; }

    /// <summary>
    /// The repository's root key. When null, the server pins the root that the repository's own trust material
    /// declares the first time it needs it, and logs that it did.
    /// </summary>
    public PinnedRoot? Root { get; init; }

    /// <summary>
    /// The repository's index key, when the server signs the index snapshot (<c>--index-key</c>): the only secret it
    /// holds, which can make nothing trusted. Null: the server signs no snapshot (a CI job may).
    /// </summary>
    public IndexSigner? IndexSigner { get; init; }

    /// <summary>How long each snapshot the server signs is valid (<c>--index-expires</c>).</summary>
    public TimeSpan SnapshotLifetime { get; init; } = IndexSigner.DefaultLifetime;

    /// <summary>Where accepted trust versions are remembered (rollback protection across restarts).</summary>
    public required TrustStateStore TrustState { get; init; }

    /// <summary>The largest request body accepted (an upload: archive plus .prov).</summary>
    public long MaxUploadBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>Writes allowed per token (or per client address when anonymous) per minute.</summary>
    public int WritesPerMinute { get; init; } = 120;

    /// <summary>How long one request may take before it is cut off.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A log sink beside the JSON console (tests read the lines).</summary>
    internal Microsoft.Extensions.Logging.ILoggerProvider? Logs { get; init; }

    /// <summary>The clock (tests move it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    // A refusal of the listen address, saying which variable or file line set it when the command line did not.
    private ChartsealException ListenRefused(string message) =>
        new(Listen, ListenSetting == "--listen" ? message : $"{message} (the address comes from {ListenSetting})");

    /// <summary>
    /// Checks what a server cannot start with, so a bad setting is one line at start-up rather than a crash or a
    /// failure at the first request: the listen address (<c>http://</c>, or <c>https://</c> exactly when a TLS certificate
    /// is given; an IP address, <c>localhost</c>, <c>*</c> or <c>+</c>, a port 0-65535, no path), the TLS files given
    /// together, the upload size and the write rate. The TLS files themselves are read at start (<see cref="RepositoryServer.StartAsync"/>).
    /// </summary>
    /// <exception cref="ChartsealException">The first bad setting, naming it and the reason.</exception>
    public void Validate()
    {
        // Kestrel's "any address" hosts are not URI hosts; check the rest of the address with them replaced.
        string listen = Listen.Trim();
        string forUri = listen.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(forUri, UriKind.Absolute, out Uri? uri) || uri.IsFile || !listen.Contains("://", StringComparison.Ordinal))
        {
            throw ListenRefused("--listen is not an address such as http://127.0.0.1:8080 (a scheme, a host and a port from 0 to 65535)");
        }
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw ListenRefused($"--listen: unknown scheme \"{uri.Scheme}\"; use http://HOST:PORT, or https://HOST:PORT with --tls-cert and --tls-key");
        }
        if (Tls && (TlsCertFile is null || TlsKeyFile is null))
        {
            throw new ChartsealException(null, TlsCertFile is null
                ? "--tls-key needs --tls-cert, the certificate it belongs to (PEM)"
                : "--tls-cert needs --tls-key, the certificate's private key (PEM, unencrypted)");
        }
        if (TlsCaCertFile is not null && !Tls)
        {
            throw new ChartsealException(null, "--tls-ca-cert asks clients for certificates during the TLS handshake: it needs --tls-cert and --tls-key (and --listen https://…)");
        }
        if (uri.Scheme == Uri.UriSchemeHttps && !Tls)
        {
            throw ListenRefused("--listen https:// needs the server's certificate: give --tls-cert and --tls-key (or put a TLS proxy in front and listen on http://127.0.0.1:PORT, docs/operations.md)");
        }
        if (uri.Scheme == Uri.UriSchemeHttp && Tls)
        {
            throw ListenRefused($"--listen: with --tls-cert the server speaks https only; write --listen https://{listen[(listen.IndexOf("://", StringComparison.Ordinal) + 3)..]}");
        }
        // Kestrel binds a host name other than localhost to every address of the machine, without a word: whoever
        // wrote one meant a single interface, and would publish the server on all of them.
        if (uri.HostNameType == UriHostNameType.Dns && !string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw ListenRefused($"--listen: {uri.Host} is a host name, and the server would listen on every address of the machine for it; give an IP address (127.0.0.1, or 0.0.0.0 for every address) or localhost");
        }
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            throw ListenRefused("--listen takes no path; serve under a path prefix with --context-path");
        }
        if (MaxUploadBytes < 1)
        {
            throw new ChartsealException(null, $"--max-upload-size {MaxUploadBytes}: must be a positive number of bytes");
        }
        if (WritesPerMinute < 1)
        {
            throw new ChartsealException(null, $"--writes-per-minute {WritesPerMinute}: must be a positive number");
        }
        if (IndexSigner is not null && SnapshotLifetime < TimeSpan.FromMinutes(1))
        {
            throw new ChartsealException(null, $"--index-expires {Keys.Duration.ForPeople(SnapshotLifetime)}: a snapshot must live at least a minute (the server signs again before half of it has passed)");
        }
    }

    /// <summary>
    /// A context path as given (<c>charts</c>, <c>/charts/</c>, <c>/v1/helm</c>) in the form the server uses:
    /// <c>/charts</c>, or empty for the root.
    /// </summary>
    /// <exception cref="ChartsealException">Not a plain path: a segment that is empty, <c>.</c> or <c>..</c>, or
    /// has characters other than letters, digits, <c>-</c>, <c>_</c>, <c>.</c> and <c>~</c>.</exception>
    public static string NormalizeContextPath(string contextPath)
    {
        ArgumentNullException.ThrowIfNull(contextPath);
        string trimmed = contextPath.Trim().Trim('/');
        if (trimmed.Length == 0)
        {
            return "";
        }
        foreach (string segment in trimmed.Split('/'))
        {
            if (segment is "" or "." or ".." || segment.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~") >= 0)
            {
                throw new ChartsealException(null, $"--context-path {contextPath}: use a plain path such as /charts (letters, digits, - _ . ~ between slashes)");
            }
        }
        return "/" + trimmed;
    }
}

using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Chartseal.Tls;

/// <summary>
/// A TLS server's certificate and, for mutual TLS, the CAs its clients' certificates must chain to (<c>chartseal serve
/// --tls-cert --tls-key [--tls-ca-cert]</c>). The certificate follows its files: when the content of either file
/// changes (as cert-manager, certbot or a Kubernetes secret volume renew them), the next handshake at least
/// <see cref="CheckInterval"/> after the last look reads the pair again and serves it, or keeps the certificate it
/// has when the new pair cannot be used (half written, mismatched, expired), and says why through
/// <see cref="Problem"/>. Each look reads each file once: the pair parsed is the bytes compared. Files that cannot be
/// read again (pipes, as a shell's process substitution <c>--tls-key &lt;(vault read …)</c> gives them) are read once,
/// at start, and not looked at again. The clients' CA file follows its content the same way, on its own: a new CA file
/// that cannot be used keeps the CAs there are.
/// </summary>
public sealed class ServerTls
{
    /// <summary>The option of the certificate file.</summary>
    public const string CertOption = "--tls-cert";

    /// <summary>The option of the key file.</summary>
    public const string KeyOption = "--tls-key";

    /// <summary>The option of the clients' CA file.</summary>
    public const string CaOption = "--tls-ca-cert";

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private CertificateWithKey _current;
    private SslStreamCertificateContext _context;
    private CertificateAuthorities? _clients;
    private string _seen;
    private string? _clientsSeen;
    private long _nextCheck;
    private bool _expiryReported;

    private ServerTls(string certFile, string keyFile, CertificateAuthorities? clients, string? clientsSeen, TimeProvider clock, TimeSpan checkInterval, CertificateWithKey current, string seen)
    {
        CertFile = certFile;
        KeyFile = keyFile;
        _clients = clients;
        _clientsSeen = clientsSeen;
        _clock = clock;
        CheckInterval = checkInterval;
        _current = current;
        _context = ContextOf(current);
        _seen = seen;
        _nextCheck = Environment.TickCount64 + (long)checkInterval.TotalMilliseconds;
    }

    /// <summary>The certificate file (the certificate first, then its chain).</summary>
    public string CertFile { get; }

    /// <summary>The private key's file.</summary>
    public string KeyFile { get; }

    /// <summary>The CAs a client's certificate must chain to now, or null when no client certificate is asked for.</summary>
    public CertificateAuthorities? ClientAuthorities => Volatile.Read(ref _clients);

    /// <summary>Whether the clients' CA file is looked at again for a change: false without one, or when it is a pipe.</summary>
    public bool FollowsClientAuthorities => _clientsSeen is not null;

    /// <summary>The least time between two looks at the files (each look reads and hashes the two small files).</summary>
    public TimeSpan CheckInterval { get; }

    /// <summary>
    /// Whether the files are looked at again for a renewal: false when either is a pipe (its content was gone once read
    /// at start).
    /// </summary>
    public bool FollowsFiles { get; private init; }

    /// <summary>The certificate served now.</summary>
    public CertificateWithKey Current => Volatile.Read(ref _current);

    /// <summary>Called after the files changed and the new certificate is served.</summary>
    public Action<CertificateWithKey>? Reloaded { get; set; }

    /// <summary>Called after the clients' CA file changed and its CAs are the ones clients' certificates must chain to.</summary>
    public Action<CertificateAuthorities>? ClientAuthoritiesReloaded { get; set; }

    /// <summary>
    /// Called with one line when the files changed but the new pair cannot be used (the previous certificate is still
    /// served), when the clients' CA file changed but cannot be used (its previous CAs still count), and once when the
    /// certificate served has expired.
    /// </summary>
    public Action<string>? Problem { get; set; }

    /// <summary>
    /// Reads the certificate, its key and the clients' CA file (when given). A certificate that has expired, or whose
    /// extended key usage does not allow a TLS server, is refused: every client would refuse it. One that is not valid
    /// yet is accepted (it becomes valid on its own; the caller may warn).
    /// </summary>
    /// <exception cref="ChartsealException">One line naming the file and the option: see <see cref="CertificateWithKey.Load(string, string, string, string)"/> and <see cref="CertificateAuthorities.Load(string, string)"/>.</exception>
    public static ServerTls Load(string certFile, string keyFile, string? caFile, TimeProvider clock, TimeSpan checkInterval)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var look = Look.Take(certFile, keyFile);
        var current = look.Load(clock.GetUtcNow().UtcDateTime);
        try
        {
            PemFile? ca = caFile is null ? null : PemFile.Read(caFile, CaOption);
            CertificateAuthorities? clients = ca is null ? null : CertificateAuthorities.Load(ca);
            return new ServerTls(certFile, keyFile, clients, ca is { Rereadable: true } ? ca.Digest : null, clock, checkInterval, current, look.Seen) { FollowsFiles = look.Rereadable };
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The options of one connection's handshake: the current certificate (after a look at the files when one is due)
    /// and, with client CAs, a required client certificate checked against them; <paramref name="clientRefused"/> hears
    /// why a client's certificate was refused.
    /// </summary>
    public SslServerAuthenticationOptions ForConnection(Action<string>? clientRefused = null)
    {
        CheckFiles();
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = Volatile.Read(ref _context),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = SslProtocols.None, // the system's choice: TLS 1.2 and 1.3
        };
        if (ClientAuthorities is { } authorities)
        {
            options.ClientCertificateRequired = true;
            // The TLS stack builds the client's chain before the callback: by the same rules, so nothing is downloaded.
            options.CertificateChainPolicy = authorities.ChainPolicy(CertificateAuthorities.ClientAuthentication);
            options.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                string? why = WhyNotAccepted(certificate, chain);
                if (why is not null)
                {
                    clientRefused?.Invoke(why);
                }
                return why is null;
            };
        }
        return options;
    }

    /// <summary>Why a client's certificate is refused (none given, not from a CA of the file, expired, not for clients), or null.</summary>
    public string? WhyNotAccepted(X509Certificate? certificate, X509Chain? presented)
    {
        if (ClientAuthorities is not { } authorities)
        {
            return null;
        }
        if (certificate is null)
        {
            return $"no client certificate (clients must present one issued by a CA of {authorities.File})";
        }
        using var copy = certificate is X509Certificate2 ? null : new X509Certificate2(certificate);
        X509Certificate2 client = copy ?? (X509Certificate2)certificate;
        string? why = authorities.WhyNotAccepted(client, presented, CertificateAuthorities.ClientAuthentication, _clock.GetUtcNow().UtcDateTime);
        return why is null ? null : $"client certificate {client.Subject}: {why}";
    }

    /// <summary>Looks at the files when a look is due, and serves the new pair when they changed and it is usable.</summary>
    public void CheckFiles()
    {
        long now = Environment.TickCount64;
        if (now < Volatile.Read(ref _nextCheck))
        {
            return;
        }
        lock (_gate)
        {
            if (now < _nextCheck)
            {
                return;
            }
            _nextCheck = now + (long)CheckInterval.TotalMilliseconds;
            CheckClientAuthorities();
            DateTime time = _clock.GetUtcNow().UtcDateTime;
            var look = FollowsFiles ? Look.Take(CertFile, KeyFile) : null;
            if (look is not null && look.Seen != _seen)
            {
                // Tried once per change: a broken pair is not read again (nor reported again) until the files change.
                _seen = look.Seen;
                try
                {
                    var loaded = look.Load(time);
                    var context = ContextOf(loaded);
                    // The previous certificate is not disposed: handshakes under way may still be using it.
                    Volatile.Write(ref _context, context);
                    Volatile.Write(ref _current, loaded);
                    _expiryReported = false;
                    Reloaded?.Invoke(loaded);
                    return;
                }
                catch (ChartsealException e)
                {
                    Problem?.Invoke($"{CertOption} {CertFile} and {KeyFile} changed, but the new certificate cannot be used, so the previous one is still served ({_current.Description}): {e.Message}");
                }
            }
            if (!_expiryReported && _current.NotAfter <= time)
            {
                _expiryReported = true;
                Problem?.Invoke($"the certificate served, {_current.Description}, has expired: clients refuse it; renew {CertFile} and {KeyFile} "
                    + (FollowsFiles ? "(they are read again as soon as they change)" : "and restart the server (pipes are read once)"));
            }
        }
    }

    // Under _gate: the clients' CA file read again when its content changed (tried once per change, as the pair is).
    private void CheckClientAuthorities()
    {
        if (_clientsSeen is null || _clients is not { } clients)
        {
            return;
        }
        var (ca, unreadable) = Look.Read(clients.File, CaOption);
        string seen = Look.SeenOf(ca, unreadable);
        if (seen == _clientsSeen)
        {
            return;
        }
        _clientsSeen = seen;
        if (ca is null)
        {
            Problem?.Invoke($"{CaOption} {clients.File} cannot be read, so its previous {clients.Count} CA certificate(s) still count: {unreadable!.Message}");
            return;
        }
        try
        {
            var loaded = CertificateAuthorities.Load(ca);
            Volatile.Write(ref _clients, loaded);
            ClientAuthoritiesReloaded?.Invoke(loaded);
        }
        catch (ChartsealException e)
        {
            Problem?.Invoke($"{CaOption} {clients.File} changed, but it cannot be used, so its previous {clients.Count} CA certificate(s) still count: {e.Message}");
        }
    }

    // The chain is sent as given (offline: no intermediate is fetched, no OCSP response is stapled).
    private static SslStreamCertificateContext ContextOf(CertificateWithKey pair) =>
        SslStreamCertificateContext.Create(pair.Certificate, pair.Chain, offline: true);

    // One look at the two files: each read once (one file holding both is read once), so that the pair parsed is the
    // bytes compared, or why it cannot be read. What it saw is the digest of each file's bytes, so that a renewal is seen
    // however it was written (in place, by renaming, through a symbolic link swapped as Kubernetes updates a secret
    // volume, with the old modification time kept by cp -p or tar). Two reads of a few kilobytes, at most once per
    // check interval.
    private sealed class Look
    {
        private readonly PemFile? _cert;
        private readonly PemFile? _key;
        private readonly ChartsealException? _unreadable;

        private Look(PemFile? cert, PemFile? key, ChartsealException? unreadable, string seen)
        {
            _cert = cert;
            _key = key;
            _unreadable = unreadable;
            Seen = seen;
        }

        // The digests of the two files, or why each could not be read.
        public string Seen { get; }

        // Whether both files can be read again (neither is a pipe).
        public bool Rereadable => _cert?.Rereadable != false && _key?.Rereadable != false;

        public static Look Take(string certFile, string keyFile)
        {
            var (cert, certProblem) = Read(certFile, CertOption);
            var (key, keyProblem) = certFile == keyFile ? (cert?.As(KeyOption), certProblem) : Read(keyFile, KeyOption);
            return new Look(cert, key, certProblem ?? keyProblem, $"{SeenOf(cert, certProblem)} {SeenOf(key, keyProblem)}");
        }

        // What a look saw of one file: the digest of its bytes, or why it could not be read.
        public static string SeenOf(PemFile? file, ChartsealException? problem) => file?.Digest ?? "unreadable: " + problem!.Message;

        // The pair, checked for a server (see ServerTls.Load).
        public CertificateWithKey Load(DateTime now)
        {
            if (_unreadable is not null)
            {
                throw _unreadable;
            }
            var pair = CertificateWithKey.Load(_cert!, _key!);
            string? problem = !pair.AllowsPurpose(CertificateAuthorities.ServerAuthentication)
                ? "its extended key usage does not allow TLS server authentication (clients refuse it): issue it for serverAuth"
                : pair.NotAfter <= now
                    ? $"the certificate expired at {pair.NotAfter:yyyy-MM-ddTHH:mm:ssZ} (now {now:yyyy-MM-ddTHH:mm:ssZ}): every client would refuse it; renew it"
                    : null;
            if (problem is not null)
            {
                pair.Dispose();
                throw new ChartsealException(_cert!.Path, $"{CertOption}: {problem}");
            }
            return pair;
        }

        public static (PemFile? File, ChartsealException? Problem) Read(string path, string option)
        {
            try
            {
                return (PemFile.Read(path, option), null);
            }
            catch (ChartsealException e)
            {
                return (null, e);
            }
        }
    }
}

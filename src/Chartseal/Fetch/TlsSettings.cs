using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Chartseal.Tls;

namespace Chartseal.Fetch;

/// <summary>
/// How a connection's TLS is set up, with Helm's flags and their meanings: <c>--ca-file</c> (the server's certificate
/// must chain to one of these CA certificates; the system roots are then not used, as in Helm), <c>--cert-file</c> and
/// <c>--key-file</c> (a client certificate presented to the server), and <c>--insecure-skip-tls-verify</c> (the server's
/// certificate is not checked at all; what is downloaded is still judged by its signatures). The default checks the
/// server against the system roots and presents no certificate. Nothing is ever downloaded to check a server's
/// certificate (no intermediate from the URL it names, no CRL, no OCSP). One place for both kinds of remote repository: the
/// http(s) fetcher and the OCI registry client.
/// </summary>
public sealed partial record TlsSettings
{
    /// <summary>The default: the system roots, no client certificate.</summary>
    public static TlsSettings Default { get; } = new();

    /// <summary>A PEM file of CA certificates the server's certificate must chain to, or null for the system roots.</summary>
    public string? CaFile { get; init; }

    /// <summary>A PEM file holding the client certificate (with <see cref="KeyFile"/>), or null.</summary>
    public string? CertFile { get; init; }

    /// <summary>The PEM file of the client certificate's private key (with <see cref="CertFile"/>), or null.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Do not check the server's certificate at all (Helm's <c>--insecure-skip-tls-verify</c>).</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>Whether these are the default settings.</summary>
    public bool IsDefault => this == Default;

    /// <summary>
    /// Applies the settings to <paramref name="handler"/>: reads the CA and client certificate files now, so that a
    /// missing or malformed file is reported before anything is sent.
    /// </summary>
    /// <exception cref="ChartsealException">A file is missing, unreadable or holds no usable certificate or key (named in the message); a certificate without its key or the other way round.</exception>
    public void ApplyTo(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var ssl = new SslClientAuthenticationOptions
        {
            // With the system roots too, nothing is downloaded to complete a server's chain (no intermediate from the URL
            // its certificate names, no CRL, no OCSP), as Helm does not either: a server could otherwise make this process
            // request URLs of its choosing during the handshake.
            CertificateChainPolicy = new X509ChainPolicy { RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true },
        };
        if (InsecureSkipVerify)
        {
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (CaFile is { } caFile)
        {
            CertificateAuthorities roots = CertificateAuthorities.Load(caFile, "--ca-file");
            // The TLS stack builds the server's chain before the callback: by the same rules, so nothing is downloaded.
            ssl.CertificateChainPolicy = roots.ChainPolicy(CertificateAuthorities.ServerAuthentication);
            ssl.RemoteCertificateValidationCallback = (_, certificate, presented, errors) => ValidateWithRoots(roots, certificate, presented, errors);
        }
        if (LoadClientCertificate() is { } client)
        {
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(client.Certificate, client.Chain, offline: true);
        }
        else
        {
            // No certificate to give: remember the servers that asked for one (the callback sees the server's
            // certificate only when it does), so that their refusal can be told for what it is.
            ssl.LocalCertificateSelectionCallback = static (_, host, _, remote, _) =>
            {
                if (remote is not null)
                {
                    AskedForCertificate.TryAdd(host, 0);
                }
                return null!; // none
            };
        }
        handler.SslOptions = ssl;
    }

    // The hosts that asked this process for a client certificate it did not have.
    private static readonly ConcurrentDictionary<string, byte> AskedForCertificate = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// What a failed request to <paramref name="uri"/> means when it is a refusal of mutual TLS, or null. The server
    /// either sent a TLS alert about the client's certificate (Go's servers, ChartMuseum and registries, nginx, OpenSSL:
    /// "bad certificate", "certificate required", "unknown ca", …; an alert received can only be about this side's
    /// certificate), or closed the connection without an answer after asking for a certificate (Kestrel, and any TLS 1.3
    /// server that checks the client's certificate after the handshake, which the client then saw succeed). Without a
    /// certificate the line says that one is asked for and <paramref name="howToGiveOne"/> (what the user's tool offers);
    /// with one, that it was refused.
    /// </summary>
    public string? ClientCertificateRefusal(Uri uri, HttpRequestException e, string howToGiveOne)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentException.ThrowIfNullOrEmpty(howToGiveOne);
        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return null;
        }
        string? alert = CertificateAlert(e);
        // Without an alert, only a connection whose handshake the client completed (so the server's certificate was
        // accepted) and that the server then ended: a failed handshake may be the client's refusal of the server
        // (HandshakeHint says so).
        if (alert is null && e.HttpRequestError != HttpRequestError.ResponseEnded)
        {
            return null;
        }
        if (CertFile is null)
        {
            return alert is not null || AskedForCertificate.ContainsKey(uri.IdnHost)
                ? $"the server asks for a TLS client certificate (mutual TLS) and none was given: {howToGiveOne}"
                : null;
        }
        const string Rule = "it must be issued by a CA the server trusts, be valid now and allow client authentication";
        return alert is not null
            ? $"the server refused the client certificate of {CertFile} (TLS alert \"{alert}\"): {Rule}"
            : $"the server ended the connection without an answer; with mutual TLS that is its refusal of the client certificate of {CertFile} ({Rule})";
    }

    // The certificate alert the server sent, as OpenSSL names it ("sslv3 alert bad certificate", "tlsv13 alert
    // certificate required"), or null: alerts 42-46, 48, 49 and 116 of RFC 8446.
    private static string? CertificateAlert(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (ReceivedCertificateAlert().Match(inner.Message) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }
        return null;
    }

    [GeneratedRegex(@"\b(?:sslv3|tlsv1|tlsv13) alert (bad certificate|unsupported certificate|certificate revoked|certificate expired|certificate unknown|unknown ca|access denied|certificate required)\b")]
    private static partial Regex ReceivedCertificateAlert();

    /// <summary>A hint for a failed TLS handshake with <paramref name="what"/> (e.g. "the server"), saying which flag may help.</summary>
    public string HandshakeHint(string what) => CaFile is null
        ? $"if {what} uses its own CA, add the repository with --ca-file"
        : $"its certificate does not chain to a CA of {CaFile}";

    /// <summary>Whether <paramref name="e"/> is a failed TLS handshake rather than an unreachable server.</summary>
    public static bool IsHandshakeFailure(HttpRequestException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.HttpRequestError == HttpRequestError.SecureConnectionError || e.InnerException is AuthenticationException;
    }

    // Kept for the life of the client that presents it (clients are cached per TLS setup).
    private CertificateWithKey? LoadClientCertificate()
    {
        if (CertFile is null && KeyFile is null)
        {
            return null;
        }
        if (CertFile is null || KeyFile is null)
        {
            throw new ChartsealException(CertFile ?? KeyFile, "a client certificate needs both --cert-file and --key-file");
        }
        return CertificateWithKey.Load(CertFile, KeyFile, "--cert-file", "--key-file");
    }

    private static bool ValidateWithRoots(CertificateAuthorities roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors) =>
        certificate is X509Certificate2 leaf && (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) == 0
        && roots.WhyNotAccepted(leaf, presented, CertificateAuthorities.ServerAuthentication, DateTime.UtcNow) is null;
}

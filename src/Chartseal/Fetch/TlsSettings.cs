using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chartseal.Fetch;

/// <summary>
/// How a connection's TLS is set up, with Helm's flags and their meanings: <c>--ca-file</c> (the server's certificate
/// must chain to one of these CA certificates; the system roots are then not used, as in Helm), <c>--cert-file</c> and
/// <c>--key-file</c> (a client certificate presented to the server), and <c>--insecure-skip-tls-verify</c> (the server's
/// certificate is not checked at all; what is downloaded is still judged by its signatures). The default checks the
/// server against the system roots and presents no certificate. One place for both kinds of remote repository: the
/// http(s) fetcher and the OCI registry client.
/// </summary>
public sealed record TlsSettings
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
        if (IsDefault)
        {
            return;
        }
        var ssl = new SslClientAuthenticationOptions();
        if (InsecureSkipVerify)
        {
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (CaFile is { } caFile)
        {
            X509Certificate2Collection roots = LoadCaFile(caFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, presented, errors) => ValidateWithRoots(roots, certificate, presented, errors);
        }
        if (LoadClientCertificate() is { } client)
        {
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(client, null, offline: true);
        }
        handler.SslOptions = ssl;
    }

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

    private X509Certificate2? LoadClientCertificate()
    {
        if (CertFile is null && KeyFile is null)
        {
            return null;
        }
        if (CertFile is null || KeyFile is null)
        {
            throw new ChartsealException(CertFile ?? KeyFile, "a client certificate needs both --cert-file and --key-file");
        }
        try
        {
            using var loaded = X509Certificate2.CreateFromPemFile(CertFile, KeyFile);
            // Exported and read back: an ephemeral key is not usable by TLS on every platform.
            return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ChartsealException(CertFile, $"cannot be read with {KeyFile} as a PEM client certificate and key: {e.Message}");
        }
    }

    private static X509Certificate2Collection LoadCaFile(string caFile)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ChartsealException(caFile, "cannot be read as PEM CA certificates: " + e.Message);
        }
        return certificates.Count > 0 ? certificates : throw new ChartsealException(caFile, "holds no PEM certificate");
    }

    private static bool ValidateWithRoots(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is not X509Certificate2 leaf || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (X509ChainElement element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return chain.Build(leaf);
    }
}

using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chartseal.Tests.Support;

/// <summary>
/// A throwaway certificate authority for TLS tests, and the certificates it issues: a server certificate for 127.0.0.1
/// (what a private repository or registry behind its own CA looks like to a client given <c>--ca-file</c>), client
/// certificates for mutual TLS, and intermediate CAs (a chain).
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly RSA _caKey = RSA.Create(2048);

    /// <summary>A CA named <paramref name="name"/>, valid from yesterday for a week.</summary>
    public TestCertificateAuthority(string name)
    {
        var request = CaRequest(name);
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    /// <summary>An intermediate CA named <paramref name="name"/>, issued by <paramref name="issuer"/>.</summary>
    public TestCertificateAuthority(string name, TestCertificateAuthority issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        using X509Certificate2 issued = CaRequest(name).Create(issuer.Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), RandomNumberGenerator.GetBytes(8));
        Certificate = issued.CopyWithPrivateKey(_caKey);
    }

    /// <summary>The CA's certificate (with its key, which the PEM forms leave out).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA's certificate as PEM, what <c>--ca-file</c> reads.</summary>
    public string Pem => Certificate.ExportCertificatePem();

    /// <summary>A server certificate for 127.0.0.1 (server authentication), with its private key.</summary>
    public X509Certificate2 IssueLoopbackServer() => IssueLoopbackServer(ec: false);

    /// <summary>
    /// A server certificate for 127.0.0.1 with an RSA or (with <paramref name="ec"/>) a P-256 key, valid from
    /// <paramref name="notBefore"/> to <paramref name="notAfter"/> (default: yesterday to six days on), for
    /// <paramref name="usage"/> (default: server authentication); with <paramref name="caIssuers"/>, an authority
    /// information access extension naming that URL as where this CA's certificate can be downloaded.
    /// </summary>
    public X509Certificate2 IssueLoopbackServer(bool ec, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string usage = ServerAuth, string commonName = "127.0.0.1", string? caIssuers = null)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        return Issue($"CN={commonName}", ec, usage, names.Build(), notBefore, notAfter, caIssuers);
    }

    /// <summary>
    /// A client certificate (client authentication) for <paramref name="name"/>, with its EC private key (and, with
    /// <paramref name="caIssuers"/>, that URL as where this CA's certificate can be downloaded).
    /// </summary>
    public X509Certificate2 IssueClient(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string usage = ClientAuth, string? caIssuers = null) =>
        Issue($"CN={name}", ec: true, usage, null, notBefore, notAfter, caIssuers);

    /// <summary>Writes <paramref name="certificate"/> (then <paramref name="chain"/>) and its key as PEM; <paramref name="keyFormat"/> is pkcs8, pkcs1 (RSA) or sec1 (EC).</summary>
    public static void WritePem(X509Certificate2 certificate, string certFile, string keyFile, string keyFormat = "pkcs8", params X509Certificate2[] chain)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        File.WriteAllText(certFile, string.Concat(new[] { certificate }.Concat(chain).Select(c => c.ExportCertificatePem() + "\n")));
        File.WriteAllText(keyFile, KeyPem(certificate, keyFormat));
    }

    /// <summary>The certificate's private key as PEM: pkcs8, pkcs1 (RSA) or sec1 (EC).</summary>
    public static string KeyPem(X509Certificate2 certificate, string keyFormat = "pkcs8")
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()!;
        return (keyFormat, key) switch
        {
            ("pkcs8", _) => key.ExportPkcs8PrivateKeyPem(),
            ("pkcs1", RSA rsa) => rsa.ExportRSAPrivateKeyPem(),
            ("sec1", ECDsa ecdsa) => ecdsa.ExportECPrivateKeyPem(),
            _ => throw new ArgumentException($"no {keyFormat} form for {key.GetType().Name}", nameof(keyFormat)),
        };
    }

    /// <summary>
    /// An HTTP client that trusts this CA only (checked here, not by the library under test), with the intermediates the
    /// server sends; it presents <paramref name="certificate"/> when given and tells <paramref name="served"/> which
    /// certificate the server showed. Connections are not reused, so a renewed server certificate is seen at once.
    /// </summary>
    public HttpClient TrustingClient(X509Certificate2? certificate = null, Action<X509Certificate2>? served = null)
    {
        X509Certificate2 root = Certificate;
        var ssl = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, chain, errors) =>
            {
                if (presented is not X509Certificate2 leaf || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }
                served?.Invoke(leaf);
                using var check = new X509Chain();
                check.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                check.ChainPolicy.CustomTrustStore.Add(root);
                check.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                check.ChainPolicy.DisableCertificateDownloads = true;
                if (chain is not null)
                {
                    check.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
                }
                return check.Build(leaf);
            },
        };
        if (certificate is not null)
        {
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true);
        }
        return new HttpClient(new SocketsHttpHandler { SslOptions = ssl, PooledConnectionLifetime = TimeSpan.FromMilliseconds(1) }) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _caKey.Dispose();
    }

    private CertificateRequest CaRequest(string name)
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private X509Certificate2 Issue(string subject, bool ec, string usage, X509Extension? names, DateTimeOffset? notBefore, DateTimeOffset? notAfter, string? caIssuers)
    {
        using AsymmetricAlgorithm key = ec ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var request = key is ECDsa ecdsa
            ? new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256)
            : new CertificateRequest(subject, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (names is not null)
        {
            request.CertificateExtensions.Add(names);
        }
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        if (caIssuers is not null)
        {
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, [caIssuers], false));
        }
        // Signed with the CA's RSA key whatever the subject's key is (the generator overload allows an EC subject).
        using X509Certificate2 issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(_caKey, RSASignaturePadding.Pkcs1),
            notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(6), RandomNumberGenerator.GetBytes(8));
        return key is ECDsa ec2 ? issued.CopyWithPrivateKey(ec2) : issued.CopyWithPrivateKey((RSA)key);
    }
}

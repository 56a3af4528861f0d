using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chartseal.Tests.Support;

/// <summary>
/// A throwaway certificate authority for TLS tests, and a server certificate it issues for 127.0.0.1: what a private
/// repository or registry behind its own CA looks like to a client given <c>--ca-file</c>.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly RSA _caKey = RSA.Create(2048);

    /// <summary>A CA named <paramref name="name"/>, valid from yesterday for a week.</summary>
    public TestCertificateAuthority(string name)
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    /// <summary>The CA's certificate (public part).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA's certificate as PEM, what <c>--ca-file</c> reads.</summary>
    public string Pem => Certificate.ExportCertificatePem();

    /// <summary>A server certificate for 127.0.0.1 (server authentication), with its private key.</summary>
    public X509Certificate2 IssueLoopbackServer()
    {
        using RSA serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(serverKey);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _caKey.Dispose();
    }
}

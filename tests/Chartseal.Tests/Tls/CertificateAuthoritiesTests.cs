using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Chartseal.Fetch;
using Chartseal.Tests.Support;
using Chartseal.Tls;

namespace Chartseal.Tests.Tls;

/// <summary>
/// A peer's certificate is checked against the CA file with the intermediates the peer presented, and nothing else:
/// nothing is downloaded, on either side. A certificate may name a URL where its issuer's certificate can be fetched
/// (authority information access, "CA issuers"); a server that fetched it during a handshake would let any client make
/// it request a URL of the client's choosing (and wait for the answer), and a client would do the same for any server.
/// </summary>
public sealed class CertificateAuthoritiesTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempDirectory _temp = new();
    private readonly TestCertificateAuthority _root = new("Chartseal test root CA");
    private readonly TestCertificateAuthority _intermediate;
    private readonly FolderServer _aia;

    public CertificateAuthoritiesTests()
    {
        _intermediate = new TestCertificateAuthority("Chartseal test intermediate CA", _root);
        // Where the certificates below say their issuer's certificate can be downloaded (DER, as CAs publish it).
        Directory.CreateDirectory(_temp.File("aia"));
        File.WriteAllBytes(_temp.File("aia/intermediate.cer"), _intermediate.Certificate.RawData);
        _aia = new FolderServer(_temp.File("aia"));
        File.WriteAllText(_temp.File("root.pem"), _root.Pem);
    }

    private string IssuerUrl => _aia.Url + "/intermediate.cer";

    public void Dispose()
    {
        _aia.Dispose();
        _intermediate.Dispose();
        _root.Dispose();
        _temp.Dispose();
    }

    private ServerTls MutualServer()
    {
        using (X509Certificate2 server = _root.IssueLoopbackServer(ec: true))
        {
            TestCertificateAuthority.WritePem(server, _temp.File("tls.crt"), _temp.File("tls.key"));
        }
        return ServerTls.Load(_temp.File("tls.crt"), _temp.File("tls.key"), _temp.File("root.pem"), TimeProvider.System, TimeSpan.FromMinutes(1));
    }

    private static SslClientAuthenticationOptions Presenting(X509Certificate2 certificate, params X509Certificate2[] intermediates) => new()
    {
        ClientCertificateContext = SslStreamCertificateContext.Create(certificate, [.. intermediates], offline: true),
        RemoteCertificateValidationCallback = (_, _, _, _) => true,
    };

    [Fact]
    public async Task MutualTls_AClientCertificateWithoutItsIntermediate_IsRefused_AndTheUrlItNamesIsNotFetched()
    {
        var tls = MutualServer();
        var refused = new List<string>();
        using var server = new TlsTestServer(() => tls.ForConnection(why => refused.Add(why)));
        using X509Certificate2 client = _intermediate.IssueClient("ci", caIssuers: IssuerUrl);

        await Assert.ThrowsAnyAsync<IOException>(() => server.GetAsync(Presenting(client), Ct));

        Assert.Empty(_aia.Requests);
        Assert.Single(server.Failures);
        Assert.Contains($"client certificate CN=ci: not issued by a CA of {_temp.File("root.pem")}", Assert.Single(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MutualTls_AClientCertificateWithItsIntermediate_IsAccepted_WithoutADownload()
    {
        var tls = MutualServer();
        var refused = new List<string>();
        using var server = new TlsTestServer(() => tls.ForConnection(why => refused.Add(why)));
        using X509Certificate2 client = _intermediate.IssueClient("ci", caIssuers: IssuerUrl);

        Assert.Equal("served", await server.GetAsync(Presenting(client, _intermediate.Certificate), Ct));

        Assert.Empty(refused);
        Assert.Empty(_aia.Requests);
    }

    [Fact]
    public async Task CaFile_AServerCertificateWithoutItsIntermediate_IsRefused_AndTheUrlItNamesIsNotFetched()
    {
        using X509Certificate2 leaf = _intermediate.IssueLoopbackServer(ec: true, caIssuers: IssuerUrl);
        // The server sends its certificate alone (a chain left out of the certificate file).
        var context = SslStreamCertificateContext.Create(leaf, [], offline: true);
        using var server = new TlsTestServer(() => new SslServerAuthenticationOptions { ServerCertificateContext = context });
        var fetcher = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CaFile = _temp.File("root.pem") }, MaxAttempts = 1 });

        var e = await Assert.ThrowsAsync<ChartsealException>(() => fetcher.GetAsync(new Uri($"https://127.0.0.1:{server.Port}/index.yaml"), 1024, Ct));

        Assert.Contains("TLS handshake failed", e.Message, StringComparison.Ordinal);
        Assert.Contains($"its certificate does not chain to a CA of {_temp.File("root.pem")}", e.Message, StringComparison.Ordinal);
        Assert.Empty(_aia.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithoutACaFile_TheSystemRootsOrNoCheck_NothingIsFetchedEither(bool insecureSkipVerify)
    {
        using X509Certificate2 leaf = _intermediate.IssueLoopbackServer(ec: true, caIssuers: IssuerUrl);
        var context = SslStreamCertificateContext.Create(leaf, [], offline: true);
        using var server = new TlsTestServer(() => new SslServerAuthenticationOptions { ServerCertificateContext = context });
        var fetcher = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { InsecureSkipVerify = insecureSkipVerify }, MaxAttempts = 1 });
        var uri = new Uri($"https://127.0.0.1:{server.Port}/index.yaml");

        if (insecureSkipVerify)
        {
            Assert.Equal("served"u8.ToArray(), await fetcher.GetAsync(uri, 1024, Ct));
        }
        else
        {
            Assert.Contains("TLS handshake failed", (await Assert.ThrowsAsync<ChartsealException>(() => fetcher.GetAsync(uri, 1024, Ct))).Message, StringComparison.Ordinal);
        }
        Assert.Empty(_aia.Requests);
    }

    [Fact]
    public async Task CaFile_AServerCertificateWithItsIntermediate_IsAccepted_WithoutADownload()
    {
        using X509Certificate2 leaf = _intermediate.IssueLoopbackServer(ec: true, caIssuers: IssuerUrl);
        var context = SslStreamCertificateContext.Create(leaf, [_intermediate.Certificate], offline: true);
        using var server = new TlsTestServer(() => new SslServerAuthenticationOptions { ServerCertificateContext = context });
        var fetcher = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CaFile = _temp.File("root.pem") } });

        Assert.Equal("served"u8.ToArray(), await fetcher.GetAsync(new Uri($"https://127.0.0.1:{server.Port}/index.yaml"), 1024, Ct));

        Assert.Empty(_aia.Requests);
    }

    [Fact]
    public void AnExpiredIntermediate_IsTheOneNamed_NotTheLeafThatIsStillValid()
    {
        var authorities = CertificateAuthorities.Load(_temp.File("root.pem"), "--tls-ca-cert");
        using X509Certificate2 client = _intermediate.IssueClient("ci", notAfter: DateTimeOffset.UtcNow.AddDays(30));
        using var presented = new X509Chain();
        presented.ChainPolicy.ExtraStore.Add(_intermediate.Certificate);
        DateTime later = DateTime.UtcNow.AddDays(6.5); // the intermediate's last day was yesterday

        string? why = authorities.WhyNotAccepted(client, presented, CertificateAuthorities.ClientAuthentication, later);

        Assert.Null(authorities.WhyNotAccepted(client, presented, CertificateAuthorities.ClientAuthentication, DateTime.UtcNow));
        Assert.Equal($"the CA certificate CN=Chartseal test intermediate CA of its chain expired or is not valid yet (valid {_intermediate.Certificate.NotBefore.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ} to {_intermediate.Certificate.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ})", why);
    }

    [Fact]
    public void AnExpiredLeaf_IsNamedWithItsValidity()
    {
        var authorities = CertificateAuthorities.Load(_temp.File("root.pem"), "--tls-ca-cert");
        using X509Certificate2 client = _intermediate.IssueClient("ci", DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-1));
        using var presented = new X509Chain();
        presented.ChainPolicy.ExtraStore.Add(_intermediate.Certificate);

        string? why = authorities.WhyNotAccepted(client, presented, CertificateAuthorities.ClientAuthentication, DateTime.UtcNow);

        Assert.Equal($"expired or not yet valid (valid {client.NotBefore.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ} to {client.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ})", why);
    }

    [Fact]
    public void ACaFileHoldingOnlyAnIntermediate_IsSaidSo_NotThatTheCertificateIsAnotherCas()
    {
        // Only self-signed roots anchor a chain here (as OpenSSL's default, unlike Go's pools): say what to put in the file.
        File.WriteAllText(_temp.File("intermediate.pem"), _intermediate.Pem);
        var authorities = CertificateAuthorities.Load(_temp.File("intermediate.pem"), "--tls-ca-cert");
        using X509Certificate2 client = _intermediate.IssueClient("ci");

        string? why = authorities.WhyNotAccepted(client, null, CertificateAuthorities.ClientAuthentication, DateTime.UtcNow);

        Assert.Equal($"the CA CN=Chartseal test intermediate CA of its chain is in {_temp.File("intermediate.pem")}, but as an intermediate (not self-signed), which anchors nothing: add the root CA it chains to (its issuer is CN=Chartseal test root CA)", why);
    }
}

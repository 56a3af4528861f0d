using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Chartseal.Fetch;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Fetch;

/// <summary>
/// A private repository's credentials and TLS settings: Basic auth only to the repository's own scheme, host and port
/// (Helm's rule; everywhere with --pass-credentials), never to a redirect on another host; 401/403 as one line saying
/// what to do; a CA file, a client certificate, and --insecure-skip-tls-verify.
/// </summary>
public sealed class HttpFetcherAuthTests
{
    private static string Expected(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

    private static HttpFetcher FetcherFor(FolderServer repository, bool passToAllHosts = false) => new(FetchPolicy.PlainHttpAllowed with
    {
        Credentials = new BasicCredentials("alice", "s3cret:é", new Uri(repository.Url + "/")) { PassToAllHosts = passToAllHosts },
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Credentials_GoToTheRepositorysHost_AndToAnotherOnlyWithPassCredentials(bool passToAllHosts)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("index.yaml"), "apiVersion: v1\n");
        File.WriteAllText(temp.File("chart-1.0.0.tgz"), "archive");
        using var repository = new FolderServer(temp.Path);
        using var elsewhere = new FolderServer(temp.Path); // another port: another origin
        var fetcher = FetcherFor(repository, passToAllHosts);
        var ct = TestContext.Current.CancellationToken;

        Assert.NotNull(await fetcher.GetAsync(HttpFetcher.FileUri(repository.Url, "index.yaml"), 1024, ct));
        Assert.NotNull(await fetcher.GetAsync(HttpFetcher.FileUri(elsewhere.Url, "chart-1.0.0.tgz"), 1024, ct));

        Assert.Equal(Expected("alice", "s3cret:é"), Assert.Single(repository.Requests).Authorization);
        Assert.Equal(passToAllHosts ? Expected("alice", "s3cret:é") : null, Assert.Single(elsewhere.Requests).Authorization);
    }

    [Fact]
    public async Task Credentials_NeverFollowARedirectToAnotherHost_EvenWithPassCredentials_ButARedirectOnTheSameHostKeepsThem()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("chart-1.0.0.tgz"), "archive");
        using var repository = new FolderServer(temp.Path);
        using var storage = new FolderServer(temp.Path);
        var fetcher = FetcherFor(repository, passToAllHosts: true);
        var ct = TestContext.Current.CancellationToken;
        repository.InjectedAnswers.Enqueue((302, new Dictionary<string, string> { ["Location"] = repository.Url + "/chart-1.0.0.tgz" }, null));
        repository.InjectedAnswers.Enqueue((302, new Dictionary<string, string> { ["Location"] = storage.Url + "/chart-1.0.0.tgz" }, null));

        Assert.NotNull(await fetcher.GetAsync(HttpFetcher.FileUri(repository.Url, "moved.tgz"), 1024, ct));

        Assert.All(repository.Requests, r => Assert.Equal(Expected("alice", "s3cret:é"), r.Authorization));
        Assert.Equal(2, repository.Requests.Count);
        Assert.Null(Assert.Single(storage.Requests).Authorization);
    }

    [Theory]
    [InlineData(401, false, "the server wants credentials (401 Unauthorized): add the repository with chartseal repo add NAME URL --username USER --password-stdin (or give --username USER --password-stdin to a pull or install --repo URL)")]
    [InlineData(401, true, "the server refused the credentials (401 Unauthorized): check the user name and password")]
    [InlineData(403, true, "the server refused the credentials (403 Forbidden)")]
    public async Task Unauthorized_IsOneLineNamingTheUrl_NeverRetried(int status, bool withCredentials, string expected)
    {
        using var temp = new TempDirectory();
        using var repository = new FolderServer(temp.Path);
        repository.InjectedStatuses.Enqueue(status);
        var fetcher = withCredentials ? FetcherFor(repository) : new HttpFetcher(FetchPolicy.PlainHttpAllowed);
        Uri uri = HttpFetcher.FileUri(repository.Url, "index.yaml");

        var e = await Assert.ThrowsAsync<ChartsealException>(() => fetcher.GetAsync(uri, 1024, TestContext.Current.CancellationToken));

        Assert.Equal(uri.ToString(), e.File);
        Assert.StartsWith(expected, e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
        Assert.Single(repository.Requests);
    }

    [Fact]
    public async Task Unauthorized_OnAnotherHostWithoutPassCredentials_SaysSo()
    {
        using var temp = new TempDirectory();
        using var repository = new FolderServer(temp.Path);
        using var elsewhere = new FolderServer(temp.Path);
        elsewhere.InjectedStatuses.Enqueue(401);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => FetcherFor(repository).GetAsync(HttpFetcher.FileUri(elsewhere.Url, "c.tgz"), 1024, TestContext.Current.CancellationToken));

        Assert.Contains("sent only to its own host (add it with --pass-credentials", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BasicCredentials_ToString_NeverShowsThePassword()
    {
        var credentials = new BasicCredentials("alice", "s3cret", new Uri("https://charts.example.com/private/"));
        Assert.DoesNotContain("s3cret", credentials.ToString(), StringComparison.Ordinal);
        Assert.Throws<ChartsealException>(() => BasicCredentials.Check("al:ice", "x"));
        Assert.Throws<ChartsealException>(() => BasicCredentials.Check("alice", "x\ny"));
    }

    [Fact]
    public async Task Tls_OwnCa_RefusedWithTheSystemRoots_AcceptedWithCaFileOrInsecureSkipVerify_ClientCertificatePresented()
    {
        using var temp = new TempDirectory();
        using var tls = new TlsServer(temp);
        var ct = TestContext.Current.CancellationToken;
        Uri uri = new($"https://127.0.0.1:{tls.Port}/repo/index.yaml");

        // The system roots do not know the test CA: one line, not retried, saying which flag helps.
        var e = await Assert.ThrowsAsync<ChartsealException>(() => new HttpFetcher(FetchPolicy.HttpsOnly).GetAsync(uri, 1024, ct));
        Assert.Contains("TLS handshake failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("--ca-file", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, tls.Handshakes);

        var withCa = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CaFile = tls.CaFile } });
        Assert.Equal("served"u8.ToArray(), await withCa.GetAsync(uri, 1024, ct));
        Assert.Null(tls.ClientCertificate);

        // Another CA than the server's: refused, naming the CA file.
        var other = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CaFile = tls.ClientCertFile } });
        Assert.Contains(tls.ClientCertFile, (await Assert.ThrowsAsync<ChartsealException>(() => other.GetAsync(uri, 1024, ct))).Message, StringComparison.Ordinal);

        var skip = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { InsecureSkipVerify = true } });
        Assert.Equal("served"u8.ToArray(), await skip.GetAsync(uri, 1024, ct));

        var client = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CaFile = tls.CaFile, CertFile = tls.ClientCertFile, KeyFile = tls.ClientKeyFile } });
        Assert.Equal("served"u8.ToArray(), await client.GetAsync(uri, 1024, ct));
        Assert.Equal(tls.ClientThumbprint, tls.ClientCertificate);
    }

    [Fact]
    public void Tls_MissingOrHalfClientCertificate_OneLineNamingTheFile()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("empty.pem"), "");
        Assert.Contains("missing.pem", Assert.Throws<ChartsealException>(() => new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CaFile = temp.File("missing.pem") } })).Message, StringComparison.Ordinal);
        Assert.Contains("needs both --cert-file and --key-file", Assert.Throws<ChartsealException>(() => new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CertFile = temp.File("empty.pem") } })).Message, StringComparison.Ordinal);
        Assert.Contains("empty.pem", Assert.Throws<ChartsealException>(() => new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CertFile = temp.File("empty.pem"), KeyFile = temp.File("empty.pem") } })).Message, StringComparison.Ordinal);
    }

    /// <summary>An HTTPS server on loopback with a certificate from a throw-away CA; it asks for a client certificate and records it.</summary>
    private sealed class TlsServer : IDisposable
    {
        private readonly X509Certificate2 _certificate;
        private readonly TlsTestServer _server;

        public TlsServer(TempDirectory temp)
        {
            using var ca = new TestCertificateAuthority("Chartseal test repository CA");
            using X509Certificate2 withKey = ca.IssueLoopbackServer();
            _certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            CaFile = temp.File("ca.pem");
            File.WriteAllText(CaFile, ca.Pem);

            using ECDsa clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var clientRequest = new CertificateRequest("CN=chartseal client", clientKey, HashAlgorithmName.SHA256);
            clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
            using X509Certificate2 client = clientRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
            ClientThumbprint = client.Thumbprint;
            ClientCertFile = temp.File("client.pem");
            ClientKeyFile = temp.File("client-key.pem");
            File.WriteAllText(ClientCertFile, client.ExportCertificatePem());
            File.WriteAllText(ClientKeyFile, clientKey.ExportPkcs8PrivateKeyPem());

            _server = new TlsTestServer(() => new SslServerAuthenticationOptions
            {
                ServerCertificate = _certificate,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    ClientCertificate = certificate is null ? null : new X509Certificate2(certificate).Thumbprint;
                    return true;
                },
            });
        }

        public int Port => _server.Port;

        public string CaFile { get; }

        public string ClientCertFile { get; }

        public string ClientKeyFile { get; }

        public string ClientThumbprint { get; }

        /// <summary>The thumbprint of the last client certificate presented, or null.</summary>
        public string? ClientCertificate { get; private set; }

        public int Handshakes => _server.Handshakes;

        public void Dispose()
        {
            _server.Dispose();
            _certificate.Dispose();
        }
    }
}

using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chartseal.Client;
using Chartseal.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Chartseal.Server.Tests;

/// <summary>
/// <c>chartseal serve --tls-cert --tls-key [--tls-ca-cert]</c>: https with a certificate of a private CA (RSA and EC
/// keys in each PEM form, a chain), mutual TLS (no certificate, another CA's, the right CA's), the certificate read again
/// when its files change (a broken new pair keeps the old one), and each bad input refused in one line before anything
/// listens.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempDirectory _temp = new();
    private readonly TestCertificateAuthority _ca = new("Chartseal test server CA");
    private readonly TestCertificateAuthority _clientCa = new("Chartseal test client CA");
    private readonly TestCertificateAuthority _otherCa = new("Someone else's CA");

    public void Dispose()
    {
        _ca.Dispose();
        _clientCa.Dispose();
        _otherCa.Dispose();
        _temp.Dispose();
    }

    private string CertFile => _temp.File("tls.crt");

    private string KeyFile => _temp.File("tls.key");

    private string ClientCaFile => _temp.File("client-ca.pem");

    /// <summary>Writes a server certificate of the test CA (and its key) to <see cref="CertFile"/> and <see cref="KeyFile"/>; its thumbprint.</summary>
    private string WriteServerCertificate(bool ec = false, string keyFormat = "pkcs8", DateTimeOffset? notAfter = null)
    {
        using X509Certificate2 certificate = _ca.IssueLoopbackServer(ec, notAfter: notAfter);
        TestCertificateAuthority.WritePem(certificate, CertFile, KeyFile, keyFormat);
        return certificate.Thumbprint;
    }

    private Task<ServerFixture> StartAsync(Func<ServerOptions, ServerOptions>? more = null, LogLines? logs = null) =>
        ServerFixture.StartAsync(o =>
        {
            // TLS time checks use the server's clock, which here must be the real one (the clients' is).
            var tls = o with { Listen = "https://127.0.0.1:0", TlsCertFile = CertFile, TlsKeyFile = KeyFile, Clock = TimeProvider.System, TlsCheckInterval = TimeSpan.Zero, Logs = logs };
            return more is null ? tls : more(tls);
        });

    /// <summary>
    /// A client trusting only <paramref name="trusted"/> (default: the server's test CA), presenting
    /// <paramref name="certificate"/> when given, and telling <paramref name="served"/> which certificate the server showed.
    /// </summary>
    private HttpClient Client(X509Certificate2? certificate = null, Action<X509Certificate2>? served = null, TestCertificateAuthority? trusted = null) =>
        (trusted ?? _ca).TrustingClient(certificate, served);

    [Theory]
    [InlineData(false, "pkcs8")]
    [InlineData(false, "pkcs1")]
    [InlineData(true, "pkcs8")]
    [InlineData(true, "sec1")]
    public async Task Https_ClientTrustingTheCa_GetsTheIndex_AndPlainHttpIsNotServed(bool ec, string keyFormat)
    {
        string thumbprint = WriteServerCertificate(ec, keyFormat);
        await using var s = await StartAsync();
        string? seen = null;
        using var http = Client(served: c => seen = c.Thumbprint);

        Assert.Equal("https", s.Server.RepositoryUrl.Scheme);
        string index = await http.GetStringAsync(s.Url + "/index.yaml", Ct);

        Assert.Contains("apiVersion: v1", index, StringComparison.Ordinal);
        Assert.Equal(thumbprint, seen);
        // The same port does not answer plain http.
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var port = s.Server.RepositoryUrl.Port;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync($"http://127.0.0.1:{port}/index.yaml", Ct));
    }

    [Fact]
    public async Task Https_CertificateFileWithItsChain_TheChainIsSent_AClientTrustingOnlyTheRootConnects()
    {
        using var intermediate = new TestCertificateAuthority("Chartseal test intermediate CA", _ca);
        using X509Certificate2 leaf = intermediate.IssueLoopbackServer(ec: true);
        TestCertificateAuthority.WritePem(leaf, CertFile, KeyFile, "pkcs8", intermediate.Certificate);
        await using var s = await StartAsync();
        using var http = Client();

        Assert.Contains("apiVersion: v1", await http.GetStringAsync(s.Url + "/index.yaml", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_ThePagesRepoAddCommand_SaysHttps_WithoutPlainHttp_AndTheLogsSayTls()
    {
        WriteServerCertificate();
        var logs = new LogLines();
        await using var s = await StartAsync(logs: logs);
        using var http = Client();

        string page = await http.GetStringAsync(s.Url + "/", Ct);

        Assert.Contains($"chartseal repo add", page, StringComparison.Ordinal);
        Assert.Contains($"https://127.0.0.1:{s.Server.RepositoryUrl.Port}/ --root-fingerprint", page, StringComparison.Ordinal);
        Assert.DoesNotContain("--plain-http", page, StringComparison.Ordinal);
        Assert.Contains($"at https://127.0.0.1:{s.Server.RepositoryUrl.Port}", Assert.Single(logs.Events(1)).Message, StringComparison.Ordinal);
        string settings = Assert.Single(logs.Events(ServerLog.SettingsEvent)).Message;
        Assert.Contains("tls certificate CN=127.0.0.1 (sha256 ", settings, StringComparison.Ordinal);
        Assert.Contains("no client certificate asked for", settings, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MutualTls_RefusesNoCertificate_AndAnotherCasCertificate_AcceptsTheCas_OnEveryRoute()
    {
        WriteServerCertificate();
        File.WriteAllText(ClientCaFile, _clientCa.Pem);
        var logs = new LogLines();
        await using var s = await StartAsync(o => o with { TlsCaCertFile = ClientCaFile }, logs);
        using X509Certificate2 ours = _clientCa.IssueClient("ci");
        using X509Certificate2 theirs = _otherCa.IssueClient("ci");
        using X509Certificate2 expired = _clientCa.IssueClient("old", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        using X509Certificate2 serverOnly = _clientCa.IssueClient("not-a-client", usage: "1.3.6.1.5.5.7.3.1");

        foreach (string path in new[] { "/index.yaml", "/health", "/ready", "/metrics", "/" })
        {
            using var allowed = Client(ours);
            using var answer = await allowed.GetAsync(s.Url + path, Ct);
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{path}: {answer.StatusCode}");

            foreach (var (refused, why) in new[] { ((X509Certificate2?)null, "no client certificate"), (theirs, "not issued by a CA of"), (expired, "expired or not yet valid"), (serverOnly, "does not allow TLS client authentication") })
            {
                int before = logs.Events(ServerLog.TlsClientRefusedEvent).Count;
                using var client = Client(refused);
                var e = await Assert.ThrowsAnyAsync<Exception>(() => client.GetAsync(s.Url + path, Ct));
                Assert.True(e is HttpRequestException or IOException or AuthenticationException, e.ToString());
                // (The client tries again on a new connection after a refusal that TLS 1.3 reports only after the handshake.)
                var lines = logs.Events(ServerLog.TlsClientRefusedEvent).Skip(before).ToList();
                Assert.NotEmpty(lines);
                Assert.All(lines, line => Assert.Contains("tls handshake refused from 127.0.0.1: " + (refused is null ? "" : "client certificate CN="), line.Message, StringComparison.Ordinal));
                Assert.All(lines, line => Assert.Contains(why, line.Message, StringComparison.Ordinal));
            }
        }
        Assert.Contains($"client certificates required, issued by one of the 1 CAs of {ClientCaFile}", Assert.Single(logs.Events(ServerLog.SettingsEvent)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_ReplacedFiles_AreServedWithoutRestart_ABrokenPairKeepsTheOldOne_WithOneErrorLine()
    {
        string first = WriteServerCertificate();
        var logs = new LogLines();
        await using var s = await StartAsync(logs: logs);

        async Task<string> ServedAsync()
        {
            string? seen = null;
            using var http = Client(served: c => seen = c.Thumbprint);
            using var answer = await http.GetAsync(s.Url + "/health", Ct);
            answer.EnsureSuccessStatusCode();
            return seen!;
        }

        Assert.Equal(first, await ServedAsync());

        async Task<long> ExpiryMetricAsync()
        {
            using var http = Client();
            return (long)PrometheusText.Parse(await http.GetStringAsync(s.Url + "/metrics", Ct)).Single("chartseal_tls_certificate_expiry_timestamp_seconds");
        }
        long firstExpiry = await ExpiryMetricAsync();

        // A renewal written in place (as cp or a secret volume does): the next connection gets it.
        var secondNotAfter = DateTimeOffset.UtcNow.AddDays(3);
        string second = WriteServerCertificate(ec: true, notAfter: secondNotAfter);
        Touch();
        Assert.Equal(second, await ServedAsync());
        Assert.Contains($"tls certificate reloaded from {CertFile}", Assert.Single(logs.Events(ServerLog.TlsReloadedEvent)).Message, StringComparison.Ordinal);
        long secondExpiry = await ExpiryMetricAsync();
        Assert.NotEqual(firstExpiry, secondExpiry);
        Assert.Equal(secondNotAfter.ToUnixTimeSeconds(), secondExpiry);

        // A new certificate whose key is another one's (the key file not written yet): the old pair stays, one error line.
        using (X509Certificate2 third = _ca.IssueLoopbackServer(ec: false))
        using (X509Certificate2 unrelated = _ca.IssueLoopbackServer(ec: false))
        {
            File.WriteAllText(CertFile, third.ExportCertificatePem());
            File.WriteAllText(KeyFile, TestCertificateAuthority.KeyPem(unrelated));
        }
        Touch();
        Assert.Equal(second, await ServedAsync());
        Assert.Equal(second, await ServedAsync());
        var error = Assert.Single(logs.Events(ServerLog.TlsProblemEvent));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("the previous one is still served", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not belong to the certificate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);

        // An expired renewal is no renewal either.
        using (X509Certificate2 expired = _ca.IssueLoopbackServer(ec: false, DateTimeOffset.UtcNow.AddDays(-9), DateTimeOffset.UtcNow.AddMinutes(-1)))
        {
            TestCertificateAuthority.WritePem(expired, CertFile, KeyFile);
        }
        Touch();
        Assert.Equal(second, await ServedAsync());
        Assert.Contains("expired", logs.Events(ServerLog.TlsProblemEvent)[^1].Message, StringComparison.Ordinal);

        // Mended: served.
        string fourth = WriteServerCertificate();
        Touch();
        Assert.Equal(fourth, await ServedAsync());
        Assert.Equal(2, logs.Events(ServerLog.TlsReloadedEvent).Count);
    }

    [Fact]
    public async Task MutualTls_ANewClientCaFile_CountsWithoutRestart_AnUnusableOneKeepsTheOldCas_WithOneErrorLine()
    {
        WriteServerCertificate();
        File.WriteAllText(ClientCaFile, _clientCa.Pem);
        var logs = new LogLines();
        await using var s = await StartAsync(o => o with { TlsCaCertFile = ClientCaFile }, logs);
        using X509Certificate2 ours = _clientCa.IssueClient("ci");
        using X509Certificate2 theirs = _otherCa.IssueClient("partner");
        async Task<bool> AcceptedAsync(X509Certificate2 certificate)
        {
            using var client = Client(certificate);
            try
            {
                using var answer = await client.GetAsync(s.Url + "/health", Ct);
                return answer.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or AuthenticationException)
            {
                return false;
            }
        }
        Assert.True(await AcceptedAsync(ours));
        Assert.False(await AcceptedAsync(theirs));
        // Replaced whole, as a config map volume swaps its files (a refused client may still be retrying meanwhile).
        void WriteCaFile(string content)
        {
            File.WriteAllText(ClientCaFile + ".new", content);
            File.Move(ClientCaFile + ".new", ClientCaFile, overwrite: true);
        }

        // The bundle gains the partner's CA (as trust-manager rewrites it, old modification time and all).
        WriteCaFile(_clientCa.Pem + "\n" + _otherCa.Pem + "\n");
        File.SetLastWriteTimeUtc(ClientCaFile, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.True(await AcceptedAsync(theirs));
        Assert.True(await AcceptedAsync(ours));
        Assert.Contains($"tls client CAs reloaded from {ClientCaFile}: client certificates must now chain to one of its 2 CA certificate(s)",
            Assert.Single(logs.Events(ServerLog.TlsClientCasReloadedEvent)).Message, StringComparison.Ordinal);

        // Half written: the CAs there are still count, one error line says why.
        WriteCaFile("-----BEGIN CERT");
        Assert.True(await AcceptedAsync(theirs));
        Assert.True(await AcceptedAsync(ours));
        var error = Assert.Single(logs.Events(ServerLog.TlsProblemEvent));
        Assert.Contains($"--tls-ca-cert {ClientCaFile} changed, but it cannot be used, so its previous 2 CA certificate(s) still count", error.Message, StringComparison.Ordinal);

        // The partner is dropped: refused from the next handshake on.
        WriteCaFile(_clientCa.Pem);
        Assert.False(await AcceptedAsync(theirs));
        Assert.True(await AcceptedAsync(ours));
        Assert.Equal(2, logs.Events(ServerLog.TlsClientCasReloadedEvent).Count);
    }

    // A renewal may keep the files' modification times (cp -p, tar): it is seen all the same.
    private void Touch()
    {
        File.SetLastWriteTimeUtc(CertFile, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(KeyFile, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public async Task Rotation_ThroughSymbolicLinks_AsAKubernetesSecretVolumeSwapsThem_IsPickedUp()
    {
        // tls.crt -> ..data/tls.crt, ..data -> ..v1; a renewal writes ..v2 and swaps ..data: the links named never change.
        string volume = Directory.CreateDirectory(_temp.File("secret")).FullName;
        string WriteVersion(string version)
        {
            string folder = Directory.CreateDirectory(Path.Combine(volume, version)).FullName;
            using X509Certificate2 certificate = _ca.IssueLoopbackServer(ec: true);
            TestCertificateAuthority.WritePem(certificate, Path.Combine(folder, "tls.crt"), Path.Combine(folder, "tls.key"));
            File.SetLastWriteTimeUtc(Path.Combine(folder, "tls.crt"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)); // same times in each version
            File.SetLastWriteTimeUtc(Path.Combine(folder, "tls.key"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            return certificate.Thumbprint;
        }
        string first = WriteVersion("..v1");
        File.CreateSymbolicLink(Path.Combine(volume, "..data"), "..v1");
        File.CreateSymbolicLink(Path.Combine(volume, "tls.crt"), "..data/tls.crt");
        File.CreateSymbolicLink(Path.Combine(volume, "tls.key"), "..data/tls.key");
        await using var s = await StartAsync(o => o with { TlsCertFile = Path.Combine(volume, "tls.crt"), TlsKeyFile = Path.Combine(volume, "tls.key") });
        async Task<string> ServedAsync()
        {
            string? seen = null;
            using var http = Client(served: c => seen = c.Thumbprint);
            (await http.GetAsync(s.Url + "/health", Ct)).EnsureSuccessStatusCode();
            return seen!;
        }
        Assert.Equal(first, await ServedAsync());

        string second = WriteVersion("..v2");
        Directory.Delete(Path.Combine(volume, "..data")); // the link, not what it points to
        File.CreateSymbolicLink(Path.Combine(volume, "..data"), "..v2");

        Assert.Equal(second, await ServedAsync());
    }

    [Fact]
    public async Task NotYetValidCertificate_Served_WithAWarning()
    {
        using X509Certificate2 future = _ca.IssueLoopbackServer(ec: true, DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow.AddDays(3));
        TestCertificateAuthority.WritePem(future, CertFile, KeyFile);
        var logs = new LogLines();

        await using var s = await StartAsync(logs: logs);

        var warning = Assert.Single(logs.Events(ServerLog.TlsNotYetValidEvent));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("is not valid yet", warning.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        // name of the case, the file the line must name, what it must say
        { "missing certificate", "tls.crt", "--tls-cert: no such file" },
        { "certificate is a folder", "tls.crt", "--tls-cert: is a folder" },
        { "certificate not PEM", "tls.crt", "--tls-cert: holds no PEM certificate (-----BEGIN CERTIFICATE-----), no PEM block at all" },
        { "certificate file holds a key", "tls.crt", "--tls-cert: holds no PEM certificate (-----BEGIN CERTIFICATE-----), only \"PRIVATE KEY\"" },
        { "certificate DER", "tls.crt", "--tls-cert: is not PEM text" },
        { "missing key", "tls.key", "--tls-key: no such file" },
        { "key file holds a certificate", "tls.key", "--tls-key: holds no PEM private key" },
        { "key of another certificate", "tls.key", "--tls-key: this private key does not belong to the certificate of" },
        { "EC key for an RSA certificate", "tls.key", "--tls-key: holds an EC key, and the certificate of" },
        { "chain first", "tls.crt", "belongs to certificate 2 of the file, not the first" },
        { "encrypted PKCS #8 key", "tls.key", "--tls-key: the private key is encrypted" },
        { "encrypted legacy key", "tls.key", "--tls-key: the private key is encrypted" },
        { "expired certificate", "tls.crt", "--tls-cert: the certificate expired at" },
        { "client-only certificate", "tls.crt", "does not allow TLS server authentication" },
        { "CA file without a certificate", "client-ca.pem", "--tls-ca-cert: holds no PEM certificate" },
        { "missing CA file", "client-ca.pem", "--tls-ca-cert: no such file" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadTlsInput_OneLineNamingTheFile_BeforeAnythingListensOrIsMade(string input, string file, string expected)
    {
        WriteServerCertificate();
        string? caFile = null;
        switch (input)
        {
            case "missing certificate":
                File.Delete(CertFile);
                break;
            case "certificate is a folder":
                File.Delete(CertFile);
                Directory.CreateDirectory(CertFile);
                break;
            case "certificate not PEM":
                File.WriteAllText(CertFile, "this is not a certificate\n");
                break;
            case "certificate file holds a key":
                File.Copy(KeyFile, CertFile, overwrite: true);
                break;
            case "certificate DER":
                File.WriteAllBytes(CertFile, [0x30, 0x82, 0xff, 0xfe, 0xc3, 0x28]);
                break;
            case "missing key":
                File.Delete(KeyFile);
                break;
            case "key file holds a certificate":
                File.Copy(CertFile, KeyFile, overwrite: true);
                break;
            case "key of another certificate":
                using (X509Certificate2 other = _ca.IssueLoopbackServer(ec: false))
                {
                    File.WriteAllText(KeyFile, TestCertificateAuthority.KeyPem(other));
                }
                break;
            case "EC key for an RSA certificate":
                using (X509Certificate2 other = _ca.IssueLoopbackServer(ec: true))
                {
                    File.WriteAllText(KeyFile, TestCertificateAuthority.KeyPem(other));
                }
                break;
            case "chain first":
                using (var intermediate = new TestCertificateAuthority("intermediate", _ca))
                using (X509Certificate2 leaf = intermediate.IssueLoopbackServer(ec: false))
                {
                    File.WriteAllText(CertFile, intermediate.Pem + "\n" + leaf.ExportCertificatePem() + "\n");
                    File.WriteAllText(KeyFile, TestCertificateAuthority.KeyPem(leaf));
                }
                break;
            case "encrypted PKCS #8 key":
                using (X509Certificate2 certificate = _ca.IssueLoopbackServer(ec: true))
                using (ECDsa key = certificate.GetECDsaPrivateKey()!)
                {
                    TestCertificateAuthority.WritePem(certificate, CertFile, KeyFile);
                    File.WriteAllText(KeyFile, key.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
                }
                break;
            case "encrypted legacy key":
                // What openssl genrsa -aes256 writes (the traditional form with headers).
                File.WriteAllText(KeyFile, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0123456789ABCDEF0123456789ABCDEF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n");
                break;
            case "expired certificate":
                using (X509Certificate2 expired = _ca.IssueLoopbackServer(ec: false, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1)))
                {
                    TestCertificateAuthority.WritePem(expired, CertFile, KeyFile);
                }
                break;
            case "client-only certificate":
                using (X509Certificate2 client = _ca.IssueLoopbackServer(ec: true, usage: "1.3.6.1.5.5.7.3.2"))
                {
                    TestCertificateAuthority.WritePem(client, CertFile, KeyFile);
                }
                break;
            case "CA file without a certificate":
                File.WriteAllText(ClientCaFile, "# the CA bundle was not mounted\n");
                caFile = ClientCaFile;
                break;
            case "missing CA file":
                caFile = ClientCaFile;
                break;
        }
        string repo = _temp.File("repo");
        var options = new ServerOptions
        {
            RepositoryDir = repo,
            Listen = "https://127.0.0.1:0",
            TlsCertFile = CertFile,
            TlsKeyFile = KeyFile,
            TlsCaCertFile = caFile,
            TrustState = new TrustStateStore(_temp.File("state")),
        };

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryServer.StartAsync(options, Ct));

        Assert.True(e.File == _temp.File(file), e.Message);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(repo), "nothing is made before the TLS files are read");
    }

    [Theory]
    [InlineData("https://127.0.0.1:0", null, null, null, "--listen https:// needs the server's certificate: give --tls-cert and --tls-key")]
    [InlineData("http://127.0.0.1:0", "tls.crt", "tls.key", null, "--listen: with --tls-cert the server speaks https only; write --listen https://127.0.0.1:0")]
    [InlineData("https://127.0.0.1:0", "tls.crt", null, null, "--tls-cert needs --tls-key")]
    [InlineData("https://127.0.0.1:0", null, "tls.key", null, "--tls-key needs --tls-cert")]
    [InlineData("http://127.0.0.1:0", null, null, "client-ca.pem", "--tls-ca-cert asks clients for certificates during the TLS handshake: it needs --tls-cert and --tls-key")]
    public void Validate_TlsSettingsThatDisagree_OneLineSayingWhatToDo(string listen, string? cert, string? key, string? ca, string expected)
    {
        var options = new ServerOptions
        {
            RepositoryDir = _temp.File("repo"),
            Listen = listen,
            TlsCertFile = cert is null ? null : _temp.File(cert),
            TlsKeyFile = key is null ? null : _temp.File(key),
            TlsCaCertFile = ca is null ? null : _temp.File(ca),
            TrustState = new TrustStateStore(_temp.File("state")),
        };

        var e = Assert.Throws<ChartsealException>(options.Validate);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}

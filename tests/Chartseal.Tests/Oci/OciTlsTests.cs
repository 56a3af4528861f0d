using Chartseal.Fetch;
using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Oci;

/// <summary>The client against the real registry serving HTTPS with a certificate from a throw-away CA.</summary>
public class OciTlsTests(OciTlsTests.Registry registry) : IClassFixture<OciTlsTests.Registry>
{
    public sealed class Registry() : OciTestRegistry(RegistryAuth.None, tls: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_CA_file_makes_the_registry_trusted()
    {
        using var client = new OciRegistryClient(registry.ClientOptions());
        Assert.False(client.Options.PlainHttp);
        await client.PingAsync(registry.Host, Ct);
        OciBlob blob = OciBlob.Of("application/vnd.chartseal.test", "over TLS"u8.ToArray());
        OciReference reference = registry.Reference("tls/app:v1");
        await client.PushArtifactAsync(reference, new OciManifest(OciDescriptor.Empty, [blob.Descriptor]), [blob, new(OciDescriptor.Empty, OciDescriptor.EmptyContent)], Ct);
        Assert.Equal("over TLS"u8.ToArray(), await client.GetBlobAsync(reference, blob.Descriptor, Ct));
    }

    [Fact]
    public async Task Without_the_CA_the_handshake_fails_with_a_hint()
    {
        using var client = new OciRegistryClient(registry.ClientOptions() with { CaFile = null, MaxAttempts = 1 });
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync(registry.Host, Ct));
        Assert.StartsWith($"oci://{registry.Host}: TLS handshake with {registry.Host} failed: ", e.Message);
        Assert.EndsWith("(give the registry's CA with --ca-file, or use --plain-http if it speaks plain HTTP)", e.Message);
    }

    [Fact]
    public async Task Another_CA_is_not_trusted()
    {
        using var other = new TempDirectory();
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Other CA", otherKey,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(other.File("other-ca.pem"), ca.ExportCertificatePem());
        using var client = new OciRegistryClient(registry.ClientOptions() with { CaFile = other.File("other-ca.pem"), MaxAttempts = 1 });
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync(registry.Host, Ct));
        Assert.EndsWith($"(its certificate does not chain to a CA of {other.File("other-ca.pem")}, or it speaks plain HTTP (--plain-http))", e.Message);
    }

    [Fact]
    public void A_missing_or_empty_CA_file_is_refused_up_front()
    {
        using var temp = new TempDirectory();
        Assert.Equal(temp.File("missing.pem") + ": --ca-file: no such file",
            Assert.Throws<ChartsealException>(() => new OciRegistryClient(new OciRegistryOptions { CaFile = temp.File("missing.pem") })).Message);
        File.WriteAllText(temp.File("empty.pem"), "no certificate here\n");
        Assert.StartsWith(temp.File("empty.pem") + ": --ca-file: holds no PEM certificate",
            Assert.Throws<ChartsealException>(() => new OciRegistryClient(new OciRegistryOptions { CaFile = temp.File("empty.pem") })).Message);
    }

    [Fact]
    public async Task Plain_HTTP_to_an_HTTPS_registry_is_answered_with_an_error()
    {
        using var client = new OciRegistryClient(registry.ClientOptions() with { PlainHttp = true, CaFile = null });
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync(registry.Host, Ct));
        Assert.Equal($"oci://{registry.Host}: the registry answered 400 Bad Request", e.Message);
    }
}

/// <summary>
/// The real registry requiring a client certificate (mutual TLS): a Go TLS server, which refuses with a TLS alert (where
/// Kestrel closes the connection), as ChartMuseum with <c>--tls-ca-cert</c> does. The registry client presents no
/// certificate; the https fetcher (a chart repository's) says the same, and names a certificate that was refused.
/// </summary>
public class OciMutualTlsTests(OciMutualTlsTests.Registry registry) : IClassFixture<OciMutualTlsTests.Registry>
{
    public sealed class Registry() : OciTestRegistry(RegistryAuth.None, tls: true, mutualTls: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_registry_that_asks_for_a_client_certificate_is_one_line_saying_so()
    {
        using var client = new OciRegistryClient(registry.ClientOptions());

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(registry.Reference("mtls/app:v1"), Ct));

        Assert.Equal($"oci://{registry.Host}/mtls/app:v1: the server asks for a TLS client certificate (mutual TLS) and none was given: "
            + "chartseal presents none to an OCI registry (--cert-file and --key-file are for http(s) repositories)", e.Message);
    }

    [Fact]
    public async Task The_https_fetcher_says_the_same_of_a_server_refusing_with_an_alert_and_names_a_refused_certificate()
    {
        using var temp = new TempDirectory();
        var uri = new Uri($"https://{registry.Host}/v2/");
        var none = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CaFile = registry.CaFile } });

        var e = await Assert.ThrowsAsync<ChartsealException>(() => none.GetAsync(uri, 1024, Ct));

        Assert.Equal($"{uri}: the server asks for a TLS client certificate (mutual TLS) and none was given: add the repository with --cert-file CERT --key-file KEY (PEM)", e.Message);

        using var stranger = new TestCertificateAuthority("Someone else's CA");
        using (var certificate = stranger.IssueClient("ci"))
        {
            TestCertificateAuthority.WritePem(certificate, temp.File("ci.pem"), temp.File("ci-key.pem"));
        }
        var refused = new HttpFetcher(FetchPolicy.HttpsOnly with { Tls = new TlsSettings { CaFile = registry.CaFile, CertFile = temp.File("ci.pem"), KeyFile = temp.File("ci-key.pem") } });

        e = await Assert.ThrowsAsync<ChartsealException>(() => refused.GetAsync(uri, 1024, Ct));

        Assert.StartsWith($"{uri}: the server refused the client certificate of {temp.File("ci.pem")} (TLS alert \"", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("\"): it must be issued by a CA the server trusts, be valid now and allow client authentication", e.Message, StringComparison.Ordinal);
    }
}

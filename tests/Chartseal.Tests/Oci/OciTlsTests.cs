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
        using var client = new OciRegistryClient(registry.ClientOptions() with { Tls = TlsSettings.Default, MaxAttempts = 1 });
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
        using var client = new OciRegistryClient(registry.ClientOptions() with { Tls = new TlsSettings { CaFile = other.File("other-ca.pem") }, MaxAttempts = 1 });
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync(registry.Host, Ct));
        Assert.EndsWith($"(its certificate does not chain to a CA of {other.File("other-ca.pem")}, or it speaks plain HTTP (--plain-http))", e.Message);
    }

    [Fact]
    public void A_missing_or_empty_CA_file_is_refused_up_front()
    {
        using var temp = new TempDirectory();
        Assert.Equal(temp.File("missing.pem") + ": --ca-file: no such file",
            Assert.Throws<ChartsealException>(() => new OciRegistryClient(new OciRegistryOptions { Tls = new TlsSettings { CaFile = temp.File("missing.pem") } })).Message);
        File.WriteAllText(temp.File("empty.pem"), "no certificate here\n");
        Assert.StartsWith(temp.File("empty.pem") + ": --ca-file: holds no PEM certificate",
            Assert.Throws<ChartsealException>(() => new OciRegistryClient(new OciRegistryOptions { Tls = new TlsSettings { CaFile = temp.File("empty.pem") } })).Message);
    }

    [Fact]
    public async Task Plain_HTTP_to_an_HTTPS_registry_is_answered_with_an_error()
    {
        using var client = new OciRegistryClient(registry.ClientOptions() with { PlainHttp = true, Tls = TlsSettings.Default });
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync(registry.Host, Ct));
        Assert.Equal($"oci://{registry.Host}: the registry answered 400 Bad Request", e.Message);
    }
}

/// <summary>
/// The real registry requiring a client certificate (mutual TLS): a Go TLS server, which refuses with a TLS alert (where
/// Kestrel closes the connection), as ChartMuseum with <c>--tls-ca-cert</c> does. The registry client presents the
/// certificate of its TLS settings (the https fetcher's); without one, or with one the registry does not accept, both
/// say so in the same line.
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
            + "give one with --cert-file CERT --key-file KEY (PEM), which repo add records for the namespace", e.Message);
    }

    [Fact]
    public async Task With_the_client_certificate_of_its_TLS_settings_the_client_pushes_and_reads()
    {
        using var client = new OciRegistryClient(registry.ClientOptions() with { Tls = registry.ClientTls });
        await client.PingAsync(registry.Host, Ct);
        OciBlob blob = OciBlob.Of("application/vnd.chartseal.test", "over mutual TLS"u8.ToArray());
        OciReference reference = registry.Reference("mtls/app:v2");
        await client.PushArtifactAsync(reference, new OciManifest(OciDescriptor.Empty, [blob.Descriptor]), [blob, new(OciDescriptor.Empty, OciDescriptor.EmptyContent)], Ct);
        Assert.Equal("over mutual TLS"u8.ToArray(), await client.GetBlobAsync(reference, blob.Descriptor, Ct));

        // Without the registry's CA but told not to check the registry's certificate, the client certificate still opens it.
        using var unchecked_ = new OciRegistryClient(registry.ClientOptions() with { Tls = registry.ClientTls with { CaFile = null, InsecureSkipVerify = true } });
        Assert.Equal("over mutual TLS"u8.ToArray(), await unchecked_.GetBlobAsync(reference, blob.Descriptor, Ct));
        // Without the CA and with the check: the client refuses the registry before any certificate is judged.
        using var unknown = new OciRegistryClient(registry.ClientOptions() with { Tls = registry.ClientTls with { CaFile = null }, MaxAttempts = 1 });
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => unknown.PingAsync(registry.Host, Ct));
        Assert.StartsWith($"oci://{registry.Host}: TLS handshake with {registry.Host} failed: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(give the registry's CA with --ca-file, or use --plain-http if it speaks plain HTTP)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_of_another_CA_is_refused_in_the_same_line_naming_it()
    {
        using var temp = new TempDirectory();
        using var stranger = new TestCertificateAuthority("Someone else's CA");
        using (var certificate = stranger.IssueClient("ci"))
        {
            TestCertificateAuthority.WritePem(certificate, temp.File("ci.pem"), temp.File("ci-key.pem"));
        }
        using var client = new OciRegistryClient(registry.ClientOptions() with { Tls = new TlsSettings { CaFile = registry.CaFile, CertFile = temp.File("ci.pem"), KeyFile = temp.File("ci-key.pem") } });

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync(registry.Host, Ct));

        Assert.StartsWith($"oci://{registry.Host}: the server refused the client certificate of {temp.File("ci.pem")} (TLS alert \"", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("\"): it must be issued by a CA the server trusts, be valid now and allow client authentication", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_unreadable_client_certificate_or_key_is_refused_up_front_naming_the_file()
    {
        using var temp = new TempDirectory();
        Assert.Equal(temp.File("missing.pem") + ": --cert-file: no such file",
            Assert.Throws<ChartsealException>(() => new OciRegistryClient(new OciRegistryOptions { Tls = registry.ClientTls with { CertFile = temp.File("missing.pem") } })).Message);
        File.WriteAllText(temp.File("empty-key.pem"), "no key here\n");
        Assert.StartsWith(temp.File("empty-key.pem") + ": --key-file: ",
            Assert.Throws<ChartsealException>(() => new OciRegistryClient(new OciRegistryOptions { Tls = registry.ClientTls with { KeyFile = temp.File("empty-key.pem") } })).Message);
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

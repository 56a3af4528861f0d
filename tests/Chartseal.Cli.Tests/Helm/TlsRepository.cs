using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// A repository served over TLS by <c>chartseal serve</c> twice, with a certificate of its own CA: once with
/// <c>--tls-cert --tls-key</c> (https), once more with <c>--tls-ca-cert</c> (mutual TLS: clients need a certificate of
/// the client CA). One RSA-signed chart (Helm 3 checks RSA signatures only), published with the CLI.
/// </summary>
public sealed class TlsRepository : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly List<Process> _servers = [];

    public HelmSigningKeys Keys { get; } = new();

    /// <summary>The chart served.</summary>
    public string Chart => "tls-chart";

    /// <summary>The https repository URL, without a final slash.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The mutual-TLS repository URL, without a final slash.</summary>
    public string MutualUrl { get; private set; } = "";

    public string RootFingerprint { get; private set; } = "";

    public string Repo => _temp.File("repo");

    /// <summary>The server CA's certificate (what clients give to <c>--ca-file</c>).</summary>
    public string CaFile => _temp.File("server-ca.pem");

    /// <summary>A client certificate of the client CA, and its key (SEC 1 EC PEM).</summary>
    public string ClientCertFile => _temp.File("client.pem");

    public string ClientKeyFile => _temp.File("client-key.pem");

    /// <summary>A client certificate of another CA, and its key.</summary>
    public string StrangerCertFile => _temp.File("stranger.pem");

    public string StrangerKeyFile => _temp.File("stranger-key.pem");

    /// <summary>The served <c>pubkeys.pgp</c>, downloaded over https.</summary>
    public string ServedPubkeys => _temp.File("served-pubkeys.pgp");

    /// <summary>The https server's banner (stderr).</summary>
    public string Banner { get; private set; } = "";

    /// <summary>The mutual-TLS server's banner and log (stderr, stdout).</summary>
    public string MutualBanner => File.ReadAllText(Path.Combine(_temp.File("mutual"), "server.err"));

    public string MutualLog => File.ReadAllText(Path.Combine(_temp.File("mutual"), "server.out"));

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = Cli.Run(_temp.Path, "key", "generate", "--name", "Repository Root <root@example.com>", "--out", _temp.File("root"));
        Cli.AssertOk(root);
        RootFingerprint = root.StdOut.Split('\n')[0].Replace("Generated key ", "", StringComparison.Ordinal).Trim();
        string[] rootKey = ["--root-key", RootFingerprint, "--root-keyring", _temp.File("root.sec.asc")];
        Cli.AssertOk(Cli.Run(_temp.Path, ["trust", "init", Repo, .. rootKey]));
        Cli.AssertOk(Cli.Run(_temp.Path, ["trust", "add", Repo, Keys.Rsa.ArmoredPublic, .. rootKey]));
        string source = ChartFixtures.WriteChart(_temp.File("src/" + Chart),
            ("Chart.yaml", $"apiVersion: v2\nname: {Chart}\ndescription: served over TLS\nversion: 1.0.0\n"),
            ("values.yaml", "greeting: hello\n"));
        Cli.AssertOk(Cli.Run(_temp.Path, "package", source, "--sign", "--key", Keys.Rsa.Email, "--keyring", Keys.Rsa.ArmoredSecret, "--destination", _temp.File("dist")));
        Cli.AssertOk(Cli.Run(_temp.Path, "publish", _temp.File($"dist/{Chart}-1.0.0.tgz"), "--repo", Repo, "--root-fingerprint", RootFingerprint));

        using var serverCa = new TestCertificateAuthority("Chartseal test repository CA");
        using var clientCa = new TestCertificateAuthority("Chartseal test client CA");
        using var otherCa = new TestCertificateAuthority("Someone else's CA");
        File.WriteAllText(CaFile, serverCa.Pem);
        File.WriteAllText(_temp.File("client-ca.pem"), clientCa.Pem);
        using (X509Certificate2 server = serverCa.IssueLoopbackServer(ec: false))
        {
            TestCertificateAuthority.WritePem(server, _temp.File("tls.crt"), _temp.File("tls.key"), "pkcs1");
        }
        using X509Certificate2 client = clientCa.IssueClient("ci");
        TestCertificateAuthority.WritePem(client, ClientCertFile, ClientKeyFile, "sec1");
        using (X509Certificate2 stranger = otherCa.IssueClient("ci"))
        {
            TestCertificateAuthority.WritePem(stranger, StrangerCertFile, StrangerKeyFile);
        }

        using var http = serverCa.TrustingClient();
        string[] tls = ["--tls-cert", _temp.File("tls.crt"), "--tls-key", _temp.File("tls.key")];
        var (plain, address) = await Cli.StartServeAsync(_temp.Path, Repo, [.. tls, "--root-fingerprint", RootFingerprint], "https", http, ct);
        _servers.Add(plain);
        Url = address.ToString().TrimEnd('/');
        Banner = File.ReadAllText(_temp.File("server.err"));
        await File.WriteAllBytesAsync(ServedPubkeys, await http.GetByteArrayAsync(Url + "/pubkeys.pgp", ct), ct);

        // The second server is read-only (--disable-api), so two may serve one folder; it logs the refused handshakes.
        using var mutualProbe = serverCa.TrustingClient(client);
        string mutualDir = Directory.CreateDirectory(_temp.File("mutual")).FullName;
        var (mutual, mutualAddress) = await Cli.StartServeAsync(mutualDir, Repo,
            [.. tls, "--tls-ca-cert", _temp.File("client-ca.pem"), "--disable-api", "--root-fingerprint", RootFingerprint], "https", mutualProbe, ct);
        _servers.Add(mutual);
        MutualUrl = mutualAddress.ToString().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            server.Kill();
            await server.WaitForExitAsync();
            server.Dispose();
        }
        Keys.Dispose();
        _temp.Dispose();
    }
}

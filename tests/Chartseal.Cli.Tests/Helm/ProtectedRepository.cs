using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// A private repository: <c>chartseal serve --require-auth-for-reads</c> with a Basic user, where one chart's URL in
/// <c>index.yaml</c> points at another host (a plain listener on another loopback port that records the Authorization
/// header), as Artifactory, Nexus and ChartMuseum with BASIC_AUTH are used.
/// </summary>
public sealed class ProtectedRepository : IAsyncLifetime
{
    public const string User = "alice";
    public const string Password = "s3cret pass:word";

    private readonly TempDirectory _temp = new();
    private Process? _server;

    public HelmSigningKeys Keys { get; } = new();

    /// <summary>The repository URL, without a final slash.</summary>
    public string Url { get; private set; } = "";

    public string RootFingerprint { get; private set; } = "";

    /// <summary>The other host, which serves <c>remote-chart</c> without asking for credentials.</summary>
    public FolderServer ChartHost { get; private set; } = null!;

    /// <summary><c>pubkeys.pgp</c> as downloaded with the credentials.</summary>
    public string ServedPubkeys => _temp.File("served-pubkeys.pgp");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = Cli.Run(_temp.Path, "key", "generate", "--name", "Repository Root <root@example.com>", "--out", _temp.File("root"));
        Cli.AssertOk(root);
        RootFingerprint = root.StdOut.Split('\n')[0].Replace("Generated key ", "", StringComparison.Ordinal).Trim();
        string repo = _temp.File("repo");
        string[] rootKey = ["--root-key", RootFingerprint, "--root-keyring", _temp.File("root.sec.asc")];
        Cli.AssertOk(Cli.Run(_temp.Path, ["trust", "init", repo, .. rootKey]));
        Cli.AssertOk(Cli.Run(_temp.Path, ["trust", "add", repo, Keys.Rsa.ArmoredPublic, .. rootKey]));
        foreach (string name in new[] { "local-chart", "remote-chart" })
        {
            string source = ChartFixtures.WriteChart(_temp.File("src/" + name),
                ("Chart.yaml", $"apiVersion: v2\nname: {name}\ndescription: {name} of a private repository\nversion: 1.0.0\n"),
                ("values.yaml", "greeting: hello\n"));
            Cli.AssertOk(Cli.Run(_temp.Path, "package", source, "--sign", "--key", Keys.Rsa.Email, "--keyring", Keys.Rsa.ArmoredSecret, "--destination", _temp.File("dist")));
            Cli.AssertOk(Cli.Run(_temp.Path, "publish", _temp.File($"dist/{name}-1.0.0.tgz"), "--repo", repo, "--root-fingerprint", RootFingerprint));
        }
        // remote-chart is hosted elsewhere: its URL in index.yaml is absolute, on another port (another origin).
        ChartHost = new FolderServer(repo);
        string index = File.ReadAllText(Path.Combine(repo, "index.yaml"));
        Assert.Contains("- remote-chart-1.0.0.tgz\n", index, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(repo, "index.yaml"), index.Replace("- remote-chart-1.0.0.tgz\n", $"- {ChartHost.Url}/remote-chart-1.0.0.tgz\n", StringComparison.Ordinal));

        var (server, address) = await Cli.StartServeAsync(_temp.Path, repo, ["--require-auth-for-reads", "--basic-auth-user", User, "--basic-auth-pass", Password], ct);
        _server = server;
        Url = address.ToString().TrimEnd('/');
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, Url + "/pubkeys.pgp");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Password)));
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        await File.WriteAllBytesAsync(ServedPubkeys, await response.Content.ReadAsByteArrayAsync(ct), ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            server.Kill();
            await server.WaitForExitAsync();
            server.Dispose();
        }
        ChartHost?.Dispose();
        Keys.Dispose();
        _temp.Dispose();
    }
}

using System.Diagnostics;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>A chart version in <see cref="ServedRepository"/>: who packaged and signed it, with which key type.</summary>
public sealed record ServedChart(string Name, string Version, string KeyType, string MadeBy)
{
    public string FileName => $"{Name}-{Version}.tgz";

    public override string ToString() => $"{Name} {Version} ({KeyType}, {MadeBy})";
}

/// <summary>
/// A repository built the way a team would, with the CLI: a root key, <c>trust init</c>, <c>trust add</c> of an RSA and
/// an Ed25519 maintainer (RSA first: the order in which Helm 3 used to lose the RSA key), charts signed by
/// <c>chartseal package --sign</c> and by <c>helm package --sign</c> (Helm 3 and Helm 4) and added with
/// <c>chartseal publish</c>, then served by <c>chartseal serve</c> on a loopback port. The served <c>pubkeys.pgp</c> is
/// downloaded as a Helm user would, to give to <c>--keyring</c>.
/// </summary>
public sealed class ServedRepository : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private Process? _server;

    public HelmSigningKeys Keys { get; } = new();

    public IReadOnlyList<ServedChart> Charts { get; } =
    [
        new("rsa-chart", "1.0.0", "rsa", "chartseal"),
        new("rsa-chart", "1.1.0", "rsa", "chartseal"),
        new("ed-chart", "1.0.0", "ed25519", "chartseal"),
        new("helm3-chart", "1.0.0", "rsa", "helm 3"),
        new("helm4-chart", "1.0.0", "ed25519", "helm 4"),
    ];

    /// <summary>The repository URL, without a final slash (as users type it).</summary>
    public string Url { get; private set; } = "";

    /// <summary>The repository folder the server serves.</summary>
    public string Repo => _temp.File("repo");

    /// <summary>The repository's root key fingerprint (what a Chartseal user pins).</summary>
    public string RootFingerprint { get; private set; } = "";

    /// <summary><c>pubkeys.pgp</c> as downloaded from the server.</summary>
    public string ServedPubkeys => _temp.File("served-pubkeys.pgp");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = Cli.Run(_temp.Path, "key", "generate", "--name", "Repository Root <root@example.com>", "--out", _temp.File("root"));
        Cli.AssertOk(root);
        string rootFingerprint = root.StdOut.Split('\n')[0].Replace("Generated key ", "", StringComparison.Ordinal).Trim();
        RootFingerprint = rootFingerprint;
        string[] rootKey = ["--root-key", rootFingerprint, "--root-keyring", _temp.File("root.sec.asc")];
        Cli.AssertOk(Cli.Run(_temp.Path, ["trust", "init", Repo, .. rootKey]));
        Cli.AssertOk(Cli.Run(_temp.Path, ["trust", "add", Repo, Keys.Rsa.ArmoredPublic, Keys.Ed25519.ArmoredPublic, .. rootKey]));

        foreach (var chart in Charts)
        {
            string source = ChartFixtures.WriteChart(_temp.File($"src/{chart.Name}-{chart.Version}"),
                ("Chart.yaml", $"apiVersion: v2\nname: {chart.Name}\ndescription: {chart.Name} made by {chart.MadeBy}\nversion: {chart.Version}\nappVersion: \"{chart.Version}\"\n"),
                ("values.yaml", "greeting: hello\n"),
                ("templates/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n"));
            var key = Keys.Of(chart.KeyType);
            string output = _temp.File("dist");
            switch (chart.MadeBy)
            {
                case "chartseal":
                    Cli.AssertOk(Cli.Run(_temp.Path, "package", source, "--sign", "--key", key.Email, "--keyring", key.ArmoredSecret, "--destination", output));
                    break;
                default:
                    var helm = chart.MadeBy == "helm 3" ? HelmPeer.V3 : HelmPeer.V4;
                    helm.RunChecked(_temp.Path, "package", source, "--sign", "--key", key.Email, "--keyring", key.SecretKeyring, "--destination", output);
                    break;
            }
            Cli.AssertOk(Cli.Run(_temp.Path, "publish", Path.Combine(output, chart.FileName), "--repo", Repo, "--root-fingerprint", rootFingerprint));
        }

        var (server, address) = await Cli.StartServeAsync(_temp.Path, Repo, [], ct);
        _server = server;
        Url = address.ToString().TrimEnd('/');
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await File.WriteAllBytesAsync(ServedPubkeys, await http.GetByteArrayAsync(Url + "/pubkeys.pgp", ct), ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            server.Kill();
            await server.WaitForExitAsync();
            server.Dispose();
        }
        Keys.Dispose();
        _temp.Dispose();
    }
}

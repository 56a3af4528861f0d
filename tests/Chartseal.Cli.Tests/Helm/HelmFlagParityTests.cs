using System.Text.Json;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// Helm's flags typed at Chartseal's client commands out of habit, next to the real Helm 4.1.4 and 3.17.3 against the
/// same <c>chartseal serve</c>: where Chartseal has the flag it means what Helm's means (the same files in the same
/// places, the same helm install), and where it does not, it is refused with one line saying what to do instead.
/// </summary>
public sealed class HelmFlagParityTests(ServedRepository repo) : IClassFixture<ServedRepository>
{
    /// <summary>Every file below <paramref name="dir"/>, relative, with its bytes' length, sorted.</summary>
    private static string[] Tree(string dir) => Directory.Exists(dir)
        ? [.. Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => $"{Path.GetRelativePath(dir, f).Replace('\\', '/')} {new FileInfo(f).Length}").Order(StringComparer.Ordinal)]
        : [];

    private void AddBoth(TempDirectory temp, HelmPeer helm)
    {
        helm.RunChecked(temp.Path, "repo", "add", "cs", repo.Url);
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "add", "cs", repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http"));
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void Pull_HelmsVerifyProvUntarAndUntardir_WriteWhatHelmWrites(string version)
    {
        using var temp = new TempDirectory();
        var helm = HelmPeer.Of(version);
        AddBoth(temp, helm);
        // (helm pull without --untar wants its destination to exist; chartseal creates it.)
        foreach (string side in new[] { "helm", "chartseal" })
        {
            Directory.CreateDirectory(temp.File($"{side}/archive"));
        }
        string[][] cases =
        [
            ["--verify", "--keyring", repo.ServedPubkeys, "--prov", "-d", "{side}/archive"],
            ["--untar", "--untardir", "below", "-d", "{side}/relative"],
            ["--untar", "--untardir", temp.File("{side}-absolute"), "-d", "{side}/ignored"],
            ["--prov", "--untardir", "ignored-without-untar", "-d", "{side}/archive", "--version", "1.0.0"],
        ];
        foreach (string[] flags in cases)
        {
            var theirs = helm.Run(temp.Path, ["pull", "cs/rsa-chart", .. flags.Select(f => f.Replace("{side}", "helm", StringComparison.Ordinal))]);
            Assert.True(theirs.ExitCode == 0, $"helm {version} pull {string.Join(' ', flags)}: {theirs}");
            var ours = Cli.Run(temp.Path, ["pull", "cs/rsa-chart", .. flags.Select(f => f.Replace("{side}", "chartseal", StringComparison.Ordinal))]);
            Assert.True(ours.ExitCode == 0, $"chartseal pull {string.Join(' ', flags)}: {ours}");
        }

        foreach (string dir in new[] { "archive", "relative", "ignored" })
        {
            Assert.Equal(Tree(temp.File("helm/" + dir)), Tree(temp.File("chartseal/" + dir)));
        }
        Assert.Equal(Tree(temp.File("helm-absolute")), Tree(temp.File("chartseal-absolute")));
        Assert.Contains("below/rsa-chart/Chart.yaml", string.Join('\n', Tree(temp.File("chartseal/relative"))), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(repo.Repo, "rsa-chart-1.1.0.tgz.prov")), File.ReadAllBytes(temp.File("chartseal/archive/rsa-chart-1.1.0.tgz.prov")));

        // An existing chart folder is not overwritten, by either (both exit non-zero and name it).
        var helmAgain = helm.Run(temp.Path, "pull", "cs/rsa-chart", "--untar", "--untardir", "below", "-d", "helm/relative");
        Assert.True(helmAgain.ExitCode != 0, helmAgain.ToString());
        var again = Cli.Run(temp.Path, "pull", "cs/rsa-chart", "--untar", "--untardir", "below", "-d", "chartseal/relative");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains(Path.Combine("chartseal", "relative", "below", "rsa-chart") + ": already exists", Assert.Single(again.StdErrLines), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void Pull_WithRepoUrl_WritesWhatHelmWrites_TheRootPinnedOnTheCommandLine_NothingConfigured(string version)
    {
        using var temp = new TempDirectory();
        var helm = HelmPeer.Of(version);
        string[] flags = ["rsa-chart", "--repo", repo.Url, "--version", "^1.0", "--verify", "--keyring", repo.ServedPubkeys, "-d"];
        Directory.CreateDirectory(temp.File("helm")); // (helm pull without --untar wants its destination to exist)

        var theirs = helm.Run(temp.Path, ["pull", .. flags, "helm"]);
        var ours = Cli.Run(temp.Path, ["pull", .. flags, "chartseal", "--root-fingerprint", repo.RootFingerprint, "--plain-http"]);

        Assert.True(theirs.ExitCode == 0, $"helm {version}: {theirs}");
        Cli.AssertOk(ours);
        Assert.Equal(Tree(temp.File("helm")), Tree(temp.File("chartseal")));
        Assert.Contains("rsa-chart-1.1.0.tgz.prov", string.Join('\n', Tree(temp.File("chartseal"))), StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File(".chartseal-home/repositories.yaml")));
    }

    [Fact]
    public void Pull_HelmsRepoCredentialAndTlsFlags_RefusedWithOneLineSayingWhatToDo_NothingWritten()
    {
        using var temp = new TempDirectory();
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "add", "cs", repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http"));
        (string[] Args, string Says)[] cases =
        [
            (["pull", "rsa-chart", "--repo", repo.Url, "-d", "out"], $"--repo {repo.Url}: a bare URL names no root key, so nothing it serves could be trusted: add --root-fingerprint FPR"),
            (["install", "rel", "rsa-chart", "--repo", repo.Url, "--dry-run"], $"chartseal repo add NAME {repo.Url} --root-fingerprint FPR"),
            (["pull", "cs/rsa-chart", "--username", "u", "--password", "p", "-d", "out"], "--username u: credentials and TLS settings are recorded per repository: chartseal repo add NAME URL --username USER --password-stdin"),
            (["pull", "cs/rsa-chart", "--pass-credentials", "-d", "out"], "--pass-credentials: credentials and TLS settings are recorded per repository"),
            (["pull", "cs/rsa-chart", "--insecure-skip-tls-verify", "-d", "out"], "--insecure-skip-tls-verify: credentials and TLS settings are recorded per repository"),
            (["pull", "cs/rsa-chart", "--ca-file", "ca.pem", "-d", "out"], "--ca-file ca.pem: credentials and TLS settings are recorded per repository"),
            (["pull", "cs/rsa-chart", "--cert-file", "c.pem", "--key-file", "k.pem", "-d", "out"], "--cert-file c.pem: credentials and TLS settings are recorded per repository"),
            (["pull", "cs/rsa-chart", "--plain-http", "-d", "out"], "--plain-http: plain HTTP is allowed per repository: chartseal repo add NAME URL --plain-http records it"),
            (["install", "rel", "cs/rsa-chart", "--plain-http", "--dry-run"], "--plain-http: plain HTTP is allowed per repository"),
            (["repo", "add", "other", repo.Url, "--password", "p"], "--password and --password-stdin go with --username"),
            (["repo", "add", "other", repo.Url, "--username", "u"], "--username needs --password or --password-stdin"),
            (["repo", "add", "other", repo.Url, "--username", "u", "--password", "p", "--password-stdin"], "give only one of --password and --password-stdin"),
            (["repo", "add", "other", repo.Url, "--pass-credentials"], "--pass-credentials goes with --username"),
            (["repo", "add", "other", repo.Url, "--cert-file", "c.pem"], "--cert-file and --key-file go together"),
            (["repo", "add", "other", "oci://127.0.0.1:1/ns", "--username", "u", "--password", "p"], "a registry's credentials come from helm registry login or docker login"),
            (["package", "chart", "--ca-file", "ca.pem"], "--ca-file ca.pem: "),
        ];
        foreach (var (args, says) in cases)
        {
            var r = Cli.Run(temp.Path, args);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: {r}");
            string line = Assert.Single(r.StdErrLines);
            Assert.StartsWith("chartseal: ", line, StringComparison.Ordinal);
            Assert.Contains(says, line, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(temp.File("out")));
        Assert.Single(Cli.Run(temp.Path, "repo", "list", "--no-headers").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    // The environment of a chartseal install that finds the real Helm 4 on PATH (its --dry-run=client needs no cluster),
    // with a private Helm home.
    private static Dictionary<string, string> WithHelm(TempDirectory temp)
    {
        string bin = Directory.CreateDirectory(temp.File("bin")).FullName;
        if (!File.Exists(Path.Combine(bin, "helm")))
        {
            File.CreateSymbolicLink(Path.Combine(bin, "helm"), HelmPeer.V4.Path);
        }
        string helmHome = temp.File(".helm");
        return new Dictionary<string, string>
        {
            ["PATH"] = bin + ":/usr/bin:/bin",
            ["HELM_CONFIG_HOME"] = Path.Combine(helmHome, "config"),
            ["HELM_CACHE_HOME"] = Path.Combine(helmHome, "cache"),
            ["HELM_DATA_HOME"] = Path.Combine(helmHome, "data"),
            ["KUBECONFIG"] = Path.Combine(helmHome, "kubeconfig"),
            ["HOME"] = helmHome,
        };
    }

    private static readonly Dictionary<string, string> WithoutHelm = new() { ["PATH"] = "/nonexistent" };

    [Fact]
    public void Install_HelmsVerifyDryRunTimeoutAndOutput_MeanWhatTheyMeanToHelm()
    {
        using var temp = new TempDirectory();
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "add", "cs", repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http"));
        var env = WithHelm(temp);

        // --verify was done here (helm given it would check the archive again against ~/.gnupg/pubring.gpg and fail);
        // --dry-run=client, --timeout and -o json are helm's: stdout is exactly helm's JSON, the verification on stderr.
        var install = Cli.Run(temp.Path, env, "install", "rel", "cs/rsa-chart", "--verify", "--keyring", repo.ServedPubkeys, "--dry-run=client", "--timeout", "2m", "-o", "json", "--set", "greeting=hi");

        Assert.True(install.ExitCode == 0, install.ToString());
        using (var json = JsonDocument.Parse(install.StdOut))
        {
            Assert.Equal("rel", json.RootElement.GetProperty("name").GetString());
            Assert.Equal("1.1.0", json.RootElement.GetProperty("chart").GetProperty("metadata").GetProperty("version").GetString());
            Assert.Contains("greeting: \"hi\"", json.RootElement.GetProperty("manifest").GetString(), StringComparison.Ordinal);
        }
        Assert.Contains("Using Key With Fingerprint: " + repo.Keys.Rsa.Fingerprint, install.StdErr, StringComparison.Ordinal);
        // The private copy helm was given is gone when the command ends: the line names what it was, not where it was.
        Assert.Contains("Running: helm install rel rsa-chart-1.1.0.tgz --dry-run=client --timeout 2m --output json --set greeting=hi " +
            "(rsa-chart-1.1.0.tgz: the archive of cs/rsa-chart 1.1.0 verified above, in a private folder removed when helm ends)\n", install.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("chartseal-install-", install.StdErr + install.StdOut, StringComparison.Ordinal);

        // Without helm on PATH, --dry-run prints the command helm would be given, and nothing is written.
        var printed = Cli.Run(temp.Path, WithoutHelm, "install", "rel", "cs/rsa-chart", "--verify", "--dry-run", "--namespace", "x");
        Assert.True(printed.ExitCode == 0, printed.ToString());
        Assert.Contains("Dry run: helm is not on PATH; it would be run as helm install rel rsa-chart-1.1.0.tgz --dry-run --namespace x " +
            "(rsa-chart-1.1.0.tgz: the archive of cs/rsa-chart 1.1.0 verified above, as chartseal pull writes it)\n", printed.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("chartseal-install-", printed.StdOut, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(Cli.Run(temp.Path, WithoutHelm, "install", "rel", "cs/rsa-chart", "--dry-run", "-o", "json").StdOut))
        {
            Assert.Equal("helm install rel rsa-chart-1.1.0.tgz --dry-run", json.RootElement.GetProperty("helmCommand").GetString());
        }
    }

    [Fact]
    public void Install_OutputYaml_IsHandedToHelmAsHelmInstallTakesIt()
    {
        using var temp = new TempDirectory();
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "add", "cs", repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http"));

        // helm install -o yaml: stdout is helm's release as YAML alone, the verification lines on stderr.
        var install = Cli.Run(temp.Path, WithHelm(temp), "install", "rel", "cs/rsa-chart", "--dry-run=client", "-o", "yaml");
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Contains("\nchart:\n", install.StdOut, StringComparison.Ordinal);
        Assert.Contains("\nname: rel\n", install.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("Signed by:", install.StdOut, StringComparison.Ordinal);
        Assert.Contains("Using Key With Fingerprint: " + repo.Keys.Rsa.Fingerprint, install.StdErr, StringComparison.Ordinal);
        Assert.Contains("Running: helm install rel rsa-chart-1.1.0.tgz --dry-run=client --output yaml (", install.StdErr, StringComparison.Ordinal);

        // Without helm, YAML is helm's format only: the verification is printed for people, and the command names it.
        var printed = Cli.Run(temp.Path, WithoutHelm, "install", "rel", "cs/rsa-chart", "--dry-run", "-o", "yaml");
        Assert.True(printed.ExitCode == 0, printed.ToString());
        Assert.Contains("Using Key With Fingerprint: " + repo.Keys.Rsa.Fingerprint, printed.StdOut, StringComparison.Ordinal);
        Assert.Contains("Dry run: helm is not on PATH; it would be run as helm install rel rsa-chart-1.1.0.tgz --dry-run --output yaml (", printed.StdOut, StringComparison.Ordinal);

        // pull has no YAML form (helm pull has no -o at all).
        var pull = Cli.Run(temp.Path, "pull", "cs/rsa-chart", "-o", "yaml", "-d", temp.File("out"));
        Assert.True(pull.ExitCode == 2, pull.ToString());
    }

    [Fact]
    public void Install_DryRunBeforeOrAfterThePositionals_ReadAsHelmReadsIt()
    {
        using var temp = new TempDirectory();
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "add", "cs", repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http"));
        var env = WithHelm(temp);

        // A bare --dry-run takes no value: what follows is the release name (helm: dry-run=client, with a deprecation note).
        foreach (string[] args in new[] { new[] { "install", "--dry-run", "rel", "cs/rsa-chart" }, ["install", "rel", "--dry-run", "cs/rsa-chart"], ["install", "rel", "cs/rsa-chart", "--dry-run"] })
        {
            var run = Cli.Run(temp.Path, env, args);
            Assert.True(run.ExitCode == 0, $"{string.Join(' ', args)}: {run}");
            Assert.Contains("Running: helm install rel rsa-chart-1.1.0.tgz --dry-run (", run.StdOut, StringComparison.Ordinal);
            Assert.Contains("\nNAME: rel\n", run.StdOut, StringComparison.Ordinal);
        }
        // Even when the release is named like a mode (Helm reads --dry-run server as dry-run=client, release "server").
        var server = Cli.Run(temp.Path, env, "install", "--dry-run", "server", "cs/rsa-chart");
        Assert.True(server.ExitCode == 0, server.ToString());
        Assert.Contains("\nNAME: server\n", server.StdOut, StringComparison.Ordinal);

        // --dry-run=MODE, before or after the positionals, is handed to helm as given.
        foreach (string mode in new[] { "client", "server", "none" })
        {
            foreach (string[] args in new[] { new[] { "install", $"--dry-run={mode}", "rel", "cs/rsa-chart" }, ["install", "rel", "cs/rsa-chart", $"--dry-run={mode}"] })
            {
                if (mode == "none")
                {
                    // Not a dry run: without helm it is refused as an install is.
                    var refused = Cli.Run(temp.Path, WithoutHelm, args);
                    Assert.True(refused.ExitCode == 2, refused.ToString());
                    Assert.Contains("helm was not found on PATH", Assert.Single(refused.StdErrLines), StringComparison.Ordinal);
                    continue;
                }
                var run = Cli.Run(temp.Path, WithoutHelm, args);
                Assert.True(run.ExitCode == 0, $"{string.Join(' ', args)}: {run}");
                Assert.Contains($"would be run as helm install rel rsa-chart-1.1.0.tgz --dry-run={mode} (", run.StdOut, StringComparison.Ordinal);
            }
        }
        var client = Cli.Run(temp.Path, env, "install", "--dry-run=client", "rel", "cs/rsa-chart");
        Assert.True(client.ExitCode == 0, client.ToString());
        Assert.Contains("\nNAME: rel\n", client.StdOut, StringComparison.Ordinal);

        // A mode Helm does not know is refused before anything is fetched, as helm refuses it, wherever it stands
        // (the parser would otherwise take it for the release or the chart).
        var theirs = HelmPeer.V4.Run(temp.Path, "install", "rel", "cs/rsa-chart", "--dry-run=bogus");
        Assert.Contains("invalid dry-run value (\"bogus\")", theirs.StdErr, StringComparison.Ordinal);
        foreach (string[] args in new[] { new[] { "install", "--dry-run=bogus", "rel", "cs/rsa-chart" }, ["install", "rel", "cs/rsa-chart", "--dry-run=bogus"] })
        {
            var bogus = Cli.Run(temp.Path, env, args);
            Assert.True(bogus.ExitCode == 2, $"{string.Join(' ', args)}: {bogus}");
            Assert.Contains("invalid dry-run value (\"bogus\"): must be one of client, server, none, true, false", bogus.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("Running: helm", bogus.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Install_GenerateNameAndNameTemplate_NameTheReleaseAsHelmDoes()
    {
        using var temp = new TempDirectory();
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "add", "cs", repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http"));
        HelmPeer.V4.RunChecked(temp.Path, "repo", "add", "cs", repo.Url);
        var env = WithHelm(temp);

        // helm install -g REPO/CHART names the release CHART-<unix time>, from the chart reference.
        var theirs = HelmPeer.V4.Run(temp.Path, "install", "-g", "cs/rsa-chart", "--dry-run=client");
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
        Assert.Matches(@"\nNAME: rsa-chart-\d{10}\n", "\n" + theirs.StdOut);
        foreach (string flag in new[] { "-g", "--generate-name" })
        {
            long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var ours = Cli.Run(temp.Path, env, "install", flag, "cs/rsa-chart", "--dry-run=client", "--set", "greeting=hi");
            long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            Assert.True(ours.ExitCode == 0, ours.ToString());
            var name = System.Text.RegularExpressions.Regex.Match(ours.StdOut, @"\nNAME: rsa-chart-(\d+)\n");
            Assert.True(name.Success, ours.ToString());
            Assert.InRange(long.Parse(name.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), before, after);
            Assert.Contains($"Running: helm install rsa-chart-{name.Groups[1].Value} rsa-chart-1.1.0.tgz --dry-run=client --set greeting=hi (", ours.StdOut, StringComparison.Ordinal);
        }

        // --name-template is Helm's to render: handed over, with the chart as the only positional.
        var templated = Cli.Run(temp.Path, env, "install", "--name-template", "{{ printf \"%s-%s\" \"from\" \"template\" }}", "cs/rsa-chart", "--dry-run=client");
        Assert.True(templated.ExitCode == 0, templated.ToString());
        Assert.Contains("\nNAME: from-template\n", templated.StdOut, StringComparison.Ordinal);
        Assert.Contains("Running: helm install rsa-chart-1.1.0.tgz --dry-run=client --name-template '{{ printf \"%s-%s\" \"from\" \"template\" }}' (", templated.StdOut, StringComparison.Ordinal);

        // Helm's refusals: a name and -g; no name and no -g.
        (string[] Args, string Says)[] refusals =
        [
            (["install", "-g", "rel", "cs/rsa-chart", "--dry-run=client"], "cannot set --generate-name and also specify a name"),
            (["install", "--name-template", "x", "rel", "cs/rsa-chart", "--dry-run=client"], "cannot set --name-template and also specify a name"),
            (["install", "cs/rsa-chart", "--dry-run=client"], "must either provide a name or specify --generate-name"),
        ];
        foreach (var (args, says) in refusals)
        {
            var helm = HelmPeer.V4.Run(temp.Path, args);
            Assert.True(helm.ExitCode != 0, helm.ToString());
            Assert.Contains(says, helm.StdErr, StringComparison.Ordinal);
            var ours = Cli.Run(temp.Path, env, args);
            Assert.True(ours.ExitCode == 2, ours.ToString());
            Assert.Contains(says, Assert.Single(ours.StdErrLines), StringComparison.Ordinal);
        }
    }

    private static (string Name, string Value)[] Fields(JsonElement item) => [.. item.EnumerateObject().Select(p => (p.Name, p.Value.ToString()))];

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void SearchAndRepoList_OutputTableJsonYaml_HelmsFieldsFirst_HelmsYaml(string version)
    {
        using var temp = new TempDirectory();
        var helm = HelmPeer.Of(version);
        AddBoth(temp, helm);

        // search: each chart's fields are Helm's (name, version, app_version, description), in Helm's order.
        using var theirs = JsonDocument.Parse(helm.RunChecked(temp.Path, "search", "repo", "chart", "--versions", "-o", "json").StdOut);
        var ours = Cli.Run(temp.Path, "search", "chart", "--versions", "-o", "json");
        Cli.AssertOk(ours);
        using var oursJson = JsonDocument.Parse(ours.StdOut);
        Assert.Equal("chartseal.search/v2", oursJson.RootElement.GetProperty("schema").GetString());
        var expected = theirs.RootElement.EnumerateArray().Select(Fields).ToList();
        Assert.Equal(5, expected.Count);
        Assert.Equal(expected, oursJson.RootElement.GetProperty("charts").EnumerateArray().Select(c => Fields(c)[..4]).ToList());
        // -o yaml: Helm's document, byte for byte, under "charts" (a sequence in a mapping is not indented).
        string theirsYaml = helm.RunChecked(temp.Path, "search", "repo", "chart", "--versions", "-o", "yaml").StdOut;
        var oursYaml = Cli.Run(temp.Path, "search", "chart", "--versions", "-o", "yaml");
        Cli.AssertOk(oursYaml);
        Assert.Equal("charts:\n" + theirsYaml + "schema: chartseal.search/v2\n", oursYaml.StdOut);
        // -o table, Helm's name of the default.
        Assert.Equal(Cli.Run(temp.Path, "search", "chart").StdOut, Cli.Run(temp.Path, "search", "chart", "-o", "table").StdOut);

        // repo list: Helm's name and url first, then what Chartseal records.
        using var theirList = JsonDocument.Parse(helm.RunChecked(temp.Path, "repo", "list", "-o", "json").StdOut);
        using var ourList = JsonDocument.Parse(Cli.Run(temp.Path, "repo", "list", "-o", "json").StdOut);
        var ourRepositories = ourList.RootElement.GetProperty("repositories").EnumerateArray().ToList();
        Assert.Equal(theirList.RootElement.EnumerateArray().Select(Fields).ToList(), ourRepositories.Select(r => Fields(r)[..2]).ToList());
        Assert.Equal(("rootFingerprint", repo.RootFingerprint), Fields(ourRepositories[0])[2]);
        string theirListYaml = helm.RunChecked(temp.Path, "repo", "list", "-o", "yaml").StdOut;
        Assert.Equal($"- name: cs\n  url: {repo.Url}\n", theirListYaml);
        var ourListYaml = Cli.Run(temp.Path, "repo", "list", "-o", "yaml");
        Cli.AssertOk(ourListYaml);
        Assert.StartsWith("repositories:\n- ", ourListYaml.StdOut, StringComparison.Ordinal);
        Assert.Contains("\n  name: cs\n", ourListYaml.StdOut, StringComparison.Ordinal);
        Assert.Contains($"\n  url: {repo.Url}\n", ourListYaml.StdOut, StringComparison.Ordinal);
        Assert.Contains($"\n  rootFingerprint: {repo.RootFingerprint}\n", ourListYaml.StdOut, StringComparison.Ordinal);
        Assert.EndsWith("schema: chartseal.repo-list/v1\n", ourListYaml.StdOut, StringComparison.Ordinal);
        Assert.Equal(Cli.Run(temp.Path, "repo", "list").StdOut, Cli.Run(temp.Path, "repo", "list", "-o", "table").StdOut);
    }
}

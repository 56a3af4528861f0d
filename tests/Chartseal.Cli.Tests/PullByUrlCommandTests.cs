using System.Diagnostics;
using System.Security.Cryptography;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// <c>pull CHART --repo URL --root-fingerprint FPR</c> and <c>install RELEASE CHART --repo URL ...</c>, Helm's way to get a
/// chart without <c>repo add</c>, as a CI job with no client state runs it against <c>chartseal serve</c> on a loopback
/// port: the trust material is checked against the root given there, the version chosen as for a configured repository,
/// only a trusted chart is written, and nothing is left in the client's repository configuration.
/// </summary>
public sealed class PullByUrlCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A repository trusting Jane, with hello 0.1.0, 0.2.0, 1.0.0 and 1.1.0-rc.1 signed by her, served by <c>chartseal serve</c>.</summary>
    private sealed class Served : IAsyncDisposable
    {
        private Process? _server;

        public TempDirectory T { get; } = new();
        public Dictionary<string, string> Fingerprints { get; } = new(StringComparer.Ordinal);
        public string Root => Fingerprints["root"];
        public string Repo => T.File("repo");
        public string Url { get; private set; } = "";

        /// <summary>The flags of a pull by URL with the root pinned (plain HTTP: the server listens on http://127.0.0.1).</summary>
        public string[] ByUrl => ["--repo", Url, "--root-fingerprint", Root, "--plain-http"];

        public static async Task<Served> StartAsync()
        {
            var s = new Served();
            foreach (string who in new[] { "root", "jane", "max" })
            {
                var generated = Cli.Run(s.T.Path, "key", "generate", "--name", $"{who} <{who}@example.com>", "--out", who, "--expires", "1y");
                Cli.AssertOk(generated);
                s.Fingerprints[who] = generated.StdOut.Split('\n')[0].Replace("Generated key ", "", StringComparison.Ordinal).Trim();
            }
            string[] rootKey = ["--root-key", "root", "--root-keyring", s.T.File("root.sec.asc")];
            Cli.AssertOk(Cli.Run(s.T.Path, ["trust", "init", s.Repo, .. rootKey]));
            Cli.AssertOk(Cli.Run(s.T.Path, ["trust", "add", s.Repo, s.T.File("jane.pub.asc"), .. rootKey]));
            foreach (string version in new[] { "0.1.0", "0.2.0", "1.0.0", "1.1.0-rc.1" })
            {
                Cli.AssertOk(Cli.Run(s.T.Path, "package", Path.Combine(TestPaths.RepoRoot, "examples", "hello"), "-d", "built", "--version", version,
                    "--sign", "--key", "jane", "--keyring", s.T.File("jane.sec.asc")));
                Cli.AssertOk(Cli.Run(s.T.Path, "publish", $"built/hello-{version}.tgz", "--repo", s.Repo, "--root-fingerprint", s.Root));
            }
            var (server, address) = await Cli.StartServeAsync(s.T.Path, s.Repo, [], Ct);
            s._server = server;
            s.Url = address.ToString().TrimEnd('/');
            return s;
        }

        public async ValueTask DisposeAsync()
        {
            if (_server is { } server)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
                server.Dispose();
            }
            T.Dispose();
        }
    }

    private static void Refused(CliResult r, int exit, string contains)
    {
        Assert.True(r.ExitCode == exit, r.ToString());
        string line = Assert.Single(r.StdErrLines);
        Assert.StartsWith("chartseal: ", line, StringComparison.Ordinal);
        Assert.Contains(contains, line, StringComparison.Ordinal);
    }

    // A command line refused before anything is done (helm not on PATH): exit 2 and one line, which is returned.
    private static (CliResult Run, string Line) RefusedAtOnce(TempDirectory t, string[] args)
    {
        var r = Cli.Run(t.Path, new Dictionary<string, string> { ["PATH"] = "/nonexistent" }, args);
        Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: {r}");
        return (r, Assert.Single(r.StdErrLines));
    }

    [Fact]
    public async Task Pull_ByUrlWithTheRootPinned_WritesTheTrustedChart_ChoosesVersionsAsHelm_AndKeepsNoRepository()
    {
        await using var s = await Served.StartAsync();

        var pulled = Cli.Run(s.T.Path, ["pull", "hello", "-d", "pulled", "--verify", .. s.ByUrl]);

        Cli.AssertOk(pulled);
        byte[] published = File.ReadAllBytes(Path.Combine(s.Repo, "hello-1.0.0.tgz"));
        Assert.Contains($"Using Key With Fingerprint: {s.Fingerprints["jane"]}\nChart Hash Verified: sha256:{Convert.ToHexStringLower(SHA256.HashData(published))}\n", pulled.StdOut, StringComparison.Ordinal);
        Assert.Contains($"Trusted by repository: trust version 2, root {s.Root}\n", pulled.StdOut, StringComparison.Ordinal);
        Assert.EndsWith("Pulled: pulled/hello-1.0.0.tgz\n", pulled.StdOut, StringComparison.Ordinal);
        Assert.Equal(published, File.ReadAllBytes(s.T.File("pulled/hello-1.0.0.tgz")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(s.Repo, "hello-1.0.0.tgz.prov")), File.ReadAllBytes(s.T.File("pulled/hello-1.0.0.tgz.prov")));
        // Nothing is configured or cached: the next job starts from the same place (only the trust state advanced).
        Assert.False(File.Exists(s.T.File(".chartseal-home/repositories.yaml")));
        Assert.False(Directory.Exists(s.T.File(".chartseal-home/cache")));
        Assert.True(Directory.Exists(s.T.File(".chartseal-home/trust-state")));

        // Versions as for a configured repository: Helm's ranges, the newest stable by default, --devel for pre-releases.
        (string[] Flags, string Pulled)[] versions =
        [
            (["--version", "^0.1"], "hello-0.1.0.tgz"),
            (["--version", ">=0.2.0 <1.0.0"], "hello-0.2.0.tgz"),
            (["--version", "~1"], "hello-1.0.0.tgz"),
            (["--devel"], "hello-1.1.0-rc.1.tgz"),
        ];
        for (int i = 0; i < versions.Length; i++)
        {
            var (flags, expected) = versions[i];
            string dir = $"v{i}";
            var r = Cli.Run(s.T.Path, ["pull", "hello", "-d", dir, .. flags, .. s.ByUrl]);
            Cli.AssertOk(r);
            Assert.Equal([expected, expected + ".prov"], Directory.GetFiles(s.T.File(dir)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        Refused(Cli.Run(s.T.Path, ["pull", "hello", "--version", "^2", "-d", "none", .. s.ByUrl]), 2, $"{s.Url}/hello: no version matches \"^2\"");
        Refused(Cli.Run(s.T.Path, ["pull", "nothing", "-d", "none", .. s.ByUrl]), 2, $"{s.Url}/nothing: no chart named \"nothing\" in the repository's index");
        Cli.AssertOk(Cli.Run(s.T.Path, ["pull", "hello", "--untar", "-d", "unpacked", .. s.ByUrl]));
        Assert.True(File.Exists(s.T.File("unpacked/hello/Chart.yaml")));
        Assert.False(Directory.Exists(s.T.File("none")));

        // install hands the verified archive to helm the same way (here: no helm on PATH, so the command is printed).
        var install = Cli.Run(s.T.Path, new Dictionary<string, string> { ["PATH"] = "/nonexistent" }, ["install", "rel", "hello", "--version", "0.2.0", "--dry-run", .. s.ByUrl]);
        Cli.AssertOk(install);
        Assert.Contains("Dry run: helm is not on PATH; it would be run as helm install rel hello-0.2.0.tgz --dry-run (hello-0.2.0.tgz: the archive of hello 0.2.0 verified above", install.StdOut, StringComparison.Ordinal);
        Assert.False(File.Exists(s.T.File(".chartseal-home/repositories.yaml")));
    }

    [Fact]
    public async Task Pull_ByUrl_RefusesAnUntrustedSignerAWrongRootAndPlainHttpWithoutConsent_WritingNothing()
    {
        await using var s = await Served.StartAsync();
        var helmless = new Dictionary<string, string> { ["PATH"] = "/nonexistent" };

        // Max signs a .prov for the served archive: a valid signature, by a key the repository does not trust.
        Directory.CreateDirectory(s.T.File("max"));
        File.Copy(Path.Combine(s.Repo, "hello-1.0.0.tgz"), s.T.File("max/hello-1.0.0.tgz"));
        Cli.AssertOk(Cli.Run(s.T.Path, "sign", "max/hello-1.0.0.tgz", "--key", "max", "--keyring", s.T.File("max.sec.asc")));
        File.Copy(s.T.File("max/hello-1.0.0.tgz.prov"), Path.Combine(s.Repo, "hello-1.0.0.tgz.prov"), overwrite: true);
        Refused(Cli.Run(s.T.Path, ["pull", "hello", "-d", "refused", .. s.ByUrl]), 1,
            $"{s.Url}/hello-1.0.0.tgz: signer-not-trusted: signer is not in the repository's pubkeys.pgp: signature made by unknown key {s.Fingerprints["max"]}");
        Refused(Cli.Run(s.T.Path, helmless, ["install", "rel", "hello", "--dry-run", .. s.ByUrl]), 1, "signer-not-trusted");
        Cli.AssertOk(Cli.Run(s.T.Path, ["pull", "hello", "--version", "0.2.0", "-d", "other", .. s.ByUrl])); // only that version is refused

        // Another root (Jane's key): the trust material is not signed by it, and no chart is looked at.
        string[] wrongRoot = ["--repo", s.Url, "--root-fingerprint", s.Fingerprints["jane"], "--plain-http"];
        Refused(Cli.Run(s.T.Path, ["pull", "hello", "--version", "0.2.0", "-d", "refused", .. wrongRoot]), 1, $"{s.Url}/trust.yaml.asc: trust-bad-signature: ");

        // http:// needs the consent, as everywhere.
        Refused(Cli.Run(s.T.Path, "pull", "hello", "--version", "0.2.0", "-d", "refused", "--repo", s.Url, "--root-fingerprint", s.Root), 2,
            $"{s.Url}/: refusing a plain http:// URL: anyone on the way can change what it serves (use https, or allow it with --insecure-http, also spelt --plain-http)");
        Assert.False(Directory.Exists(s.T.File("refused")));
    }

    [Fact]
    public void Pull_ByUrl_WithoutTheRootOrWithARepositoryName_IsRefusedWithOneLineSayingWhatToDo()
    {
        using var t = new TempDirectory();
        const string Url = "https://charts.example.com/stable";
        string root = new('A', 40);
        (string[] Args, string Says)[] cases =
        [
            (["pull", "hello", "--repo", Url, "-d", "out"],
                $"--repo {Url}: a bare URL names no root key, so nothing it serves could be trusted: add --root-fingerprint FPR (the repository's root fingerprint, from its maintainers), " +
                $"or run chartseal repo add NAME {Url} --root-fingerprint FPR once, then chartseal pull NAME/CHART"),
            (["install", "rel", "hello", "--repo", Url, "--dry-run"], "add --root-fingerprint FPR"),
            (["pull", "stable/hello", "--repo", Url, "--root-fingerprint", root, "-d", "out"],
                "stable/hello: with --repo, name a chart of that repository alone (CHART, as helm pull --repo takes it), not NAME/CHART or an oci:// reference"),
            (["install", "rel", "stable/hello", "--repo", Url, "--root-fingerprint", root, "--dry-run"], "stable/hello: with --repo, name a chart of that repository alone"),
            (["install", "--generate-name", "rel", "hello", "--repo", Url, "--root-fingerprint", root, "--dry-run"], "cannot set --generate-name and also specify a name"),
            (["pull", "hello", "--repo", "charts", "--root-fingerprint", root], "--repo charts: not an http(s) URL or an oci:// registry namespace"),
            (["pull", "stable/hello", "--root-fingerprint", root], "--root-fingerprint goes with --repo URL"),
            // Without --repo, Helm's transport flags keep their refusals: a configured repository's were recorded by repo add.
            (["pull", "stable/hello", "--password-stdin", "-d", "out"], "--password-stdin: credentials and TLS settings are recorded per repository"),
            (["pull", "stable/hello", "--insecure-http", "-d", "out"], "--insecure-http: plain HTTP is allowed per repository: chartseal repo add NAME URL --plain-http records it, and pull then uses it"),
            (["pull", "hello", "--repo", Url, "--root-fingerprint", root, "--username", "ci"], "--username needs --password or --password-stdin"),
        ];
        foreach (var (args, says) in cases)
        {
            Assert.Contains(says, RefusedAtOnce(t, args).Line, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(t.File("out")));
    }

    [Fact]
    public void Pull_ByUrl_APasswordIsNeverPrinted_NeitherGivenWhereItIsRefusedNorWrittenIntoTheUrl()
    {
        using var t = new TempDirectory();
        const string Secret = "s3cret-pw";
        string root = new('A', 40);
        (string[] Args, string Says)[] cases =
        [
            // Refused without --repo: the flag is named, its value is not repeated.
            (["pull", "stable/hello", "--password", Secret, "-d", "out"], "chartseal: --password: credentials and TLS settings are recorded per repository"),
            (["install", "rel", "stable/hello", $"--password={Secret}", "--dry-run"], "chartseal: --password: credentials and TLS settings are recorded per repository"),
            (["package", "chart", "--password", Secret], "chartseal: --password: credentials and TLS settings are recorded per repository"),
            // USER:PASSWORD@ in the URL: .NET would not send it (only --username is sent), and every message would print it.
            (["pull", "hello", "--repo", $"https://ci:{Secret}@charts.example.com/stable", "--root-fingerprint", root, "-d", "out"],
                "chartseal: --repo https://charts.example.com/stable: a user name or password in the URL is neither sent nor printed: give --username USER with --password-stdin (or --password), " +
                "which go only to the URL's own scheme, host and port"),
            (["pull", "hello", "--repo", $"https://ci:{Secret}@charts.example.com/stable"], "chartseal: --repo https://charts.example.com/stable: a user name or password in the URL"),
            (["install", "rel", "hello", "--repo", $"oci://ci:{Secret}@registry.example.com/ns", "--root-fingerprint", root, "--dry-run"],
                "chartseal: --repo oci://registry.example.com/ns: a user name or password in the URL is neither sent nor printed"),
            (["trust", "show", $"https://ci:{Secret}@127.0.0.1:1/charts"],
                "chartseal: https://127.0.0.1:1/charts: a user name or password in the URL is neither sent nor printed: give --username USER with --password,"),
            (["repo", "add", "corp", $"https://ci:{Secret}@127.0.0.1:1/charts", "--root-fingerprint", root],
                "chartseal: https://127.0.0.1:1/charts: a user name or password in the URL is neither sent nor printed: give --username USER with --password-stdin,"),
            // An oci:// reference with them, wherever it is given: the reference is refused as it is read.
            (["audit", $"oci://ci:{Secret}@registry.example.com/ns", "--root-fingerprint", root],
                "chartseal: oci://registry.example.com/ns: a user name or password in the reference is neither sent nor printed: log in with helm registry login"),
            (["repo", "add", "corp", $"oci://ci:{Secret}@registry.example.com/ns", "--root-fingerprint", root],
                "chartseal: oci://registry.example.com/ns: a user name or password in the reference is neither sent nor printed: log in with helm registry login"),
            (["trust", "show", $"oci://ci:{Secret}@registry.example.com/ns"],
                "chartseal: oci://registry.example.com/ns: a user name or password in the URL is neither sent nor printed"),
            // A URL that cannot be parsed, with credentials given: named, with why (not an internal error).
            (["pull", "hello", "--repo", "https://[bad", "--root-fingerprint", root, "--username", "ci", "--password", Secret, "-d", "out"],
                "chartseal: https://[bad: not a repository URL (an absolute http(s) URL without query or fragment)"),
        ];
        foreach (var (args, says) in cases)
        {
            var (r, line) = RefusedAtOnce(t, args);
            Assert.StartsWith(says, line, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, r.StdOut + r.StdErr, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(t.File(".chartseal-home/repositories.yaml")));
        Assert.False(Directory.Exists(t.File("out")));
    }
}

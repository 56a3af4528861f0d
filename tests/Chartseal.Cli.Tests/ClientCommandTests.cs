using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// The operator's side end to end: <c>chartseal serve</c> on a loopback port, then repo add → update → search → pull →
/// pull --untar → verify --repo NAME → install (dry run, and a fake helm that records what it was given).
/// </summary>
public sealed class ClientCommandTests
{
    private static void Ok(CliResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    private static void Refused(CliResult r, int exit, string contains)
    {
        Assert.True(r.ExitCode == exit, r.ToString());
        Assert.Contains(contains, Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }

    /// <summary><c>chartseal serve DIR --listen http://127.0.0.1:PORT</c> as a child process (its own home and log files), until disposed.</summary>
    private sealed class ServeProcess : IDisposable
    {
        private readonly Process _process;

        public ServeProcess(string serverDir, string repoDir, string rootFingerprint)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            Url = $"http://127.0.0.1:{port}";
            Directory.CreateDirectory(serverDir);
            _process = Cli.Start(serverDir, "serve", repoDir, "--listen", Url, "--root-fingerprint", rootFingerprint);
            using var http = new HttpClient();
            for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline && !_process.HasExited; Thread.Sleep(100))
            {
                try
                {
                    if (http.GetAsync(Url + "/health").GetAwaiter().GetResult().IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }
            }
            Dispose();
            throw new InvalidOperationException("chartseal serve did not start at " + Url);
        }

        public string Url { get; }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    [Fact]
    public void Client_AgainstServe_AddUpdateSearchPullInstallAndRefusals()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "the fake helm is a shell script");
        using var t = new TempDirectory();
        string example = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root", "--expires", "1y"));
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane"));
        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Ok(Cli.Run(t.Path, "trust", "add", "repo", "jane.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        using var show = JsonDocument.Parse(Cli.Run(t.Path, "trust", "show", "repo", "--output", "json").StdOut);
        string root = show.RootElement.GetProperty("root").GetString()!;
        Ok(Cli.Run(t.Path, "package", example, "-d", "built", "--sign", "--key", "jane", "--keyring", "jane.sec.asc"));
        Ok(Cli.Run(t.Path, "publish", "built/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root));
        byte[] published = File.ReadAllBytes(t.File("repo/hello-0.1.0.tgz"));
        using var server = new ServeProcess(t.File("server"), t.File("repo"), root);

        // repo add: no pin → shows the root and refuses; http without the flag → refused; a wrong pin → trust-bad-signature.
        var unpinned = Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--insecure-http");
        Refused(unpinned, 2, $"--root-fingerprint {root}");
        Assert.Contains("--trust-on-first-use", unpinned.StdErr, StringComparison.Ordinal);
        Refused(Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--root-fingerprint", root), 2, "refusing a plain http:// URL");
        string janeFpr = JsonDocument.Parse(Cli.Run(t.Path, "verify", "built/hello-0.1.0.tgz", "--keyring", "jane.pub.asc", "-o", "json").StdOut)
            .RootElement.GetProperty("signer").GetProperty("fingerprint").GetString()!;
        Refused(Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--root-fingerprint", janeFpr, "--insecure-http"), 1, "trust-bad-signature");
        Assert.DoesNotContain("demo", Cli.Run(t.Path, "repo", "list").StdOut, StringComparison.Ordinal);

        var added = Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--root-fingerprint", root, "--insecure-http");
        Ok(added);
        Assert.Contains("\"demo\" has been added to your repositories", added.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"\nTrust material: version 2, expires \S+, 1 maintainer key\nIndex: 1 chart version\n", added.StdOut);
        var list = Cli.Run(t.Path, "repo", "list");
        Ok(list);
        Assert.Contains(root, list.StdOut, StringComparison.Ordinal);
        Assert.Contains("insecure http", list.StdOut, StringComparison.Ordinal);

        // repo update: the server's ETag makes an unchanged index a 304.
        var update = Cli.Run(t.Path, "repo", "update");
        Ok(update);
        Assert.Contains("index unchanged", update.StdOut, StringComparison.Ordinal);

        // search: table and JSON.
        var search = Cli.Run(t.Path, "search", "hello");
        Ok(search);
        Assert.Matches(@"demo/hello\s+0\.1\.0", search.StdOut);
        using (var json = JsonDocument.Parse(Cli.Run(t.Path, "search", "-o", "json").StdOut))
        {
            Assert.Equal("demo/hello", json.RootElement.GetProperty("charts")[0].GetProperty("name").GetString());
        }
        var narrow = Cli.Run(t.Path, "search", "hello", "--max-col-width", "8");
        Ok(narrow);
        Assert.Matches(@"(?m)^demo/\.\.\.\s+0\.1\.0", narrow.StdOut);
        var none = Cli.Run(t.Path, "search", "no-such-chart", "--fail-on-no-result");
        Assert.Equal((1, "chartseal: no results found\n"), (none.ExitCode, none.StdErr));
        var badRange = Cli.Run(t.Path, "search", "hello", "--version", "not a range");
        Assert.Equal((2, "chartseal: --version \"not a range\" is not a version constraint (e.g. 1.2.3, ^1.2, ~1.2.3, >=1.0 <2.0)\n"), (badRange.ExitCode, badRange.StdErr));

        // pull: Helm's lines, the verified bytes on disk; --untar: the chart folder.
        var pull = Cli.Run(t.Path, "pull", "demo/hello", "-d", "pulled");
        Ok(pull);
        Assert.Contains($"Chart Hash Verified: sha256:{Convert.ToHexStringLower(SHA256.HashData(published))}", pull.StdOut, StringComparison.Ordinal);
        Assert.Contains("Pulled: pulled/hello-0.1.0.tgz", pull.StdOut, StringComparison.Ordinal);
        Assert.Equal(published, File.ReadAllBytes(t.File("pulled/hello-0.1.0.tgz")));
        Ok(Cli.Run(t.Path, "pull", "demo/hello", "--version", "^0.1", "-d", "unpacked", "--untar"));
        Assert.True(File.Exists(t.File("unpacked/hello/Chart.yaml")));
        using (var json = JsonDocument.Parse(Cli.Run(t.Path, "pull", "demo/hello", "-d", "pulled-json", "-o", "json").StdOut))
        {
            Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
            Assert.Equal(Path.Combine("pulled-json", "hello-0.1.0.tgz"), json.RootElement.GetProperty("savedTo").GetString());
        }

        // verify ARCHIVE --repo NAME: the configured repository's cached trust material.
        Ok(Cli.Run(t.Path, "verify", "pulled/hello-0.1.0.tgz", "--repo", "demo"));

        // install --dry-run prints the command; a fake helm receives the verified archive itself.
        var dry = Cli.Run(t.Path, "install", "rel", "demo/hello", "--dry-run", "--", "--namespace", "x");
        Ok(dry);
        Assert.Contains("Dry run: helm is not on PATH; it would be run as helm install rel hello-0.1.0.tgz --dry-run --namespace x (hello-0.1.0.tgz: the archive of demo/hello 0.1.0 verified above, as chartseal pull writes it)\n", dry.StdOut, StringComparison.Ordinal);
        string bin = t.File("bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "helm"),
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$HELM_RECORD\"\nsha256sum \"$3\" | cut -d' ' -f1 >> \"$HELM_RECORD\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(bin, "helm"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string record = t.File("helm-args.txt");
        var withHelm = new Dictionary<string, string> { ["PATH"] = bin + ":/usr/bin:/bin", ["HELM_RECORD"] = record };
        var install = Cli.Run(t.Path, withHelm, "install", "rel", "demo/hello", "--", "--namespace", "x", "--set", "a=b c");
        Ok(install);
        string[] args = File.ReadAllLines(record);
        Assert.Equal(["install", "rel"], args[..2]);
        Assert.Matches(@"^/.+/hello-0\.1\.0\.tgz$", args[2]);
        Assert.Equal(["--namespace", "x", "--set", "a=b c"], args[3..7]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(published)), args[7]);
        Assert.False(File.Exists(args[2]), "the private folder is removed after helm ran");
        if (!File.Exists("/usr/bin/helm") && !File.Exists("/bin/helm"))
        {
            Refused(Cli.Run(t.Path, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, "install", "rel", "demo/hello"), 2, "helm was not found on PATH");
        }

        // Refusals: nothing is written (and helm is never run) and exit 1 with the reason.
        File.Delete(record);
        File.WriteAllBytes(t.File("repo/hello-0.1.0.tgz"), [.. published[..^4], 0, 0, 0, 0]);
        Refused(Cli.Run(t.Path, "pull", "demo/hello", "-d", "refused"), 1, "hash-mismatch");
        Refused(Cli.Run(t.Path, withHelm, "install", "rel", "demo/hello"), 1, "hash-mismatch");
        File.WriteAllBytes(t.File("repo/hello-0.1.0.tgz"), published);
        File.Delete(t.File("repo/hello-0.1.0.tgz.prov"));
        Refused(Cli.Run(t.Path, "pull", "demo/hello", "-d", "refused", "-o", "json"), 1, "missing-provenance");
        Assert.False(Directory.Exists(t.File("refused")));
        Assert.False(File.Exists(record), "helm ran for a refused chart");

        // Trust on first use is recorded as such; remove drops the repository and its cache.
        var tofu = Cli.Run(t.Path, "repo", "add", "tofu", server.Url, "--trust-on-first-use", "--insecure-http");
        Ok(tofu);
        Assert.Contains($"Trusting on first use: root {root} (Root <root@example.com>)", tofu.StdOut, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(Cli.Run(t.Path, "repo", "list", "-o", "json").StdOut))
        {
            var repos = json.RootElement.GetProperty("repositories").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("trustOnFirstUse").GetBoolean());
            Assert.Equal(new Dictionary<string, bool> { ["demo"] = false, ["tofu"] = true }, repos);
        }
        Ok(Cli.Run(t.Path, "repo", "remove", "tofu"));
        Assert.False(Directory.Exists(t.File(".chartseal-home/cache/tofu")));
        Refused(Cli.Run(t.Path, "pull", "tofu/hello"), 2, "no repository named \"tofu\"");
    }

    [Fact]
    public void RepoUpdate_ReportsEachRepositoryByName_AndOneFailureDoesNotStopTheOthers()
    {
        using var t = new TempDirectory();
        // One root per repository (a root signs one repository's trust material).
        var roots = new Dictionary<string, string>();
        foreach (string repo in new[] { "good", "tampered", "gone" })
        {
            Ok(Cli.Run(t.Path, "key", "generate", "--name", $"Root {repo} <root@example.com>", "--out", "root-" + repo, "--expires", "1y"));
            Ok(Cli.Run(t.Path, "trust", "init", repo, "--root-key", "root@example.com", "--root-keyring", $"root-{repo}.sec.asc"));
            roots[repo] = Cli.Run(t.Path, "key", "fingerprint", $"root-{repo}.pub.asc").StdOut.Trim();
            File.WriteAllText(t.File(repo + "/index.yaml"), "apiVersion: v1\nentries: {}\ngenerated: \"2026-01-01T00:00:00Z\"\n");
        }
        using var good = new ServeProcess(t.File("server-good"), t.File("good"), roots["good"]);
        using var tampered = new ServeProcess(t.File("server-tampered"), t.File("tampered"), roots["tampered"]);
        var gone = new ServeProcess(t.File("server-gone"), t.File("gone"), roots["gone"]);
        foreach (var (name, url) in new[] { ("good", good.Url), ("tampered", tampered.Url), ("gone", gone.Url) })
        {
            Ok(Cli.Run(t.Path, "repo", "add", name, url, "--root-fingerprint", roots[name], "--insecure-http"));
        }
        gone.Dispose();
        File.WriteAllBytes(t.File("tampered/pubkeys.pgp"), [0x99, 0x00]);

        var update = Cli.Run(t.Path, "repo", "update");

        Assert.True(update.ExitCode == 2, update.ToString());
        Assert.Contains("...Successfully got an update from the \"good\" chart repository", update.StdOut, StringComparison.Ordinal);
        string[] errors = update.StdErrLines;
        Assert.Equal(2, errors.Length);
        Assert.Contains(errors, l => l.StartsWith("...Refused the update from the \"tampered\" chart repository: ", StringComparison.Ordinal) && l.Contains("trust-mismatch", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.StartsWith($"...Unable to get an update from the \"gone\" chart repository ({gone.Url}): ", StringComparison.Ordinal));
    }
}

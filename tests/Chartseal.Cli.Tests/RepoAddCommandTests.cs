using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary><c>repo add</c> of a name that is configured already, as scripts that run it every time meet it.</summary>
public sealed class RepoAddCommandTests
{
    private static void Ok(CliResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    /// <summary>A repository with trust material and no charts in <paramref name="t"/>'s <c>repo</c>, served over plain HTTP; its root's fingerprint.</summary>
    private static (string Root, FolderServer Server) EmptyRepository(TempDirectory t)
    {
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root"));
        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        File.WriteAllText(t.File("repo/index.yaml"), "apiVersion: v1\nentries: {}\n");
        return (Cli.Run(t.Path, "key", "fingerprint", "root.pub.asc").StdOut.Trim(), new FolderServer(t.File("repo")));
    }

    [Fact]
    public void RepoAdd_Again_SameConfigurationSkipped_OtherConfigurationRefusedSayingHow()
    {
        using var t = new TempDirectory();
        var (root, server) = EmptyRepository(t);
        using var served = server;
        Ok(Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--root-fingerprint", root, "--insecure-http"));
        Ok(Cli.Run(t.Path, "repo", "add", "tofu", server.Url + "/", "--trust-on-first-use", "--insecure-http"));
        byte[] config = File.ReadAllBytes(t.File(".chartseal-home/repositories.yaml"));
        int requests = server.Requests.Count;

        // As Helm: the same name, URL and pin again is a no-op (no request, nothing rewritten), exit 0.
        var again = Cli.Run(t.Path, "repo", "add", "demo", server.Url + "/", "--root-key", "root.pub.asc", "--insecure-http");
        Ok(again);
        Assert.Equal("\"demo\" already exists with the same configuration, skipping", again.StdOut.Trim());
        Ok(Cli.Run(t.Path, "repo", "add", "tofu", server.Url, "--trust-on-first-use", "--insecure-http"));
        Assert.Equal(requests, server.Requests.Count);
        Assert.Equal(config, File.ReadAllBytes(t.File(".chartseal-home/repositories.yaml")));

        // Another pin, or a pin where the root was trusted on first use: refused, saying what is configured.
        var otherPin = Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--trust-on-first-use", "--insecure-http");
        Assert.True(otherPin.ExitCode == 2, otherPin.ToString());
        Assert.Equal($"chartseal: {t.File(".chartseal-home/repositories.yaml")}: repository \"demo\" already exists with root {root} pinned (chartseal repo remove demo first, or add it with --force-update)",
            Assert.Single(otherPin.StdErrLines));
        var otherUrl = Cli.Run(t.Path, "repo", "add", "tofu", server.Url + "/elsewhere", "--root-fingerprint", root, "--insecure-http");
        Assert.True(otherUrl.ExitCode == 2, otherUrl.ToString());
        Assert.Contains($"already exists with URL {server.Url}, root {root} trusted on first use (", Assert.Single(otherUrl.StdErrLines), StringComparison.Ordinal);
        Assert.Equal(config, File.ReadAllBytes(t.File(".chartseal-home/repositories.yaml")));

        // Helm's --force-update replaces it, once the new configuration's trust material is verified.
        var wrongRoot = Cli.Run(t.Path, "repo", "add", "tofu", server.Url + "/", "--root-fingerprint", new string('A', 40), "--insecure-http", "--force-update");
        Assert.True(wrongRoot.ExitCode == 1, wrongRoot.ToString());
        Assert.Equal(config, File.ReadAllBytes(t.File(".chartseal-home/repositories.yaml")));
        Ok(Cli.Run(t.Path, "repo", "add", "tofu", server.Url + "/", "--root-fingerprint", root, "--insecure-http", "--force-update"));
        var list = Cli.Run(t.Path, "repo", "list");
        Ok(list);
        Assert.Contains(root, list.StdOut.Split('\n').Single(l => l.StartsWith("tofu", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("first use", list.StdOut.Split('\n').Single(l => l.StartsWith("tofu", StringComparison.Ordinal)), StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "search"));

        // As Helm's, repo update and repo remove take several names; one that is not configured changes nothing.
        var updated = Cli.Run(t.Path, "repo", "update", "tofu", "demo");
        Ok(updated);
        Assert.Contains("Successfully got an update from the \"tofu\" chart repository", updated.StdOut, StringComparison.Ordinal);
        Assert.Contains("Successfully got an update from the \"demo\" chart repository", updated.StdOut, StringComparison.Ordinal);
        var unknownUpdate = Cli.Run(t.Path, "repo", "update", "demo", "nope");
        Assert.True(unknownUpdate.ExitCode == 2, unknownUpdate.ToString());
        Assert.DoesNotContain("Successfully", unknownUpdate.StdOut, StringComparison.Ordinal);
        byte[] before = File.ReadAllBytes(t.File(".chartseal-home/repositories.yaml"));
        var typo = Cli.Run(t.Path, "repo", "remove", "demo", "nope");
        Assert.True(typo.ExitCode == 2, typo.ToString());
        Assert.EndsWith("no repository named \"nope\" (see chartseal repo list)", Assert.Single(typo.StdErrLines), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(t.File(".chartseal-home/repositories.yaml")));
        var removed = Cli.Run(t.Path, "repo", "remove", "demo", "tofu");
        Ok(removed);
        Assert.Equal(["\"demo\" has been removed from your repositories", "\"tofu\" has been removed from your repositories"], removed.StdOut.Trim().Split('\n'));
        Assert.Equal("chartseal: no repositories to show", Cli.Run(t.Path, "repo", "list").StdErr.Trim());
    }

    [Fact]
    public async Task RepoAdd_TheSameRepositoryByTwoJobsAtOnce_OneAddsIt_TheOtherWaitsAndSkipsIt()
    {
        // Two CI jobs on one runner add the same repository: the second starts while the first holds the configuration's
        // lock (its first downloads answered 503, tried again), finds the name free, waits, then finds it configured
        // exactly as it asks: as Helm's, it skips it (exit 0) instead of failing on the name.
        using var t = new TempDirectory();
        var (root, server) = EmptyRepository(t);
        using var served = server;
        server.InjectedStatuses.Enqueue(503);
        server.InjectedStatuses.Enqueue(503);
        string[] add = ["repo", "add", "demo", server.Url, "--root-fingerprint", root, "--insecure-http"];

        var first = Task.Run(() => Cli.Run(t.Path, add), TestContext.Current.CancellationToken);
        SpinWait.SpinUntil(() => !server.Requests.IsEmpty || first.IsCompleted, TimeSpan.FromSeconds(60));
        var second = Cli.Run(t.Path, add);
        var firstDone = await first;

        Ok(firstDone);
        Assert.Contains("\"demo\" has been added to your repositories", firstDone.StdOut, StringComparison.Ordinal);
        Ok(second);
        Assert.Equal("\"demo\" already exists with the same configuration, skipping", second.StdOut.Trim());
        Assert.Single(Cli.Run(t.Path, "repo", "list", "--no-headers").StdOut.Trim().Split('\n'));
    }

    /// <summary>Every file below <paramref name="dir"/> (hidden ones included), relative, with its bytes.</summary>
    private static SortedDictionary<string, string> Snapshot(string dir) => new(
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(File.ReadAllBytes(f))),
        StringComparer.Ordinal);

    [Fact]
    public void RepoAdd_Fails_LeavesConfigurationAndCachesAsTheyWere_AsHelmDoes()
    {
        using var t = new TempDirectory();
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root"));
        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        File.WriteAllText(t.File("repo/index.yaml"), "apiVersion: v1\nentries: {}\n");
        // A second repository by the same root whose trust material is fine but which has no index.yaml.
        Directory.CreateDirectory(t.File("no-index"));
        foreach (string file in Directory.GetFiles(t.File("repo")).Where(f => !f.EndsWith("index.yaml", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(t.File("no-index"), Path.GetFileName(file)));
        }
        string root = Cli.Run(t.Path, "key", "fingerprint", "root.pub.asc").StdOut.Trim();
        using var server = new FolderServer(t.File("repo"));
        using var noIndex = new FolderServer(t.File("no-index"));
        const string Unreachable = "http://127.0.0.1:1";
        Ok(Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--root-fingerprint", root, "--insecure-http"));
        string home = t.File(".chartseal-home");
        var before = Snapshot(home);
        Assert.Contains(Path.Combine("cache", "demo", "index.yaml"), before.Keys);

        // Helm's repo add --force-update to a URL that fails changes neither its configuration nor its cache.
        var helm = HelmPeer.V4;
        helm.RunChecked(t.Path, "repo", "add", "demo", server.Url);
        string helmHome = t.File(".helm-" + helm.Version);
        var helmBefore = Snapshot(helmHome);
        Assert.True(helm.Run(t.Path, "repo", "add", "demo", Unreachable, "--force-update").ExitCode != 0);
        Assert.Equal(helmBefore, Snapshot(helmHome));

        (string[] Args, int Exit, string Says)[] failures =
        [
            // Unreachable, the trust material refused (another root), the index missing once the trust material was cached.
            (["repo", "add", "demo", Unreachable, "--root-fingerprint", root, "--insecure-http", "--force-update"], 2, "download failed"),
            (["repo", "add", "demo", server.Url + "/", "--root-fingerprint", new string('A', 40), "--insecure-http", "--force-update"], 1, "trust-bad-signature"),
            (["repo", "add", "demo", noIndex.Url, "--root-fingerprint", root, "--insecure-http", "--force-update"], 2, "index.yaml"),
            (["repo", "add", "other", Unreachable, "--root-fingerprint", root, "--insecure-http"], 2, "download failed"),
            (["repo", "add", "other", noIndex.Url, "--root-fingerprint", root, "--insecure-http"], 2, "index.yaml"),
        ];
        foreach (var (args, exit, says) in failures)
        {
            var r = Cli.Run(t.Path, args);
            Assert.True(r.ExitCode == exit, $"{string.Join(' ', args)}: {r}");
            Assert.Contains(says, Assert.Single(r.StdErrLines), StringComparison.Ordinal);
            // Nothing recorded, nothing cached, nothing left over: the trust state may only have learnt (it is the root's).
            var after = Snapshot(home);
            Assert.Equal(before.Where(f => !f.Key.StartsWith("trust-state", StringComparison.Ordinal)), after.Where(f => !f.Key.StartsWith("trust-state", StringComparison.Ordinal)));
        }
        Ok(Cli.Run(t.Path, "search"));
        Ok(Cli.Run(t.Path, "repo", "update", "demo"));
    }
}

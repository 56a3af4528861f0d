using System.Diagnostics;
using Chartseal.Client;
using Chartseal.Tests.Support;
using Chartseal.Trust;

namespace Chartseal.Cli.Tests;

/// <summary>
/// A trust change killed at each of its renames (power loss, OOM killer), for real: strace injects SIGKILL into the
/// running <c>chartseal trust add</c> at its n-th rename. Whatever the moment, readers see the old material or the new
/// one, never a mixture, and the next trust command completes the change.
/// </summary>
public sealed class TrustInterruptionTests
{
    [Fact]
    public async Task TrustAdd_KilledAtEveryRename_ReadersNeverSeeAMixture_AndTheNextCommandRepairs()
    {
        Cli.EnsureBuilt();
        using var t = new TempDirectory();
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root", "--expires", "1y"));
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Alice <alice@example.com>", "--out", "alice"));
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Bob <bob@example.com>", "--out", "bob"));
        Cli.AssertOk(Cli.Run(t.Path, "trust", "init", "base", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Cli.AssertOk(Cli.Run(t.Path, "trust", "add", "base", "alice.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        var pin = new PinnedRoot(Cli.Run(t.Path, "key", "fingerprint", "root.pub.asc").StdOut.Trim());
        string bob = Cli.Run(t.Path, "key", "fingerprint", "bob.pub.asc").StdOut.Trim();

        // One served repository, reset to version 2 before each interruption: HTTP readers are checked too.
        string repo = t.File("served");
        Directory.CreateDirectory(repo);
        Directory.CreateDirectory(t.File("server"));
        var (server, address) = await Cli.StartServeAsync(t.File("server"), repo, [], TestContext.Current.CancellationToken);
        using var stop = new ServerStopper(server);
        int killed = 0;
        for (int rename = 1; rename <= 30; rename++)
        {
            if (Directory.Exists(Path.Combine(repo, FolderRepositorySource.StagedTrustFolder)))
            {
                Directory.Delete(Path.Combine(repo, FolderRepositorySource.StagedTrustFolder), recursive: true);
            }
            foreach (string file in Directory.GetFiles(t.File("base")).Where(f => !Path.GetFileName(f).StartsWith('.')))
            {
                File.Copy(file, Path.Combine(repo, Path.GetFileName(file)), overwrite: true);
            }
            // A fresh signer memory each time: the kill may or may not have recorded the version it signed.
            var env = new Dictionary<string, string> { ["CHARTSEAL_HOME"] = t.File($"home-{rename}") };
            int exit = KillAtRename(t.Path, env, rename, "trust", "add", repo, "bob.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc");
            if (exit == 0)
            {
                break; // this run had fewer renames: every point was tried
            }
            Assert.Equal(137, exit); // SIGKILL, not a failure of its own
            killed++;

            // A reader sees version 2 (without Bob) or version 3 (with Bob), never a mixture.
            var store = new TrustStateStore(t.File($"state-{rename}"));
            var seen = await TrustUpdater.RefreshAsync(new FolderRepositorySource(repo), pin, store, DateTime.UtcNow, TestContext.Current.CancellationToken);
            var material = Assert.IsType<TrustResult.Accepted>(seen).Material;
            Assert.True(material.Version == 2 ? !material.PublicKeys.ContainsPrimary(bob) : material.Version == 3 && material.PublicKeys.ContainsPrimary(bob), $"kill at rename {rename}: version {material.Version}");
            // So does a client over HTTP, from the server that was running all along.
            var overHttp = await TrustUpdater.RefreshAsync(new HttpRepositorySource(address.ToString(), Chartseal.Fetch.FetchPolicy.PlainHttpAllowed), pin,
                new TrustStateStore(t.File($"http-state-{rename}")), DateTime.UtcNow, TestContext.Current.CancellationToken);
            Assert.Equal(material.Version, Assert.IsType<TrustResult.Accepted>(overHttp).Material.Version);

            // The next trust command completes (or discards) the interrupted change and goes on.
            Cli.AssertOk(Cli.Run(t.Path, env, "trust", "renew", repo, "--root-key", "root", "--root-keyring", "root.sec.asc"));
            Assert.False(Directory.Exists(Path.Combine(repo, FolderRepositorySource.StagedTrustFolder)));
            var after = await TrustUpdater.RefreshAsync(new FolderRepositorySource(repo), pin, store, DateTime.UtcNow, TestContext.Current.CancellationToken);
            Assert.True(Assert.IsType<TrustResult.Accepted>(after).Material.Version > material.Version);
        }
        Assert.True(killed >= 8, $"only {killed} rename points were interrupted");
    }

    private sealed class ServerStopper(Process server) : IDisposable
    {
        public void Dispose()
        {
            if (!server.HasExited)
            {
                server.Kill();
                server.WaitForExit();
            }
        }
    }

    /// <summary>Runs the CLI binary under strace, which kills it with SIGKILL at its <paramref name="rename"/>-th rename(2).</summary>
    private static int KillAtRename(string workDir, IDictionary<string, string> env, int rename, params string[] args)
    {
        var start = new ProcessStartInfo("strace") { WorkingDirectory = workDir, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in (string[])["-f", "-qq", "-o", "/dev/null", "-e", $"inject=rename:signal=SIGKILL:when={rename}", Path.Combine(TestPaths.RepoRoot, "artifacts", "cli", "Chartseal.Cli"), .. args])
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "strace did not finish");
        return process.ExitCode;
    }
}

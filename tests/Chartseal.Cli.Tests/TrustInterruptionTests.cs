using System.Diagnostics;
using Chartseal.Client;
using Chartseal.Tests.Support;
using Chartseal.Trust;

namespace Chartseal.Cli.Tests;

/// <summary>
/// A trust change killed at each of its renames (power loss, OOM killer), for real: a preloaded shim
/// (<c>Native/kill_at_rename.c</c>) sends SIGKILL to the running <c>chartseal trust add</c> at its n-th rename, counted
/// over all threads. Whatever the moment, readers see the old material or the new one, never a mixture, and the next
/// trust command completes the change.
/// </summary>
/// <remarks>
/// Not <c>strace -e inject=rename:signal=SIGKILL:when=N</c>: strace counts per thread, and the writes' continuations
/// resume on whichever pool thread is free, so some rename points were never reached on another machine.
/// </remarks>
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
        string shim = CompileShim(t.File("kill_at_rename.so"));
        string[] trustAdd = ["trust", "add", repo, "bob.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc"];

        // An uninterrupted run lists the renames to interrupt: the eight trust files (staged, then in place) and the
        // signer's memory.
        ResetTo(t.File("base"), repo);
        string log = t.File("renames.log");
        Assert.Equal(0, RunWithShim(t.Path, shim, new() { ["CHARTSEAL_HOME"] = t.File("home-0"), ["CHARTSEAL_RENAME_LOG"] = log }, trustAdd));
        int renames = File.ReadAllLines(log).Length;
        Assert.True(renames >= 9, $"expected the eight trust files and the signer's memory to be renamed into place, saw: {File.ReadAllText(log)}");

        for (int rename = 1; rename <= renames; rename++)
        {
            ResetTo(t.File("base"), repo);
            // A fresh signer memory each time: the kill may or may not have recorded the version it signed.
            var env = new Dictionary<string, string> { ["CHARTSEAL_HOME"] = t.File($"home-{rename}"), ["CHARTSEAL_KILL_AT_RENAME"] = rename.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            Assert.Equal(137, RunWithShim(t.Path, shim, env, trustAdd)); // SIGKILL at that rename, not a failure of its own

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

    /// <summary>Puts the repository back to the trust files of <paramref name="source"/>, with no staged change.</summary>
    private static void ResetTo(string source, string repo)
    {
        string staged = Path.Combine(repo, FolderRepositorySource.StagedTrustFolder);
        if (Directory.Exists(staged))
        {
            Directory.Delete(staged, recursive: true);
        }
        foreach (string file in Directory.GetFiles(source).Where(f => !Path.GetFileName(f).StartsWith('.')))
        {
            File.Copy(file, Path.Combine(repo, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>Builds the shim with the machine's C compiler (CI installs one for NativeAOT anyway).</summary>
    private static string CompileShim(string output)
    {
        string source = Path.Combine(TestPaths.RepoRoot, "tests", "Chartseal.Cli.Tests", "Native", "kill_at_rename.c");
        string compiler = new[] { "cc", "clang", "gcc" }.FirstOrDefault(c => Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, c))))
            ?? throw new InvalidOperationException("no C compiler (cc, clang or gcc) on PATH: .ci/run installs clang");
        var start = new ProcessStartInfo(compiler) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in (string[])["-shared", "-fPIC", "-O1", "-o", output, source, "-ldl"])
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        string errors = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)) && process.ExitCode == 0, $"{compiler} failed: {errors}");
        return output;
    }

    /// <summary>Runs the CLI binary with the shim preloaded; returns its exit code (137 when the shim killed it).</summary>
    private static int RunWithShim(string workDir, string shim, Dictionary<string, string> env, string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(TestPaths.RepoRoot, "artifacts", "cli", "Chartseal.Cli")) { WorkingDirectory = workDir, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }
        start.Environment["LD_PRELOAD"] = shim;
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "the CLI did not finish");
        process.WaitForExit();
        return process.ExitCode;
    }
}

using System.Diagnostics;
using System.Text.Json;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>Attacks by a hostile repository server on the client commands, through the built CLI.</summary>
public sealed class NetworkAttackTests
{
    private static void Ok(CliResult r) => Cli.AssertOk(r);

    /// <summary>A published, signed hello 0.1.0 in t/repo; returns the root fingerprint.</summary>
    private static string PublishHello(TempDirectory t)
    {
        string example = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root", "--expires", "1y"));
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane"));
        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Ok(Cli.Run(t.Path, "trust", "add", "repo", "jane.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        string root = JsonDocument.Parse(Cli.Run(t.Path, "trust", "show", "repo", "--output", "json").StdOut).RootElement.GetProperty("root").GetString()!;
        Ok(Cli.Run(t.Path, "package", example, "-d", "built", "--sign", "--key", "jane", "--keyring", "jane.sec.asc"));
        Ok(Cli.Run(t.Path, "publish", "built/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root));
        return root;
    }

    private static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes)
            : [];

    private static void TimedOut(CliResult r, string url, string after, TimeSpan took)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        string line = Assert.Single(r.StdErrLines);
        Assert.Contains($"{url}: timed out after {after} (the overall deadline of the command: set it with --timeout or CHARTSEAL_TIMEOUT)", line, StringComparison.Ordinal);
        Assert.True(took < TimeSpan.FromSeconds(15), $"took {took}");
    }

    [Fact]
    public void DripFeedServer_EveryNetworkCommandStopsAtItsDeadline_OneLineExit2NothingWritten()
    {
        using var t = new TempDirectory();
        string root = PublishHello(t);
        using var server = new HostileServer(t.File("repo"));
        Ok(Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--root-fingerprint", root, "--insecure-http"));
        string home = t.File(".chartseal-home");
        var clock = new Stopwatch();

        // repo update: the index drips; the cache keeps what it had.
        server.Drip["index.yaml"] = true;
        var before = Snapshot(home);
        clock.Restart();
        var update = Cli.Run(t.Path, "repo", "update", "--timeout", "2s");
        TimedOut(update, server.Url + "/index.yaml", "2s", clock.Elapsed);
        Assert.StartsWith("...Unable to get an update from the \"demo\" chart repository", update.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(home));
        server.Drip.Clear();

        // pull: the archive drips; the deadline comes from the environment; nothing is written.
        server.Drip["hello-0.1.0.tgz"] = true;
        clock.Restart();
        var pull = Cli.Run(t.Path, new Dictionary<string, string> { ["CHARTSEAL_TIMEOUT"] = "2s" }, "pull", "demo/hello", "-d", "pulled");
        TimedOut(pull, server.Url + "/hello-0.1.0.tgz", "2s", clock.Elapsed);
        Assert.False(Directory.Exists(t.File("pulled")) && Directory.EnumerateFileSystemEntries(t.File("pulled")).Any());

        // audit URL: the same archive drips.
        clock.Restart();
        var audit = Cli.Run(t.Path, "audit", server.Url, "--root-fingerprint", root, "--insecure-http", "--timeout", "2s");
        TimedOut(audit, server.Url + "/hello-0.1.0.tgz", "2s", clock.Elapsed);
        Assert.Empty(audit.StdOut);
        server.Drip.Clear();

        // verify --repo URL: the trust manifest drips.
        server.Drip["trust.yaml.asc"] = true;
        clock.Restart();
        var verify = Cli.Run(t.Path, "verify", "built/hello-0.1.0.tgz", "--repo", server.Url, "--root-fingerprint", root, "--insecure-http", "--timeout", "2s");
        TimedOut(verify, server.Url + "/trust.yaml.asc", "2s", clock.Elapsed);
        Assert.Empty(verify.StdOut);

        // A bad duration is bad usage.
        var bad = Cli.Run(t.Path, "pull", "demo/hello", "--timeout", "soon");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Equal("chartseal: --timeout: \"soon\" is not a duration (e.g. 30s, 5m, 1m30s, 1h)", Assert.Single(bad.StdErrLines));
    }

    [Fact]
    public void SilentRegistry_PushAndTrustWrites_StopAtTheTimeoutGiven_OneLineExit2()
    {
        // push, trust ... oci:// and index sign oci:// had no overall deadline: a registry that took the connection and
        // never answered held each request for minutes, whatever --timeout or CHARTSEAL_TIMEOUT said.
        using var t = new TempDirectory();
        string example = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root"));
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane"));
        Ok(Cli.Run(t.Path, "package", example, "-d", "built", "--sign", "--key", "jane", "--keyring", "jane.sec.asc"));
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(); // the kernel completes each connection; nothing ever answers
        string ns = $"oci://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}/charts";
        var clock = new Stopwatch();

        clock.Restart();
        var push = Cli.Run(t.Path, "push", "built/hello-0.1.0.tgz", ns, "--root-fingerprint", new string('A', 40), "--plain-http", "--timeout", "2s");
        TimeSpan pushTook = clock.Elapsed;
        clock.Restart();
        var trust = Cli.Run(t.Path, new Dictionary<string, string> { ["CHARTSEAL_TIMEOUT"] = "2s" },
            "trust", "add", ns, "jane.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc", "--plain-http");
        TimeSpan trustTook = clock.Elapsed;

        foreach (var (r, took) in new[] { (push, pushTook), (trust, trustTook) })
        {
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.Contains("timed out after 2s", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
            Assert.True(took < TimeSpan.FromSeconds(15), $"took {took}");
        }
    }

    private static byte[] Gzip(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return packed.ToArray();
    }

    /// <summary>A hostile copy of the repository: its trust files, and the given index.yaml.</summary>
    private static string HostileCopy(TempDirectory t, string index)
    {
        string dir = t.File("hostile");
        Directory.CreateDirectory(dir);
        foreach (string file in Directory.EnumerateFiles(t.File("repo")).Where(f => !f.EndsWith(".tgz", StringComparison.Ordinal) && !f.EndsWith(".prov", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)), overwrite: true);
        }
        File.WriteAllText(Path.Combine(dir, "index.yaml"), index);
        return dir;
    }

    [Fact]
    public void AuditUrl_SixteenSmallGzipAnswersOf100MiBEach_PeakMemoryStaysBounded()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "peak memory is read from /proc");
        using var t = new TempDirectory();
        string root = PublishHello(t);
        var index = new System.Text.StringBuilder("apiVersion: v1\nentries:\n  hello:\n");
        for (int i = 0; i < 16; i++)
        {
            index.Append($"  - apiVersion: v2\n    name: hello\n    version: 0.1.{i}\n    digest: x\n    urls: [bomb-{i}.tgz]\n");
        }
        using var server = new HostileServer(HostileCopy(t, index.ToString()));
        byte[] bomb = Gzip(new byte[99 * 1024 * 1024]); // about 100 KB on the wire
        for (int i = 0; i < 16; i++)
        {
            server.Encoded[$"bomb-{i}.tgz"] = (bomb, "gzip");
        }

        var (audit, peak) = Cli.RunMeasured(t.Path, "audit", server.Url, "--root-fingerprint", root, "--insecure-http");

        Assert.True(audit.ExitCode == 1, audit.ToString());
        Assert.Contains("16 of 16 chart versions are not trusted", audit.StdErr, StringComparison.Ordinal);
        // Sixteen parallel downloads held 16 x (a doubling MemoryStream and its copy): 3.9 GB. The memory budget lets
        // one compressed answer of unknown length in at a time (reserved at twice the archive limit).
        Assert.True(peak < 1L << 30, $"peak resident memory {peak / (1024 * 1024)} MiB");
    }

    [Fact]
    public void RepoAdd_A250KBGzipIndexOf250MiB_IsCachedWithoutACrashAndWithBoundedMemory()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "peak memory is read from /proc");
        using var t = new TempDirectory();
        string root = PublishHello(t);
        using var server = new HostileServer(HostileCopy(t, ""));
        using (var yaml = new MemoryStream())
        {
            yaml.Write("apiVersion: v1\nentries:\n  hello:\n  - apiVersion: v2\n    name: hello\n    version: 0.1.0\n    digest: x\n    urls: [hello-0.1.0.tgz]\n    description: \""u8);
            yaml.Write(System.Text.Encoding.ASCII.GetBytes(new string('x', 250 * 1024 * 1024)));
            yaml.Write("\"\ngenerated: \"2026-01-01T00:00:00Z\"\n"u8);
            server.Encoded["index.yaml"] = (Gzip(yaml.ToArray()), "gzip");
        }

        var (added, peak) = Cli.RunMeasured(t.Path, "repo", "add", "demo", server.Url, "--root-fingerprint", root, "--insecure-http");

        // Before: the whole index in a doubling MemoryStream and its copy, parsed, then a 250 MiB JSON string: 1.6 GB and
        // a stack trace. Now the download streams to the cache folder (hashed on the way) and the summary cuts the text.
        Cli.AssertOk(added);
        Assert.Contains("Index: 1 chart version", added.StdOut, StringComparison.Ordinal);
        Assert.True(peak < 1300L * 1024 * 1024, $"peak resident memory {peak / (1024 * 1024)} MiB");
        string cache = t.File(".chartseal-home/cache/demo");
        Assert.Equal(["index-summary.json", "index.yaml", "pubkeys.pgp", "revoked.pgp", "root.pgp", "trust.yaml.asc"],
            Directory.EnumerateFiles(cache).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.InRange(new FileInfo(Path.Combine(cache, "index-summary.json")).Length, 64 * 1024, 128 * 1024);
        var search = Cli.Run(t.Path, "search", "hello");
        Cli.AssertOk(search);
        Assert.Contains("demo/hello", search.StdOut, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chartseal.Charts;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;

namespace Chartseal.Cli.Tests;

/// <summary><c>chartseal serve</c> as a real process: started, killed with SIGKILL mid-upload, restarted.</summary>
public sealed class ServeCommandTests
{
    private const string Token = "ci-token";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Upload(string FileName, byte[] Archive, byte[] Provenance);

    [Fact]
    public async Task Serve_KilledDuringUploads_RepositoryStaysConsistentAndEveryChartLandsAfterRestart()
    {
        Cli.EnsureBuilt();
        using var f = new TrustFixture();
        DateTime now = DateTime.UtcNow;
        await f.InitWithTwoMaintainersAsync(now);
        await File.WriteAllTextAsync(f.Temp.File("tokens"), Token + "\n", Ct);
        var uploads = Enumerable.Range(0, 60).Select(i =>
        {
            var packaged = ChartPackager.Package(ChartFixtures.WriteSimpleChart(f.Temp.File($"src{i}"), $"chart{i:D2}", "1.0.0"));
            return new Upload(packaged.FileName, packaged.Archive, (i % 2 == 0 ? f.Alice : f.Bob).Sign(packaged.Archive, packaged.FileName, now));
        }).ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        int interrupted = 0;

        for (int round = 0; round < 3; round++)
        {
            var (server, address) = await StartServerAsync(f);
            // Fire every upload at once and kill the server while they are in flight.
            var inFlight = uploads.Select(u => TryUploadAsync(http, address, u)).ToList();
            await Task.Delay(40 + (round * 60), Ct);
            server.Kill();
            await server.WaitForExitAsync(Ct);
            interrupted += (await Task.WhenAll(inFlight)).Count(status => status is null);
            AssertConsistent(f.Repo);
        }
        Assert.True(interrupted > 0, "the kill should cut some uploads off");
        TestContext.Current.SendDiagnosticMessage($"uploads cut off by the kills: {interrupted}; landed before the last start: {Directory.EnumerateFiles(f.Repo, "*.prov").Count()}");

        var (last, lastAddress) = await StartServerAsync(f);
        try
        {
            Assert.Empty(Directory.EnumerateFiles(f.Repo, ".*.tmp")); // leftovers of the killed writers are gone
            foreach (var upload in uploads)
            {
                var status = await TryUploadAsync(http, lastAddress, upload);
                Assert.True(status is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{upload.FileName}: {status}");
            }
            var index = ChartIndex.Load(await http.GetStreamAsync(new Uri(lastAddress, "index.yaml"), Ct), "index.yaml");
            Assert.Equal(uploads.Count, index.Count);
            AssertConsistent(f.Repo);
        }
        finally
        {
            last.Kill();
            await last.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task Serve_NoArguments_CreatesRepoOnLoopbackAndSaysHowToInitialiseTrust()
    {
        Cli.EnsureBuilt();
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        var server = Cli.Start(temp.Path, "serve", "--listen", $"http://127.0.0.1:{Cli.FreePort()}");
        try
        {
            await WaitForAsync(() => File.Exists(Path.Combine(temp.Path, "server.err")) && File.ReadAllText(Path.Combine(temp.Path, "server.err")).Contains("Uploads: refused", StringComparison.Ordinal));
            await Task.Delay(200, Ct);
            string banner = await File.ReadAllTextAsync(Path.Combine(temp.Path, "server.err"), Ct);
            Assert.True(Directory.Exists(Path.Combine(temp.Path, "repo")));
            Assert.Contains("chartseal trust init", banner, StringComparison.Ordinal);
            // Each address once, and no upload example for a server that refuses uploads.
            Assert.Single(banner.Split('\n'), line => line.Contains("/ready", StringComparison.Ordinal));
            Assert.DoesNotContain("Upload a signed chart", banner, StringComparison.Ordinal);

            // The commands it prints run as printed, in order, in the folder the server was started from.
            var commands = banner.Split('\n').Where(line => line.StartsWith("  chartseal ", StringComparison.Ordinal)).Select(ShellWords).ToList();
            Assert.Equal(4, commands.Count);
            foreach (var words in commands)
            {
                Cli.AssertOk(Cli.Run(temp.Path, [.. words.Skip(1)]));
            }
            Assert.True(File.Exists(Path.Combine(temp.Path, "repo", "trust.yaml.asc")));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(Ct);
        }
    }

    /// <summary>A printed command line split as a shell would: on spaces, with double quotes grouping.</summary>
    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line.Trim())
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                }
                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }
        if (any)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    [Fact]
    public void Serve_AddressInUse_OneLineErrorExit2()
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var r = Cli.Run(temp.Path, "serve", "repo", "--listen", $"http://127.0.0.1:{port}");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("address already in use", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public async Task Serve_ChartMuseumEnvironmentVariables_AreRead()
    {
        Cli.EnsureBuilt();
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        int port = Cli.FreePort();
        var env = new Dictionary<string, string>
        {
            ["CONTEXT_PATH"] = "/charts",
            ["BASIC_AUTH_USER"] = "ci",
            ["BASIC_AUTH_PASS"] = "s3cret",
            ["DISABLE_DELETE"] = "true",
        };
        var server = Cli.Start(temp.Path, env, "serve", "--listen", $"http://127.0.0.1:{port}");
        try
        {
            await WaitForAsync(() => File.Exists(Path.Combine(temp.Path, "server.err")) && File.ReadAllText(Path.Combine(temp.Path, "server.err")).Contains("Upload a signed chart", StringComparison.Ordinal));
            string banner = await File.ReadAllTextAsync(Path.Combine(temp.Path, "server.err"), Ct);
            Assert.Contains($"http://127.0.0.1:{port}/charts/index.yaml", banner, StringComparison.Ordinal);
            Assert.Contains("Uploads: require a Basic user", banner, StringComparison.Ordinal);
            Assert.Contains($"  curl -u USER:PASSWORD -F chart=@mysql-1.2.3.tgz", banner, StringComparison.Ordinal);
            // ChartMuseum would have asked for the user on reads too: the banner says they are open here, and how to close them.
            Assert.Contains("Reads: open to everyone. ChartMuseum asked for credentials on reads when BASIC_AUTH_USER was set", banner, StringComparison.Ordinal);
            using var http = new HttpClient();
            Assert.Contains("contextPath: /charts", await http.GetStringAsync($"http://127.0.0.1:{port}/charts/index.yaml", Ct), StringComparison.Ordinal);
            using var delete = new HttpRequestMessage(HttpMethod.Delete, $"http://127.0.0.1:{port}/charts/api/charts/x/1.0.0");
            delete.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("ci:s3cret"u8.ToArray()));
            using var refused = await http.SendAsync(delete, Ct);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task Serve_ChartMuseumsAnonymousGetFalse_WithItsBasicUser_KeepsReadsPrivate()
    {
        Cli.EnsureBuilt();
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        int port = Cli.FreePort();
        var env = new Dictionary<string, string>
        {
            ["BASIC_AUTH_USER"] = "ci",
            ["BASIC_AUTH_PASS"] = "s3cret",
            ["AUTH_ANONYMOUS_GET"] = "false",
        };
        var server = Cli.Start(temp.Path, env, "serve", "--listen", $"http://127.0.0.1:{port}");
        try
        {
            await WaitForAsync(() => File.Exists(Path.Combine(temp.Path, "server.err")) && File.ReadAllText(Path.Combine(temp.Path, "server.err")).Contains("Upload a signed chart", StringComparison.Ordinal));
            Assert.Contains("Reads: require the same credentials", await File.ReadAllTextAsync(Path.Combine(temp.Path, "server.err"), Ct), StringComparison.Ordinal);
            using var http = new HttpClient();
            using (var anonymous = await http.GetAsync($"http://127.0.0.1:{port}/index.yaml", Ct))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }
            using var read = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/index.yaml");
            read.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("ci:s3cret"u8.ToArray()));
            using var allowed = await http.SendAsync(read, Ct);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(Ct);
        }
    }

    [Theory]
    [InlineData("ALLOW_OVERWRITE", "maybe")]
    [InlineData("MAX_UPLOAD_SIZE", "20MB")]
    [InlineData("BASIC_AUTH_USER", "ci")]
    [InlineData("CONTEXT_PATH", "/a/../b")]
    public void Serve_BadEnvironmentVariable_OneLineErrorExit2(string name, string value)
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();

        var r = Cli.Run(temp.Path, new Dictionary<string, string> { [name] = value }, "serve", "repo", "--listen", $"http://127.0.0.1:{Cli.FreePort()}");

        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.StdErrLines);
        Assert.True(line.Contains(name, StringComparison.Ordinal) || line.Contains(name.ToLowerInvariant().Replace('_', '-'), StringComparison.Ordinal), line);
    }

    [Theory]
    [InlineData("--listen", "http://127.0.0.1:99999", "--listen is not an address")]
    [InlineData("--listen", "bogus", "--listen is not an address")]
    [InlineData("--listen", "https://127.0.0.1:8443", "--listen https:// needs the server's certificate: give --tls-cert and --tls-key")]
    [InlineData("--listen", "ftp://127.0.0.1:21", "unknown scheme")]
    [InlineData("--listen", "http://127.0.0.1:8080/charts", "--context-path")]
    [InlineData("--listen", "http://example.com:8080", "example.com is a host name")]
    [InlineData("--max-upload-size", "-5", "--max-upload-size -5: not a positive whole number")]
    [InlineData("--max-upload-size", "0", "--max-upload-size 0: not a positive whole number")]
    [InlineData("--max-upload-size", "abc", "--max-upload-size abc: not a positive whole number")]
    [InlineData("--writes-per-minute", "0", "--writes-per-minute 0")]
    public void Serve_InvalidSetting_OneLineErrorExit2_NoStackTrace(string option, string value, string expected)
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();

        var r = Cli.Run(temp.Path, "serve", "repo", option, value);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(expected, Assert.Single(r.StdErrLines), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing certificate", "tls.crt: --tls-cert: no such file")]
    [InlineData("not PEM", "tls.crt: --tls-cert: holds no PEM certificate")]
    [InlineData("key of another certificate", "tls.key: --tls-key: this private key does not belong to the certificate of")]
    [InlineData("encrypted key", "tls.key: --tls-key: the private key is encrypted")]
    [InlineData("expired certificate", "tls.crt: --tls-cert: the certificate expired at")]
    [InlineData("CA file without a certificate", "ca.pem: --tls-ca-cert: holds no PEM certificate")]
    [InlineData("key without certificate", "--tls-key needs --tls-cert")]
    [InlineData("certificate with http", "--listen: with --tls-cert the server speaks https only; write --listen https://127.0.0.1:")]
    public void Serve_BadTlsInput_OneLineErrorExit2_NoStackTrace_NothingListens(string input, string expected)
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        using var ca = new TestCertificateAuthority("CLI test CA");
        using (var server = ca.IssueLoopbackServer(ec: input == "encrypted key"))
        {
            TestCertificateAuthority.WritePem(server, temp.File("tls.crt"), temp.File("tls.key"));
            if (input == "encrypted key")
            {
                using var key = server.GetECDsaPrivateKey()!;
                File.WriteAllText(temp.File("tls.key"), key.ExportEncryptedPkcs8PrivateKeyPem("pass", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)));
            }
        }
        string scheme = "https";
        string[] tls = ["--tls-cert", "tls.crt", "--tls-key", "tls.key"];
        switch (input)
        {
            case "missing certificate":
                File.Delete(temp.File("tls.crt"));
                break;
            case "not PEM":
                File.WriteAllText(temp.File("tls.crt"), "certificate goes here\n");
                break;
            case "key of another certificate":
                using (var other = ca.IssueLoopbackServer())
                {
                    File.WriteAllText(temp.File("tls.key"), TestCertificateAuthority.KeyPem(other));
                }
                break;
            case "expired certificate":
                using (var expired = ca.IssueLoopbackServer(ec: false, DateTimeOffset.UtcNow.AddDays(-20), DateTimeOffset.UtcNow.AddDays(-2)))
                {
                    TestCertificateAuthority.WritePem(expired, temp.File("tls.crt"), temp.File("tls.key"));
                }
                break;
            case "CA file without a certificate":
                File.WriteAllText(temp.File("ca.pem"), "");
                tls = [.. tls, "--tls-ca-cert", "ca.pem"];
                break;
            case "key without certificate":
                tls = ["--tls-key", "tls.key"];
                break;
            case "certificate with http":
                scheme = "http";
                break;
        }
        int port = Cli.FreePort();

        var r = Cli.Run(temp.Path, ["serve", "repo", "--listen", $"{scheme}://127.0.0.1:{port}", .. tls]);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(expected, Assert.Single(r.StdErrLines), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.File("repo")), "nothing is made before the TLS settings are checked");
    }

    [Fact]
    public async Task Serve_ChartMuseumsTlsVariablesAndPort_ServeHttpsOnThatPort()
    {
        Cli.EnsureBuilt();
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        using var ca = new TestCertificateAuthority("CLI test CA");
        using (var certificate = ca.IssueLoopbackServer(ec: true))
        {
            TestCertificateAuthority.WritePem(certificate, temp.File("tls.crt"), temp.File("tls.key"), "sec1");
        }
        int port = Cli.FreePort();
        var env = new Dictionary<string, string> { ["TLS_CERT"] = "tls.crt", ["TLS_KEY"] = "tls.key", ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["LISTEN_HOST"] = "127.0.0.1" };
        var server = Cli.Start(temp.Path, env, "serve");
        try
        {
            await WaitForAsync(() => File.Exists(temp.File("server.err")) && File.ReadAllText(temp.File("server.err")).Contains("Uploads:", StringComparison.Ordinal));
            Assert.Contains($"Serving {temp.File("repo")} at https://127.0.0.1:{port}/index.yaml", await File.ReadAllTextAsync(temp.File("server.err"), Ct), StringComparison.Ordinal);
            using var http = ca.TrustingClient();
            Assert.Contains("\"healthy\":true", await http.GetStringAsync($"https://127.0.0.1:{port}/health", Ct), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task Serve_TlsFilesFromAShellsProcessSubstitution_AreServed_AndTheBannerSaysTheyAreReadOnce()
    {
        Cli.EnsureBuilt();
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        using var ca = new TestCertificateAuthority("CLI test CA");
        using (var certificate = ca.IssueLoopbackServer(ec: true))
        {
            TestCertificateAuthority.WritePem(certificate, temp.File("tls.crt"), temp.File("tls.key"));
        }
        Directory.CreateDirectory(temp.File(".chartseal-home"));
        int port = Cli.FreePort();
        // What an operator types to keep the key off the disk: bash hands the server /dev/fd/N, pipes read once.
        var start = new System.Diagnostics.ProcessStartInfo("/bin/bash") { UseShellExecute = false, WorkingDirectory = temp.Path };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec \"$0\" serve repo --listen https://127.0.0.1:{port} --tls-cert <(cat tls.crt) --tls-key <(cat tls.key) >>server.out 2>>server.err");
        start.ArgumentList.Add(Path.Combine(Chartseal.Tests.Support.TestPaths.RepoRoot, "chartseal"));
        start.Environment["CHARTSEAL_HOME"] = temp.File(".chartseal-home");
        using var server = System.Diagnostics.Process.Start(start)!;
        try
        {
            await WaitForAsync(() => File.Exists(temp.File("server.err")) && File.ReadAllText(temp.File("server.err")).Contains("Uploads:", StringComparison.Ordinal));
            string banner = await File.ReadAllTextAsync(temp.File("server.err"), Ct);
            Assert.Matches(@"from /dev/fd/\d+ \(a pipe, read once: a renewal needs a restart\)", banner);
            using var http = ca.TrustingClient();
            Assert.Contains("\"healthy\":true", await http.GetStringAsync($"https://127.0.0.1:{port}/health", Ct), StringComparison.Ordinal);
            await Task.Delay(1100, Ct); // past the look interval: the pipes are not looked at again
            Assert.Contains("\"healthy\":true", await http.GetStringAsync($"https://127.0.0.1:{port}/health", Ct), StringComparison.Ordinal);
            string log = await File.ReadAllTextAsync(temp.File("server.out"), Ct);
            Assert.DoesNotContain("\"tls: ", log, StringComparison.Ordinal);
            Assert.Contains(" (a pipe, read once), no client certificate asked for", log, StringComparison.Ordinal);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public void Serve_RootFingerprintTheRepositoryDoesNotHave_RefusedAtStartUp()
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root", "--expires", "1y"));
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Other <other@example.com>", "--out", "other"));
        Cli.AssertOk(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        string other = Cli.Run(t.Path, "key", "fingerprint", "other.pub.asc").StdOut.Trim();

        var r = Cli.Run(t.Path, "serve", "repo", "--listen", $"http://127.0.0.1:{Cli.FreePort()}", "--root-fingerprint", other);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"--root-fingerprint {other} is not the root of this repository's trust material", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_UnknownOption_RefusedNotServedAsAFolder()
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();

        var r = Cli.Run(temp.Path, "serve", "--bogus");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--bogus", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "--bogus")));
    }

    // ChartMuseum's flags that chartseal serve spells otherwise (docs/chartmuseum-migration.md), typed out of habit: one
    // line saying what to give instead, before anything is created or listens.
    [Theory]
    [InlineData(new[] { "--port", "8080" }, "--port is ChartMuseum's flag; chartseal serve takes --listen http://HOST:PORT")]
    [InlineData(new[] { "--port=8080" }, "--port is ChartMuseum's flag; chartseal serve takes --listen http://HOST:PORT")]
    [InlineData(new[] { "--listen-host", "0.0.0.0" }, "--listen-host is ChartMuseum's flag; chartseal serve takes --listen http://HOST:PORT")]
    [InlineData(new[] { "--storage", "local", "--storage-local-rootdir", "charts" }, "--storage is ChartMuseum's flag; chartseal serve serves a local folder, given as its argument: chartseal serve DIR")]
    [InlineData(new[] { "--storage-local-rootdir", "charts" }, "--storage-local-rootdir is ChartMuseum's flag; chartseal serve serves a local folder, given as its argument: chartseal serve DIR")]
    [InlineData(new[] { "--bearer-auth" }, "--bearer-auth is ChartMuseum's flag; chartseal serve takes static bearer tokens from --upload-token-file FILE")]
    [InlineData(new[] { "--enable-metrics" }, "--enable-metrics is ChartMuseum's flag; chartseal serve serves /metrics unless --disable-metrics")]
    public void Serve_ChartMuseumsFlagSpeltOtherwiseHere_OneLineSayingWhatToGive(string[] args, string expected)
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();

        var r = Cli.Run(temp.Path, ["serve", .. args]);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("chartseal serve: " + expected, Assert.Single(r.StdErrLines), StringComparison.Ordinal);
        Assert.EndsWith("(docs/chartmuseum-migration.md)", r.StdErrLines[0], StringComparison.Ordinal);
        Assert.Equal([".chartseal-home"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName)); // no repository folder made
    }

    [Fact]
    public async Task DemoScript_UploadsASignedChartAndIsRefusedAnUntrustedOne()
    {
        // No port given: the demo asks for a free one and reads the address back from the server.
        var (exitCode, output) = await RunDemoAsync();

        Assert.True(exitCode == 0, output);
        Assert.Contains("\"saved\":true", output, StringComparison.Ordinal);
        Assert.Contains("\"error\":\"signer-not-trusted\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoScript_FailsWhenItsServerDies()
    {
        // A port another server holds: the demo's own server exits at once, and the demo must say so and fail,
        // not talk to the other server.
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;

        var (exitCode, output) = await RunDemoAsync(port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exitCode == 1, output);
        Assert.Contains("demo-server: the server exited", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"saved\"", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunDemoAsync(params string[] args)
    {
        Cli.EnsureBuilt();
        var start = new ProcessStartInfo(Path.Combine(Chartseal.Tests.Support.TestPaths.RepoRoot, "examples", "demo-server.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var demo = Process.Start(start)!;
        var stdout = demo.StandardOutput.ReadToEndAsync(Ct);
        var stderr = demo.StandardError.ReadToEndAsync(Ct);
        await demo.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(3), Ct);
        return (demo.ExitCode, await stdout + await stderr);
    }

    // Every index entry has its archive (with the indexed digest) and its .prov; no half file under a served name.
    private static void AssertConsistent(string repo)
    {
        string indexPath = Path.Combine(repo, "index.yaml");
        if (!File.Exists(indexPath))
        {
            return;
        }
        using var stream = File.OpenRead(indexPath);
        var index = ChartIndex.Load(stream, indexPath);
        foreach (var entry in index.Entries.Values.SelectMany(v => v))
        {
            string archive = Path.Combine(repo, entry.Urls[0]);
            Assert.True(File.Exists(archive), archive);
            Assert.True(File.Exists(archive + ".prov"), archive + ".prov");
            Assert.Equal(entry.Digest, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(archive))));
        }
        foreach (string file in Directory.EnumerateFiles(repo, "*.tgz"))
        {
            _ = ChartArchive.Read(File.ReadAllBytes(file), Path.GetFileName(file), ArchiveLimits.Default); // whole, never torn
        }
    }

    [Fact]
    public async Task Serve_DiskFullDuringAnUpload_507InsufficientStorageAndTheRepositoryUnchanged()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && CanMountTmpfs(), "needs a private mount namespace (unshare -Urm) for a small tmpfs");
        Cli.EnsureBuilt();
        using var f = new TrustFixture();
        DateTime now = DateTime.UtcNow;
        await f.InitWithTwoMaintainersAsync(now);
        await File.WriteAllTextAsync(f.Temp.File("tokens"), Token + "\n", Ct);
        string source = ChartFixtures.WriteSimpleChart(f.Temp.File("src"), "big", "1.0.0");
        await File.WriteAllBytesAsync(Path.Combine(source, "blob.bin"), RandomNumberGenerator.GetBytes(256 * 1024), Ct);
        var packaged = ChartPackager.Package(source);
        var upload = new Upload(packaged.FileName, packaged.Archive, f.Alice.Sign(packaged.Archive, packaged.FileName, now));

        // The repository is copied onto a 128 KiB tmpfs, in a mount namespace of the server's own: the archive does not
        // fit, and the write fails with ENOSPC, as on a full disk.
        string small = f.Temp.File("small-disk");
        Directory.CreateDirectory(small);
        int port = Cli.FreePort();
        var start = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = f.Temp.Path };
        foreach (string arg in new[] { "-Urm", "sh", "-c", "mount -t tmpfs -o size=128k tmpfs \"$0\" && cp -R \"$1\"/. \"$0\"/ && shift && exec \"$@\"",
            small, f.Repo, Path.Combine(TestPaths.RepoRoot, "chartseal"), "serve", small, "--listen", $"http://127.0.0.1:{port}",
            "--upload-token-file", f.Temp.File("tokens"), "--root-fingerprint", f.Root.Fingerprint })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CHARTSEAL_HOME"] = f.Temp.File("home");
        using var server = Process.Start(start)!;
        var log = server.StandardOutput.ReadToEndAsync(Ct);
        var errors = server.StandardError.ReadToEndAsync(Ct);
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await WaitForAsync(async () =>
            {
                try
                {
                    return (await http.GetAsync(new Uri(address, "health"), Ct)).IsSuccessStatusCode;
                }
                catch (HttpRequestException) when (!server.HasExited)
                {
                    return false;
                }
            });
            // The server's view of its folder, through its own mount namespace.
            string served = $"/proc/{server.Id}/root{small}";
            string[] Names() => [.. Directory.EnumerateFileSystemEntries(served).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
            string[] before = Names();
            byte[] index = await http.GetByteArrayAsync(new Uri(address, "index.yaml"), Ct);

            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(upload.Archive), "chart", upload.FileName },
                { new ByteArrayContent(upload.Provenance), "prov", upload.FileName + ".prov" },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "api/charts")) { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await http.SendAsync(request, Ct);
            string body = await response.Content.ReadAsStringAsync(Ct);

            // Before: a bare 500 "server-error".
            Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)response.StatusCode} {body}");
            using var json = System.Text.Json.JsonDocument.Parse(body);
            Assert.Equal("insufficient-storage", json.RootElement.GetProperty("error").GetString());
            Assert.Contains("the repository is unchanged", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(before, Names());
            Assert.Equal(index, await http.GetByteArrayAsync(new Uri(address, "index.yaml"), Ct));
            Assert.False(server.HasExited);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(Ct);
            TestContext.Current.SendDiagnosticMessage(await log + await errors);
        }
    }

    private static bool CanMountTmpfs()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("unshare", ["-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"]) { RedirectStandardError = true, UseShellExecute = false })!;
            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static Task<(Process Server, Uri Address)> StartServerAsync(TrustFixture f) =>
        Cli.StartServeAsync(f.Temp.Path, f.Repo,
            ["--upload-token-file", f.Temp.File("tokens"), "--root-fingerprint", f.Root.Fingerprint, "--writes-per-minute", "100000"], Ct);

    private static async Task<HttpStatusCode?> TryUploadAsync(HttpClient http, Uri address, Upload upload)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(upload.Archive), "chart", upload.FileName },
            { new ByteArrayContent(upload.Provenance), "prov", upload.FileName + ".prov" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "api/charts")) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        try
        {
            using var response = await http.SendAsync(request, Ct);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // the server was killed under it
        }
    }

    private static Task WaitForAsync(Func<bool> condition) => WaitForAsync(() => Task.FromResult(condition()));

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the server did not come up");
            }
            await Task.Delay(50, Ct);
        }
    }
}

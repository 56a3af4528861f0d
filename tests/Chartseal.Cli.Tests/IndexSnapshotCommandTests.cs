using System.Net.Http.Headers;
using System.Text.Json;
using Chartseal.Keys;
using Chartseal.Repository;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Cli.Tests;

/// <summary>
/// The signed index from the command line, as a user meets it: the root delegates an index key, CI signs the index of a
/// static repository (<c>index sign</c>, <c>publish --index-key</c>), <c>chartseal serve --index-key</c> signs after each
/// upload, clients refuse a stale or tampered index with one line and exit 1, and plain gpg checks the snapshot.
/// </summary>
public sealed class IndexSnapshotCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Keys made by <c>chartseal key generate</c> (root, maintainer, index key) and a repository trusting the maintainer, with the index key delegated.</summary>
    private sealed class Setup : IDisposable
    {
        public Setup()
        {
            Cli.EnsureBuilt();
            foreach (string who in new[] { "root", "jane", "index" })
            {
                var generated = Cli.Run(T.Path, "key", "generate", "--name", $"{who} <{who}@example.com>", "--out", who, "--expires", "1y");
                Cli.AssertOk(generated);
                Fingerprints[who] = generated.StdOut.Split('\n')[0].Replace("Generated key ", "", StringComparison.Ordinal).Trim();
            }
            Directory.CreateDirectory(Repo);
            Cli.AssertOk(Cli.Run(T.Path, ["trust", "init", Repo, .. RootKey]));
            Cli.AssertOk(Cli.Run(T.Path, ["trust", "add", Repo, T.File("jane.pub.asc"), .. RootKey]));
            var added = Cli.Run(T.Path, ["trust", "index-key", "add", Repo, T.File("index.pub.asc"), "--max-lifetime", "3d", .. RootKey]);
            Cli.AssertOk(added);
            Assert.Contains($"Index key {Fingerprints["index"]} index <index@example.com> (snapshots live at most 3 days)", added.StdOut, StringComparison.Ordinal);
        }

        public TempDirectory T { get; } = new();
        public Dictionary<string, string> Fingerprints { get; } = new(StringComparer.Ordinal);
        public string Root => Fingerprints["root"];
        public string Repo => T.File("repo");
        public string[] RootKey => ["--root-key", "root", "--root-keyring", T.File("root.sec.asc")];
        public string[] IndexKey => ["--key", "index", "--keyring", T.File("index.sec.asc")];

        public string Package(string version)
        {
            Cli.AssertOk(Cli.Run(T.Path, "package", Path.Combine(TestPaths.RepoRoot, "examples", "hello"), "-d", "out", "--version", version,
                "--sign", "--key", "jane", "--keyring", T.File("jane.sec.asc")));
            return T.File($"out/hello-{version}.tgz");
        }

        public void Dispose() => T.Dispose();
    }

    [Fact]
    public void StaticRepository_SignedInCi_ClientsUpdateThroughTheSnapshot_AndGpgChecksIt()
    {
        using var s = new Setup();
        var published = Cli.Run(s.T.Path, ["publish", s.Package("0.1.0"), "--repo", s.Repo, "--root-fingerprint", s.Root, "--index-key", "index", "--index-keyring", s.T.File("index.sec.asc")]);
        Cli.AssertOk(published);
        Assert.Contains("Signed snapshot.yaml.asc version ", published.StdOut, StringComparison.Ordinal);
        var show = Cli.Run(s.T.Path, "trust", "show", s.Repo, "-o", "json");
        Cli.AssertOk(show);
        using (var json = JsonDocument.Parse(show.StdOut))
        {
            Assert.Equal(s.Fingerprints["index"], json.RootElement.GetProperty("indexKeys")[0].GetProperty("fingerprint").GetString());
            Assert.Equal(3 * 24 * 3600, json.RootElement.GetProperty("snapshotMaxLifetimeSeconds").GetInt64());
        }

        using var server = new FolderServer(s.Repo);
        var add = Cli.Run(s.T.Path, "repo", "add", "charts", server.Url, "--root-fingerprint", s.Root, "--insecure-http");
        Cli.AssertOk(add);
        Assert.Contains("Index: 1 chart version, signed snapshot version ", add.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path.EndsWith("/index.yaml", StringComparison.Ordinal)); // the signed copy only

        // A publish without the index key: the snapshot still names the old index, so clients keep seeing 0.1.0 only.
        var unsigned = Cli.Run(s.T.Path, "publish", s.Package("0.2.0"), "--repo", s.Repo, "--root-fingerprint", s.Root);
        Cli.AssertOk(unsigned);
        Assert.Contains("Note: the repository signs its index; clients see this version once its snapshot is signed again", unsigned.StdOut, StringComparison.Ordinal);
        Cli.AssertOk(Cli.Run(s.T.Path, "repo", "update"));
        Cli.AssertOk(Cli.Run(s.T.Path, "pull", "charts/hello", "-d", "first"));
        Assert.True(File.Exists(s.T.File("first/hello-0.1.0.tgz")));

        var sign = Cli.Run(s.T.Path, ["index", "sign", s.Repo, .. s.IndexKey, "--expires", "12h"]);
        Cli.AssertOk(sign);
        Assert.Matches(@"^Signed snapshot\.yaml\.asc version \d+ for index\.sha256-[0-9a-f]{64}\.yaml \(\d+ bytes\), trust version 3, expires \S+, by index key [0-9A-F]{40}\n$", sign.StdOut);
        var update = Cli.Run(s.T.Path, "repo", "update");
        Cli.AssertOk(update);
        Assert.Contains("index: 2 chart versions, signed snapshot version", update.StdOut, StringComparison.Ordinal);
        Cli.AssertOk(Cli.Run(s.T.Path, "pull", "charts/hello", "-d", "second"));
        Assert.True(File.Exists(s.T.File("second/hello-0.2.0.tgz")));

        // helm repo index's counterpart rewrites index.yaml; clients keep the signed copy, and the user is told so.
        var reindexed = Cli.Run(s.T.Path, "repo", "index", s.Repo);
        Cli.AssertOk(reindexed);
        Assert.Contains("Note: the repository signs its index; clients keep the signed one until its snapshot is signed again", reindexed.StdOut, StringComparison.Ordinal);
        Cli.AssertOk(Cli.Run(s.T.Path, "repo", "update"));
        Cli.AssertOk(Cli.Run(s.T.Path, "pull", "charts/hello", "--version", "0.2.0", "-d", "third"));

        // gpg, given only the index key's public key, checks the snapshot as the clear-signed document it is.
        if (GpgHome.IsAvailable)
        {
            using var gpg = new GpgHome();
            gpg.RunChecked("--import", s.T.File("index.pub.asc"));
            var verified = gpg.Run("--verify", Path.Combine(s.Repo, IndexSnapshot.FileName));
            Assert.True(verified.ExitCode == 0, verified.StdErr);
            Assert.Contains("Good signature from \"index <index@example.com>\"", verified.StdErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PullByUrl_ARepositoryThatSignsItsIndex_ChoosesFromTheSignedIndexOnly_AndRefusesItWithoutItsSnapshot()
    {
        using var s = new Setup();
        Cli.AssertOk(Cli.Run(s.T.Path, ["publish", s.Package("0.1.0"), "--repo", s.Repo, "--root-fingerprint", s.Root, "--index-key", "index", "--index-keyring", s.T.File("index.sec.asc")]));
        // 0.2.0 published without the index key: index.yaml lists it, the snapshot still signs the index without it.
        Cli.AssertOk(Cli.Run(s.T.Path, "publish", s.Package("0.2.0"), "--repo", s.Repo, "--root-fingerprint", s.Root));
        using var server = new FolderServer(s.Repo);
        string[] byUrl = ["--repo", server.Url, "--root-fingerprint", s.Root, "--plain-http"];

        var pulled = Cli.Run(s.T.Path, ["pull", "hello", "-d", "pulled", .. byUrl]);

        Cli.AssertOk(pulled);
        Assert.EndsWith("Pulled: pulled/hello-0.1.0.tgz\n", pulled.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path.EndsWith("/index.yaml", StringComparison.Ordinal)); // the signed copy only
        var unsigned = Cli.Run(s.T.Path, ["pull", "hello", "--version", "0.2.0", "-d", "unsigned", .. byUrl]);
        Assert.Equal(2, unsigned.ExitCode);
        Assert.Contains($"{server.Url}/hello: no version matches \"0.2.0\"", Assert.Single(unsigned.StdErrLines), StringComparison.Ordinal);

        // The snapshot gone (a mirror that serves only index.yaml): refused, exit 1, nothing written.
        File.Delete(Path.Combine(s.Repo, IndexSnapshot.FileName));
        var refused = Cli.Run(s.T.Path, ["pull", "hello", "-d", "refused", .. byUrl]);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"chartseal: {server.Url}/{IndexSnapshot.FileName}: index-", Assert.Single(refused.StdErrLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(s.T.File("unsigned")));
        Assert.False(Directory.Exists(s.T.File("refused")));
    }

    [Fact]
    public void Audit_SnapshotRefused_TheJsonStillNamesTheVerifiedTrustVersionAndRoot()
    {
        using var s = new Setup();
        // Published without --index-key: index.yaml changed, and no snapshot signs it.
        Cli.AssertOk(Cli.Run(s.T.Path, "publish", s.Package("0.1.0"), "--repo", s.Repo, "--root-fingerprint", s.Root));
        long version;
        using (var show = JsonDocument.Parse(Cli.Run(s.T.Path, "trust", "show", s.Repo, "-o", "json").StdOut))
        {
            version = show.RootElement.GetProperty("version").GetInt64();
        }

        var audit = Cli.Run(s.T.Path, "audit", s.Repo, "--root-fingerprint", s.Root, "-o", "json");

        Assert.True(audit.ExitCode == 1, audit.ToString());
        using var json = JsonDocument.Parse(audit.StdOut);
        Assert.StartsWith("index-", json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // The trust material was read and verified before the snapshot was refused: its version and root are known.
        Assert.Equal(version, json.RootElement.GetProperty("trustVersion").GetInt64());
        Assert.Equal(s.Root, json.RootElement.GetProperty("trustRoot").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("charts").GetArrayLength());
    }

    [Fact]
    public void PublishResignOnly_WithTheIndexKey_SignsAFreshSnapshot_RatherThanIgnoringTheOption()
    {
        using var s = new Setup();
        string chart = s.Package("0.1.0");
        string[] indexKey = ["--index-key", "index", "--index-keyring", s.T.File("index.sec.asc")];
        Cli.AssertOk(Cli.Run(s.T.Path, ["publish", chart, "--repo", s.Repo, "--root-fingerprint", s.Root, .. indexKey]));
        string before = File.ReadAllText(Path.Combine(s.Repo, IndexSnapshot.FileName));
        Thread.Sleep(1100); // a snapshot's version counts seconds

        Cli.AssertOk(Cli.Run(s.T.Path, "sign", chart, "--key", "jane", "--keyring", s.T.File("jane.sec.asc")));
        var resigned = Cli.Run(s.T.Path, ["publish", chart, "--repo", s.Repo, "--root-fingerprint", s.Root, "--resign-only", .. indexKey]);

        Cli.AssertOk(resigned);
        Assert.Contains("Signed snapshot.yaml.asc version ", resigned.StdOut, StringComparison.Ordinal);
        Assert.NotEqual(before, File.ReadAllText(Path.Combine(s.Repo, IndexSnapshot.FileName)));
    }

    [Fact]
    public async Task StaleOrTamperedIndex_UpdateAndSearchRefuse_OneLineExit1_AndTheCacheIsKept()
    {
        using var s = new Setup();
        Cli.AssertOk(Cli.Run(s.T.Path, ["publish", s.Package("0.1.0"), "--repo", s.Repo, "--root-fingerprint", s.Root, "--index-key", "index", "--index-keyring", s.T.File("index.sec.asc")]));
        using var server = new FolderServer(s.Repo);
        Cli.AssertOk(Cli.Run(s.T.Path, "repo", "add", "charts", server.Url, "--root-fingerprint", s.Root, "--insecure-http"));

        // A snapshot signed two days ago for one day, by a second index key made a week ago (a frozen mirror keeps serving it).
        DateTime now = DateTime.UtcNow;
        var old = new TestKey("Old index <old-index@example.com>", now.AddDays(-7));
        File.WriteAllText(s.T.File("old-index.pub.asc"), old.Generated.PublicKeyArmored);
        Cli.AssertOk(Cli.Run(s.T.Path, ["trust", "index-key", "add", s.Repo, s.T.File("old-index.pub.asc"), .. s.RootKey]));
        var key = SigningKeySelector.Select(Keyring.Load(s.T.File("index.sec.asc")), "index", now);
        var fresh = await IndexSnapshotWriter.SignAsync(s.Repo, new IndexSigner(key, key.Unlock(null)), TimeSpan.FromDays(1), now, Ct);
        Cli.AssertOk(Cli.Run(s.T.Path, "repo", "update", "charts"));
        var stale = fresh with { Version = fresh.Version + 1, Expires = now.AddDays(-1) };
        var oldKey = SigningKeySelector.Select(old.Secret, old.Fingerprint, now.AddDays(-2));
        File.WriteAllBytes(Path.Combine(s.Repo, IndexSnapshot.FileName), Provenance.ProvenanceSigner.Sign(stale.Serialize(), oldKey.Unlock(null), oldKey.SecretKey.PublicKey, now.AddDays(-2)));
        var frozen = Cli.Run(s.T.Path, "repo", "update", "charts");
        Assert.Equal(1, frozen.ExitCode);
        string line = Assert.Single(frozen.StdErrLines);
        Assert.Contains("snapshot.yaml.asc: index-expired: snapshot.yaml.asc version ", line, StringComparison.Ordinal);
        Assert.Contains("ago: the index may be hiding newer versions", line, StringComparison.Ordinal);

        // The cache still holds the fresh snapshot and its index: search works until that one expires too. Put the
        // frozen one into the cache (what time passing would do) and search refuses, naming the update to run.
        string cached = Path.Combine(s.T.Path, ".chartseal-home", "cache", "charts", IndexSnapshot.FileName);
        Cli.AssertOk(Cli.Run(s.T.Path, "search", "hello"));
        File.Copy(Path.Combine(s.Repo, IndexSnapshot.FileName), cached, overwrite: true);
        // A refusal (exit 1, as pull's), not an unreadable input (2); a repository that is still fresh is searched on.
        Directory.CreateDirectory(Path.Combine(s.T.Path, ".chartseal-home", "cache", "plain"));
        File.WriteAllText(Path.Combine(s.T.Path, ".chartseal-home", "cache", "plain", "index.yaml"),
            "apiVersion: v1\nentries:\n  hello-plain:\n  - {apiVersion: v2, name: hello-plain, version: 1.0.0, urls: [hello-plain-1.0.0.tgz]}\n");
        File.AppendAllText(Path.Combine(s.T.Path, ".chartseal-home", "repositories.yaml"),
            $"- name: plain\n  url: https://plain.example.com\n  rootFingerprint: {s.Root}\n");
        var search = Cli.Run(s.T.Path, "search", "hello");
        Assert.Equal(1, search.ExitCode);
        string refused = Assert.Single(search.StdErrLines);
        Assert.StartsWith($"chartseal: {cached}: index-expired: ", refused, StringComparison.Ordinal);
        Assert.Contains("run chartseal repo update charts", refused, StringComparison.Ordinal);
        Assert.Contains("plain/hello-plain", search.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("charts/hello", search.StdOut, StringComparison.Ordinal);
        var pull = Cli.Run(s.T.Path, "pull", "charts/hello", "-d", "stale");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("index-expired", Assert.Single(pull.StdErrLines), StringComparison.Ordinal);

        // Tampered: the signed index's bytes edited on the mirror.
        await IndexSnapshotWriter.SignAsync(s.Repo, new IndexSigner(key, key.Unlock(null)), TimeSpan.FromDays(1), DateTime.UtcNow, Ct);
        string addressed = Directory.EnumerateFiles(s.Repo, "index.sha256-*.yaml").OrderByDescending(File.GetLastWriteTimeUtc).First();
        File.AppendAllText(addressed, "# trimmed\n");
        File.Delete(Path.Combine(s.T.Path, ".chartseal-home", "cache", "charts", "index.yaml")); // nothing held: the download is needed
        var tampered = Cli.Run(s.T.Path, "repo", "update", "charts");
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("index-mismatch", Assert.Single(tampered.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithTheIndexKey_SignsBeforeAnsweringAnUpload_AndRefusesToStartWithAnotherKey()
    {
        using var s = new Setup();
        File.WriteAllText(s.T.File("tokens"), "tok\n");
        // A maintainer's key is not an index key: the server says so and does not start.
        var wrong = Cli.Run(s.T.Path, "serve", s.Repo, "--listen", "http://127.0.0.1:0", "--root-fingerprint", s.Root, "--index-key", "jane", "--index-keyring", s.T.File("jane.sec.asc"));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("is not an index key of this repository", Assert.Single(wrong.StdErrLines), StringComparison.Ordinal);

        var (process, address) = await Cli.StartServeAsync(s.T.Path, s.Repo,
            ["--upload-token-file", s.T.File("tokens"), "--root-fingerprint", s.Root, "--index-key", "index", "--index-keyring", s.T.File("index.sec.asc"), "--index-expires", "6h"], Ct);
        try
        {
            string archive = s.Package("0.3.0");
            using var http = new HttpClient { BaseAddress = address };
            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(File.ReadAllBytes(archive)), "chart", Path.GetFileName(archive) },
                { new ByteArrayContent(File.ReadAllBytes(archive + ".prov")), "prov", Path.GetFileName(archive) + ".prov" },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/charts") { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tok");
            using var response = await http.SendAsync(request, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));

            // Answered after the snapshot covers the new index: the very next update sees the chart.
            var add = Cli.Run(s.T.Path, "repo", "add", "live", address.ToString().TrimEnd('/'), "--root-fingerprint", s.Root, "--insecure-http");
            Cli.AssertOk(add);
            Cli.AssertOk(Cli.Run(s.T.Path, "pull", "live/hello", "--version", "0.3.0", "-d", "pulled"));
            string snapshot = await http.GetStringAsync("snapshot.yaml.asc", Ct);
            Assert.Contains("kind: IndexSnapshot", snapshot, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
        }
    }

    // The root turns snapshots off (or replaces the server's index key): the server cannot sign any more, says so, and
    // keeps checking every few seconds. It said so every five seconds, an error line each time (17,000 a day).
    [Fact]
    public async Task Serve_WhoseIndexKeyTheRootRemoved_SaysItCannotSignOnce_NotEveryFewSeconds()
    {
        using var s = new Setup();
        var (process, address) = await Cli.StartServeAsync(s.T.Path, s.Repo,
            ["--root-fingerprint", s.Root, "--index-key", "index", "--index-keyring", s.T.File("index.sec.asc")], Ct);
        try
        {
            Cli.AssertOk(Cli.Run(s.T.Path, ["trust", "index-key", "remove", s.Repo, s.Fingerprints["index"], .. s.RootKey]));
            await Task.Delay(TimeSpan.FromSeconds(13), Ct); // two checks at least (every 5 s)
            var failures = File.ReadAllLines(s.T.File("server.out")).Where(l => l.Contains("cannot sign the index snapshot", StringComparison.Ordinal)).ToList();
            Assert.Contains("names no index key", Assert.Single(failures), StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = address };
            using var ready = await http.GetAsync("ready", Ct);
            Assert.True(ready.IsSuccessStatusCode, await ready.Content.ReadAsStringAsync(Ct)); // clients ask for no snapshot now
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
        }
    }
}

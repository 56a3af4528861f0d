using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.OpenPgp;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Server.Tests;

/// <summary>Attacks on the server: names it would accept but never serve, over-broad reads, CPU amplification, reuse of deleted versions.</summary>
public sealed class ServerAttackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ChartIndex> IndexAsync(ServerFixture s) => await ChartIndex.LoadAsync(Path.Combine(s.Repo, "index.yaml"), Ct);

    private static async Task<HttpStatusCode> DeleteAsync(ServerFixture s, string name, string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/charts/{name}/{version}");
        request.Headers.Authorization = ServerFixture.Bearer;
        using var response = await s.Http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("a#b")]
    [InlineData("my chart")]
    [InlineData("café")]
    [InlineData("cafe\u0301")]
    [InlineData("a%2fb")]
    public async Task NamesAcceptedButNeverServed_AreRefusedAtUpload(string name)
    {
        await using var s = await ServerFixture.StartAsync();
        string[] before = s.AllNames();

        using var response = await s.UploadAsync(s.Chart(name, "1.0.0", s.Trust.Alice));

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.BadRequest, "malformed"), (status, error));
        Assert.Contains("use ASCII letters, digits, '.', '_' and '-'", message, StringComparison.Ordinal);
        Assert.Equal(before, s.AllNames());
    }

    [Theory]
    [InlineData("_under")]
    [InlineData("My.Chart_2")]
    [InlineData("a-b")]
    public async Task EveryNameAccepted_IsListedAndServed(string name)
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart(name, "1.0.0", s.Trust.Alice);

        using var response = await s.UploadAsync(chart);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        string url = Assert.Single((await IndexAsync(s)).Find(name, "1.0.0")!.Urls);
        Assert.Equal(chart.Archive, await s.Http.GetByteArrayAsync(url, Ct));
        Assert.Equal(chart.Provenance, await s.Http.GetByteArrayAsync(url + ".prov", Ct));
        using var api = await s.Http.GetAsync($"api/charts/{name}", Ct);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    [Fact]
    public async Task LookAlikeName_DifferingOnlyInCase_IsRefused()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.0.0", s.Trust.Alice))).Dispose();

        using var response = await s.UploadAsync(s.Chart("MySQL", "2.0.0", s.Trust.Alice));

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.BadRequest, "malformed"), (status, error));
        Assert.Contains("differs only in letter case from the published chart \"mysql\"", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1.0.0")]
    [InlineData("1.0.0+rebuild")]
    public async Task VersionEqualUnderSemVerPrecedence_409VersionExists(string version)
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.0.0", s.Trust.Alice))).Dispose();

        using var response = await s.UploadAsync(s.Chart("mysql", version, s.Trust.Alice));

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.Conflict, "version-exists"), (status, error));
        Assert.Contains("is the published version 1.0.0 under SemVer precedence", message, StringComparison.Ordinal);
        Assert.Equal(["1.0.0"], (await IndexAsync(s)).Entries["mysql"].Select(e => e.Metadata.Version));
    }

    [Fact]
    public async Task DeleteThenADifferentArchiveUnderTheSameVersion_409_TheSameArchiveComesBack()
    {
        await using var s = await ServerFixture.StartAsync();
        var original = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        (await s.UploadAsync(original)).Dispose();
        Assert.Equal(HttpStatusCode.OK, await DeleteAsync(s, "mysql", "1.2.3"));

        string dir = ChartFixtures.WriteSimpleChart(s.Trust.Temp.File("other"), "mysql", "1.2.3");
        File.WriteAllText(Path.Combine(dir, "templates", "extra.yaml"), "kind: ConfigMap\n");
        var other = ChartPackager.Package(dir);
        using (var refused = await s.UploadAsync(new SignedChart(other.FileName, other.Archive, s.Trust.Bob.Sign(other.Archive, other.FileName, ServerFixture.Now))))
        {
            var (status, error, message) = await ServerFixture.ErrorOfAsync(refused);
            Assert.Equal((HttpStatusCode.Conflict, "version-exists"), (status, error));
            Assert.Contains("mysql 1.2.3 was deleted on", message, StringComparison.Ordinal);
            Assert.Contains("a deleted version is never published again with different bytes", message, StringComparison.Ordinal);
        }
        // Nor as v1.2.3: the same version under SemVer precedence.
        using (var renamed = await s.UploadAsync(s.Chart("mysql", "v1.2.3", s.Trust.Bob)))
        {
            Assert.Equal(HttpStatusCode.Conflict, renamed.StatusCode);
        }
        Assert.Empty(s.RepositoryFiles());

        using var restored = await s.UploadAsync(original);
        Assert.Equal(HttpStatusCode.Created, restored.StatusCode);
        Assert.Equal(original.Archive, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz", Ct));
    }

    [Fact]
    public async Task DeleteThenADifferentArchive_ForcedOnAnAllowOverwriteServer_IsPublished()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { AllowOverwrite = true });
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        Assert.Equal(HttpStatusCode.OK, await DeleteAsync(s, "mysql", "1.2.3"));
        string dir = ChartFixtures.WriteSimpleChart(s.Trust.Temp.File("other"), "mysql", "1.2.3");
        File.WriteAllText(Path.Combine(dir, "templates", "extra.yaml"), "kind: ConfigMap\n");
        var other = ChartPackager.Package(dir);

        using var response = await s.UploadAsync(new SignedChart(other.FileName, other.Archive, s.Trust.Bob.Sign(other.Archive, other.FileName, ServerFixture.Now)), query: "?force");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(other.Archive, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz", Ct));
    }

    [Theory]
    [InlineData("root-key-backup.tgz")]
    [InlineData("other-1.0.0.tgz")]
    [InlineData("other-1.0.0.tgz.prov")]
    [InlineData("mysql-1.2.3.tgz.bak")]
    public async Task ArchivesTheIndexDoesNotList_AreNeverServed(string name)
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        await File.WriteAllTextAsync(Path.Combine(s.Repo, name), "secret", Ct);

        using var response = await s.Http.GetAsync(name, Ct);
        using var head = await s.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, name), Ct);
        using var listed = await s.Http.GetAsync("mysql-1.2.3.tgz", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
    }

    [Fact]
    public async Task ApiCharts_IsBuiltOncePerIndexVersion_NotPerRequest()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        (await s.UploadAsync(s.Chart("redis", "1.0.0", s.Trust.Bob))).Dispose();
        byte[] first = await s.Http.GetByteArrayAsync("api/charts", Ct);
        var snapshot = await s.Server.Index.CurrentAsync(Ct);
        int derived = snapshot.Derivations;

        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(first, await s.Http.GetByteArrayAsync("api/charts", Ct));
            Assert.Equal(HttpStatusCode.OK, (await s.Http.GetAsync("api/charts/mysql", Ct)).StatusCode);
        }

        Assert.Same(snapshot, await s.Server.Index.CurrentAsync(Ct));
        Assert.Equal(derived + 1, snapshot.Derivations); // the one chart's JSON, once
        // A change is seen at once, and the list is built again for it.
        (await s.UploadAsync(s.Chart("nginx", "1.0.0", s.Trust.Alice))).Dispose();
        Assert.Contains("nginx", System.Text.Encoding.UTF8.GetString(await s.Http.GetByteArrayAsync("api/charts", Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiChartsName_AnonymousRequestsForNamesNotListed_HoldNothingPerName()
    {
        // GET and HEAD /api/charts/NAME are open to anyone: a body is kept per chart the index lists, never per name asked
        // for (a loop over random names, each up to the request line's length, grew the server's memory without end).
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        var snapshot = await s.Server.Index.CurrentAsync(Ct);
        string padding = new('x', 4000);

        for (int i = 0; i < 100; i++)
        {
            using var get = await s.Http.GetAsync($"api/charts/nope{i}{padding}", Ct);
            using var head = await s.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"api/charts/gone{i}"), Ct);
            Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (get.StatusCode, head.StatusCode));
        }
        Assert.Equal(HttpStatusCode.OK, (await s.Http.GetAsync("api/charts/mysql", Ct)).StatusCode);

        Assert.Same(snapshot, await s.Server.Index.CurrentAsync(Ct));
        Assert.Equal(1, snapshot.ChartBodiesHeld);
    }

    [Fact]
    public async Task IndexYaml_RightAfterAChange_IsNotReReadAndReGzippedPerRequest()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        // Another writer changes the file on disk (as chartseal publish on the same folder would).
        var index = await IndexAsync(s);
        index.Generated = "2030-01-01T00:00:00Z";
        await index.WriteAsync(Path.Combine(s.Repo, "index.yaml"), Ct);
        int readsBefore = s.Server.Index.Reads;

        for (int i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "index.yaml") { Headers = { AcceptEncoding = { new StringWithQualityHeaderValue("gzip") } } };
            using var response = await s.Http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Before: every request within ten seconds of a change read, hashed and gzipped the file again.
        Assert.InRange(s.Server.Index.Reads - readsBefore, 1, 3);
        var snapshot = await s.Server.Index.CurrentAsync(Ct);
        Assert.Contains("2030-01-01T00:00:00Z", System.Text.Encoding.UTF8.GetString(snapshot.Bytes), StringComparison.Ordinal);
        Assert.InRange(snapshot.Derivations, 1, 2);
    }

    [Fact]
    public async Task IndexYaml_RewrittenWithTheSameSizeAndTime_IsSeenWithinASecond()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        string path = Path.Combine(s.Repo, "index.yaml");
        string served = await s.Http.GetStringAsync("index.yaml", Ct);
        var modified = File.GetLastWriteTimeUtc(path);

        // The same length, the same modification time: only the bytes tell.
        string changed = served.Replace("mysql", "MYSQL", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, changed, Ct);
        File.SetLastWriteTimeUtc(path, modified);
        await Task.Delay(TimeSpan.FromSeconds(1.2), Ct);

        Assert.Equal(changed, await s.Http.GetStringAsync("index.yaml", Ct));
    }

    [Fact]
    public async Task UploaderDisconnectsWhileItsSnapshotIsSigned_TheUploadIsStillAuditedAndCoveredByASnapshot()
    {
        var ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0);
        var key = SigningKeySelector.Select(ivy.Secret, ivy.Fingerprint, ServerFixture.Now);
        var logs = new LogLines();
        await using var s = await ServerFixture.StartAsync(
            o => o with { IndexSigner = new IndexSigner(key, key.Unlock(null)), SnapshotLifetime = TimeSpan.FromDays(1), Clock = new TimerlessClock(ServerFixture.Now), Logs = logs },
            prepare: t => TrustRepository.AddIndexKeyAsync(t.Repo, t.Root.RootSigner(ServerFixture.Now), ivy.Public, TimeSpan.FromDays(2), null, ServerFixture.Now));
        // The signing after the upload is held still where it reads the previous snapshot: a pipe in its place.
        string snapshot = Path.Combine(s.Repo, IndexSnapshot.FileName);
        byte[] previous = await File.ReadAllBytesAsync(snapshot, Ct);
        File.Delete(snapshot);
        using (var mkfifo = Process.Start("mkfifo", [snapshot]))
        {
            await mkfifo.WaitForExitAsync(Ct);
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var chart = s.Chart("demo", "1.0.0", s.Trust.Alice);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/charts")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent(chart.Archive), "chart", chart.FileName }, { new ByteArrayContent(chart.Provenance!), "prov", chart.FileName + ".prov" } },
            Headers = { Authorization = ServerFixture.Bearer },
        };
        using var gone = new CancellationTokenSource();
        var upload = s.Http.SendAsync(request, gone.Token);

        // Opening the pipe for writing waits for its reader: the server, the chart published, signing the new index.
        await using (var pipe = await Task.Run(() => new FileStream(snapshot, FileMode.Open, FileAccess.Write), Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct))
        {
            // The uploader goes away then, and the server notices before the signing goes on.
            await gone.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);
            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
            await pipe.WriteAsync(previous, Ct);
        }

        // The chart is published: its audit line and count are written, and a snapshot covers it at once (not at the next check).
        for (int i = 0; i < 200 && !logs.All.Any(l => l.Category == WriteAudit.Category && l.Message.StartsWith("upload published: demo 1.0.0", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50, Ct);
        }
        Assert.Contains(logs.All, l => l.Category == WriteAudit.Category && l.Message.StartsWith("upload published: demo 1.0.0", StringComparison.Ordinal));
        Assert.Contains("demo", (await IndexAsync(s)).Entries.Keys);
        var signed = IndexSnapshot.TryParse(ClearSignedMessage.TryParse(await File.ReadAllBytesAsync(snapshot, Ct), out _)!.Plaintext, out _)!;
        Assert.Equal(ContentHash.Sha256Hex(await File.ReadAllBytesAsync(Path.Combine(s.Repo, "index.yaml"), Ct)), signed.IndexSha256);
    }

    // A clock that stays put and whose timers never fire: nothing signs on its own while a test holds a signing still.
    private sealed class TimerlessClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now, TimeSpan.Zero);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Never();

        private sealed class Never : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task TokenFileSavedWithAUtf8Bom_TheFirstTokenStillWorks()
    {
        await using var probe = await ServerFixture.StartAsync();
        string file = probe.Trust.Temp.File("tokens-bom");
        await File.WriteAllTextAsync(file, "first-token\nsecond-token\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true), Ct);

        var tokens = await WriteAccess.ReadTokenFileAsync(file, Ct);

        Assert.Equal(["first-token", "second-token"], tokens);
        await using var s = await ServerFixture.StartAsync(o => o with { UploadTokens = tokens });
        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice), token: "first-token");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task HtpasswdFileSavedWithAUtf8Bom_TheFirstUserStillWorks()
    {
        await using var s = await ServerFixture.StartAsync();
        string plain = BasicAuthTests.Htpasswd(s.Trust.Temp.Path, "-B", "alice", "s3cret");
        string file = s.Trust.Temp.File("htpasswd-bom");
        await File.WriteAllBytesAsync(file, [0xEF, 0xBB, 0xBF, .. await File.ReadAllBytesAsync(plain, Ct)], Ct);

        var users = await BasicAuthUsers.LoadAsync(null, null, file, Ct);

        Assert.True(users.Verify("alice", "s3cret"));
    }
}

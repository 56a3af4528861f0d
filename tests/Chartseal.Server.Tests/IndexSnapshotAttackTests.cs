using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Server.Tests;

/// <summary>
/// The signed index against the real server and client. The origin is a server holding the index key; a mirror is a
/// read-only server over a copy of the origin's folder that the attacker then edits. Each test is named after the
/// attack; every refusal leaves the client's cache as it was.
/// </summary>
public sealed class IndexSnapshotAttackTests
{
    private static readonly DateTime Now = ServerFixture.Now;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Scenario : IAsyncDisposable
    {
        private readonly List<RepositoryServer> _mirrors = [];

        private Scenario(ServerFixture origin, TestKey ivy, ClientHome home)
        {
            Origin = origin;
            Ivy = ivy;
            Home = home;
        }

        public ServerFixture Origin { get; }
        public TestKey Ivy { get; }
        public ClientHome Home { get; }
        public TrustFixture Trust => Origin.Trust;

        /// <summary>An origin whose trust material delegates snapshots to Ivy (version 3, at most 2 days each), with demo 1.0.0 uploaded.</summary>
        public static async Task<Scenario> StartAsync()
        {
            var ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0);
            var origin = await ServerFixture.StartAsync(
                o => o with { IndexSigner = Signer(ivy), SnapshotLifetime = TimeSpan.FromDays(1) },
                prepare: t => TrustRepository.AddIndexKeyAsync(t.Repo, t.Root.RootSigner(Now), ivy.Public, TimeSpan.FromDays(2), null, Now));
            var s = new Scenario(origin, ivy, ClientHome.Under(origin.Trust.Temp.File("client-home")));
            await s.UploadAsync("1.0.0");
            return s;
        }

        public static IndexSigner Signer(TestKey key)
        {
            var selected = SigningKeySelector.Select(key.Secret, key.Fingerprint, Now);
            return new IndexSigner(selected, selected.Unlock(null));
        }

        public async Task UploadAsync(string version, TestKey? signer = null)
        {
            using var response = await Origin.UploadAsync(Origin.Chart("demo", version, signer ?? Trust.Alice));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        /// <summary>A read-only server over a copy of the origin's folder as it is now; <paramref name="edit"/> changes the copy first.</summary>
        public async Task<string> MirrorAsync(Action<string>? edit = null, FixedClock? clock = null, LogLines? logs = null)
        {
            string dir = Trust.Temp.File($"mirror-{Guid.NewGuid():N}");
            Directory.CreateDirectory(dir);
            foreach (string file in Directory.EnumerateFiles(Trust.Repo).Where(f => !Path.GetFileName(f).StartsWith('.')))
            {
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            }
            edit?.Invoke(dir);
            var server = await RepositoryServer.StartAsync(new ServerOptions
            {
                RepositoryDir = dir,
                Listen = "http://127.0.0.1:0",
                DisableApi = true,
                Root = Trust.Pin,
                TrustState = new TrustStateStore(Trust.Temp.File($"mirror-state-{Guid.NewGuid():N}")),
                Clock = clock ?? new FixedClock(Now),
                Logs = logs,
            }, Ct);
            _mirrors.Add(server);
            return server.RepositoryUrl.ToString().TrimEnd('/');
        }

        public ConfiguredRepository RepositoryAt(string url, string name = "demo") =>
            new(name, url, Trust.Root.Fingerprint, TrustOnFirstUse: false, InsecureHttp: true);

        public Task<RepositoryUpdate> UpdateAsync(string url, DateTime? at = null) =>
            RepositoryClient.UpdateAsync(Home, RepositoryAt(url), at ?? Now, cancellationToken: Ct);

        public async Task<RepositoryUpdate.Updated> AddOriginAsync()
        {
            var added = await RepositoryClient.AddAsync(Home, RepositoryAt(Origin.Url), Now, cancellationToken: Ct);
            return Assert.IsType<RepositoryUpdate.Updated>(added);
        }

        public async Task<Refusal> RefusedAsync(string url, RejectionReason reason, DateTime? at = null)
        {
            var rejected = Assert.IsType<RepositoryUpdate.Rejected>(await UpdateAsync(url, at));
            Assert.True(reason == rejected.Reason, $"expected {reason.Name()}, got {rejected.Refusal}");
            return rejected.Refusal;
        }

        public async Task<string> PulledVersionAsync(string url, DateTime? at = null)
        {
            var result = await ChartPuller.PullAsync(Home, new PullRequest(RepositoryAt(url), "demo", null, null), at ?? Now, Ct);
            return Assert.IsType<PullResult.Pulled>(result).Entry.Metadata.Version;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var mirror in _mirrors)
            {
                await mirror.DisposeAsync();
            }
            await Origin.DisposeAsync();
        }
    }

    private static IndexSnapshot SnapshotIn(string dir)
    {
        var message = OpenPgp.ClearSignedMessage.TryParse(File.ReadAllBytes(Path.Combine(dir, IndexSnapshot.FileName)), out _)!;
        return IndexSnapshot.TryParse(message.Plaintext, out _)!;
    }

    private static byte[] Sign(TestKey key, IndexSnapshot snapshot, DateTime at)
    {
        var selected = SigningKeySelector.Select(key.Secret, key.Fingerprint, at);
        return ProvenanceSigner.Sign(snapshot.Serialize(), selected.Unlock(null), selected.SecretKey.PublicKey, at);
    }

    [Fact]
    public void IndexExpiresUnderAMinute_IsRefusedAtStart_TheServerCouldNotSignAgainInTime()
    {
        using var temp = new TempDirectory();
        var options = new ServerOptions
        {
            RepositoryDir = temp.Path,
            TrustState = new TrustStateStore(temp.File("state")),
            IndexSigner = Scenario.Signer(new TestKey("Ivy Index <index@example.com>", TrustFixture.T0)),
            SnapshotLifetime = TimeSpan.FromSeconds(30),
        };

        var e = Assert.Throws<ChartsealException>(options.Validate);

        Assert.Equal("--index-expires 30 seconds: a snapshot must live at least a minute (the server signs again before half of it has passed)", e.Message);
        (options with { SnapshotLifetime = TimeSpan.FromMinutes(1) }).Validate(); // a minute is enough
    }

    [Fact]
    public async Task Upload_IsCoveredByASnapshotBeforeItIsAnswered_AndADeletionToo()
    {
        await using var s = await Scenario.StartAsync();
        await s.AddOriginAsync();
        await s.UploadAsync("1.0.1");

        var updated = Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(s.Origin.Url));
        Assert.True(updated.IndexChanged);
        Assert.Equal(s.Ivy.Fingerprint, updated.Snapshot!.SignedBy);
        Assert.Equal("1.0.1", await s.PulledVersionAsync(s.Origin.Url));

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "api/charts/demo/1.0.1") { Headers = { Authorization = ServerFixture.Bearer } })
        using (var response = await s.Origin.Http.SendAsync(delete, Ct))
        {
            Assert.True(response.IsSuccessStatusCode);
        }
        Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(s.Origin.Url));
        Assert.Equal("1.0.0", await s.PulledVersionAsync(s.Origin.Url));
    }

    [Fact]
    public async Task Mirror_HidesTheFixedVersion_TrimmingIndexYaml_ClientsStillGetTheSignedIndex()
    {
        await using var s = await Scenario.StartAsync();
        await s.UploadAsync("1.0.1");
        // The attack: index.yaml without 1.0.1 (the pull used to install 1.0.0). Clients read the signed index.
        string mirror = await s.MirrorAsync(dir =>
        {
            var index = ChartIndex.Load(new MemoryStream(File.ReadAllBytes(Path.Combine(dir, ChartIndex.FileName))), "index");
            index.Remove("demo", "1.0.1");
            File.WriteAllText(Path.Combine(dir, ChartIndex.FileName), index.Serialize());
        });

        var updated = Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(mirror));
        Assert.Equal(2, updated.ChartVersions);
        // The mirror can still withhold the archive (it serves only what its own index.yaml lists); then the pull of the
        // newest version fails loudly instead of quietly installing 1.0.0.
        var pulled = await ChartPuller.PullAsync(s.Home, new PullRequest(s.RepositoryAt(mirror), "demo", null, null), Now, Ct);
        var rejected = Assert.IsType<PullResult.Rejected>(pulled);
        Assert.Equal(RejectionReason.MissingArchive, rejected.Reason);
        Assert.Contains("demo-1.0.1.tgz", rejected.File, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mirror_TrimsTheSignedIndexItself_IsRefused_AndTheCacheIsKept()
    {
        await using var s = await Scenario.StartAsync();
        await s.AddOriginAsync(); // 1.0.0 cached
        await s.UploadAsync("1.0.1");
        string mirror = await s.MirrorAsync(dir =>
        {
            string addressed = Path.Combine(dir, IndexSnapshot.ContentAddressedIndexName(SnapshotIn(dir).IndexSha256));
            var index = ChartIndex.Load(new MemoryStream(File.ReadAllBytes(addressed)), "index");
            index.Remove("demo", "1.0.1");
            File.WriteAllText(addressed, index.Serialize());
        });

        await s.RefusedAsync(mirror, RejectionReason.IndexMismatch);
        Assert.Equal("1.0.0", await s.PulledVersionAsync(s.Origin.Url)); // the cache from before is intact and still usable
    }

    [Fact]
    public async Task Mirror_ReplaysAnOldSignedIndex_AfterTheClientSawANewerOne_IsRefused()
    {
        await using var s = await Scenario.StartAsync();
        string stale = await s.MirrorAsync(); // 1.0.0 only, validly signed, not expired
        await s.UploadAsync("1.0.1");
        await s.AddOriginAsync();

        var refusal = await s.RefusedAsync(stale, RejectionReason.IndexRollback);
        Assert.Contains("a replayed index", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mirror_Frozen_ItsSnapshotExpires_AndTheClientIsToldHowStale()
    {
        await using var s = await Scenario.StartAsync();
        string frozen = await s.MirrorAsync();
        Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(frozen, Now.AddHours(20)));

        var refusal = await s.RefusedAsync(frozen, RejectionReason.IndexExpired, Now.AddHours(30));
        Assert.Contains("6 hours ago", refusal.Message, StringComparison.Ordinal);
        // pull and install check the cached snapshot too: a stale cache asks for an update.
        var pulled = await ChartPuller.PullAsync(s.Home, new PullRequest(s.RepositoryAt(frozen), "demo", null, null), Now.AddHours(30), Ct);
        var rejected = Assert.IsType<PullResult.Rejected>(pulled);
        Assert.Equal(RejectionReason.IndexExpired, rejected.Reason);
        Assert.Contains("run chartseal repo update demo", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mirror_ServesNewTrustMaterialWithTheOldSnapshot_IsRefusedAsMixAndMatch()
    {
        await using var s = await Scenario.StartAsync();
        byte[] oldSnapshot = await File.ReadAllBytesAsync(Path.Combine(s.Trust.Repo, IndexSnapshot.FileName), Ct);
        await TrustRepository.RenewAsync(s.Trust.Repo, s.Trust.Root.RootSigner(Now), null, Now, Ct); // version 4
        string mixed = await s.MirrorAsync(dir => File.WriteAllBytes(Path.Combine(dir, IndexSnapshot.FileName), oldSnapshot));

        var refusal = await s.RefusedAsync(mixed, RejectionReason.IndexTrustMismatch);
        Assert.Contains("trust version 3, but trust version 4", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mirror_DropsTheSnapshot_IsRefused()
    {
        await using var s = await Scenario.StartAsync();
        string unsigned = await s.MirrorAsync(dir => File.Delete(Path.Combine(dir, IndexSnapshot.FileName)));

        await s.RefusedAsync(unsigned, RejectionReason.IndexUnsigned);
        Assert.False(Directory.Exists(s.Home.CacheFor("demo")) && File.Exists(Path.Combine(s.Home.CacheFor("demo"), ChartIndex.FileName)));
    }

    [Fact]
    public async Task IndexKey_SigningAChart_TheUploadIsRefused()
    {
        await using var s = await Scenario.StartAsync();

        using var response = await s.Origin.UploadAsync(s.Origin.Chart("demo", "2.0.0", s.Ivy));
        var (_, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal("signer-not-trusted", error);
        Assert.Contains("index key", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StolenIndexKey_SignsATrimmedIndexForAYear_ItHoldsOnlyAsLongAsTheManifestAllows()
    {
        await using var s = await Scenario.StartAsync();
        await s.UploadAsync("1.0.1");
        string mirror = await s.MirrorAsync(dir =>
        {
            // The thief's index without 1.0.1, under its own content-addressed name, in a snapshot valid for a year.
            var index = ChartIndex.Load(new MemoryStream(File.ReadAllBytes(Path.Combine(dir, ChartIndex.FileName))), "index");
            index.Remove("demo", "1.0.1");
            byte[] trimmed = System.Text.Encoding.UTF8.GetBytes(index.Serialize());
            string sha256 = IO.ContentHash.Sha256Hex(trimmed);
            File.WriteAllBytes(Path.Combine(dir, IndexSnapshot.ContentAddressedIndexName(sha256)), trimmed);
            var snapshot = SnapshotIn(dir) with { Version = SnapshotIn(dir).Version + 1, Expires = Now.AddDays(365), IndexSha256 = sha256, IndexSize = trimmed.LongLength };
            File.WriteAllBytes(Path.Combine(dir, IndexSnapshot.FileName), Sign(s.Ivy, snapshot, Now));
        });

        Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(mirror, Now.AddHours(40)));
        var refusal = await s.RefusedAsync(mirror, RejectionReason.IndexExpired, Now.AddHours(49));
        Assert.Contains("capped at 2 days after signing", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndexKeyRotated_AfterTheft_ClientsRecoverFromTheOrigin_WithoutRepinning()
    {
        await using var s = await Scenario.StartAsync();
        string stolen = await s.MirrorAsync(dir =>
        {
            var snapshot = SnapshotIn(dir) with { Version = long.MaxValue / 2 };
            File.WriteAllBytes(Path.Combine(dir, IndexSnapshot.FileName), Sign(s.Ivy, snapshot, Now));
        });
        Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(stolen));

        // The root replaces the index key; the origin's server is restarted with the new one.
        var ivy2 = new TestKey("Ivy Index 2 <index2@example.com>", TrustFixture.T0);
        await TrustRepository.AddIndexKeyAsync(s.Trust.Repo, s.Trust.Root.RootSigner(Now), ivy2.Public, null, null, Now, Ct);
        await TrustRepository.RemoveIndexKeyAsync(s.Trust.Repo, s.Trust.Root.RootSigner(Now), [s.Ivy.Fingerprint], null, Now, Ct);
        await using var restarted = await RepositoryServer.StartAsync(new ServerOptions
        {
            RepositoryDir = s.Trust.Repo,
            Listen = "http://127.0.0.1:0",
            Root = s.Trust.Pin,
            TrustState = s.Trust.Store,
            Clock = new FixedClock(Now),
            IndexSigner = Scenario.Signer(ivy2),
        }, Ct);

        var updated = Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(restarted.RepositoryUrl.ToString().TrimEnd('/')));
        Assert.Equal(ivy2.Fingerprint, updated.Snapshot!.SignedBy);
        Assert.True(updated.Snapshot.Version < long.MaxValue / 2);
        // The stolen key's snapshots are now refused, even beside the current trust material.
        string current = await s.MirrorAsync(dir =>
        {
            var snapshot = SnapshotIn(dir) with { Version = long.MaxValue / 2 + 1 };
            File.WriteAllBytes(Path.Combine(dir, IndexSnapshot.FileName), Sign(s.Ivy, snapshot, Now));
        });
        var refusal = await s.RefusedAsync(current, RejectionReason.IndexBadSignature);
        Assert.Contains("not signed by an index key", refusal.Message, StringComparison.Ordinal);
        // And a mirror still on the old trust material is refused for that.
        await s.RefusedAsync(stolen, RejectionReason.TrustRollback);
    }

    [Fact]
    public async Task TrustChangedUnderTheRunningServer_ItSignsANewSnapshotWithinSeconds()
    {
        await using var s = await Scenario.StartAsync();
        await s.AddOriginAsync();
        await TrustRepository.AddAsync(s.Trust.Repo, s.Trust.Root.RootSigner(Now), new TestKey("Carol <carol@example.com>", TrustFixture.T0).Public, null, Now, Ct);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        RepositoryUpdate update;
        while ((update = await s.UpdateAsync(s.Origin.Url)) is RepositoryUpdate.Rejected { Reason: RejectionReason.IndexTrustMismatch } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
        }
        var updated = Assert.IsType<RepositoryUpdate.Updated>(update);
        Assert.Equal(4, updated.Snapshot!.Snapshot.TrustVersion);
    }

    // The timer, not an upload: nothing changes in the repository, and the server still signs again once half the
    // snapshot's life is gone, so a client updating just before the old one would have expired is not refused.
    [Fact]
    public async Task IdleServer_SignsAgainOnItsTimer_OnceHalfTheLifetimeIsGone_BeforeClientsWouldSeeItExpire()
    {
        await using var s = await Scenario.StartAsync();
        await s.AddOriginAsync();
        var first = SnapshotIn(s.Trust.Repo);

        s.Origin.Clock.Now = Now.AddHours(11); // not yet due
        await Task.Delay(TimeSpan.FromSeconds(6), Ct); // more than one check interval (5 s)
        Assert.Equal(first, SnapshotIn(s.Trust.Repo));

        s.Origin.Clock.Now = Now.AddHours(13); // past half of its day
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (SnapshotIn(s.Trust.Repo).Version == first.Version && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
        }
        var second = SnapshotIn(s.Trust.Repo);
        Assert.True(second.Version > first.Version, "the server did not sign again on its timer");
        Assert.Equal(Now.AddHours(13 + 24), second.Expires);
        Assert.Equal(first.IndexSha256, second.IndexSha256);
        var updated = Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(s.Origin.Url, first.Expires.AddMinutes(-1)));
        Assert.Equal(second.Version, updated.Snapshot!.Version);
    }

    [Fact]
    public async Task ReaderRacingAWriter_IsNeverRefused()
    {
        await using var s = await Scenario.StartAsync();
        await s.AddOriginAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = Task.Run(async () =>
        {
            for (int i = 1; i <= 15; i++)
            {
                await s.UploadAsync($"1.1.{i}");
            }
        }, Ct);
        int updates = 0;
        while (!writer.IsCompleted || updates < 5)
        {
            var update = await s.UpdateAsync(s.Origin.Url);
            Assert.True(update is RepositoryUpdate.Updated, update.ToString());
            updates++;
        }
        await writer;
        Assert.IsType<RepositoryUpdate.Updated>(await s.UpdateAsync(s.Origin.Url));
        Assert.Equal("1.1.15", (await s.PulledVersionAsync(s.Origin.Url)));
    }

    [Fact]
    public async Task ReadyAndMetrics_SayTheSnapshotsVersionAndExpiry_AndNotReadyWhenClientsWouldRefuseIt()
    {
        await using var s = await Scenario.StartAsync();
        // A server without the index key (a mirror: nothing signs again behind the test's back).
        string folder = "";
        string mirror = await s.MirrorAsync(dir => folder = dir);
        using var http = new HttpClient { BaseAddress = new Uri(mirror + "/") };
        var signed = SnapshotIn(folder);

        using (var ready = await http.GetAsync("ready", Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
            var json = await ServerFixture.JsonOfAsync(ready);
            Assert.Equal(signed.Version, json.GetProperty("snapshotVersion").GetInt64());
            Assert.Equal(TrustManifest.FormatTime(signed.Expires), json.GetProperty("snapshotExpires").GetString());
        }
        using (var metrics = await http.GetAsync("metrics", Ct))
        {
            var scrape = Chartseal.Tests.Support.PrometheusText.Parse(await metrics.Content.ReadAsStringAsync(Ct));
            Assert.Equal(signed.Version, scrape.Single("chartseal_index_snapshot_version"));
            Assert.Equal(new DateTimeOffset(signed.Expires).ToUnixTimeSeconds(), scrape.Single("chartseal_index_snapshot_expiry_timestamp_seconds"));
        }

        // The snapshot goes (a careless sync): clients would refuse the index, so the server is not ready.
        File.Delete(Path.Combine(folder, IndexSnapshot.FileName));
        await Task.Delay(ServerStatus.ReuseFor + TimeSpan.FromMilliseconds(100), Ct);
        using var notReady = await http.GetAsync("ready", Ct);
        var (status, error, message) = await ServerFixture.ErrorOfAsync(notReady);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("not-ready", error);
        Assert.StartsWith("index-unsigned: ", message, StringComparison.Ordinal);

        // A snapshot that cannot be read (a folder in its place): the same reason code leads the message.
        Directory.CreateDirectory(Path.Combine(folder, IndexSnapshot.FileName));
        await Task.Delay(ServerStatus.ReuseFor + TimeSpan.FromMilliseconds(100), Ct);
        using var unreadable = await http.GetAsync("ready", Ct);
        Assert.StartsWith("index-unsigned: the index snapshot cannot be read: ", (await ServerFixture.ErrorOfAsync(unreadable)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_SnapshotExpired_KeepsItsVersionAndExpiry_SoTheStaleAlertKeepsFiring()
    {
        await using var s = await Scenario.StartAsync();
        string folder = "";
        var clock = new FixedClock(Now);
        string mirror = await s.MirrorAsync(dir => folder = dir, clock); // nothing signs again there
        using var http = new HttpClient { BaseAddress = new Uri(mirror + "/") };
        var signed = SnapshotIn(folder);

        clock.Now = signed.Expires + TimeSpan.FromHours(1);
        await Task.Delay(ServerStatus.ReuseFor + TimeSpan.FromMilliseconds(100), Ct);

        using (var notReady = await http.GetAsync("ready", Ct))
        {
            var (status, _, message) = await ServerFixture.ErrorOfAsync(notReady);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, status);
            Assert.StartsWith("index-expired: ", message, StringComparison.Ordinal);
        }
        // The figures of the snapshot that expired stay: "expiry - time() < 6h" keeps firing instead of turning into no
        // data (which resolves the alert) at the moment clients start refusing the index.
        using var metrics = await http.GetAsync("metrics", Ct);
        var scrape = Chartseal.Tests.Support.PrometheusText.Parse(await metrics.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, scrape.Single("chartseal_ready"));
        Assert.Equal(signed.Version, scrape.Single("chartseal_index_snapshot_version"));
        Assert.Equal(new DateTimeOffset(signed.Expires).ToUnixTimeSeconds(), scrape.Single("chartseal_index_snapshot_expiry_timestamp_seconds"));
    }

    [Fact]
    public async Task NotReady_ForAnExpiredSnapshot_IsLoggedOnce_ThoughItsMessageSaysHowLongAgo()
    {
        await using var s = await Scenario.StartAsync();
        string folder = "";
        var clock = new FixedClock(Now);
        var logs = new LogLines();
        string mirror = await s.MirrorAsync(dir => folder = dir, clock, logs);
        using var http = new HttpClient { BaseAddress = new Uri(mirror + "/") };
        var signed = SnapshotIn(folder);

        foreach (var after in new[] { TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(5), TimeSpan.FromHours(3) })
        {
            clock.Now = signed.Expires + after;
            await Task.Delay(ServerStatus.ReuseFor + TimeSpan.FromMilliseconds(100), Ct);
            using var notReady = await http.GetAsync("ready", Ct);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        }

        var line = Assert.Single(logs.Events(ServerLog.NotReadyEvent));
        Assert.Contains("index-expired", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentAddressedIndex_IsServedGzippedWhenAccepted_WithAnETagThatNeverChanges()
    {
        await using var s = await Scenario.StartAsync();
        string name = IndexSnapshot.ContentAddressedIndexName(SnapshotIn(s.Trust.Repo).IndexSha256);
        byte[] onDisk = await File.ReadAllBytesAsync(Path.Combine(s.Trust.Repo, name), Ct);

        using var request = new HttpRequestMessage(HttpMethod.Get, name) { Headers = { { "Accept-Encoding", "gzip" } } };
        using var response = await s.Origin.Http.SendAsync(request, Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        using (var gunzip = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(Ct), System.IO.Compression.CompressionMode.Decompress))
        using (var plain = new MemoryStream())
        {
            await gunzip.CopyToAsync(plain, Ct);
            Assert.Equal(onDisk, plain.ToArray());
        }
        using var again = new HttpRequestMessage(HttpMethod.Get, name) { Headers = { { "Accept-Encoding", "gzip" } } };
        again.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.ToString());
        using var notModified = await s.Origin.Http.SendAsync(again, Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotModified, notModified.StatusCode);
        using var gone = await s.Origin.Http.GetAsync(IndexSnapshot.ContentAddressedIndexName(new string('0', 64)), Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    // The snapshot and the trust files say what is current: served without Cache-Control, a CDN in front of the server
    // kept them by heuristic freshness (a tenth of their age), so a client that had read a newer snapshot through one
    // edge got index-rollback from another, and a new manifest met a cached snapshot (index-trust-mismatch).
    [Fact]
    public async Task SnapshotAndTrustFiles_AreRevalidatedByCaches_OnlyTheContentAddressedIndexIsImmutable()
    {
        await using var s = await Scenario.StartAsync();
        foreach (string name in new[] { IndexSnapshot.FileName, TrustFiles.ManifestName, TrustFiles.PublicKeysName, TrustFiles.IndexKeysName, TrustFiles.RootKeysName })
        {
            using var response = await s.Origin.Http.GetAsync(name, Ct);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.CacheControl?.NoCache == true, $"{name}: Cache-Control {response.Headers.CacheControl}");
            Assert.NotNull(response.Headers.ETag);
        }
    }

    // Uploads one after another (a CI job pushing several charts) sign snapshots of the same size within one second: with a
    // tag made of the size and the time to the second, a cache revalidating the snapshot was told 304 and kept the one
    // before the last upload, whose index does not list the last chart, until the next signing (hours, when idle).
    [Fact]
    public async Task SnapshotSignedAgainWithinTheSameSecond_ACacheRevalidatingItGetsTheNewOne_Not304()
    {
        await using var s = await Scenario.StartAsync();
        string path = Path.Combine(s.Trust.Repo, IndexSnapshot.FileName);
        DateTime second = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, second.AddMilliseconds(100));
        using var first = await s.Origin.Http.GetAsync(IndexSnapshot.FileName, Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode);
        long size = new FileInfo(path).Length;

        await s.UploadAsync("1.0.1");
        Assert.Equal(size, new FileInfo(path).Length);
        File.SetLastWriteTimeUtc(path, second.AddMilliseconds(900)); // signed within the same second

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, IndexSnapshot.FileName);
        revalidate.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        revalidate.Headers.IfModifiedSince = first.Content.Headers.LastModified ?? second;
        using var response = await s.Origin.Http.SendAsync(revalidate, Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(path, Ct), await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.NotEqual(first.Headers.ETag, response.Headers.ETag);
        Assert.True(response.Headers.CacheControl?.NoCache == true);

        // Unchanged, it is still revalidated with a 304 (and HEAD answers as GET, without the body).
        using var again = new HttpRequestMessage(HttpMethod.Get, IndexSnapshot.FileName);
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await s.Origin.Http.SendAsync(again, Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotModified, notModified.StatusCode);
        using var head = await s.Origin.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, IndexSnapshot.FileName), Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(size, head.Content.Headers.ContentLength);
        Assert.Equal(response.Headers.ETag, head.Headers.ETag);
    }

    [Fact]
    public async Task RepositoryPage_ShowsTheSignedIndex_OrWhyClientsRefuseIt()
    {
        await using var s = await Scenario.StartAsync();
        var signed = SnapshotIn(s.Trust.Repo);
        string page = await s.Origin.Http.GetStringAsync("", Ct);
        Assert.Contains($"signed (snapshot version {signed.Version}), valid until", page, StringComparison.Ordinal);
        Assert.Contains("<h2 id=\"index-keys\">Index keys (1)</h2>", page, StringComparison.Ordinal);
        Assert.Contains($"<td data-label=\"Fingerprint\" class=\"fpr\">{s.Ivy.Fingerprint}</td>", page[page.IndexOf("index-keys-table", StringComparison.Ordinal)..], StringComparison.Ordinal);
        var api = await ServerFixture.JsonOfAsync(await s.Origin.Http.GetAsync("api/repository", Ct));
        var index = api.GetProperty("index");
        Assert.True(index.GetProperty("signed").GetBoolean());
        Assert.True(index.GetProperty("accepted").GetBoolean());
        Assert.Equal(signed.Version, index.GetProperty("snapshotVersion").GetInt64());
        Assert.Equal(s.Ivy.Fingerprint, index.GetProperty("keys").GetProperty("items")[0].GetProperty("fingerprint").GetString());

        // A mirror without the snapshot: its page says what clients will say.
        string mirror = await s.MirrorAsync(dir => File.Delete(Path.Combine(dir, IndexSnapshot.FileName)));
        using var http = new HttpClient { BaseAddress = new Uri(mirror + "/") };
        string refused = await http.GetStringAsync("", Ct);
        Assert.Contains("clients refuse it now</strong>: index-unsigned: ", refused, StringComparison.Ordinal);
        var mirrorApi = await ServerFixture.JsonOfAsync(await http.GetAsync("api/repository", Ct));
        Assert.False(mirrorApi.GetProperty("index").GetProperty("accepted").GetBoolean());
        Assert.Equal("index-unsigned", mirrorApi.GetProperty("index").GetProperty("reason").GetString());
    }
}

using Chartseal.Client;
using Chartseal.Repository;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Trust;
using Chartseal.Charts;
using Chartseal.Fetch;

namespace Chartseal.Tests.Client;

/// <summary>repo add / update / remove and the cache, against a loopback static file server.</summary>
public sealed class RepositoryClientTests
{
    private static readonly DateTime Now = TrustFixture.At(1);

    /// <summary>A served repository with trust material (versions 1, 2) and an index holding demo 1.0.0.</summary>
    private sealed class Served : IDisposable
    {
        public Served()
        {
            Trust.InitWithTwoMaintainersAsync(Now).GetAwaiter().GetResult();
            File.WriteAllBytes(Path.Combine(Trust.Repo, Trust.ArchiveName), Trust.Archive);
            var index = RepositoryIndexer.IndexDirectoryAsync(Trust.Repo, null, null, Now).GetAwaiter().GetResult().Index;
            var metadata = index.Find("demo", "1.0.0")!.Metadata;
            metadata.Description = "A demo chart";
            metadata.Keywords = ["web", "team-7"];
            metadata.AppVersion = "1.2.3";
            index.WriteAsync(Path.Combine(Trust.Repo, "index.yaml")).GetAwaiter().GetResult();
            Server = new FolderServer(Trust.Repo);
            Home = ClientHome.Under(Trust.Temp.File("home"));
            Repository = new ConfiguredRepository("demo", Server.Url, Trust.Root.Fingerprint, false, InsecureHttp: true);
        }

        public TrustFixture Trust { get; } = new();
        public FolderServer Server { get; }
        public ClientHome Home { get; }
        public ConfiguredRepository Repository { get; }

        public void Dispose()
        {
            Server.Dispose();
            Trust.Dispose();
        }
    }

    [Fact]
    public async Task AddAsync_PinnedRoot_RecordsRepositoryAndCachesTrustAndIndex()
    {
        using var s = new Served();

        var result = await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);

        var updated = Assert.IsType<RepositoryUpdate.Updated>(result);
        Assert.Equal(2, updated.Material.Version);
        Assert.Equal(1, updated.ChartVersions);
        var config = await RepositoryConfigFile.LoadAsync(s.Home.ConfigFile, TestContext.Current.CancellationToken);
        Assert.Equal(s.Repository, Assert.Single(config.Repositories));
        foreach (string name in new[] { "index.yaml", TrustFiles.ManifestName, TrustFiles.PublicKeysName, TrustFiles.RevokedName, TrustFiles.RootKeysName })
        {
            Assert.True(File.Exists(Path.Combine(s.Home.CacheFor("demo"), name)), name);
        }
    }

    [Fact]
    public async Task AddAsync_SameNameTwice_RefusedWhenConfiguredOtherwise_UnchangedWhenConfiguredSo()
    {
        using var s = new Served();
        var ct = TestContext.Current.CancellationToken;
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: ct);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryClient.AddAsync(s.Home, s.Repository with { Url = s.Server.Url + "/other" }, Now, cancellationToken: ct));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);

        // As Helm's repo add: the same name configured exactly so is nothing to do (scripts add their repositories every run).
        var again = Assert.IsType<RepositoryUpdate.Unchanged>(await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: ct));
        Assert.Equal(s.Repository, again.Repository);
        Assert.Equal(s.Repository, Assert.Single((await RepositoryConfigFile.LoadAsync(s.Home.ConfigFile, ct)).Repositories));
    }

    [Fact]
    public async Task AddAsync_AfterAddsKilledMidway_DeletesTheirCopiesAndPutsBackACacheLeftAside()
    {
        // What killed adds leave (of other names too): an unfinished copy, a cache set aside before the new one took its
        // place (the configuration still names it: put back), and one set aside after (the new one is in place: deleted).
        using var s = new Served();
        var ct = TestContext.Current.CancellationToken;
        string cache = s.Home.CacheDirectory;
        await RepositoryConfigFile.ChangeAsync(s.Home.ConfigFile, c => c.Add(s.Repository with { Name = "kept" }), ct);
        Directory.CreateDirectory(Path.Combine(cache, ".other.adding"));
        File.WriteAllText(Path.Combine(cache, ".other.adding", "index.yaml"), "half");
        Directory.CreateDirectory(Path.Combine(cache, ".kept.replaced"));
        File.WriteAllText(Path.Combine(cache, ".kept.replaced", "index.yaml"), "kept's cache");
        Directory.CreateDirectory(Path.Combine(cache, "done"));
        Directory.CreateDirectory(Path.Combine(cache, ".done.replaced"));

        Assert.IsType<RepositoryUpdate.Updated>(await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: ct));

        Assert.Equal(["demo", "done", "kept"], Directory.EnumerateDirectories(cache).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("kept's cache", File.ReadAllText(Path.Combine(cache, "kept", "index.yaml")));
    }

    [Fact]
    public async Task AddAsync_LeftoversOfOtherNames_PutsBackOnlyACacheTheConfigurationNames_AndNeverFailsOverThem()
    {
        // A cache set aside by a killed add of a repository removed since is not brought back to life; a folder of no
        // repository's name is deleted; and another repository's leftover that cannot be put back now (a pull of it made
        // its cache in between: here a file stands in its place) does not fail this add, and is left for a later one.
        using var s = new Served();
        var ct = TestContext.Current.CancellationToken;
        string cache = s.Home.CacheDirectory;
        await RepositoryConfigFile.ChangeAsync(s.Home.ConfigFile, c => c.Add(s.Repository with { Name = "busy" }), ct);
        Directory.CreateDirectory(Path.Combine(cache, ".removed.replaced"));
        Directory.CreateDirectory(Path.Combine(cache, ".replaced"));
        Directory.CreateDirectory(Path.Combine(cache, ".busy.replaced"));
        File.WriteAllText(Path.Combine(cache, "busy"), "in the way");

        Assert.IsType<RepositoryUpdate.Updated>(await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: ct));

        Assert.Equal([".busy.replaced", "demo"], Directory.EnumerateDirectories(cache).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AddAsync_StaticHostingAnswering403ForMissingFiles_TakesThemAsMissing_ButA403ForTheManifestAsNeedingCredentials()
    {
        // S3 (and CloudFront in front of it) without listing rights answers 403 for an object it does not hold: the
        // repository has no rotations.asc, indexkeys.pgp or snapshot, which a 404 would have said.
        using var s = new Served();
        var ct = TestContext.Current.CancellationToken;
        s.Server.MissingStatus = 403;

        Assert.IsType<RepositoryUpdate.Updated>(await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: ct));
        Assert.Contains(s.Server.Requests, r => r.Path == TrustFiles.RotationsName && r.Status == 403);

        // The manifest, which every repository has, is read first: a 403 there is the repository refusing us.
        File.Delete(Path.Combine(s.Trust.Repo, TrustFiles.ManifestName));
        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: ct));
        Assert.Contains("the server wants credentials (403", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAsync_WhileAnotherCommandHoldsTheConfiguration_WaitsOnlyWithinItsDeadline()
    {
        using var s = new Served();
        var ct = TestContext.Current.CancellationToken;
        string folder = Path.GetDirectoryName(s.Home.ConfigFile)!;
        Directory.CreateDirectory(folder);
        await using (await Chartseal.IO.RepositoryLock.AcquireAsync(folder, ct))
        {
            var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryClient.AddAsync(s.Home, s.Repository, Now, deadline: new FetchDeadline(TimeSpan.FromSeconds(2)), cancellationToken: ct));
            Assert.Contains("another writer has held the lock for more than 2 s", e.Message, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(s.Home.ConfigFile));
    }

    [Fact]
    public async Task AddAsync_SameNameInParallel_OneAddsTheOthersFindItConfiguredSo()
    {
        // CI jobs adding the same repository at once: as Helm's repo add, one holds the configuration's lock for the
        // whole add, so the others wait, then find it configured exactly as they would (nothing to do, as Helm says
        // "already exists with the same configuration, skipping"), instead of deleting the first one's half-downloaded
        // cache.
        using var s = new Served();
        var ct = TestContext.Current.CancellationToken;

        var adds = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try
            {
                return (Result: (object)await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: ct), Error: (Exception?)null);
            }
            catch (Exception e)
            {
                return (Result: (object)"refused", Error: e);
            }
        }, ct)).ToList();
        var outcomes = await Task.WhenAll(adds);

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Single(outcomes, o => o.Result is RepositoryUpdate.Updated);
        Assert.Equal(5, outcomes.Count(o => o.Result is RepositoryUpdate.Unchanged));
        var config = await RepositoryConfigFile.LoadAsync(s.Home.ConfigFile, ct);
        Assert.Equal(s.Repository, Assert.Single(config.Repositories));
        Assert.True(File.Exists(Path.Combine(s.Home.CacheFor("demo"), "index.yaml")));
        Assert.Equal(["demo"], Directory.GetDirectories(s.Home.CacheDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AddAsync_HttpWithoutInsecureFlag_RefusedBeforeAnyRequest()
    {
        using var s = new Served();

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryClient.AddAsync(s.Home, s.Repository with { InsecureHttp = false }, Now, cancellationToken: TestContext.Current.CancellationToken));

        // The transport refusal, not a fetch error: nothing was asked of the server. (Its request log is not checked:
        // a port can be reused while another test's retried request is still on its way.)
        Assert.Contains("refusing a plain http:// URL", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(s.Home.ConfigFile));
    }

    [Fact]
    public async Task UpdateAsync_IndexUnchanged_SendsETagAndDoesNotDownloadAgain()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);

        var result = await RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(Assert.IsType<RepositoryUpdate.Updated>(result).IndexChanged);
        var indexRequests = s.Server.Requests.Where(r => r.Path == "index.yaml").ToList();
        Assert.Equal([200, 304], indexRequests.Select(r => r.Status));
        Assert.NotNull(indexRequests[1].IfNoneMatch);
    }

    // The ETag once stood for whatever index.yaml the cache held: a cached index damaged since (a crash, a full disk,
    // an edit, another repository's index copied in) got a 304, "index unchanged", and stayed damaged for good.
    [Theory]
    [InlineData("entries: [unclosed\n")]
    [InlineData("apiVersion: v1\nentries: {}\n")]
    public async Task UpdateAsync_CachedIndexChangedSinceItsDownload_DownloadsItAgain(string damaged)
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        string cached = Path.Combine(s.Home.CacheFor("demo"), "index.yaml");
        byte[] good = await File.ReadAllBytesAsync(cached, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(cached, damaged, TestContext.Current.CancellationToken);

        var result = await RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(Assert.IsType<RepositoryUpdate.Updated>(result).IndexChanged);
        Assert.Equal(good, await File.ReadAllBytesAsync(cached, TestContext.Current.CancellationToken));
        // And the next update may use the ETag again.
        var again = await RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(Assert.IsType<RepositoryUpdate.Updated>(again).IndexChanged);
    }

    // A file where a cache folder belongs once gave .NET's "The file '...' already exists" or "Could not find a part
    // of the path", which do not say that a file is in the way.
    [Fact]
    public async Task UpdateAndAdd_AFileInPlaceOfACacheFolder_OneLineSayingSo()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        string cache = s.Home.CacheFor("demo");
        Directory.Delete(cache, recursive: true);
        File.WriteAllText(cache, "x");

        var update = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"{cache}: is a file, not a folder", update.Message);
        File.Delete(cache);
        Directory.Delete(s.Home.CacheDirectory);
        File.WriteAllText(s.Home.CacheDirectory, "x");

        var add = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryClient.AddAsync(s.Home, s.Repository with { Name = "other" }, Now, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains($"{s.Home.CacheDirectory} is a file", add.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAsync_BrokenIndexOnServer_KeepsTheCachedIndex()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        string cached = Path.Combine(s.Home.CacheFor("demo"), "index.yaml");
        byte[] before = await File.ReadAllBytesAsync(cached, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(s.Trust.Repo, "index.yaml"), "entries: [unclosed\n", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<ChartsealException>(() => RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(before, await File.ReadAllBytesAsync(cached, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UpdateAsync_OlderTrustMaterial_RejectsRollbackAndKeepsTheCachedMaterial()
    {
        using var s = new Served();
        var version2 = await s.Trust.FilesAsync();
        await TrustRepository.RenewAsync(s.Trust.Repo, s.Trust.Root.RootSigner(Now), TrustFixture.Validity, Now, TestContext.Current.CancellationToken);
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        TrustFixture.WriteFiles(s.Trust.Repo, version2);

        var result = await RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RejectionReason.TrustRollback, Assert.IsType<RepositoryUpdate.Rejected>(result).Reason);
        var cached = Assert.IsType<TrustResult.Accepted>(await RepositoryClient.LoadCachedTrustAsync(s.Home, s.Repository, Now, TestContext.Current.CancellationToken));
        Assert.Equal(3, cached.Material.Version);
    }

    [Fact]
    public async Task LoadCachedTrustAsync_ServerGone_ChecksTheCacheOffline()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        s.Server.Dispose();

        var now = await RepositoryClient.LoadCachedTrustAsync(s.Home, s.Repository, Now, TestContext.Current.CancellationToken);
        var later = await RepositoryClient.LoadCachedTrustAsync(s.Home, s.Repository, Now + TrustFixture.Validity, TestContext.Current.CancellationToken);

        Assert.Equal(2, Assert.IsType<TrustResult.Accepted>(now).Material.Version);
        Assert.Equal(RejectionReason.TrustExpired, Assert.IsType<TrustResult.Rejected>(later).Reason);
    }

    [Fact]
    public async Task LoadCachedTrustAsync_ANewerVersionWasAcceptedElsewhere_RefusesAndSaysToRunRepoUpdate()
    {
        // After a revocation, audit or verify --repo URL accept the new version: the cached copy is then a rollback,
        // refused (fail closed), and the message says how to mend it.
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        await TrustRepository.RenewAsync(s.Trust.Repo, s.Trust.Root.RootSigner(Now), TrustFixture.Validity, Now, TestContext.Current.CancellationToken);
        Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(new FolderRepositorySource(s.Trust.Repo), s.Repository.Root, s.Home.TrustState, Now, TestContext.Current.CancellationToken));

        var cached = Assert.IsType<TrustResult.Rejected>(await RepositoryClient.LoadCachedTrustAsync(s.Home, s.Repository, Now, TestContext.Current.CancellationToken));

        Assert.Equal(RejectionReason.TrustRollback, cached.Reason);
        Assert.EndsWith("(the cached trust material of \"demo\": run chartseal repo update demo)", cached.Refusal.Message, StringComparison.Ordinal);
        Assert.IsType<RepositoryUpdate.Updated>(await RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken));
        Assert.IsType<TrustResult.Accepted>(await RepositoryClient.LoadCachedTrustAsync(s.Home, s.Repository, Now, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TrustOnFirstUse_ClaimsTheRootTheRepositoryNames()
    {
        using var s = new Served();

        var claimed = await TrustOnFirstUse.ClaimAsync(new HttpRepositorySource(s.Server.Url, FetchPolicy.PlainHttpAllowed), TestContext.Current.CancellationToken);

        Assert.Equal(s.Trust.Root.Fingerprint, claimed.Fingerprint);
        Assert.Equal(s.Trust.Root.UserId, claimed.UserId);
    }

    [Fact]
    public async Task TrustOnFirstUse_PlainHelmRepository_SaysWhatUsuallyCausesIt()
    {
        using var s = new Served();
        File.Delete(Path.Combine(s.Trust.Repo, "trust.yaml.asc"));

        var e = await Assert.ThrowsAsync<ChartsealException>(() => TrustOnFirstUse.ClaimAsync(new HttpRepositorySource(s.Server.Url, FetchPolicy.PlainHttpAllowed), TestContext.Current.CancellationToken));

        Assert.Equal(s.Server.Url.TrimEnd('/') + "/trust.yaml.asc", e.File);
        Assert.Equal("not found: the repository publishes no root-signed trust material (a plain Helm repository, or a mistyped URL; its maintainers create it with chartseal trust init)", e.Reason);
    }

    [Fact]
    public async Task RemoveAsync_DeletesConfigEntryAndCache()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(await RepositoryClient.RemoveAsync(s.Home, "demo", TestContext.Current.CancellationToken));

        Assert.Empty((await RepositoryConfigFile.LoadAsync(s.Home.ConfigFile, TestContext.Current.CancellationToken)).Repositories);
        Assert.False(Directory.Exists(s.Home.CacheFor("demo")));
        Assert.False(await RepositoryClient.RemoveAsync(s.Home, "demo", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SearchAsync_MatchesNameDescriptionAndKeywords()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);

        var all = (await ChartSearch.SearchAsync(s.Home, [s.Repository], new ChartSearchQuery(null), cancellationToken: TestContext.Current.CancellationToken)).Hits;
        var byName = (await ChartSearch.SearchAsync(s.Home, [s.Repository], new ChartSearchQuery("DEMO/de"), cancellationToken: TestContext.Current.CancellationToken)).Hits;
        var byDescription = (await ChartSearch.SearchAsync(s.Home, [s.Repository], new ChartSearchQuery("a DEMO chart"), cancellationToken: TestContext.Current.CancellationToken)).Hits;
        var byKeyword = (await ChartSearch.SearchAsync(s.Home, [s.Repository], new ChartSearchQuery("team-7"), cancellationToken: TestContext.Current.CancellationToken)).Hits;
        var none = (await ChartSearch.SearchAsync(s.Home, [s.Repository], new ChartSearchQuery("no-such-chart"), cancellationToken: TestContext.Current.CancellationToken)).Hits;

        var hit = Assert.Single(all);
        Assert.Equal(("demo/demo", "1.0.0", "1.2.3", "A demo chart"), (hit.Reference, hit.Version, hit.AppVersion, hit.Description));
        Assert.Single(byName);
        Assert.Single(byDescription);
        Assert.Single(byKeyword);
        Assert.Empty(none);
    }

    [Fact]
    public async Task LoadIndexAsync_SummaryOfAnotherIndex_ReadsTheYamlInstead()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        var cache = new RepositoryCache(s.Home.CacheFor("demo"));
        var fromSummary = await cache.LoadIndexAsync("demo", TestContext.Current.CancellationToken);

        // index.yaml replaced behind the summary's back: the summary no longer matches its SHA-256.
        var changed = await ChartIndex.LoadAsync(cache.IndexPath, TestContext.Current.CancellationToken);
        var entry = changed.Find("demo", "1.0.0")!;
        changed.Add(new IndexEntry { Metadata = new Chartseal.Charts.ChartMetadata { ApiVersion = "v2", Name = "demo", Version = "2.0.0" }, Urls = entry.Urls, Digest = entry.Digest });
        await changed.WriteAsync(cache.IndexPath, TestContext.Current.CancellationToken);
        var fromYaml = await cache.LoadIndexAsync("demo", TestContext.Current.CancellationToken);
        var fromRewrittenSummary = await cache.LoadIndexAsync("demo", TestContext.Current.CancellationToken);

        Assert.Equal(["1.0.0"], fromSummary.Entries["demo"].Select(e => e.Metadata.Version));
        Assert.Equal(["2.0.0", "1.0.0"], fromYaml.Entries["demo"].Select(e => e.Metadata.Version));
        Assert.Equal(["2.0.0", "1.0.0"], fromRewrittenSummary.Entries["demo"].Select(e => e.Metadata.Version));
    }

    [Fact]
    public async Task LoadIndexAsync_FromSummary_SameFieldsAsTheYaml()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        var cache = new RepositoryCache(s.Home.CacheFor("demo"));

        var yaml = (await ChartIndex.LoadAsync(cache.IndexPath, TestContext.Current.CancellationToken)).Find("demo", "1.0.0")!;
        var summary = (await cache.LoadIndexAsync("demo", TestContext.Current.CancellationToken)).Find("demo", "1.0.0")!;

        Assert.Equal(yaml.Urls, summary.Urls);
        Assert.Equal(yaml.Digest, summary.Digest);
        Assert.Equal(yaml.Metadata.Description, summary.Metadata.Description);
        Assert.Equal(yaml.Metadata.AppVersion, summary.Metadata.AppVersion);
        Assert.Equal(yaml.Metadata.Keywords, summary.Metadata.Keywords);
        Assert.Equal(yaml.Metadata.ApiVersion, summary.Metadata.ApiVersion);
    }

    [Fact]
    public async Task PullAsync_IndexEntryNamesAnotherVersionOfTheSignedArchive_RejectsNameVersionMismatch()
    {
        using var s = new Served();
        await File.WriteAllBytesAsync(Path.Combine(s.Trust.Repo, s.Trust.ArchiveName + ".prov"), s.Trust.Alice.Sign(s.Trust.Archive, s.Trust.ArchiveName, Now), TestContext.Current.CancellationToken);
        // The index claims 2.0.0 lives at the (validly signed) 1.0.0 archive, with its digest.
        string indexPath = Path.Combine(s.Trust.Repo, "index.yaml");
        var index = await ChartIndex.LoadAsync(indexPath, TestContext.Current.CancellationToken);
        var real = index.Find("demo", "1.0.0")!;
        index.Add(new IndexEntry { Metadata = new Chartseal.Charts.ChartMetadata { ApiVersion = "v2", Name = "demo", Version = "2.0.0" }, Urls = real.Urls, Digest = real.Digest });
        await index.WriteAsync(indexPath, TestContext.Current.CancellationToken);
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);

        var honest = await ChartPuller.PullAsync(s.Home, new PullRequest(s.Repository, "demo", "1.0.0"), Now, TestContext.Current.CancellationToken);
        var swapped = await ChartPuller.PullAsync(s.Home, new PullRequest(s.Repository, "demo", null), Now, TestContext.Current.CancellationToken);

        Assert.IsType<PullResult.Pulled>(honest);
        var rejected = Assert.IsType<PullResult.Rejected>(swapped);
        Assert.Equal(RejectionReason.NameVersionMismatch, rejected.Reason);
        Assert.Contains("index.yaml names demo 2.0.0, but the signed archive holds demo 1.0.0", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAsync_DripFedIndex_StopsAtTheDeadline_CacheUnchanged()
    {
        using var s = new Served();
        await RepositoryClient.AddAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken);
        string cache = s.Home.CacheFor("demo");
        var before = Directory.EnumerateFiles(cache).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        var index = await ChartIndex.LoadAsync(Path.Combine(s.Trust.Repo, "index.yaml"), TestContext.Current.CancellationToken);
        index.Generated = "2030-01-01T00:00:00Z"; // a new index, dripped
        await index.WriteAsync(Path.Combine(s.Trust.Repo, "index.yaml"), TestContext.Current.CancellationToken);
        using var drip = new HostileServer(s.Trust.Repo);
        drip.Drip["index.yaml"] = true;

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryClient.UpdateAsync(s.Home, s.Repository with { Url = drip.Url }, Now,
            deadline: new FetchDeadline(TimeSpan.FromSeconds(1)), cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith($"{drip.Url}/index.yaml: timed out after 1s", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.EnumerateFiles(cache).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes));
    }

    [Fact]
    public async Task AddAsync_SeveralAtOnce_EveryRepositoryIsRecorded()
    {
        using var s = new Served();
        string[] names = ["one", "two", "three", "four"];

        // Each add reads the configuration, verifies (slow), then saves: without a lock, the last save drops the others.
        var results = await Task.WhenAll(names.Select(name => Task.Run(() =>
            RepositoryClient.AddAsync(s.Home, s.Repository with { Name = name }, Now, cancellationToken: TestContext.Current.CancellationToken))));

        Assert.All(results, r => Assert.IsType<RepositoryUpdate.Updated>(r));
        var config = await RepositoryConfigFile.LoadAsync(s.Home.ConfigFile, TestContext.Current.CancellationToken);
        Assert.Equal(names.Order(), config.Repositories.Select(r => r.Name).Order());
    }
}

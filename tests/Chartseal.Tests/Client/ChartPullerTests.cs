using Chartseal.Client;
using Chartseal.Fetch;
using Chartseal.Repository;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Tests.Client;

/// <summary>Pulling from a configured repository (a folder: the same pipeline as http) and writing what was verified.</summary>
public sealed class ChartPullerTests
{
    private static readonly DateTime Now = TrustFixture.At(1);

    /// <summary>A repository with trust material and demo 1.0.0 signed by Alice, added to a client home.</summary>
    private sealed class Added : IDisposable
    {
        private Added(TrustFixture trust, ClientHome home, ConfiguredRepository repository)
        {
            Trust = trust;
            Home = home;
            Repository = repository;
        }

        public static async Task<Added> CreateAsync()
        {
            var trust = new TrustFixture();
            await trust.InitWithTwoMaintainersAsync(Now);
            string archive = Path.Combine(trust.Repo, trust.ArchiveName);
            await File.WriteAllBytesAsync(archive, trust.Archive);
            await File.WriteAllBytesAsync(archive + ".prov", trust.Alice.Sign(trust.Archive, trust.ArchiveName, Now));
            var index = (await RepositoryIndexer.IndexDirectoryAsync(trust.Repo, null, null, Now)).Index;
            await index.WriteAsync(Path.Combine(trust.Repo, "index.yaml"));
            var home = ClientHome.Under(trust.Temp.File("home"));
            var repository = new ConfiguredRepository("demo", trust.Repo, trust.Root.Fingerprint, false, false);
            Assert.IsType<RepositoryUpdate.Updated>(await RepositoryClient.AddAsync(home, repository, Now));
            return new Added(trust, home, repository);
        }

        public TrustFixture Trust { get; }
        public ClientHome Home { get; }
        public ConfiguredRepository Repository { get; }

        public async Task<PullResult.Pulled> PullAsync() =>
            Assert.IsType<PullResult.Pulled>(await ChartPuller.PullAsync(Home, new PullRequest(Repository, "demo", null), Now, TestContext.Current.CancellationToken));

        public void Dispose() => Trust.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SaveAsync_DestinationIsAFile_SaysSoAndWritesNothing(bool untar)
    {
        using var a = await Added.CreateAsync();
        var pulled = await a.PullAsync();
        string file = a.Trust.Temp.File("a-file");
        await File.WriteAllTextAsync(file, "in the way", TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => pulled.SaveAsync(file, untar, TestContext.Current.CancellationToken));

        Assert.Equal($"{file}: is a file, not a folder", e.Message);
        Assert.Equal("in the way", await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SaveAsync_DestinationBelowAFile_NamesTheFileInTheWay(bool untar)
    {
        using var a = await Added.CreateAsync();
        var pulled = await a.PullAsync();
        string file = a.Trust.Temp.File("a-file");
        await File.WriteAllTextAsync(file, "in the way", TestContext.Current.CancellationToken);
        string destination = Path.Combine(file, "charts");

        var e = await Assert.ThrowsAsync<ChartsealException>(() => pulled.SaveAsync(destination, untar, TestContext.Current.CancellationToken));

        Assert.Equal($"{destination}: cannot create the folder: {file} is a file", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SaveAllAsync_TwoChartsForOnePath_RefusedBeforeAnythingIsWritten(bool untar)
    {
        using var a = await Added.CreateAsync();
        var request = new PullRequest(a.Repository, "demo", null);
        var results = await ChartPuller.PullAllAsync(a.Home, [request, request with { Version = "1.0.0" }], Now, TestContext.Current.CancellationToken);
        string destination = a.Trust.Temp.File("out");

        var e = await Assert.ThrowsAsync<ChartsealException>(() => ChartPuller.SaveAllAsync(results, destination, untar, TestContext.Current.CancellationToken));

        string path = Path.Combine(destination, untar ? "demo" : "demo-1.0.0.tgz");
        Assert.Equal($"{path}: two of the charts pulled (demo 1.0.0 and demo 1.0.0) would be written here; pull them into different folders", e.Message);
        Assert.False(Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any(), "nothing is written");
    }

    [Fact]
    public async Task PullAllFromAsync_ARepositoryGivenByItsLocation_IsJudgedAsAConfiguredOne_AndOnlyTheTrustStateIsKept()
    {
        using var a = await Added.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var store = new TrustStateStore(a.Trust.Temp.File("state"));
        using var source = RepositorySource.Open(a.Trust.Repo, new FetchPolicy());

        var results = await ChartPuller.PullAllFromAsync(source, a.Trust.Pin, store, ["demo", "demo"], "^1", null, null, Now, ct);

        Assert.All(results, r => Assert.Equal(a.Trust.Archive, Assert.IsType<PullResult.Pulled>(r).Archive));
        Assert.Equal(2, store.Get(a.Trust.Pin)?.Seen.Version); // rollback protection, as for verify --repo DIR

        // A version no entry has, and a chart the index does not list: named by the location.
        var none = await Assert.ThrowsAsync<ChartsealException>(() => ChartPuller.PullAllFromAsync(source, a.Trust.Pin, store, ["demo"], "2.0.0", null, null, Now, ct));
        Assert.Equal($"{source.Location}/demo: no version matches \"2.0.0\"", none.Message);
        var missing = await Assert.ThrowsAsync<ChartsealException>(() => ChartPuller.PullAllFromAsync(source, a.Trust.Pin, store, ["other"], null, null, null, Now, ct));
        Assert.Equal($"{source.Location}/other: no chart named \"other\" in the repository's index", missing.Message);
    }

    [Fact]
    public async Task PullAllFromAsync_AnotherRoot_RefusesEveryChartAsAskedFor_BeforeReadingTheIndex()
    {
        using var a = await Added.CreateAsync();
        var store = new TrustStateStore(a.Trust.Temp.File("state"));
        using var source = RepositorySource.Open(a.Trust.Repo, new FetchPolicy());
        File.Delete(Path.Combine(a.Trust.Repo, "index.yaml")); // never read: the trust material is refused first

        var results = await ChartPuller.PullAllFromAsync(source, new PinnedRoot(a.Trust.Alice.Fingerprint), store, ["demo", "other"], null, null, null, Now, TestContext.Current.CancellationToken);

        Assert.Equal(["demo", "other"], results.Select(r => Assert.IsType<PullResult.Rejected>(r).Verdict.File));
        Assert.All(results, r => Assert.Equal(RejectionReason.TrustBadSignature, ((PullResult.Rejected)r).Verdict.Refusal.Reason));
        Assert.Null(store.Get(new PinnedRoot(a.Trust.Alice.Fingerprint)));
    }
}

using Chartseal.Client;
using Chartseal.Repository;
using Chartseal.Tests.Trust;

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
}

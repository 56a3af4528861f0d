#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Charts;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;

namespace Chartseal.Tests.Repository;

public sealed class ChartPublisherTests
{
    private static readonly DateTime Now = TrustFixture.At(1);

    private static async Task<TrustFixture> RepositoryWithMaintainersAsync()
    {
        var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Now);
        return f;
    }

    private static Task<PublishResult> Publish(TrustFixture f, string path, string? rebuildFrom = null, bool force = false) =>
        ChartPublisher.PublishAsync(new PublishRequest(path, null, f.Repo, f.Pin, rebuildFrom, null, force), f.Store, Now);

    [Fact]
    public async Task PublishAsync_TrustedChart_CopiesArchiveAndProvAndIndexesIt()
    {
        using var f = await RepositoryWithMaintainersAsync();
        string path = f.Stage(f.Archive, f.ArchiveName, f.Alice.Sign(f.Archive, f.ArchiveName, Now));

        var result = await Publish(f, path);

        var published = Assert.IsType<PublishResult.Published>(result);
        Assert.Equal(f.Archive, File.ReadAllBytes(Path.Combine(f.Repo, f.ArchiveName)));
        Assert.True(File.Exists(Path.Combine(f.Repo, f.ArchiveName + ".prov")));
        var index = await ChartIndex.LoadAsync(Path.Combine(f.Repo, "index.yaml"));
        Assert.Equal(published.Entry.Digest, Assert.Single(index.Entries["demo"]).Digest);
    }

    [Fact]
    public async Task PublishAsync_SameVersionTwice_RejectsVersionExistsUnlessForced()
    {
        using var f = await RepositoryWithMaintainersAsync();
        string path = f.Stage(f.Archive, f.ArchiveName, f.Alice.Sign(f.Archive, f.ArchiveName, Now));
        Assert.IsType<PublishResult.Published>(await Publish(f, path));

        var again = Assert.IsType<PublishResult.Rejected>(await Publish(f, path));
        Assert.Equal(RejectionReason.VersionExists, again.Reason);
        Assert.IsType<PublishResult.Published>(await Publish(f, path, force: true));
    }

    [Fact]
    public async Task PublishAsync_SignerNotInRepository_RejectsAndChangesNothing()
    {
        using var f = await RepositoryWithMaintainersAsync();
        var stranger = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);
        string path = f.Stage(f.Archive, f.ArchiveName, stranger.Sign(f.Archive, f.ArchiveName, Now));

        var result = Assert.IsType<PublishResult.Rejected>(await Publish(f, path));

        Assert.Equal(RejectionReason.SignerNotTrusted, result.Reason);
        Assert.False(File.Exists(Path.Combine(f.Repo, f.ArchiveName)));
        Assert.False(File.Exists(Path.Combine(f.Repo, "index.yaml")));
    }

    [Fact]
    public async Task PublishAsync_MissingProvenance_Rejects()
    {
        using var f = await RepositoryWithMaintainersAsync();
        string path = f.Stage(f.Archive, f.ArchiveName, prov: null);
        Assert.False(File.Exists(path + ".prov"), path);

        var result = Assert.IsType<PublishResult.Rejected>(await Publish(f, path));

        Assert.Equal(RejectionReason.MissingProvenance, result.Reason);
    }

    [Fact]
    public async Task PublishAsync_SourceChangedAfterSigning_RejectsRebuildMismatchNamingTheFile()
    {
        using var f = await RepositoryWithMaintainersAsync();
        string source = ChartFixtures.WriteSimpleChart(f.Temp.File("src"), "demo", "1.0.0");
        var packaged = ChartPackager.Package(source);
        string path = f.Stage(packaged.Archive, packaged.FileName, f.Alice.Sign(packaged.Archive, packaged.FileName, Now));
        File.AppendAllText(Path.Combine(source, "values.yaml"), "injected: true\n");

        var result = Assert.IsType<PublishResult.Rejected>(await Publish(f, path, rebuildFrom: source));

        Assert.Equal(RejectionReason.RebuildMismatch, result.Reason);
        Assert.Contains("values.yaml", result.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(f.Repo, packaged.FileName)));
    }

    [Fact]
    public async Task PublishAsync_RebuildFromChartWithNonSemVerAppVersion_Published()
    {
        using var f = await RepositoryWithMaintainersAsync();
        string source = ChartFixtures.WriteChart(f.Temp.File("src"), ("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: stable\n"));
        var packaged = ChartPackager.Package(source, new PackageOptions { AppVersion = "RELEASE.2023-01-01T00-00-00Z" });
        string path = f.Stage(packaged.Archive, packaged.FileName, f.Alice.Sign(packaged.Archive, packaged.FileName, Now));

        var published = Assert.IsType<PublishResult.Published>(await Publish(f, path, rebuildFrom: source));

        Assert.Equal("RELEASE.2023-01-01T00-00-00Z", published.Entry.Metadata.AppVersion);
    }

    [Fact]
    public async Task PublishAsync_ParallelDistinctCharts_AllIndexed()
    {
        using var f = await RepositoryWithMaintainersAsync();
        string source = ChartFixtures.WriteSimpleChart(f.Temp.File("src"), "demo", "1.0.0");
        var paths = Enumerable.Range(0, 12).Select(i =>
        {
            var packaged = ChartPackager.Package(source, new PackageOptions { Version = $"1.0.{i}" });
            return f.Stage(packaged.Archive, packaged.FileName, f.Alice.Sign(packaged.Archive, packaged.FileName, Now));
        }).ToList();

        var results = await Task.WhenAll(paths.Select(p => Task.Run(() => Publish(f, p))));

        Assert.All(results, r => Assert.IsType<PublishResult.Published>(r));
        var index = await ChartIndex.LoadAsync(Path.Combine(f.Repo, "index.yaml"));
        Assert.Equal(12, index.Entries["demo"].Count);
    }
}

using System.Security.Cryptography;
using Chartseal.Charts;
using Chartseal.Repository;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Repository;

public class RepositoryIndexerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task IndexDirectoryAsync_TwoVersionsAndJunk_IndexesChartsNewestFirstAndReportsJunk()
    {
        using var repo = new TempDirectory();
        string example = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        var v1 = ChartPackager.Package(example);
        var v2 = ChartPackager.Package(example, new PackageOptions { Version = "0.10.0" });
        await File.WriteAllBytesAsync(repo.File(v1.FileName), v1.Archive, TestContext.Current.CancellationToken);
        Directory.CreateDirectory(repo.File("sub"));
        await File.WriteAllBytesAsync(Path.Combine(repo.Path, "sub", v2.FileName), v2.Archive, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(repo.File("junk.tgz"), "not an archive", TestContext.Current.CancellationToken);

        var (index, skipped) = await RepositoryIndexer.IndexDirectoryAsync(repo.Path, "https://charts.example.com/", null, Now, TestContext.Current.CancellationToken);

        Assert.Equal(["0.10.0", "0.1.0"], index.Entries["hello"].Select(e => e.Metadata.Version));
        Assert.Equal("https://charts.example.com/sub/hello-0.10.0.tgz", index.Entries["hello"][0].Urls[0]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(v1.Archive)), index.Entries["hello"][1].Digest);
        Assert.Contains("junk.tgz", Assert.Single(skipped), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndexDirectoryAsync_Merge_KeepsRemoteEntriesLocalWins()
    {
        using var repo = new TempDirectory();
        var v1 = ChartPackager.Package(Path.Combine(TestPaths.RepoRoot, "examples", "hello"));
        await File.WriteAllBytesAsync(repo.File(v1.FileName), v1.Archive, TestContext.Current.CancellationToken);
        var old = new ChartIndex();
        old.Add(new IndexEntry { Metadata = new ChartMetadata { ApiVersion = "v2", Name = "other", Version = "1.0.0" }, Urls = ["other-1.0.0.tgz"], Digest = "aa" });
        old.Add(new IndexEntry { Metadata = new ChartMetadata { ApiVersion = "v2", Name = "hello", Version = "0.1.0" }, Urls = ["stale.tgz"], Digest = "bb" });
        await old.WriteAsync(repo.File("old.yaml"), TestContext.Current.CancellationToken);

        var (index, _) = await RepositoryIndexer.IndexDirectoryAsync(repo.Path, null, repo.File("old.yaml"), Now, TestContext.Current.CancellationToken);

        Assert.Equal("aa", Assert.Single(index.Entries["other"]).Digest);
        Assert.Equal("hello-0.1.0.tgz", Assert.Single(index.Entries["hello"]).Urls[0]);
    }
}

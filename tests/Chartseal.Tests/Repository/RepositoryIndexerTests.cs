using System.Security.Cryptography;
using Chartseal.Charts;
using Chartseal.IO;
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
    public async Task WriteIndexAsync_WaitsForTheWritersLock()
    {
        // A publish holding the lock is not overwritten: the index is listed and written after it.
        using var repo = new TempDirectory();
        var chart = ChartPackager.Package(Path.Combine(TestPaths.RepoRoot, "examples", "hello"));
        await File.WriteAllBytesAsync(repo.File(chart.FileName), chart.Archive, TestContext.Current.CancellationToken);

        Task indexing;
        await using (await RepositoryLock.AcquireAsync(repo.Path, TestContext.Current.CancellationToken))
        {
            indexing = RepositoryIndexer.WriteIndexAsync(repo.Path, null, null, json: false, Now, TestContext.Current.CancellationToken);
            await Task.Delay(500, TestContext.Current.CancellationToken);
            Assert.False(indexing.IsCompleted);
            Assert.False(File.Exists(repo.File(ChartIndex.FileName)));
        }
        await indexing;

        Assert.True(File.Exists(repo.File(ChartIndex.FileName)));
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

    [Fact]
    public async Task IndexDirectoryAsync_SameVersionInTwoArchives_BothListedTopLevelFirst()
    {
        using var repo = new TempDirectory();
        string example = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        var top = ChartPackager.Package(example, new PackageOptions { AppVersion = "top" });
        var nested = ChartPackager.Package(example, new PackageOptions { AppVersion = "nested" });
        Directory.CreateDirectory(repo.File("a"));
        await File.WriteAllBytesAsync(Path.Combine(repo.Path, "a", nested.FileName), nested.Archive, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(repo.File(top.FileName), top.Archive, TestContext.Current.CancellationToken);

        var (index, _) = await RepositoryIndexer.IndexDirectoryAsync(repo.Path, null, null, Now, TestContext.Current.CancellationToken);

        Assert.Equal(["top", "nested"], index.Entries["hello"].Select(e => e.Metadata.AppVersion));
        Assert.Equal(["hello-0.1.0.tgz", "a/hello-0.1.0.tgz"], index.Entries["hello"].Select(e => e.Urls[0]));
    }

    [Theory]
    [InlineData(null, "hello-0.1.0.tgz", "hello-0.1.0.tgz")]
    [InlineData(null, "copy of x.tgz", "copy of x.tgz")]
    [InlineData(null, "my dir/x.tgz", "my%20dir/x.tgz")]
    [InlineData("https://h.example/charts/", "x-1.0.0+b.tgz", "https://h.example/charts/x-1.0.0+b.tgz")]
    [InlineData("https://h.example/a/../b//", "sub/x.tgz", "https://h.example/b/sub/x.tgz")]
    [InlineData("https://h.example", "x.tgz", "https://h.example/x.tgz")]
    [InlineData("https://h.example/c?token=1", "x.tgz", "https://h.example/c/x.tgz?token=1")]
    [InlineData("https://h.example/%7Eme/", "x (1).tgz", "https://h.example/~me/x%20%281%29.tgz")]
    [InlineData("ftp://h/x#frag", "my dir/x (1).tgz", "ftp://h/x/my%20dir/x%20%281%29.tgz#frag")]
    [InlineData("example.com:8080/charts", "x.tgz", "example.com:8080/charts")]
    public void EntryUrl_JoinedAsHelmJoinsIt(string? baseUrl, string relativePath, string expected)
    {
        Assert.Equal(expected, RepositoryIndexer.EntryUrl(baseUrl, relativePath));
    }
}

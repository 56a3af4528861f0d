using Chartseal.Client;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Client;

/// <summary>The cached index and its summary: both must give pull and search the same entries, in Helm's order.</summary>
public sealed class RepositoryCacheTests
{
    // One chart version listed twice (as `helm repo index --merge` can leave it): Helm keeps both and pulls the first.
    private const string IndexWithDuplicateVersion = """
        apiVersion: v1
        entries:
          hello:
          - apiVersion: v2
            name: hello
            version: 0.1.0
            digest: 1111111111111111111111111111111111111111111111111111111111111111
            urls:
            - hello-0.1.0.tgz
          - apiVersion: v2
            name: hello
            version: 0.1.0
            digest: 2222222222222222222222222222222222222222222222222222222222222222
            urls:
            - mirror/hello-0.1.0.tgz
          - apiVersion: v2
            name: hello
            version: 0.2.0-rc.1
            digest: 3333333333333333333333333333333333333333333333333333333333333333
            urls:
            - hello-0.2.0-rc.1.tgz
        generated: "2026-01-01T00:00:00Z"

        """;

    [Fact]
    public async Task LoadIndexAsync_DuplicateVersion_SummaryKeepsBothEntriesInHelmsOrder()
    {
        using var t = new TempDirectory();
        var cache = new RepositoryCache(t.File("cache"));
        string download = cache.PrepareIndexDownload();
        await File.WriteAllTextAsync(download, IndexWithDuplicateVersion, TestContext.Current.CancellationToken);
        string sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(download, TestContext.Current.CancellationToken)));
        await cache.StoreIndexDownloadAsync(sha256, null, "index.yaml", TestContext.Current.CancellationToken);
        // StoreIndexDownloadAsync wrote the summary for the cached index.yaml: its answer is the summary's.
        var fromSummary = await cache.LoadIndexAsync("demo", TestContext.Current.CancellationToken);
        File.Delete(Path.Combine(cache.Directory, "index-summary.json"));

        var fromYaml = await cache.LoadIndexAsync("demo", TestContext.Current.CancellationToken);

        string[] expected = ["0.2.0-rc.1 hello-0.2.0-rc.1.tgz", "0.1.0 hello-0.1.0.tgz", "0.1.0 mirror/hello-0.1.0.tgz"];
        Assert.Equal(expected, fromYaml.Entries["hello"].Select(e => $"{e.Metadata.Version} {e.Urls[0]}"));
        Assert.Equal(expected, fromSummary.Entries["hello"].Select(e => $"{e.Metadata.Version} {e.Urls[0]}"));
        Assert.Equal("hello-0.1.0.tgz", ChartPuller.SelectVersion(fromSummary, "demo", "hello", null).Urls[0]);
        Assert.Equal("hello-0.1.0.tgz", ChartPuller.SelectVersion(fromSummary, "demo", "hello", "0.1.0").Urls[0]);
    }

    // A cached index damaged since its download (a crash, a full disk, an edit) once said only that it was invalid.
    [Theory]
    [InlineData("entries: [unclosed\n")]
    [InlineData("")]
    public async Task LoadIndexAsync_DamagedCachedIndex_OneLineNamingItAndTheRepair(string damaged)
    {
        using var t = new TempDirectory();
        var cache = new RepositoryCache(t.File("cache"));
        Directory.CreateDirectory(cache.Directory);
        await File.WriteAllTextAsync(cache.IndexPath, damaged, TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => cache.LoadIndexAsync("demo", TestContext.Current.CancellationToken));

        Assert.StartsWith(cache.IndexPath + ": ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(the cached index of \"demo\" is damaged: run chartseal repo update demo)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}

using Chartseal.Repository;
using Chartseal.Tests.Support;
using Chartseal.Fetch;

namespace Chartseal.Tests.Fetch;

/// <summary>The one HTTP client: retries what is transient, never a 4xx, and revalidates with ETags.</summary>
public sealed class HttpFetcherTests
{
    private static (TempDirectory Temp, FolderServer Server) ServeOneFile(byte[] content)
    {
        var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("index.yaml"), content);
        return (temp, new FolderServer(temp.Path));
    }

    [Fact]
    public async Task FetchAsync_ServerErrorThenOk_RetriesAndSucceeds()
    {
        var (temp, server) = ServeOneFile("apiVersion: v1\n"u8.ToArray());
        using (temp)
        using (server)
        {
            server.InjectedStatuses.Enqueue(503);
            server.InjectedStatuses.Enqueue(502);

            var outcome = await HttpFetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken);

            Assert.Equal("apiVersion: v1\n"u8.ToArray(), Assert.IsType<FetchOutcome.Downloaded>(outcome).Content);
            Assert.Equal([503, 502, 200], server.Requests.Select(r => r.Status));
        }
    }

    [Fact]
    public async Task FetchAsync_ServerErrorEveryTime_FailsAfterMaxAttempts()
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            for (int i = 0; i < HttpFetcher.MaxAttempts; i++)
            {
                server.InjectedStatuses.Enqueue(500);
            }

            var e = await Assert.ThrowsAsync<ChartsealException>(() => HttpFetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

            Assert.Contains("server answered 500", e.Message, StringComparison.Ordinal);
            Assert.Equal(HttpFetcher.MaxAttempts, server.Requests.Count);
        }
    }

    [Theory]
    [InlineData(403)]
    [InlineData(401)]
    [InlineData(410)]
    public async Task FetchAsync_ClientError_NeverRetried(int status)
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            server.InjectedStatuses.Enqueue(status);

            var e = await Assert.ThrowsAsync<ChartsealException>(() => HttpFetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

            Assert.Contains($"server answered {status}", e.Message, StringComparison.Ordinal);
            Assert.Single(server.Requests);
        }
    }

    [Fact]
    public async Task FetchAsync_MatchingETag_NotModified()
    {
        var (temp, server) = ServeOneFile("apiVersion: v1\n"u8.ToArray());
        using (temp)
        using (server)
        {
            Uri uri = HttpFetcher.FileUri(server.Url, "index.yaml");
            var first = Assert.IsType<FetchOutcome.Downloaded>(await HttpFetcher.FetchAsync(uri, 1024, null, TestContext.Current.CancellationToken));
            Assert.NotNull(first.ETag);

            var second = await HttpFetcher.FetchAsync(uri, 1024, new FetchOptions(first.ETag), TestContext.Current.CancellationToken);

            Assert.IsType<FetchOutcome.NotModified>(second);
            Assert.Equal(first.ETag, server.Requests.Last().IfNoneMatch);
        }
    }

    [Fact]
    public async Task FetchAsync_LargerThanLimit_RefusedNamingTheUrl()
    {
        var (temp, server) = ServeOneFile(new byte[4096]);
        using (temp)
        using (server)
        {
            var e = await Assert.ThrowsAsync<ChartsealException>(() => HttpFetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1000, null, TestContext.Current.CancellationToken));

            Assert.Contains("index.yaml: is larger than the 1000 byte limit", e.Message, StringComparison.Ordinal);
            Assert.Single(server.Requests);
        }
    }

    [Fact]
    public async Task FetchAsync_Progress_ReportsEveryByteReceived()
    {
        var (temp, server) = ServeOneFile(new byte[200_000]);
        using (temp)
        using (server)
        {
            var reports = new List<DownloadProgress>();
            var progress = new SynchronousProgress(reports.Add);

            await HttpFetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1_000_000, new FetchOptions(Progress: progress), TestContext.Current.CancellationToken);

            Assert.NotEmpty(reports);
            Assert.Equal(200_000, reports[^1].Received);
            Assert.Equal(200_000, reports[^1].Total);
            Assert.True(reports[^1].Done);
            Assert.Single(reports, r => r.Done);
        }
    }

    private sealed class SynchronousProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}

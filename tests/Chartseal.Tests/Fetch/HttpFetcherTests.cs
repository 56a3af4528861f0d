using Chartseal.Tests.Support;
using Chartseal.Fetch;

namespace Chartseal.Tests.Fetch;

/// <summary>The one HTTP client: retries what is transient, never a 4xx, and revalidates with ETags.</summary>
public sealed class HttpFetcherTests
{
    // The test servers are plain http on loopback: allowed here on purpose.
    private static readonly HttpFetcher Fetcher = new(FetchPolicy.PlainHttpAllowed);

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

            var outcome = await Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken);

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
            for (int i = 0; i < Fetcher.Policy.MaxAttempts; i++)
            {
                server.InjectedStatuses.Enqueue(500);
            }

            var e = await Assert.ThrowsAsync<ChartsealException>(() => Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

            Assert.Contains("server answered 500", e.Message, StringComparison.Ordinal);
            Assert.Equal(Fetcher.Policy.MaxAttempts, server.Requests.Count);
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

            var e = await Assert.ThrowsAsync<ChartsealException>(() => Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

            // 401 and 403 say what to do about credentials (HttpFetcherAuthTests); each names the status.
            Assert.Contains(status == 410 ? $"server answered {status}" : $"({status} ", e.Message, StringComparison.Ordinal);
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
            var first = Assert.IsType<FetchOutcome.Downloaded>(await Fetcher.FetchAsync(uri, 1024, null, TestContext.Current.CancellationToken));
            Assert.NotNull(first.ETag);

            var second = await Fetcher.FetchAsync(uri, 1024, new FetchOptions(first.ETag), TestContext.Current.CancellationToken);

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
            var e = await Assert.ThrowsAsync<ChartsealException>(() => Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1000, null, TestContext.Current.CancellationToken));

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

            await Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1_000_000, new FetchOptions(Progress: progress), TestContext.Current.CancellationToken);

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

    [Fact]
    public async Task PlainHttp_IsRefusedUnlessAllowed_BeforeAnyRequest()
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            var httpsOnly = new HttpFetcher(FetchPolicy.HttpsOnly);
            var e = await Assert.ThrowsAsync<ChartsealException>(() => httpsOnly.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

            Assert.Contains("refusing a plain http:// URL", e.Message, StringComparison.Ordinal);
            Assert.Contains("--insecure-http", e.Message, StringComparison.Ordinal);
            Assert.Empty(server.Requests);
        }
    }

    [Theory]
    [InlineData("file:///etc/passwd", "refusing a redirect to a file: URL")]
    [InlineData("javascript:alert(1)", "refusing a redirect to a javascript: URL")]
    [InlineData("mailto:root@127.0.0.1", "refusing a redirect to a mailto: URL")]
    [InlineData("ftp://127.0.0.1/x", "refusing a redirect to a ftp: URL")]
    public async Task HostileRedirect_IsOneLine_AndNotFollowed(string location, string expected)
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            server.InjectedAnswers.Enqueue((302, new Dictionary<string, string> { ["Location"] = location }, null));

            var e = await Assert.ThrowsAsync<ChartsealException>(() => Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
            Assert.Single(server.Requests);
        }
    }

    [Fact]
    public async Task Redirect_ToAnHttpUrl_IsFollowedWhenThePolicyAllowsIt_AndRefusedWhenItDoesNot()
    {
        var (temp, server) = ServeOneFile("apiVersion: v1\n"u8.ToArray());
        using (temp)
        using (server)
        {
            server.InjectedAnswers.Enqueue((301, new Dictionary<string, string> { ["Location"] = server.Url + "/index.yaml" }, null));
            var followed = await Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "moved.yaml"), 1024, null, TestContext.Current.CancellationToken);
            Assert.Equal("apiVersion: v1\n"u8.ToArray(), Assert.IsType<FetchOutcome.Downloaded>(followed).Content);

            for (int i = 0; i < 7; i++)
            {
                server.InjectedAnswers.Enqueue((302, new Dictionary<string, string> { ["Location"] = server.Url + "/again" }, null));
            }
            var loop = await Assert.ThrowsAsync<ChartsealException>(() => Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "again"), 1024, null, TestContext.Current.CancellationToken));
            Assert.Contains("more than 5 redirects", loop.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BogusGzipContentEncoding_IsOneLineNotACrash()
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            server.InjectedAnswers.Enqueue((200, new Dictionary<string, string> { ["Content-Encoding"] = "gzip" }, "this is not gzip at all, but the server says it is"u8.ToArray()));

            var e = await Assert.ThrowsAsync<ChartsealException>(() => Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

            Assert.Contains("not valid gzip", e.Message, StringComparison.Ordinal);
            Assert.Single(server.Requests);
        }
    }

    private static byte[] Gzipped(byte[] content)
    {
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }
        return packed.ToArray();
    }

    private static byte[] ManyLines => System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"line{i}: value{i}\n")));

    [Fact]
    public async Task GzipContentEncoding_IsDecoded()
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            server.InjectedAnswers.Enqueue((200, new Dictionary<string, string> { ["Content-Encoding"] = "gzip" }, Gzipped(ManyLines)));

            var outcome = await Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1_000_000, null, TestContext.Current.CancellationToken);

            Assert.Equal(ManyLines, Assert.IsType<FetchOutcome.Downloaded>(outcome).Content);
        }
    }

    [Fact]
    public async Task XGzipContentEncoding_IsNotDecoded_TheArchiveArrivesAsStored()
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            // An old Apache default labels .tgz files "x-gzip": the bytes are the archive, as Helm (Go) reads them too.
            byte[] archive = Gzipped(ManyLines);
            server.InjectedAnswers.Enqueue((200, new Dictionary<string, string> { ["Content-Encoding"] = "x-gzip" }, archive));

            var outcome = await Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "hello-0.1.0.tgz"), 1_000_000, null, TestContext.Current.CancellationToken);

            Assert.Equal(archive, Assert.IsType<FetchOutcome.Downloaded>(outcome).Content);
        }
    }

    [Theory]
    [InlineData(true)] // cut in the middle of the deflate data
    [InlineData(false)] // the deflate data complete, the CRC-32 and length trailer missing
    public async Task TruncatedGzipAnswer_IsRefused_NotTakenForAShorterFile(bool midStream)
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            byte[] packed = Gzipped(ManyLines);
            // A complete HTTP answer (its Content-Length is what is sent) whose gzip stream stops early: a proxy or cache
            // that stored a cut copy. The decoder would stop quietly and hand back the first part of the file.
            server.InjectedAnswers.Enqueue((200, new Dictionary<string, string> { ["Content-Encoding"] = "gzip" }, midStream ? packed[..(packed.Length / 2)] : packed[..^8]));
            string path = temp.File("saved.yaml");

            var e = await Assert.ThrowsAsync<ChartsealException>(() => Fetcher.FetchToFileAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1_000_000, path, null, TestContext.Current.CancellationToken));

            Assert.StartsWith(HttpFetcher.FileUri(server.Url, "index.yaml") + ": ", e.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GzipBomb_CountsDecodedBytesAgainstTheLimit()
    {
        var (temp, server) = ServeOneFile("x"u8.ToArray());
        using (temp)
        using (server)
        {
            using var packed = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                gzip.Write(new byte[10_000_000]);
            }
            server.InjectedAnswers.Enqueue((200, new Dictionary<string, string> { ["Content-Encoding"] = "gzip" }, packed.ToArray()));

            var e = await Assert.ThrowsAsync<ChartsealException>(() => Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1_000_000, null, TestContext.Current.CancellationToken));

            Assert.Contains("is larger than the 1000000 byte limit", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Truncate_ReturnsTheFirstBytesUpToTheLimit()
    {
        var (temp, server) = ServeOneFile(new byte[4096]);
        using (temp)
        using (server)
        {
            var outcome = await Fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1001, new FetchOptions(Truncate: true), TestContext.Current.CancellationToken);

            Assert.Equal(1001, Assert.IsType<FetchOutcome.Downloaded>(outcome).Content.Length);
        }
    }

    [Fact]
    public async Task DripFeed_IsCutAtTheOverallDeadline_NamingTheUrl()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("index.yaml"), new byte[400]);
        using var server = new HostileServer(temp.Path);
        server.Drip["index.yaml"] = true;
        var fetcher = new HttpFetcher(FetchPolicy.PlainHttpAllowed with { Deadline = new FetchDeadline(TimeSpan.FromSeconds(2)) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ChartsealException>(() => fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

        Assert.Equal($"{server.Url}/index.yaml: timed out after 2s (the overall deadline of the command: set it with --timeout or CHARTSEAL_TIMEOUT)", e.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(6));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task DripFeed_SharesOneDeadlineAcrossDownloads_TheNextIsRefusedAtOnce()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("a.tgz"), new byte[400]);
        File.WriteAllBytes(temp.File("b.tgz"), new byte[4]);
        using var server = new HostileServer(temp.Path);
        server.Drip["a.tgz"] = true;
        var fetcher = new HttpFetcher(FetchPolicy.PlainHttpAllowed with { Deadline = new FetchDeadline(TimeSpan.FromSeconds(1)) });

        await Assert.ThrowsAsync<ChartsealException>(() => fetcher.GetAsync(HttpFetcher.FileUri(server.Url, "a.tgz"), 1024, TestContext.Current.CancellationToken));
        var next = await Assert.ThrowsAsync<ChartsealException>(() => fetcher.GetAsync(HttpFetcher.FileUri(server.Url, "b.tgz"), 1024, TestContext.Current.CancellationToken));

        Assert.Contains("b.tgz: timed out after 1s", next.Message, StringComparison.Ordinal);
        Assert.Equal(["a.tgz"], server.Requests);
    }

    [Fact]
    public async Task DripFeed_BelowTheLowSpeedLimit_EachAttemptIsCutAfterOneWindow()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("index.yaml"), new byte[400]);
        using var server = new HostileServer(temp.Path) { Interval = TimeSpan.FromMilliseconds(200) };
        server.Drip["index.yaml"] = true;
        var fetcher = new HttpFetcher(FetchPolicy.PlainHttpAllowed with { LowSpeedLimit = 100, LowSpeedTime = TimeSpan.FromSeconds(1) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ChartsealException>(() => fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

        Assert.Matches(@"index\.yaml: too slow: \d bytes in 1s \(the least accepted is 100 bytes a second\) \(3 attempts\)$", e.Message);
        Assert.Equal(3, server.Requests.Count);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task SilentServer_IsCutAfterOneLowSpeedWindow()
    {
        using var temp = new TempDirectory();
        using var server = new HostileServer(temp.Path);
        server.Silent["index.yaml"] = true;
        var fetcher = new HttpFetcher(FetchPolicy.PlainHttpAllowed with { LowSpeedTime = TimeSpan.FromSeconds(1), MaxAttempts = 1 });

        var e = await Assert.ThrowsAsync<ChartsealException>(() => fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 1024, null, TestContext.Current.CancellationToken));

        Assert.EndsWith("index.yaml: the server sent nothing for 1s (1 attempts)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_ReportsTheTimeLeftBeforeTheDeadline()
    {
        var (temp, server) = ServeOneFile(new byte[1000]);
        using (temp)
        using (server)
        {
            var reports = new List<DownloadProgress>();
            var fetcher = new HttpFetcher(FetchPolicy.PlainHttpAllowed with { Deadline = new FetchDeadline(TimeSpan.FromMinutes(3)) });

            await fetcher.FetchAsync(HttpFetcher.FileUri(server.Url, "index.yaml"), 10_000, new FetchOptions(Progress: new SynchronousProgress(reports.Add)), TestContext.Current.CancellationToken);

            Assert.All(reports, r => Assert.InRange(r.TimeLeft!.Value, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3)));
        }
    }

    [Theory]
    [InlineData("2s", 2)]
    [InlineData("5m", 300)]
    [InlineData("1m30s", 90)]
    [InlineData("1.5h", 5400)]
    [InlineData("250ms", 0.25)]
    [InlineData("45", 45)]
    public void Deadline_ParsesHelmStyleDurations(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), FetchDeadline.Parse(text, "--timeout"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("5 minutes")]
    [InlineData("-1s")]
    [InlineData("2d")]
    [InlineData("25h")]
    public void Deadline_RefusesWhatIsNotAPositiveDuration(string text)
    {
        var e = Assert.Throws<ChartsealException>(() => FetchDeadline.Parse(text, "--timeout"));
        Assert.StartsWith("--timeout: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deadline_FlagWinsOverTheEnvironment_WhichWinsOverTheDefault()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), FetchDeadline.Start("3s", "1m").Timeout);
        Assert.Equal(TimeSpan.FromMinutes(1), FetchDeadline.Start(null, "1m").Timeout);
        Assert.Equal(FetchDeadline.DefaultTimeout, FetchDeadline.Start(null, null).Timeout);
        Assert.Contains("CHARTSEAL_TIMEOUT", Assert.Throws<ChartsealException>(() => FetchDeadline.Start(null, "soon")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deadline_OnceItStoppedADownload_HasPassedForTheNext_EvenIfItsTimerFiredEarly()
    {
        // The timer that cancels a download may fire a hair before the clock reads zero; the next download must not
        // start in that gap (it would finish a small file after the command's deadline).
        var deadline = new FetchDeadline(TimeSpan.FromMinutes(1));

        _ = deadline.TimedOut("http://127.0.0.1/a.tgz");

        Assert.True(deadline.HasPassed);
        Assert.Equal(TimeSpan.Zero, deadline.Remaining);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Chartseal.Charts;

namespace Chartseal.Server.Tests;

/// <summary>
/// Real HTTP requests at the edges of the write API: racing uploads of one version, delete and re-upload, a version whose
/// files are gone, names that try to leave the folder, oversized headers, and an upload dropped half-way through its body.
/// </summary>
public sealed class RobustnessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage Delete(string path) =>
        new(HttpMethod.Delete, path) { Headers = { Authorization = ServerFixture.Bearer } };

    private static async Task<ChartIndex> IndexAsync(ServerFixture s) =>
        ChartIndex.Load(await s.Http.GetStreamAsync("index.yaml", Ct), "index.yaml");

    [Fact]
    public async Task SameVersionUploadedAtOnce_ByTwoSigners_ExactlyOneLands_TheOthersGet409()
    {
        await using var s = await ServerFixture.StartAsync();
        // Two different archives of one version (signed by different maintainers), eight requests at once.
        var charts = Enumerable.Range(0, 8).Select(i => s.Chart("pg", "1.0.0", i % 2 == 0 ? s.Trust.Alice : s.Trust.Bob)).ToList();

        var responses = await Task.WhenAll(charts.Select(c => s.UploadAsync(c)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var entry = Assert.Single((await IndexAsync(s)).Entries["pg"]);
        byte[] stored = await File.ReadAllBytesAsync(Path.Combine(s.Repo, "pg-1.0.0.tgz"), Ct);
        Assert.Equal(entry.Digest, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stored)));
        Assert.Empty(Directory.EnumerateFiles(s.Repo, ".*.tmp"));
    }

    [Fact]
    public async Task UploadDeleteReupload_TheSameArchive_IsServedAgain()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        (await s.UploadAsync(chart)).Dispose();
        using (var deleted = await s.Http.SendAsync(Delete("api/charts/mysql/1.2.3"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }
        using (var gone = await s.Http.GetAsync("mysql-1.2.3.tgz", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var again = await s.UploadAsync(chart);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(chart.Archive, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz", Ct));
    }

    [Fact]
    public async Task Delete_VersionWhoseFilesAreAlreadyGone_RemovesTheEntry()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        File.Delete(Path.Combine(s.Repo, "mysql-1.2.3.tgz"));
        File.Delete(Path.Combine(s.Repo, "mysql-1.2.3.tgz.prov"));

        using var response = await s.Http.SendAsync(Delete("api/charts/mysql/1.2.3"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null((await IndexAsync(s)).Find("mysql", "1.2.3"));
    }

    [Theory]
    [InlineData("api/charts/..%2Findex.yaml/1")]
    [InlineData("api/charts/..%2F..%2Fetc/passwd")]
    [InlineData("api/charts/mysql/..%2F..%2Findex.yaml")]
    [InlineData("api/charts/.chartseal.lock/1")]
    public async Task Delete_NameOrVersionThatLeavesTheFolder_404AndNothingTouched(string path)
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        string[] before = s.AllNames();
        byte[] index = await File.ReadAllBytesAsync(Path.Combine(s.Repo, "index.yaml"), Ct);

        using var response = await s.Http.SendAsync(Delete(path), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, s.AllNames());
        Assert.Equal(index, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "index.yaml"), Ct));
    }

    [Fact]
    public async Task HeadersLargerThanTheServerTakes_431_AndTheServerKeepsServing()
    {
        await using var s = await ServerFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "index.yaml");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('a', 64 * 1024));

        using var response = await s.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        using var next = await s.Http.GetAsync("index.yaml", Ct);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UploadDroppedHalfWayThroughItsBody_LeavesNothingHalfWritten(bool multipart)
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("pg", "1.0.0", s.Trust.Alice);
        string[] before = s.AllNames();
        byte[] body;
        string contentType;
        if (multipart)
        {
            var form = new MultipartFormDataContent("edge")
            {
                { new ByteArrayContent(chart.Archive), "chart", chart.FileName },
                { new ByteArrayContent(chart.Provenance!), "prov", chart.FileName + ".prov" },
            };
            body = await form.ReadAsByteArrayAsync(Ct);
            contentType = form.Headers.ContentType!.ToString();
        }
        else
        {
            body = chart.Archive;
            contentType = "application/octet-stream";
        }

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(s.Server.Address.Host, s.Server.Address.Port, Ct);
            var stream = tcp.GetStream();
            string head = $"POST /api/charts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {ServerFixture.Token}\r\n" +
                $"Content-Type: {contentType}\r\nContent-Length: {body.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
            await stream.WriteAsync(body.AsMemory(0, body.Length * 3 / 4), Ct);
            await stream.FlushAsync(Ct);
        }
        // The dropped request wrote nothing (no temporary file left, no held half in the way): the complete upload of the
        // same chart lands, and the folder then holds exactly its files.
        using var complete = await s.UploadAsync(chart);

        Assert.Equal(HttpStatusCode.Created, complete.StatusCode);
        Assert.Equal([.. before.Union(["index.yaml", "pg-1.0.0.tgz", "pg-1.0.0.tgz.prov"]).Order(StringComparer.Ordinal)], s.AllNames());
    }
}

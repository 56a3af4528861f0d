using System.Net;
using System.Text.Json;

namespace Chartseal.Server.Tests;

/// <summary>
/// What a script written for ChartMuseum (or <c>helm cm-push</c>) relies on beyond uploading: HEAD on the read API,
/// <c>offset</c>/<c>limit</c> on <c>GET /api/charts</c>, <c>latest</c> and version lookup as Helm's <c>IndexFile.Get</c>
/// answers them, and an archive named after its own Chart.yaml whatever the multipart part's file name says.
/// </summary>
public sealed class ChartMuseumParityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ServerFixture> WithChartsAsync(params (string Name, string Version)[] charts)
    {
        var s = await ServerFixture.StartAsync();
        foreach (var (name, version) in charts)
        {
            using var response = await s.UploadAsync(s.Chart(name, version, s.Trust.Alice));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        return s;
    }

    [Theory]
    [InlineData("upload.tgz")]
    [InlineData(@"C:\build\mysql-1.2.3.tgz")]
    [InlineData("/tmp/helm-push-123/mysql-1.2.3.tgz")]
    public async Task Upload_MultipartPartNamedOtherwise_IsStoredUnderItsOwnChartYamlName(string partFileName)
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);

        // ChartMuseum names an upload after its content, never after the part's file name (curl -F chart=@dist/out.tgz).
        using var response = await s.UploadAsync(chart with { FileName = partFileName });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["mysql-1.2.3.tgz", "mysql-1.2.3.tgz.prov"], s.RepositoryFiles());
        Assert.Equal(chart.Archive, await s.Http.GetByteArrayAsync("/mysql-1.2.3.tgz", Ct));
    }

    [Fact]
    public async Task Upload_MultipartPartNamedAsAnotherChart_StillCannotLandOnThatChartsFiles()
    {
        await using var s = await WithChartsAsync(("redis", "1.0.0"));
        byte[] redis = await File.ReadAllBytesAsync(Path.Combine(s.Repo, "redis-1.0.0.tgz"), Ct);
        var mysql = s.Chart("mysql", "1.2.3", s.Trust.Alice);

        using var response = await s.UploadAsync(mysql with { FileName = "redis-1.0.0.tgz" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(redis, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "redis-1.0.0.tgz"), Ct));
        Assert.Equal(mysql.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "mysql-1.2.3.tgz"), Ct));
    }

    [Theory]
    [InlineData("api/charts", HttpStatusCode.OK)]
    [InlineData("api/charts/mysql", HttpStatusCode.OK)]
    [InlineData("api/charts/mysql/1.2.3", HttpStatusCode.OK)]
    [InlineData("api/charts/mysql/latest", HttpStatusCode.OK)]
    [InlineData("api/charts/nope", HttpStatusCode.NotFound)]
    [InlineData("api/charts/mysql/9.9.9", HttpStatusCode.NotFound)]
    public async Task Head_OnTheReadApi_AnswersAsGetWithoutABody(string path, HttpStatusCode expected)
    {
        await using var s = await WithChartsAsync(("mysql", "1.2.3"));
        using var get = await s.Http.GetAsync(path, Ct);

        using var head = await s.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);

        Assert.Equal(expected, head.StatusCode);
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task ApiCharts_OffsetAndLimit_PageTheChartsInNameOrder()
    {
        await using var s = await WithChartsAsync(("redis", "1.0.0"), ("apache", "1.0.0"), ("mysql", "1.2.3"), ("mysql", "1.3.0"));

        static async Task<string[]> NamesAsync(ServerFixture s, string query)
        {
            using var json = JsonDocument.Parse(await s.Http.GetStringAsync("api/charts" + query, Ct));
            return [.. json.RootElement.EnumerateObject().Select(p => p.Name)];
        }

        Assert.Equal(["apache", "mysql", "redis"], await NamesAsync(s, ""));
        Assert.Equal(["apache", "mysql"], await NamesAsync(s, "?limit=2"));
        Assert.Equal(["mysql"], await NamesAsync(s, "?offset=1&limit=1"));
        Assert.Equal(["redis"], await NamesAsync(s, "?offset=2&limit=5"));
        Assert.Equal(["mysql", "redis"], await NamesAsync(s, "?offset=1"));
        Assert.Empty(await NamesAsync(s, "?offset=3&limit=1"));
        // A page holds every version of its charts, newest first.
        using var page = JsonDocument.Parse(await s.Http.GetStringAsync("api/charts?offset=1&limit=1", Ct));
        Assert.Equal(["1.3.0", "1.2.3"], page.RootElement.GetProperty("mysql").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
    }

    [Theory]
    [InlineData("?offset=-1")]
    [InlineData("?offset=x")]
    [InlineData("?limit=0")]
    [InlineData("?limit=-2")]
    [InlineData("?limit=1.5")]
    [InlineData("?limit=1&limit=2")]
    public async Task ApiCharts_OffsetOrLimitThatIsNoCount_400Malformed(string query)
    {
        await using var s = await WithChartsAsync(("mysql", "1.2.3"));

        using var response = await s.Http.GetAsync("api/charts" + query, Ct);

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.BadRequest, "malformed"), (status, error));
        Assert.Contains(query.Contains("offset", StringComparison.Ordinal) ? "offset" : "limit", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiVersion_Latest_IsTheNewestStableVersion_AsHelmsIndexGetAnswers()
    {
        await using var s = await WithChartsAsync(("mysql", "1.2.3"), ("mysql", "1.3.0-rc.1"), ("beta", "0.1.0-alpha.1"));

        using var latest = JsonDocument.Parse(await s.Http.GetStringAsync("api/charts/mysql/latest", Ct));
        using var onlyPrerelease = await s.Http.GetAsync("api/charts/beta/latest", Ct);
        using var prerelease = JsonDocument.Parse(await s.Http.GetStringAsync("api/charts/mysql/1.3.0-rc.1", Ct));

        Assert.Equal("1.2.3", latest.RootElement.GetProperty("version").GetString());
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), ((await ServerFixture.ErrorOfAsync(onlyPrerelease)).Status, (await ServerFixture.ErrorOfAsync(onlyPrerelease)).Error));
        Assert.Equal("1.3.0-rc.1", prerelease.RootElement.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("v1.2.3", "1.2.3")]
    [InlineData("~1.2", "1.2.3")]
    [InlineData("^1.0.0", "1.3.0")]
    public async Task ApiVersion_NotListedExactly_IsMatchedAsAVersionRange_AsHelmsIndexGetAnswers(string asked, string expected)
    {
        await using var s = await WithChartsAsync(("mysql", "1.2.3"), ("mysql", "1.3.0"));

        using var found = JsonDocument.Parse(await s.Http.GetStringAsync("api/charts/mysql/" + Uri.EscapeDataString(asked), Ct));

        Assert.Equal(expected, found.RootElement.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task ChartMuseumsDownloadPath_ChartsSlashFile_ServesTheListedArchiveAndProv(string method)
    {
        // ChartMuseum's index lists charts/NAME-VERSION.tgz: a client still holding it (or a script) keeps downloading.
        await using var s = await WithChartsAsync(("mysql", "1.2.3"));
        byte[] archive = await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz", Ct);
        byte[] prov = await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz.prov", Ct);

        using var tgz = await s.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "charts/mysql-1.2.3.tgz"), Ct);
        using var signature = await s.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "charts/mysql-1.2.3.tgz.prov"), Ct);

        Assert.Equal((HttpStatusCode.OK, "application/gzip", (long?)archive.Length), (tgz.StatusCode, tgz.Content.Headers.ContentType?.MediaType, tgz.Content.Headers.ContentLength));
        Assert.Equal((HttpStatusCode.OK, (long?)prov.Length), (signature.StatusCode, signature.Content.Headers.ContentLength));
        if (method == "GET")
        {
            Assert.Equal(archive, await tgz.Content.ReadAsByteArrayAsync(Ct));
            Assert.Equal(prov, await signature.Content.ReadAsByteArrayAsync(Ct));
        }
    }

    [Fact]
    public async Task ChartMuseumsDownloadPath_ArchiveTheIndexDoesNotList_404_AndTheChartPageStaysWhereItWas()
    {
        await using var s = await WithChartsAsync(("mysql", "1.2.3"));
        await File.WriteAllBytesAsync(Path.Combine(s.Repo, "other-1.0.0.tgz"), [1, 2, 3], Ct);

        using var unlisted = await s.Http.GetAsync("charts/other-1.0.0.tgz", Ct);
        using var page = await s.Http.GetAsync("charts/mysql", Ct);

        Assert.Equal(HttpStatusCode.NotFound, unlisted.StatusCode);
        Assert.DoesNotContain("\u0001", await unlisted.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "text/html"), (page.StatusCode, page.Content.Headers.ContentType?.MediaType));
    }
}

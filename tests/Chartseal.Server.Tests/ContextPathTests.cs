using System.Net;
using System.Text;
using Chartseal.Charts;

namespace Chartseal.Server.Tests;

/// <summary>ChartMuseum's --context-path: every route under the prefix, nothing outside it, and serverInfo.contextPath in index.yaml.</summary>
public sealed class ContextPathTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryRoute_WorksUnderThePrefix()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { ContextPath = "charts/" });
        Assert.EndsWith("/charts/", s.Server.RepositoryUrl.ToString(), StringComparison.Ordinal);
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);

        using (var upload = await s.UploadAsync(chart))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }
        using (var first = await s.PostRawAsync("api/charts", s.Chart("redis", "1.0.0", s.Trust.Bob).Archive, ServerFixture.Bearer))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }
        using (var second = await s.PostRawAsync("api/prov", s.Chart("redis", "1.0.0", s.Trust.Bob).Provenance!, ServerFixture.Bearer))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        string index = await s.Http.GetStringAsync("index.yaml", Ct);
        Assert.EndsWith("serverInfo:\n  contextPath: /charts\n", index, StringComparison.Ordinal);
        Assert.Equal(2, ChartIndex.Load(new MemoryStream(Encoding.UTF8.GetBytes(index)), "index.yaml").Count);
        Assert.Equal(chart.Archive, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz", Ct));
        Assert.Equal(chart.Provenance, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz.prov", Ct));
        Assert.NotEmpty(await s.Http.GetByteArrayAsync("pubkeys.pgp", Ct));
        Assert.Contains("healthy", await s.Http.GetStringAsync("health", Ct), StringComparison.Ordinal);
        Assert.Contains("1.2.3", await s.Http.GetStringAsync("api/charts/mysql", Ct), StringComparison.Ordinal);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "api/charts/mysql/1.2.3") { Headers = { Authorization = ServerFixture.Bearer } };
        using var deleted = await s.Http.SendAsync(delete, Ct);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    [Theory]
    [InlineData("/index.yaml")]
    [InlineData("/health")]
    [InlineData("/api/charts")]
    [InlineData("/chartsx/index.yaml")]
    [InlineData("/pubkeys.pgp")]
    public async Task OutsideThePrefix_404Json(string path)
    {
        await using var s = await ServerFixture.StartAsync(o => o with { ContextPath = "/charts" });
        using var response = await s.Http.GetAsync(new Uri(s.Server.Address, path), Ct);
        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (status, error));
        Assert.Contains("/charts/", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideThePrefix_UploadsAreRefusedAndNothingWritten()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { ContextPath = "/charts" });
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(chart.Archive), "chart", chart.FileName }, { new ByteArrayContent(chart.Provenance!), "prov", chart.FileName + ".prov" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(s.Server.Address, "/api/charts")) { Content = form, Headers = { Authorization = ServerFixture.Bearer } };
        using var response = await s.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task WithoutAContextPath_TheIndexHasNoServerInfo()
    {
        await using var s = await ServerFixture.StartAsync();
        Assert.DoesNotContain("serverInfo", await s.Http.GetStringAsync("index.yaml", Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("charts", "/charts")]
    [InlineData("/charts/", "/charts")]
    [InlineData("/v1/helm", "/v1/helm")]
    [InlineData("/", "")]
    [InlineData("", "")]
    public void NormalizeContextPath_PlainPaths(string given, string expected) =>
        Assert.Equal(expected, ServerOptions.NormalizeContextPath(given));

    [Theory]
    [InlineData("/../etc")]
    [InlineData("/a//b")]
    [InlineData("/a b")]
    [InlineData("/a?b")]
    [InlineData("/a%2fb")]
    public void NormalizeContextPath_AnythingElse_Refused(string given)
    {
        var e = Assert.Throws<ChartsealException>(() => ServerOptions.NormalizeContextPath(given));
        Assert.Contains("--context-path", e.Message, StringComparison.Ordinal);
    }
}

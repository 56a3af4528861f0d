using System.Net;

namespace Chartseal.Server.Tests;

/// <summary><c>--disable-api</c> (ChartMuseum's <c>DISABLE_API</c>): no ChartMuseum API routes; the repository and its page are still served.</summary>
public sealed class DisableApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DisableApi_NoApiRoutes_FilesProbesAndMetricsStillServed()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { DisableApi = true });

        using var upload = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice));
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        Assert.Equal("not-found", (await ServerFixture.ErrorOfAsync(upload)).Error);
        using var list = await s.Http.GetAsync("api/charts", Ct);
        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
        Assert.Empty(s.RepositoryFiles());

        foreach (string path in new[] { "index.yaml", "trust.yaml.asc", "health", "ready", "metrics", "", "api/repository" })
        {
            using var response = await s.Http.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }
    }
}

using System.Net;
using Chartseal.Charts;
using Chartseal.Tests.Charts;

namespace Chartseal.Server.Tests;

/// <summary>ChartMuseum's ?force (only with --allow-overwrite, and still through the gate) and --disable-delete.</summary>
public sealed class OverwriteAndDeleteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The same name and version with other contents (so another archive and digest).
    private static SignedChart OtherBuild(ServerFixture s, global::Chartseal.Tests.Trust.TestKey signer)
    {
        string dir = ChartFixtures.WriteSimpleChart(s.Trust.Temp.File("other-build-" + Guid.NewGuid().ToString("N")[..6]), "mysql", "1.2.3");
        File.WriteAllText(Path.Combine(dir, "templates", "extra.yaml"), "kind: ConfigMap\n");
        var packaged = ChartPackager.Package(dir);
        return new SignedChart(packaged.FileName, packaged.Archive, signer.Sign(packaged.Archive, packaged.FileName, ServerFixture.Now));
    }

    private static async Task<SignedChart> PublishedAsync(ServerFixture s)
    {
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using var response = await s.UploadAsync(chart);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return chart;
    }

    private static async Task<ChartIndex> IndexAsync(ServerFixture s) => await ChartIndex.LoadAsync(Path.Combine(s.Repo, "index.yaml"), Ct);

    [Fact]
    public async Task Force_WithoutAllowOverwrite_409NamingTheFlagAndNothingReplaced()
    {
        await using var s = await ServerFixture.StartAsync();
        var original = await PublishedAsync(s);

        using var response = await s.UploadAsync(OtherBuild(s, s.Trust.Bob), query: "?force");

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.Conflict, "version-exists"), (status, error));
        Assert.Contains("--allow-overwrite", message, StringComparison.Ordinal);
        Assert.Equal(original.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, original.FileName), Ct));
        Assert.Equal(original.Provenance, await File.ReadAllBytesAsync(Path.Combine(s.Repo, original.FileName + ".prov"), Ct));
    }

    [Fact]
    public async Task AllowOverwrite_WithoutForce_StillRefuses()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { AllowOverwrite = true });
        var original = await PublishedAsync(s);

        using var response = await s.UploadAsync(OtherBuild(s, s.Trust.Bob));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(original.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, original.FileName), Ct));
    }

    [Fact]
    public async Task ForceWithAllowOverwrite_ReplacesTheVersionAndItsDigest()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { AllowOverwrite = true });
        await PublishedAsync(s);
        var replacement = OtherBuild(s, s.Trust.Bob);

        using var response = await s.UploadAsync(replacement, query: "?force");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(replacement.Archive, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz", Ct));
        Assert.Equal(replacement.Provenance, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz.prov", Ct));
        var index = await IndexAsync(s);
        Assert.Equal(1, index.Count);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(replacement.Archive)), index.Find("mysql", "1.2.3")!.Digest);
    }

    [Fact]
    public async Task ForceWithAllowOverwrite_StillGoesThroughTheGate()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { AllowOverwrite = true });
        var original = await PublishedAsync(s);

        using var response = await s.UploadAsync(OtherBuild(s, s.Trust.Root), query: "?force");

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "signer-not-trusted"), ((await ServerFixture.ErrorOfAsync(response)).Status, (await ServerFixture.ErrorOfAsync(response)).Error));
        Assert.Equal(original.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, original.FileName), Ct));
        Assert.Equal(original.Provenance, await File.ReadAllBytesAsync(Path.Combine(s.Repo, original.FileName + ".prov"), Ct));
    }

    [Fact]
    public async Task ForceFalse_IsNoForce()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { AllowOverwrite = true });
        await PublishedAsync(s);
        using var response = await s.UploadAsync(OtherBuild(s, s.Trust.Bob), query: "?force=false");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task ForceInTwoRequests_RawChartThenRawProv_Replaces()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { AllowOverwrite = true });
        await PublishedAsync(s);
        var replacement = OtherBuild(s, s.Trust.Bob);

        using var first = await s.PostRawAsync("api/charts?force", replacement.Archive, ServerFixture.Bearer);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await s.PostRawAsync("api/prov", replacement.Provenance!, ServerFixture.Bearer);

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(replacement.Archive, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz", Ct));
    }

    [Fact]
    public async Task ForceInTwoRequests_ProvFirst_IsHeldForTheReplacingChart()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { AllowOverwrite = true });
        var original = await PublishedAsync(s);
        var replacement = OtherBuild(s, s.Trust.Bob);

        // This .prov does not cover the stored archive: with ?force it waits for its chart instead of failing.
        using var first = await s.PostRawAsync("api/prov?force", replacement.Provenance!, ServerFixture.Bearer);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(original.Provenance, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz.prov", Ct));
        using var second = await s.PostRawAsync("api/charts?force", replacement.Archive, ServerFixture.Bearer);

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(replacement.Provenance, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz.prov", Ct));
    }

    [Fact]
    public async Task DisableDelete_405JsonAndTheVersionStays()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { DisableDelete = true });
        var chart = await PublishedAsync(s);
        using var request = new HttpRequestMessage(HttpMethod.Delete, "api/charts/mysql/1.2.3") { Headers = { Authorization = ServerFixture.Bearer } };

        using var response = await s.Http.SendAsync(request, Ct);

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method-not-allowed"), (status, error));
        Assert.Contains("--disable-delete", message, StringComparison.Ordinal);
        Assert.NotNull((await IndexAsync(s)).Find("mysql", "1.2.3"));
        Assert.Equal(chart.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, chart.FileName), Ct));
    }

    [Fact]
    public async Task Delete_FromADamagedIndex_500NamesTheIndexAndWhy_NothingRemoved()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = await PublishedAsync(s);
        string indexFile = Path.Combine(s.Repo, "index.yaml");
        File.WriteAllText(indexFile, "apiVersion: v1\nentries: [not, a, map\n");
        using var request = new HttpRequestMessage(HttpMethod.Delete, "api/charts/mysql/1.2.3") { Headers = { Authorization = ServerFixture.Bearer } };

        using var response = await s.Http.SendAsync(request, Ct);

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.InternalServerError, "server-error"), (status, error));
        Assert.Contains("index.yaml", message, StringComparison.Ordinal);
        Assert.Equal(chart.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, chart.FileName), Ct));
    }
}

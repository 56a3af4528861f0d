using System.Net;
using System.Net.Http.Headers;
using Chartseal.Repository;
using Chartseal.Charts;

namespace Chartseal.Server.Tests;

/// <summary>
/// ChartMuseum's two-request habit: the archive and its .prov in separate requests, raw or multipart, in either
/// order. The first half is held (unpublished, unserved, bounded, per uploader, expiring); the pair goes through the
/// gate together.
/// </summary>
public sealed class TwoRequestUploadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ChartIndex> IndexAsync(ServerFixture s) =>
        ChartIndex.Load(await s.Http.GetStreamAsync("index.yaml", Ct), "index.yaml");

    // The half is held: 202, nothing in the folder, the index or the served files.
    private static async Task AssertHeldAsync(ServerFixture s, HttpResponseMessage response, string file, string waitingFor, string[] namesBefore)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await ServerFixture.JsonOfAsync(response);
        Assert.False(body.GetProperty("saved").GetBoolean());
        Assert.Equal(file, body.GetProperty("held").GetString());
        Assert.Equal(waitingFor, body.GetProperty("waitingFor").GetString());
        Assert.Equal(namesBefore, s.AllNames());
        Assert.Equal(0, (await IndexAsync(s)).Count);
        using var archive = await s.Http.GetAsync(file, Ct);
        Assert.Equal(HttpStatusCode.NotFound, archive.StatusCode);
        using var prov = await s.Http.GetAsync(file + ".prov", Ct);
        Assert.Equal(HttpStatusCode.NotFound, prov.StatusCode);
    }

    private static async Task AssertPublishedAsync(ServerFixture s, HttpResponseMessage response, SignedChart chart)
    {
        Assert.True(HttpStatusCode.Created == response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        var body = await ServerFixture.JsonOfAsync(response);
        Assert.True(body.GetProperty("saved").GetBoolean());
        Assert.Equal(chart.Archive, await s.Http.GetByteArrayAsync(chart.FileName, Ct));
        Assert.Equal(chart.Provenance, await s.Http.GetByteArrayAsync(chart.FileName + ".prov", Ct));
        Assert.NotNull((await IndexAsync(s)).Find("mysql", "1.2.3"));
    }

    [Fact]
    public async Task RawChartThenRawProv_HeldThenPublishedTogether()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        string[] before = s.AllNames();

        using var first = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Bearer);
        await AssertHeldAsync(s, first, "mysql-1.2.3.tgz", "prov", before);

        using var second = await s.PostRawAsync("api/prov", chart.Provenance!, ServerFixture.Bearer);
        await AssertPublishedAsync(s, second, chart);
    }

    [Fact]
    public async Task RawProvThenRawChart_HeldThenPublishedTogether()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        string[] before = s.AllNames();

        using var first = await s.PostRawAsync("api/prov", chart.Provenance!, ServerFixture.Bearer);
        await AssertHeldAsync(s, first, "mysql-1.2.3.tgz", "chart", before);

        using var second = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Bearer);
        await AssertPublishedAsync(s, second, chart);
    }

    [Fact]
    public async Task MultipartChartOnlyThenMultipartProvOnly_PublishedTogether()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        string[] before = s.AllNames();

        // helm cm-push sends the chart field alone, named with its temporary path.
        using var first = await s.UploadAsync(chart with { FileName = "/tmp/helm-push-123/mysql-1.2.3.tgz", Provenance = null });
        await AssertHeldAsync(s, first, "mysql-1.2.3.tgz", "prov", before);

        using var form = new MultipartFormDataContent { { new ByteArrayContent(chart.Provenance!), "prov", "mysql-1.2.3.tgz.prov" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/charts") { Content = form };
        request.Headers.Authorization = ServerFixture.Bearer;
        using var second = await s.Http.SendAsync(request, Ct);
        await AssertPublishedAsync(s, second, chart);
    }

    [Fact]
    public async Task PairThatFailsTheGate_NothingPublishedAndBothHalvesDropped()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Root); // the root key is no maintainer
        string[] before = s.AllNames();

        using var first = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Bearer);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await s.PostRawAsync("api/prov", chart.Provenance!, ServerFixture.Bearer);

        var (status, error, message) = await ServerFixture.ErrorOfAsync(second);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "signer-not-trusted"), (status, error));
        Assert.Contains("request body", message, StringComparison.Ordinal);
        Assert.Equal(before, s.AllNames());
        Assert.Equal(0, (await IndexAsync(s)).Count);
        // The chart is no longer held: a trusted .prov now waits for a chart instead of pairing with it.
        using var third = await s.PostRawAsync("api/prov", s.Trust.Alice.Sign(chart.Archive, chart.FileName, ServerFixture.Now), ServerFixture.Bearer);
        Assert.Equal("chart", (await ServerFixture.JsonOfAsync(third)).GetProperty("waitingFor").GetString());
        Assert.Equal(before, s.AllNames());
    }

    [Fact]
    public async Task HalvesFromDifferentUploaders_NeverPair()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { UploadTokens = [ServerFixture.Token, "second-token"] });
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        string[] before = s.AllNames();

        using var first = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Bearer);
        using var second = await s.PostRawAsync("api/prov", chart.Provenance!, new AuthenticationHeaderValue("Bearer", "second-token"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await AssertHeldAsync(s, second, "mysql-1.2.3.tgz", "chart", before);
    }

    [Fact]
    public async Task HeldHalf_ExpiresAndIsNotPairedAfterwards()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { Staging = new StagingLimits { Lifetime = TimeSpan.FromMinutes(10) } });
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        string[] before = s.AllNames();
        using var first = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Bearer);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        s.Clock.Now = ServerFixture.Now + TimeSpan.FromMinutes(11);
        using var second = await s.PostRawAsync("api/prov", chart.Provenance!, ServerFixture.Bearer);

        await AssertHeldAsync(s, second, "mysql-1.2.3.tgz", "chart", before);
    }

    [Fact]
    public async Task StagingFullForOneUploader_507ButOthersCanStillStage()
    {
        await using var s = await ServerFixture.StartAsync(o => o with
        {
            UploadTokens = [ServerFixture.Token, "second-token"],
            Staging = new StagingLimits { MaxHalvesPerUploader = 1 },
        });
        using var first = await s.PostRawAsync("api/charts", s.Chart("one", "1.0.0", s.Trust.Alice).Archive, ServerFixture.Bearer);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        using var second = await s.PostRawAsync("api/charts", s.Chart("two", "1.0.0", s.Trust.Alice).Archive, ServerFixture.Bearer);
        var (status, error, _) = await ServerFixture.ErrorOfAsync(second);
        Assert.Equal(((HttpStatusCode)507, "staging-full"), (status, error));

        using var other = await s.PostRawAsync("api/charts", s.Chart("two", "1.0.0", s.Trust.Alice).Archive, new AuthenticationHeaderValue("Bearer", "second-token"));
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task StagingBytesBound_507()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { Staging = new StagingLimits { MaxBytes = 64 } });
        using var response = await s.PostRawAsync("api/charts", s.Chart("mysql", "1.2.3", s.Trust.Alice).Archive, ServerFixture.Bearer);
        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal(((HttpStatusCode)507, "staging-full"), (status, error));
        Assert.Contains("64 bytes", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawChartOfAPublishedVersion_409AtOnceAndNothingHeld()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using (var published = await s.UploadAsync(chart))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }
        var other = s.Chart("mysql", "1.2.3", s.Trust.Bob);

        using var response = await s.PostRawAsync("api/charts", other.Archive, ServerFixture.Bearer);

        Assert.Equal((HttpStatusCode.Conflict, "version-exists"), ((await ServerFixture.ErrorOfAsync(response)).Status, (await ServerFixture.ErrorOfAsync(response)).Error));
        Assert.Equal(chart.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, chart.FileName), Ct));
    }

    [Fact]
    public async Task ProvForAPublishedVersion_StillReSignsIt()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using (var published = await s.UploadAsync(chart))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }
        byte[] bobs = s.Trust.Bob.Sign(chart.Archive, chart.FileName, ServerFixture.Now);

        // curl --data-binary sends application/x-www-form-urlencoded: the body is still the .prov itself.
        using var response = await s.PostRawAsync("api/prov", bobs, ServerFixture.Bearer);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(s.Trust.Bob.Fingerprint, (await ServerFixture.JsonOfAsync(response)).GetProperty("signer").GetString());
        Assert.Equal(bobs, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz.prov", Ct));
    }

    [Fact]
    public async Task HeldChartThenOneRequestUpload_TheLaterReSigningProvDoesNotPairWithTheStaleHalf()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using (var held = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Bearer))
        {
            Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        }
        using (var published = await s.UploadAsync(chart))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        using var response = await s.PostRawAsync("api/prov", s.Trust.Bob.Sign(chart.Archive, chart.FileName, ServerFixture.Now), ServerFixture.Bearer);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(s.Trust.Bob.Fingerprint, (await ServerFixture.JsonOfAsync(response)).GetProperty("signer").GetString());
    }

    [Fact]
    public async Task RawBodyThatIsNoArchive_422UnsafeArchiveAndNothingHeld()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { Staging = new StagingLimits { MaxHalves = 1 } });
        using var response = await s.PostRawAsync("api/charts", [1, 2, 3], ServerFixture.Bearer);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "unsafe-archive"), ((await ServerFixture.ErrorOfAsync(response)).Status, (await ServerFixture.ErrorOfAsync(response)).Error));
        using var next = await s.PostRawAsync("api/charts", s.Chart("mysql", "1.2.3", s.Trust.Alice).Archive, ServerFixture.Bearer);
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
    }

    [Fact]
    public async Task EmptyBody_400Malformed()
    {
        await using var s = await ServerFixture.StartAsync();
        using var response = await s.PostRawAsync("api/charts", [], ServerFixture.Bearer);
        Assert.Equal((HttpStatusCode.BadRequest, "malformed"), ((await ServerFixture.ErrorOfAsync(response)).Status, (await ServerFixture.ErrorOfAsync(response)).Error));
    }

    [Fact]
    public async Task RawProvThatIsNotAProvenanceDocument_400Malformed()
    {
        await using var s = await ServerFixture.StartAsync();
        using var response = await s.PostRawAsync("api/prov", "not a provenance file"u8.ToArray(), ServerFixture.Bearer);
        Assert.Equal((HttpStatusCode.BadRequest, "malformed"), ((await ServerFixture.ErrorOfAsync(response)).Status, (await ServerFixture.ErrorOfAsync(response)).Error));
    }

    [Fact]
    public async Task BothHalvesAtTheSameMoment_AlwaysPair()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { Staging = new StagingLimits { MaxHalvesPerUploader = 64 } });
        var charts = Enumerable.Range(0, 20).Select(i => s.Chart($"race{i:D2}", "1.0.0", s.Trust.Alice)).ToList();

        var responses = await Task.WhenAll(charts.SelectMany(c => new[]
        {
            s.PostRawAsync("api/charts", c.Archive, ServerFixture.Bearer),
            s.PostRawAsync("api/prov", c.Provenance!, ServerFixture.Bearer),
        }));

        // Per chart, one half was held (202) and the other published both (201): never two held halves.
        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(20, (await IndexAsync(s)).Count);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.Tests.Charts;

namespace Chartseal.Server.Tests;

/// <summary>ChartMuseum's POST /api/prov: re-signing a published version, accepted only for the same archive and a trusted signer.</summary>
public sealed class ProvenanceUploadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> PostProvAsync(ServerFixture s, byte[] prov, bool multipart = true, string? token = ServerFixture.Token)
    {
        HttpContent content = multipart
            ? new MultipartFormDataContent { { new ByteArrayContent(prov), "prov", "chart.tgz.prov" } }
            : new ByteArrayContent(prov);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/prov") { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return s.Http.SendAsync(request, Ct);
    }

    private static async Task<(HttpStatusCode, string)> ErrorOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return (response.StatusCode, json.RootElement.GetProperty("error").GetString()!);
    }

    private static async Task<(ServerFixture Server, SignedChart Chart)> PublishedAsync()
    {
        var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using var response = await s.UploadAsync(chart);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (s, chart);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PostProv_AnotherTrustedSignerOfTheSameArchive_ReplacesOnlyTheProv(bool multipart)
    {
        var (s, chart) = await PublishedAsync();
        await using var _ = s;
        byte[] index = await File.ReadAllBytesAsync(Path.Combine(s.Repo, "index.yaml"), Ct);
        byte[] bobs = s.Trust.Bob.Sign(chart.Archive, chart.FileName, ServerFixture.Now);

        using var response = await PostProvAsync(s, bobs, multipart);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(bobs, await s.Http.GetByteArrayAsync("/mysql-1.2.3.tgz.prov", Ct));
        Assert.Equal(chart.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, chart.FileName), Ct));
        Assert.Equal(index, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "index.yaml"), Ct));
    }

    [Fact]
    public async Task PostProv_ForADifferentArchive_422AndTheOldProvStays()
    {
        var (s, chart) = await PublishedAsync();
        await using var _ = s;
        // Same name and version, other contents: its .prov names another SHA-256 than the stored archive's.
        string dir = ChartFixtures.WriteSimpleChart(s.Trust.Temp.File("other-build"), "mysql", "1.2.3");
        await File.WriteAllTextAsync(Path.Combine(dir, "templates", "extra.yaml"), "kind: ConfigMap\n", Ct);
        var rebuilt = ChartPackager.Package(dir);
        byte[] forOther = s.Trust.Bob.Sign(rebuilt.Archive, chart.FileName, ServerFixture.Now);

        using var response = await PostProvAsync(s, forOther);

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "hash-mismatch"), await ErrorOf(response));
        Assert.Equal(chart.Provenance, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "mysql-1.2.3.tgz.prov"), Ct));
    }

    [Fact]
    public async Task PostProv_UntrustedSigner_422SignerNotTrusted()
    {
        var (s, chart) = await PublishedAsync();
        await using var _ = s;
        using var response = await PostProvAsync(s, s.Trust.Root.Sign(chart.Archive, chart.FileName, ServerFixture.Now));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "signer-not-trusted"), await ErrorOf(response));
        Assert.Equal(chart.Provenance, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "mysql-1.2.3.tgz.prov"), Ct));
    }

    [Fact]
    public async Task PostProv_AsTheRequestBody_RefusalNamesTheArchiveTheProvClaims_NotJustTheRequestBody()
    {
        var (s, chart) = await PublishedAsync();
        await using var _ = s;
        // curl --data-binary @mysql-1.2.3.tgz.prov, as the key-compromise drill re-signs: a refusal must say which chart.
        using var response = await PostProvAsync(s, s.Trust.Root.Sign(chart.Archive, chart.FileName, ServerFixture.Now), multipart: false);
        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "signer-not-trusted"), (status, error));
        Assert.StartsWith("mysql-1.2.3.tgz.prov (request body): ", message, StringComparison.Ordinal);
        // A body that names no archive is still the request body.
        using var garbage = await PostProvAsync(s, "not a provenance file"u8.ToArray(), multipart: false);
        var (_, garbageError, garbageMessage) = await ServerFixture.ErrorOfAsync(garbage);
        Assert.Equal("malformed", garbageError);
        Assert.StartsWith("request body: ", garbageMessage, StringComparison.Ordinal);
        Assert.Equal(chart.Provenance, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "mysql-1.2.3.tgz.prov"), Ct));
    }

    [Fact]
    public async Task PostProv_VersionNotPublished_WaitsForItsChartAndWritesNothing()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "9.9.9", s.Trust.Alice);
        using var response = await PostProvAsync(s, chart.Provenance!);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("chart", (await ServerFixture.JsonOfAsync(response)).GetProperty("waitingFor").GetString());
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task PostProv_WithoutToken_401()
    {
        var (s, chart) = await PublishedAsync();
        await using var _ = s;
        using var response = await PostProvAsync(s, s.Trust.Bob.Sign(chart.Archive, chart.FileName, ServerFixture.Now), token: null);
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthorized"), await ErrorOf(response));
        Assert.Equal(chart.Provenance, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "mysql-1.2.3.tgz.prov"), Ct));
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chartseal.Charts;

namespace Chartseal.Server.Tests;

/// <summary>Uploads through the ChartMuseum API on a real server: accepted, and refused for every reason with the repository unchanged.</summary>
public sealed class UploadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, string Error, string Message)> ErrorOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return (response.StatusCode, json.RootElement.GetProperty("error").GetString()!, json.RootElement.GetProperty("message").GetString()!);
    }

    private static async Task<ChartIndex> IndexAsync(ServerFixture s) =>
        ChartIndex.Load(await s.Http.GetStreamAsync("/index.yaml", Ct), "index.yaml");

    [Fact]
    public async Task Upload_TrustedChart_IsIndexedAndServedWithItsProvenance()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);

        using var response = await s.UploadAsync(chart);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.True(body.RootElement.GetProperty("saved").GetBoolean());
        Assert.Equal(s.Trust.Alice.Fingerprint, body.RootElement.GetProperty("signer").GetString());
        var entry = (await IndexAsync(s)).Find("mysql", "1.2.3");
        Assert.NotNull(entry);
        Assert.Equal(["mysql-1.2.3.tgz"], entry.Urls);
        Assert.Equal(chart.Archive, await s.Http.GetByteArrayAsync("/mysql-1.2.3.tgz", Ct));
        Assert.Equal(chart.Provenance, await s.Http.GetByteArrayAsync("/mysql-1.2.3.tgz.prov", Ct));
        using var api = JsonDocument.Parse(await s.Http.GetStringAsync("/api/charts/mysql/1.2.3", Ct));
        Assert.Equal(entry.Digest, api.RootElement.GetProperty("digest").GetString());
        Assert.Equal("1.2.3", api.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Upload_WithoutToken_401AndNothingWritten()
    {
        await using var s = await ServerFixture.StartAsync();
        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice), token: null);
        var (status, error, _) = await ErrorOf(response);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthorized", error);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_WrongToken_401()
    {
        await using var s = await ServerFixture.StartAsync();
        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice), token: "guess");
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthorized"), ((await ErrorOf(response)).Status, (await ErrorOf(response)).Error));
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_NoTokenFileAndNotAnonymous_RefusesEveryWrite()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { UploadTokens = [] });
        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice), token: "anything");
        var (status, _, message) = await ErrorOf(response);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("--upload-token-file", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_AnonymousAllowed_StillRunsTheTrustDecision()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { UploadTokens = [], AllowAnonymousUpload = true });
        using var trusted = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice), token: null);
        Assert.Equal(HttpStatusCode.Created, trusted.StatusCode);
        using var untrusted = await s.UploadAsync(s.Chart("redis", "1.0.0", s.Trust.Root), token: null);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "signer-not-trusted"), ((await ErrorOf(untrusted)).Status, (await ErrorOf(untrusted)).Error));
    }

    [Fact]
    public async Task Upload_SameVersionTwice_409VersionExists()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using var first = await s.UploadAsync(chart);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var resigned = chart with { Provenance = s.Trust.Bob.Sign(chart.Archive, chart.FileName, ServerFixture.Now) };

        using var second = await s.UploadAsync(resigned);

        Assert.Equal((HttpStatusCode.Conflict, "version-exists"), ((await ErrorOf(second)).Status, (await ErrorOf(second)).Error));
        Assert.Equal(chart.Provenance, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "mysql-1.2.3.tgz.prov"), Ct));
    }

    [Fact]
    public async Task Upload_RepositoryWithoutTrustMaterial_422TrustUnsigned_SaysToCreateIt()
    {
        await using var s = await ServerFixture.StartAsync(pinRoot: false, prepare: t =>
        {
            File.Delete(Path.Combine(t.Repo, "trust.yaml.asc"));
            return Task.CompletedTask;
        });
        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice));
        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "trust-unsigned"), (status, error));
        // The server's own folder: no talk of a plain Helm repository or a mistyped URL, and the hint said once.
        Assert.EndsWith("trust.yaml.asc: not found: the repository has no root-signed trust material yet (create it with chartseal trust init)", message, StringComparison.Ordinal);
        Assert.StartsWith("the repository has no usable trust material: ", message, StringComparison.Ordinal);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_SignerNotInTheRepositoryKeys_422SignerNotTrusted()
    {
        await using var s = await ServerFixture.StartAsync();
        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Root));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "signer-not-trusted"), ((await ErrorOf(response)).Status, (await ErrorOf(response)).Error));
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_ArchiveChangedAfterSigning_422HashMismatch()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        var other = s.Chart("mysql", "1.2.3-other", signer: null);
        // Another archive under the signed name: the .prov's hash no longer matches.
        using var response = await s.UploadAsync(chart with { Archive = other.Archive });
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "hash-mismatch"), ((await ErrorOf(response)).Status, (await ErrorOf(response)).Error));
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_UnderAnotherChartsFileName_422AndTheOtherChartIsUntouched()
    {
        await using var s = await ServerFixture.StartAsync();
        var victim = s.Chart("victim", "1.0.0", s.Trust.Alice);
        using (var first = await s.UploadAsync(victim))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }
        // A trusted maintainer's chart signed under the victim's file name must not replace the victim's archive.
        var attacker = s.Chart("other", "2.0.0", signer: null);
        var disguised = new SignedChart(victim.FileName, attacker.Archive, s.Trust.Bob.Sign(attacker.Archive, victim.FileName, ServerFixture.Now));

        using var response = await s.UploadAsync(disguised);

        var (status, error, _) = await ErrorOf(response);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("name-version-mismatch", error);
        Assert.Equal(victim.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, victim.FileName), Ct));
    }

    [Fact]
    public async Task Upload_NeitherChartNorProvField_400Malformed()
    {
        await using var s = await ServerFixture.StartAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1]), "file", "x.tgz" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/charts") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerFixture.Token);
        using var response = await s.Http.SendAsync(request, Ct);
        var (status, error, message) = await ErrorOf(response);
        Assert.Equal((HttpStatusCode.BadRequest, "malformed"), (status, error));
        Assert.Contains("chart", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_CorruptArchive_RefusedAndNothingWritten()
    {
        await using var s = await ServerFixture.StartAsync();
        byte[] garbage = [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))];
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice) with { Archive = garbage };
        using var response = await s.UploadAsync(chart);
        var (status, _, message) = await ErrorOf(response);
        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, status.ToString());
        Assert.Contains("mysql-1.2.3.tgz", message, StringComparison.Ordinal);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_LargerThanTheLimit_413()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { MaxUploadBytes = 64 * 1024 });
        byte[] big = new byte[200 * 1024];
        using var response = await s.UploadAsync(new SignedChart("big-1.0.0.tgz", big, [1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_MultipartOverAspNetDefaultFormLimit_IsJudgedUnderTheServersOwnLimit()
    {
        // The form reader has its own limit (128 MiB): under --max-upload-size 200 MiB a 130 MiB chart was refused as an
        // "unreadable multipart body" (400) before the server's limit or the chart itself were ever looked at.
        await using var s = await ServerFixture.StartAsync(o => o with { MaxUploadBytes = 200L * 1024 * 1024 });
        byte[] big = new byte[130 * 1024 * 1024];
        using var response = await s.UploadAsync(new SignedChart("big-1.0.0.tgz", big, [1]));
        var (status, _, message) = await ErrorOf(response);
        Assert.DoesNotContain("multipart", message, StringComparison.Ordinal);
        Assert.Contains("big-1.0.0.tgz", message, StringComparison.Ordinal);
        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, status.ToString());
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_MoreThanTheRateLimit_429()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { WritesPerMinute = 2 });
        var chart = s.Chart("mysql", "1.2.3", signer: null);
        (await s.UploadAsync(chart)).Dispose();
        (await s.UploadAsync(chart)).Dispose();
        using var third = await s.UploadAsync(chart);
        Assert.Equal((HttpStatusCode.TooManyRequests, "rate-limited"), ((await ErrorOf(third)).Status, (await ErrorOf(third)).Error));
    }

    [Fact]
    public async Task Upload_AnonymousWithMadeUpTokens_StillRateLimitedByAddress()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { UploadTokens = [], AllowAnonymousUpload = true, WritesPerMinute = 2 });
        var chart = s.Chart("mysql", "1.2.3", signer: null);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 4; i++)
        {
            using var response = await s.UploadAsync(chart, token: "made-up-" + i);
            statuses.Add(response.StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task Upload_FileNameOfAnotherChartVersion_409AndTheOtherIsUntouched()
    {
        await using var s = await ServerFixture.StartAsync();
        // Chart "x-1.0.0" version 0.1.0 and chart "x" version 1.0.0-0.1.0 are both x-1.0.0-0.1.0.tgz.
        var first = s.Chart("x-1.0.0", "0.1.0", s.Trust.Alice);
        var second = s.Chart("x", "1.0.0-0.1.0", s.Trust.Bob);
        Assert.Equal(first.FileName, second.FileName);
        using (var ok = await s.UploadAsync(first))
        {
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var response = await s.UploadAsync(second);

        Assert.Equal((HttpStatusCode.Conflict, "version-exists"), ((await ErrorOf(response)).Status, (await ErrorOf(response)).Error));
        Assert.Equal(first.Archive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, first.FileName), Ct));
        Assert.Equal(first.Provenance, await File.ReadAllBytesAsync(Path.Combine(s.Repo, first.FileName + ".prov"), Ct));
    }

    [Fact]
    public async Task Upload_UnpinnedServer_PinsTheDeclaredRootAndAccepts()
    {
        await using var s = await ServerFixture.StartAsync(pinRoot: false);
        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Server_WrongPinnedRoot_RefusedAtStartUp()
    {
        var stranger = new global::Chartseal.Tests.Trust.TestKey("Stranger <s@example.com>", global::Chartseal.Tests.Trust.TrustFixture.T0);
        var e = await Assert.ThrowsAsync<ChartsealException>(() => ServerFixture.StartAsync(o => o with { Root = new Chartseal.Trust.PinnedRoot(stranger.Fingerprint) }));
        Assert.Contains($"--root-fingerprint {stranger.Fingerprint} is not the root of this repository's trust material", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_TrustMaterialReplacedByAnotherRoot_422AndNothingWritten()
    {
        await using var s = await ServerFixture.StartAsync();
        // While the server runs, the trust files are replaced by ones a stranger's root signed.
        var stranger = new global::Chartseal.Tests.Trust.TestKey("Stranger <s@example.com>", global::Chartseal.Tests.Trust.TrustFixture.T0);
        foreach (string name in new[] { "trust.yaml.asc", "pubkeys.pgp", "revoked.pgp", "root.pgp" })
        {
            File.Delete(Path.Combine(s.Repo, name));
        }
        await global::Chartseal.Repository.TrustRepository.InitAsync(s.Repo, stranger.RootSigner(ServerFixture.Now), global::Chartseal.Tests.Trust.TrustFixture.Validity, ServerFixture.Now, Ct);

        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice));
        var (status, error, _) = await ErrorOf(response);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("trust-bad-signature", error);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task UnpinnedServer_ThePagePinsTheDeclaredRoot_ForUploadsToo_AnotherRootsMaterialIsRefused()
    {
        // Without --root-fingerprint the server pins the root the repository declares when it first needs one. The page
        // needed it first here; uploads must be judged against that same root, not pin whatever is declared later.
        await using var s = await ServerFixture.StartAsync(pinRoot: false);
        using (var page = await s.Http.GetAsync("", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        var stranger = new global::Chartseal.Tests.Trust.TestKey("Stranger <s@example.com>", global::Chartseal.Tests.Trust.TrustFixture.T0);
        foreach (string name in new[] { "trust.yaml.asc", "pubkeys.pgp", "revoked.pgp", "root.pgp" })
        {
            File.Delete(Path.Combine(s.Repo, name));
        }
        await global::Chartseal.Repository.TrustRepository.InitAsync(s.Repo, stranger.RootSigner(ServerFixture.Now), global::Chartseal.Tests.Trust.TrustFixture.Validity, ServerFixture.Now, Ct);
        await global::Chartseal.Repository.TrustRepository.AddAsync(s.Repo, stranger.RootSigner(ServerFixture.Now), s.Trust.Alice.Public, global::Chartseal.Tests.Trust.TrustFixture.Validity, ServerFixture.Now, Ct);

        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice));

        var (status, error, _) = await ErrorOf(response);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("trust-bad-signature", error);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Upload_FiftyDistinctChartsInParallel_AllIndexed()
    {
        await using var s = await ServerFixture.StartAsync();
        var charts = Enumerable.Range(0, 50).Select(i => s.Chart($"chart{i:D2}", "1.0.0", i % 2 == 0 ? s.Trust.Alice : s.Trust.Bob)).ToList();

        var responses = await Task.WhenAll(charts.Select(c => s.UploadAsync(c)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var index = await IndexAsync(s);
        Assert.Equal(50, index.Count);
        foreach (var chart in charts)
        {
            Assert.True(File.Exists(Path.Combine(s.Repo, chart.FileName + ".prov")), chart.FileName);
        }
        Assert.Empty(Directory.EnumerateFiles(s.Repo, ".*.tmp"));
    }

    [Fact]
    public async Task Delete_RemovesTheEntryThenItsFiles()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/charts/mysql/1.2.3");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerFixture.Token);

        using var response = await s.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null((await IndexAsync(s)).Find("mysql", "1.2.3"));
        Assert.Empty(s.RepositoryFiles());
        using var again = await s.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/charts/mysql/1.2.3") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ServerFixture.Token) } }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Delete_WithoutToken_401AndKept()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        using var response = await s.Http.DeleteAsync("/api/charts/mysql/1.2.3", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotNull((await IndexAsync(s)).Find("mysql", "1.2.3"));
    }
}

using System.Net;
using Chartseal.Repository;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Server.Tests;

/// <summary>
/// <c>/ready</c>: not ready (503, one JSON line) while the trust material is missing, does not verify or has expired, or
/// the repository folder cannot be read; ready again once mended, without a restart. <c>/health</c> stays liveness.
/// </summary>
public sealed class ReadinessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A check is reused for a second (ServerStatus.ReuseFor): poll until the answer is the one expected.
    private static async Task<(HttpStatusCode Status, string Body)> WaitForReadyAsync(ServerFixture s, HttpStatusCode expected, string path = "ready")
    {
        var deadline = DateTime.UtcNow + ServerStatus.ReuseFor + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await s.Http.GetAsync(path, Ct);
            string body = await response.Content.ReadAsStringAsync(Ct);
            if (response.StatusCode == expected || DateTime.UtcNow > deadline)
            {
                Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {body}");
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                return (response.StatusCode, body);
            }
            await Task.Delay(100, Ct);
        }
    }

    private static async Task<string> NotReadyMessageAsync(ServerFixture s, string path = "ready")
    {
        var (_, body) = await WaitForReadyAsync(s, HttpStatusCode.ServiceUnavailable, path);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal("not-ready", json.RootElement.GetProperty("error").GetString());
        string message = json.RootElement.GetProperty("message").GetString()!;
        Assert.DoesNotContain('\n', message);
        return message;
    }

    private static async Task AssertAliveAsync(ServerFixture s)
    {
        using var health = await s.Http.GetAsync("health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Ready_TrustMaterialExpires_NotReady_ThenRenewed_ReadyWithoutRestart()
    {
        await using var s = await ServerFixture.StartAsync();
        var (_, ready) = await WaitForReadyAsync(s, HttpStatusCode.OK);
        Assert.Contains("\"ready\":true", ready, StringComparison.Ordinal);
        Assert.Contains("\"trustVersion\":2", ready, StringComparison.Ordinal);

        s.Clock.Now = ServerFixture.Now + TrustFixture.Validity + TimeSpan.FromDays(1);

        string message = await NotReadyMessageAsync(s);
        Assert.StartsWith("trust-expired:", message, StringComparison.Ordinal);
        await AssertAliveAsync(s);
        using (var scrape = await s.Http.GetAsync("metrics", Ct))
        {
            var metrics = PrometheusText.Parse(await scrape.Content.ReadAsStringAsync(Ct));
            Assert.Equal(0, metrics.Single("chartseal_ready"));
            Assert.Equal(2, metrics.Single("chartseal_trust_version")); // the expired manifest's (MetricsTests)
        }

        await TrustRepository.RenewAsync(s.Repo, s.Trust.Root.RootSigner(s.Clock.Now), TrustFixture.Validity, s.Clock.Now, Ct);

        var (_, renewed) = await WaitForReadyAsync(s, HttpStatusCode.OK);
        Assert.Contains("\"trustVersion\":3", renewed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_StateAtStartAndEachChange_LoggedOnce_WithTheReason()
    {
        var logs = new LogLines();
        await using var s = await ServerFixture.StartAsync(o => o with { Logs = logs });

        // At start, before any probe: what the server serves and whether it is ready.
        var started = Assert.Single(logs.Events(ServerLog.ReadyEvent));
        Assert.Contains("trust version 2", started.Message, StringComparison.Ordinal);
        Assert.Empty(logs.Events(ServerLog.NotReadyEvent));

        s.Clock.Now = ServerFixture.Now + TrustFixture.Validity + TimeSpan.FromDays(1);
        await NotReadyMessageAsync(s);
        for (int i = 0; i < 3; i++) // more probes, the same state: no more lines
        {
            await Task.Delay(ServerStatus.ReuseFor / 2, Ct);
            using var probe = await s.Http.GetAsync("ready", Ct);
        }
        var down = Assert.Single(logs.Events(ServerLog.NotReadyEvent));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, down.Level);
        Assert.Contains("trust-expired:", down.Message, StringComparison.Ordinal);

        await TrustRepository.RenewAsync(s.Repo, s.Trust.Root.RootSigner(s.Clock.Now), TrustFixture.Validity, s.Clock.Now, Ct);
        await WaitForReadyAsync(s, HttpStatusCode.OK);
        Assert.Equal(2, logs.Events(ServerLog.ReadyEvent).Count);
        Assert.Contains("trust version 3", logs.Events(ServerLog.ReadyEvent)[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_AnswerHead_AsTheyAnswerGet()
    {
        // RFC 9110 9.1: a server that answers GET answers HEAD; load balancers' health checks may send it.
        await using var s = await ServerFixture.StartAsync();
        await WaitForReadyAsync(s, HttpStatusCode.OK);

        foreach (string path in new[] { "health", "ready" })
        {
            using var head = await s.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);
            Assert.True(head.StatusCode == HttpStatusCode.OK, $"HEAD {path}: {(int)head.StatusCode}");
            Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
        }

        s.Clock.Now = ServerFixture.Now + TrustFixture.Validity + TimeSpan.FromDays(1);
        await NotReadyMessageAsync(s);
        using var notReady = await s.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "ready"), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
    }

    [Fact]
    public async Task Ready_NoTrustMaterial_NotReady_UntilInitialised()
    {
        var trust = new TrustFixture();
        var clock = new FixedClock(ServerFixture.Now);
        await using var server = await RepositoryServer.StartAsync(new ServerOptions
        {
            RepositoryDir = trust.Repo,
            Listen = "http://127.0.0.1:0",
            UploadTokens = [ServerFixture.Token],
            TrustState = trust.Store,
            Clock = clock,
        }, Ct);
        using var http = new HttpClient { BaseAddress = server.RepositoryUrl };
        try
        {
            using (var response = await http.GetAsync("ready", Ct))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                string body = await response.Content.ReadAsStringAsync(Ct);
                Assert.Contains("trust-unsigned", body, StringComparison.Ordinal);
                Assert.Contains("trust init", body, StringComparison.Ordinal);
            }

            await trust.InitWithTwoMaintainersAsync(ServerFixture.Now);

            var deadline = DateTime.UtcNow.AddSeconds(10);
            HttpStatusCode status;
            do
            {
                await Task.Delay(100, Ct);
                using var response = await http.GetAsync("ready", Ct);
                status = response.StatusCode;
            }
            while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
            Assert.Equal(HttpStatusCode.OK, status);
        }
        finally
        {
            trust.Dispose();
        }
    }

    [Fact]
    public async Task Ready_TrustMaterialTampered_NotReady_ThenRestored_Ready()
    {
        await using var s = await ServerFixture.StartAsync();
        await WaitForReadyAsync(s, HttpStatusCode.OK);
        string manifest = Path.Combine(s.Repo, TrustFiles.ManifestName);
        byte[] good = await File.ReadAllBytesAsync(manifest, Ct);
        string text = System.Text.Encoding.UTF8.GetString(good);
        await File.WriteAllTextAsync(manifest, text.Replace("version: 2", "version: 9", StringComparison.Ordinal), Ct);

        string message = await NotReadyMessageAsync(s);
        Assert.StartsWith("trust-", message, StringComparison.Ordinal);

        await File.WriteAllBytesAsync(manifest, good, Ct);
        await WaitForReadyAsync(s, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_RepositoryFolderGoneOrUnreadable_NotReady_ThenBack()
    {
        await using var s = await ServerFixture.StartAsync();
        using (var upload = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice)))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }
        await WaitForReadyAsync(s, HttpStatusCode.OK);

        // A volume that is not mounted: the folder is not there.
        string aside = s.Repo + ".aside";
        Directory.Move(s.Repo, aside);
        Assert.Contains("does not exist", await NotReadyMessageAsync(s), StringComparison.Ordinal);
        await AssertAliveAsync(s);
        using (var scrape = await s.Http.GetAsync("metrics", Ct))
        {
            // Not known is not empty: an alert on a repository that lost its charts must not fire on an unmounted volume.
            var metrics = PrometheusText.Parse(await scrape.Content.ReadAsStringAsync(Ct));
            Assert.Equal(0, metrics.Single("chartseal_ready"));
            Assert.False(metrics.Has("chartseal_index_entries"));
            Assert.False(metrics.Has("chartseal_index_size_bytes"));
        }
        Directory.Move(aside, s.Repo);
        await WaitForReadyAsync(s, HttpStatusCode.OK);

        // index.yaml that cannot be read (file permissions do not stop root, which the tests may run as).
        string index = Path.Combine(s.Repo, "index.yaml");
        File.Move(index, index + ".aside");
        Directory.CreateDirectory(index);
        Assert.Contains("index.yaml cannot be read", await NotReadyMessageAsync(s), StringComparison.Ordinal);
        Directory.Delete(index);
        File.Move(index + ".aside", index);
        await WaitForReadyAsync(s, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_TrustFileCannotBeRead_NotReadyWithAReasonCode_ThenMended_Ready()
    {
        await using var s = await ServerFixture.StartAsync();
        await WaitForReadyAsync(s, HttpStatusCode.OK);

        // pubkeys.pgp that cannot be read (a folder in its place: file permissions do not stop root).
        string keys = Path.Combine(s.Repo, TrustFiles.PublicKeysName);
        File.Move(keys, keys + ".aside");
        Directory.CreateDirectory(keys);

        string message = await NotReadyMessageAsync(s);
        // Led by its reason code, as every other not-ready message about the trust material (and the page's verdict).
        Assert.StartsWith(RejectionReason.TrustUnsigned.Name() + ": the trust material cannot be read: ", message, StringComparison.Ordinal);
        Assert.Contains(TrustFiles.PublicKeysName, message, StringComparison.Ordinal);
        Directory.Delete(keys);
        File.Move(keys + ".aside", keys);
        await WaitForReadyAsync(s, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_UnderContextPath_ServedThere()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { ContextPath = "/charts" });

        await WaitForReadyAsync(s, HttpStatusCode.OK); // relative to the repository's URL: /charts/ready
        using var outside = await s.Http.GetAsync("/ready", Ct);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
    }
}

using System.Net;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;

namespace Chartseal.Server.Tests;

/// <summary><c>/metrics</c> on a real server: Prometheus text that a strict reader accepts, with counters that move.</summary>
public sealed class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<PrometheusText> ScrapeAsync(ServerFixture s, string path = "metrics")
    {
        using var response = await s.Http.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    private static (string, string) L(string label, string value) => (label, value);

    [Fact]
    public async Task Metrics_AcceptedAndRefusedUploads_MoveTheirCounters_AndTheScrapeIsPrometheusText()
    {
        await using var s = await ServerFixture.StartAsync();
        var before = await ScrapeAsync(s);
        var stranger = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);

        using (var accepted = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice)))
        {
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }
        using (var untrusted = await s.UploadAsync(s.Chart("redis", "1.0.0", stranger)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, untrusted.StatusCode);
        }
        using (var anonymous = await s.UploadAsync(s.Chart("nginx", "1.0.0", s.Trust.Alice), token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        using (var exists = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Bob)))
        {
            Assert.Equal(HttpStatusCode.Conflict, exists.StatusCode);
        }
        var after = await ScrapeAsync(s);

        double Moved(string name, params (string, string)[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        Assert.Equal(1, Moved("chartseal_uploads_total", L("operation", "upload"), L("outcome", "published")));
        Assert.Equal(1, Moved("chartseal_uploads_total", L("operation", "upload"), L("outcome", "refused"), L("reason", "signer-not-trusted")));
        Assert.Equal(1, Moved("chartseal_uploads_total", L("operation", "upload"), L("outcome", "refused"), L("reason", "unauthorized")));
        Assert.Equal(1, Moved("chartseal_uploads_total", L("operation", "upload"), L("outcome", "refused"), L("reason", "version-exists")));
        // The gate judged two of them; 401 and 409 are not verdicts on a signature.
        Assert.Equal(1, Moved("chartseal_verifications_total", L("result", "trusted")));
        Assert.Equal(1, Moved("chartseal_verifications_total", L("result", "refused"), L("reason", "signer-not-trusted")));
        Assert.Equal(2, Moved("chartseal_verifications_total")); // nothing else
        Assert.Equal("counter", after.FamilyTypes["chartseal_uploads_total"]);

        // ASP.NET Core's own: request counts and durations by route and status.
        Assert.Equal("histogram", after.FamilyTypes["http_server_request_duration_seconds"]);
        Assert.Equal(1, Moved("http_server_request_duration_seconds_count", L("http_route", "/api/charts"), L("http_response_status_code", "201")));
        Assert.Equal(1, Moved("http_server_request_duration_seconds_count", L("http_route", "/api/charts"), L("http_response_status_code", "422")));
        Assert.True(after.Sum("http_server_request_duration_seconds_sum", L("http_route", "/api/charts")) > 0);

        // The trust material and the index, as an alert would read them.
        var material = await s.Trust.MaterialAsync(ServerFixture.Now);
        Assert.Equal(material.Version, after.Single("chartseal_trust_version"));
        Assert.Equal(new DateTimeOffset(material.Manifest.Expires).ToUnixTimeSeconds(), after.Single("chartseal_trust_expiry_timestamp_seconds"));
        Assert.Equal(1, after.Single("chartseal_ready"));
        var index = new FileInfo(Path.Combine(s.Repo, "index.yaml"));
        Assert.Equal(1, after.Single("chartseal_index_entries"));
        Assert.Equal(index.Length, after.Single("chartseal_index_size_bytes"));
        Assert.Equal(new DateTimeOffset(index.LastWriteTimeUtc).ToUnixTimeSeconds(), after.Single("chartseal_index_regenerated_timestamp_seconds"));
        Assert.Equal(0, before.Single("chartseal_index_entries"));
    }

    [Fact]
    public async Task Metrics_HeldHalfAndDelete_AreCounted()
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        var before = await ScrapeAsync(s);

        using (var held = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Bearer))
        {
            Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        }
        var holding = await ScrapeAsync(s);
        using (var completed = await s.PostRawAsync("api/prov", chart.Provenance!, ServerFixture.Bearer))
        {
            Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        }
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "api/charts/mysql/1.2.3") { Headers = { Authorization = ServerFixture.Bearer } })
        using (var deleted = await s.Http.SendAsync(delete, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }
        using (var again = new HttpRequestMessage(HttpMethod.Delete, "api/charts/mysql/1.2.3") { Headers = { Authorization = ServerFixture.Bearer } })
        using (var missing = await s.Http.SendAsync(again, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        var after = await ScrapeAsync(s);

        Assert.Equal(1, holding.Sum("chartseal_uploads_total", L("outcome", "held")) - before.Sum("chartseal_uploads_total", L("outcome", "held")));
        Assert.Equal(1, holding.Single("chartseal_staging_halves"));
        Assert.Equal(chart.Archive.Length, holding.Single("chartseal_staging_size_bytes"));
        Assert.Equal(0, after.Single("chartseal_staging_halves"));
        Assert.Equal(1, after.Sum("chartseal_uploads_total", L("operation", "provenance-upload"), L("outcome", "published")));
        Assert.Equal(1, after.Sum("chartseal_deletes_total", L("outcome", "deleted")));
        Assert.Equal(1, after.Sum("chartseal_deletes_total", L("outcome", "refused"), L("reason", "not-found")));
        Assert.Equal(0, after.Single("chartseal_index_entries"));
    }

    [Fact]
    public async Task Metrics_CountersOfKnownOutcomes_StartAtZero_SoTheFirstRefusalShowsInIncrease()
    {
        // Prometheus' increase() and rate() take a series' first sample as their start: a series that appears at 1
        // never increases, and an alert on refusals would miss the first refusal of each reason.
        await using var s = await ServerFixture.StartAsync();
        var fresh = await ScrapeAsync(s);

        Assert.Equal(0, fresh.Single("chartseal_verifications_total", L("result", "trusted")));
        foreach (string reason in new[] { "signer-not-trusted", "signer-revoked", "bad-signature", "hash-mismatch", "missing-provenance", "trust-expired" })
        {
            Assert.Equal(0, fresh.Single("chartseal_verifications_total", L("result", "refused"), L("reason", reason)));
        }
        Assert.False(fresh.Has("chartseal_verifications_total", L("reason", "version-exists"))); // a clash, not a verdict
        Assert.False(fresh.Has("chartseal_verifications_total", L("reason", "index-expired")));  // never a verdict on an upload
        foreach (string operation in new[] { "upload", "provenance-upload" })
        {
            foreach (string outcome in new[] { "published", "resigned", "held" })
            {
                Assert.Equal(0, fresh.Single("chartseal_uploads_total", L("operation", operation), L("outcome", outcome)));
            }
            Assert.Equal(0, fresh.Single("chartseal_uploads_total", L("operation", operation), L("outcome", "refused"), L("reason", "unauthorized")));
        }
        Assert.Equal(0, fresh.Single("chartseal_deletes_total", L("outcome", "deleted")));

        var stranger = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);
        using (var untrusted = await s.UploadAsync(s.Chart("redis", "1.0.0", stranger)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, untrusted.StatusCode);
        }
        var after = await ScrapeAsync(s);
        Assert.Equal(1, after.Single("chartseal_verifications_total", L("result", "refused"), L("reason", "signer-not-trusted")));
        Assert.Equal(1, after.Sum("chartseal_verifications_total"));
    }

    [Fact]
    public async Task Metrics_TrustMaterialExpired_KeepsItsVersionAndExpiry_SoTheExpiryAlertKeepsFiring()
    {
        await using var s = await ServerFixture.StartAsync();
        var material = await s.Trust.MaterialAsync(ServerFixture.Now);
        long expires = new DateTimeOffset(material.Manifest.Expires).ToUnixTimeSeconds();
        Assert.Equal(expires, (await ScrapeAsync(s)).Single("chartseal_trust_expiry_timestamp_seconds"));

        s.Clock.Now = material.Manifest.Expires + TimeSpan.FromDays(1);
        PrometheusText expired;
        var deadline = DateTime.UtcNow + ServerStatus.ReuseFor + TimeSpan.FromSeconds(10);
        do
        {
            await Task.Delay(100, Ct);
            expired = await ScrapeAsync(s);
        }
        while (expired.Single("chartseal_ready") != 0 && DateTime.UtcNow < deadline);

        // Not ready, and still the figures of the manifest that expired: "expiry - time() < 14d" stays true rather than
        // turning into no data (which resolves the alert) at the very moment the repository freezes.
        Assert.Equal(0, expired.Single("chartseal_ready"));
        Assert.Equal(material.Version, expired.Single("chartseal_trust_version"));
        Assert.Equal(expires, expired.Single("chartseal_trust_expiry_timestamp_seconds"));

        // Material that does not verify has no figures to give.
        await File.WriteAllTextAsync(Path.Combine(s.Repo, Chartseal.Trust.TrustFiles.ManifestName), "not signed", Ct);
        PrometheusText tampered;
        deadline = DateTime.UtcNow + ServerStatus.ReuseFor + TimeSpan.FromSeconds(10);
        do
        {
            await Task.Delay(100, Ct);
            tampered = await ScrapeAsync(s);
        }
        while (tampered.Has("chartseal_trust_version") && DateTime.UtcNow < deadline);
        Assert.False(tampered.Has("chartseal_trust_version"));
        Assert.False(tampered.Has("chartseal_trust_expiry_timestamp_seconds"));
        Assert.Equal(0, tampered.Single("chartseal_ready"));
    }

    [Fact]
    public async Task Metrics_FileDownloads_CountedByTheirFileRoute_NeverByChartName()
    {
        await using var s = await ServerFixture.StartAsync();
        using (var upload = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice)))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }
        foreach (var (path, status) in new[]
        {
            ("mysql-1.2.3.tgz", HttpStatusCode.OK), ("mysql-1.2.3.tgz.prov", HttpStatusCode.OK), ("charts/mysql-1.2.3.tgz", HttpStatusCode.OK),
            ("pubkeys.pgp", HttpStatusCode.OK), ("trust.yaml.asc", HttpStatusCode.OK),
            ("redis-9.9.9.tgz", HttpStatusCode.NotFound), ("no/such/path-4711", HttpStatusCode.NotFound), ("index.yaml", HttpStatusCode.OK),
        })
        {
            using var response = await s.Http.GetAsync(path, Ct);
            Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode}");
        }
        var scrape = await ScrapeAsync(s);

        double Requests(string route, string status) =>
            scrape.Sum("http_server_request_duration_seconds_count", L("http_route", route), L("http_response_status_code", status));
        Assert.Equal(2, Requests("/{chart}.tgz", "200")); // the ChartMuseum path too
        Assert.Equal(1, Requests("/{chart}.tgz.prov", "200"));
        Assert.Equal(1, Requests("/{chart}.tgz", "404"));
        Assert.Equal(1, Requests("/pubkeys.pgp", "200"));
        Assert.Equal(1, Requests("/trust.yaml.asc", "200"));
        Assert.Equal(1, Requests("/index.yaml", "200"));
        // A path that names nothing has no route (one series for all of them), and no label anywhere carries a chart
        // name or a path as asked: the number of series does not grow with what clients ask for.
        Assert.True(scrape.Has("http_server_request_duration_seconds_count", L("http_response_status_code", "404"), L("aspnetcore_request_is_unhandled", "true")));
        Assert.DoesNotContain(scrape.Samples, sample => sample.Labels.Values.Any(v => v.Contains("mysql", StringComparison.Ordinal) || v.Contains("redis", StringComparison.Ordinal) || v.Contains("4711", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Metrics_TargetInfo_SaysWhichBuildServes()
    {
        await using var s = await ServerFixture.StartAsync();
        string version = typeof(RepositoryServer).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;

        var scrape = await ScrapeAsync(s);

        Assert.Equal(1, scrape.Single("target_info", L("service_name", "chartseal-server"), L("service_version", version)));
    }

    [Fact]
    public async Task Metrics_UploadCutOffByTheRequestTimeout_CountedAndAuditedAsRefused()
    {
        var logs = new LogLines();
        await using var s = await ServerFixture.StartAsync(o => o with { RequestTimeout = TimeSpan.FromSeconds(1), Logs = logs });
        var chart = s.Chart("pg", "1.0.0", s.Trust.Alice);

        // A client that stops sending half-way through its upload, and waits.
        string answer;
        using (var tcp = new System.Net.Sockets.TcpClient())
        {
            await tcp.ConnectAsync(s.Server.Address.Host, s.Server.Address.Port, Ct);
            var stream = tcp.GetStream();
            string head = $"POST /api/charts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {ServerFixture.Token}\r\n" +
                $"Content-Type: application/octet-stream\r\nContent-Length: {chart.Archive.Length}\r\n\r\n";
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), Ct);
            await stream.WriteAsync(chart.Archive.AsMemory(0, chart.Archive.Length / 2), Ct);
            await stream.FlushAsync(Ct);
            byte[] buffer = new byte[4096];
            int read = await stream.ReadAsync(buffer, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);
            answer = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        }
        Assert.True(answer.StartsWith("HTTP/1.1 504", StringComparison.Ordinal), answer + "\n" + string.Join("\n", logs.All.Select(l => $"{l.Category} {l.EventId} {l.Level} {l.Message}")));

        var scrape = await ScrapeAsync(s);
        Assert.Equal(1, scrape.Single("chartseal_uploads_total", L("operation", "upload"), L("outcome", "refused"), L("reason", "timeout")));
        var audit = Assert.Single(logs.All, l => l.Category == WriteAudit.Category);
        Assert.Contains("status 504 timeout", audit.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_UploadFailingUnexpectedly_CountedAndAuditedAsRefusedServerError()
    {
        var logs = new LogLines();
        await using var s = await ServerFixture.StartAsync(o => o with { Logs = logs });
        var chart = s.Chart("pg", "1.0.0", s.Trust.Alice);

        // A failure no step of the upload expects (here the clock; a bug, a broken runtime): the generic 500.
        s.Clock.Fault = new InvalidOperationException("the clock is broken");
        (HttpStatusCode Status, string Error, string Message) answer;
        try
        {
            using var response = await s.UploadAsync(chart);
            answer = await ServerFixture.ErrorOfAsync(response);
        }
        finally
        {
            s.Clock.Fault = null;
        }

        Assert.Equal((HttpStatusCode.InternalServerError, "server-error"), (answer.Status, answer.Error));
        Assert.DoesNotContain("clock", answer.Message, StringComparison.Ordinal);
        var scrape = await ScrapeAsync(s);
        Assert.Equal(1, scrape.Single("chartseal_uploads_total", L("operation", "upload"), L("outcome", "refused"), L("reason", "server-error")));
        var audit = Assert.Single(logs.All, l => l.Category == WriteAudit.Category);
        Assert.Contains("upload refused", audit.Message, StringComparison.Ordinal);
        Assert.Contains("by token:", audit.Message, StringComparison.Ordinal);
        Assert.Contains("status 500 server-error", audit.Message, StringComparison.Ordinal);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Metrics_OfTwoServersInOneProcess_AreEachTheirOwn()
    {
        await using var one = await ServerFixture.StartAsync();
        await using var other = await ServerFixture.StartAsync();

        using (var response = await one.UploadAsync(one.Chart("mysql", "1.2.3", one.Trust.Alice)))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(1, (await ScrapeAsync(one)).Sum("chartseal_uploads_total"));
        var scrape = await ScrapeAsync(other);
        Assert.Equal(0, scrape.Sum("chartseal_uploads_total"));
        Assert.Equal(0, scrape.Sum("http_server_request_duration_seconds_count", L("http_route", "/api/charts")));
    }

    [Fact]
    public async Task Metrics_UnderContextPath_ServedThereOnly()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { ContextPath = "/charts" });

        var scrape = await ScrapeAsync(s); // relative to the repository's URL: /charts/metrics
        Assert.True(scrape.Has("chartseal_ready"));
        using var outside = await s.Http.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
    }

    [Fact]
    public async Task Metrics_Disabled_404()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { DisableMetrics = true });

        using var response = await s.Http.GetAsync("metrics", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not-found", (await ServerFixture.ErrorOfAsync(response)).Error);
    }

    [Theory]
    [InlineData("# TYPE a counter\na 1")]                       // no final line feed
    [InlineData("a 1\n")]                                       // no TYPE
    [InlineData("# TYPE a counter\na{x=\"1\"} 1\na{x=\"1\"} 2\n")] // a series twice
    [InlineData("# TYPE a counter\na{x=\"\\q\"} 1\n")]           // an unknown escape
    [InlineData("# TYPE a counter\na{x=1} 1\n")]                // an unquoted label value
    [InlineData("# TYPE a counter\na one\n")]                   // not a number
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n")] // buckets shrink
    [InlineData("# TYPE a counter\na 1\n# TYPE a counter\n")]   // a second TYPE
    public void PrometheusReader_RefusesWhatIsNotTheTextFormat(string text)
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;

namespace Chartseal.Cli.Tests;

/// <summary>
/// The operator's view of the real <c>chartseal serve</c> (the NativeAOT server): configured by ChartMuseum's variables,
/// <c>CHARTSEAL_SERVE_*</c> and a config file; <c>/ready</c>, <c>/metrics</c>; a request id and an audit line on its
/// JSON log.
/// </summary>
public sealed class ServeOperatorTests
{
    private const string Token = "ci-token";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient http, Uri api, PackagedChart chart, byte[] prov, string requestId)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(chart.Archive), "chart", chart.FileName },
            { new ByteArrayContent(prov), "prov", chart.FileName + ".prov" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, api) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        request.Headers.Add("X-Request-Id", requestId);
        return await http.SendAsync(request, Ct);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, Process server, string workDir)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (server.HasExited)
            {
                Assert.Fail("chartseal serve exited: " + ErrorsOf(workDir));
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("timed out; server.err: " + ErrorsOf(workDir));
            }
            await Task.Delay(50, Ct);
        }
    }

    // The server's stderr so far (the shell may not have made the file yet).
    private static string ErrorsOf(string workDir) =>
        File.Exists(Path.Combine(workDir, "server.err")) ? File.ReadAllText(Path.Combine(workDir, "server.err")) : "(nothing yet)";

    // The JSON log lines of the server so far (stdout, one object a line).
    private static List<JsonElement> LogLines(string workDir) =>
        [.. File.ReadAllLines(Path.Combine(workDir, "server.out")).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static string? RequestIdOf(JsonElement line) =>
        line.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("RequestId", out _))
                .Select(s => s.GetProperty("RequestId").GetString()).FirstOrDefault()
            : null;

    [Fact]
    public async Task Serve_FromChartMuseumVariablesAndConfigFile_ReadyMetricsAndAnAuditLineWithTheRequestIdPerWrite()
    {
        Cli.EnsureBuilt();
        using var f = new TrustFixture();
        DateTime now = DateTime.UtcNow;
        await f.InitWithTwoMaintainersAsync(now);
        string work = f.Temp.File("work");
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(Path.Combine(work, "tokens"), Token + "\n", Ct);
        // The file names the token file (relative to the working folder) and the context path; ChartMuseum's
        // variables give the folder and the port; Chartseal's own variable pins the root and wins over the file.
        await File.WriteAllTextAsync(Path.Combine(work, "serve.yaml"),
            "# chartseal serve settings\nupload-token-file: tokens\ncontext-path: /charts\nroot-fingerprint: 0000000000000000000000000000000000000000\n", Ct);
        int port = Cli.FreePort();
        var env = new Dictionary<string, string>
        {
            ["CHARTSEAL_SERVE_CONFIG"] = "serve.yaml",
            ["CHARTSEAL_SERVE_ROOT_FINGERPRINT"] = f.Root.Fingerprint,
            ["STORAGE"] = "local",
            ["STORAGE_LOCAL_ROOTDIR"] = f.Repo,
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["LISTEN_HOST"] = "127.0.0.1",
            ["LOG_JSON"] = "true",
            ["AUTH_ANONYMOUS_GET"] = "true",
        };
        var server = Cli.Start(work, env, "serve");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var repo = new Uri($"http://127.0.0.1:{port}/charts/");
        try
        {
            await WaitForAsync(async () =>
            {
                try
                {
                    using var ready = await http.GetAsync(new Uri(repo, "ready"), Ct);
                    return ready.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, server, work);

            var trusted = ChartPackager.Package(ChartFixtures.WriteSimpleChart(f.Temp.File("src-a"), "mysql", "1.2.3"));
            var stranger = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);
            var untrusted = ChartPackager.Package(ChartFixtures.WriteSimpleChart(f.Temp.File("src-b"), "redis", "2.0.0"));
            using (var accepted = await UploadAsync(http, new Uri(repo, "api/charts"), trusted, f.Alice.Sign(trusted.Archive, trusted.FileName, now), "accept-1"))
            {
                Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
                Assert.Equal("accept-1", Assert.Single(accepted.Headers.GetValues("X-Request-Id")));
            }
            using (var refusedUpload = await UploadAsync(http, new Uri(repo, "api/charts"), untrusted, stranger.Sign(untrusted.Archive, untrusted.FileName, now), "refuse-1"))
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, refusedUpload.StatusCode);
                Assert.Equal("refuse-1", Assert.Single(refusedUpload.Headers.GetValues("X-Request-Id")));
            }

            // The NativeAOT server's scrape: strict Prometheus text, and the counters moved.
            var metrics = PrometheusText.Parse(await http.GetStringAsync(new Uri(repo, "metrics"), Ct));
            Assert.Equal(1, metrics.Sum("chartseal_uploads_total", ("outcome", "published")));
            Assert.Equal(1, metrics.Sum("chartseal_uploads_total", ("outcome", "refused"), ("reason", "signer-not-trusted")));
            Assert.Equal(1, metrics.Sum("chartseal_verifications_total", ("result", "refused"), ("reason", "signer-not-trusted")));
            Assert.Equal(1, metrics.Sum("http_server_request_duration_seconds_count", ("http_route", "/api/charts"), ("http_response_status_code", "201")));
            Assert.Equal(2, metrics.Single("chartseal_trust_version"));
            Assert.Equal(1, metrics.Single("chartseal_index_entries"));
            Assert.True(metrics.Single("chartseal_trust_expiry_timestamp_seconds") > new DateTimeOffset(now).ToUnixTimeSeconds());

            // One audit line per write, each on the request's id: who, which chart, which key, which reason.
            JsonElement published = default, refusal = default;
            await WaitForAsync(() =>
            {
                var audit = LogLines(work).Where(l => l.GetProperty("Category").GetString() == "Chartseal.Server.Audit").ToList();
                published = audit.FirstOrDefault(l => l.GetProperty("State").GetProperty("Outcome").GetString() == "published");
                refusal = audit.FirstOrDefault(l => l.GetProperty("State").GetProperty("Outcome").GetString() == "refused");
                return Task.FromResult(published.ValueKind == JsonValueKind.Object && refusal.ValueKind == JsonValueKind.Object);
            }, server, work);
            var state = published.GetProperty("State");
            Assert.Equal("accept-1", RequestIdOf(published));
            Assert.Equal(("upload", "mysql", "1.2.3", "mysql-1.2.3.tgz"), (state.GetProperty("Operation").GetString(), state.GetProperty("Chart").GetString(), state.GetProperty("Version").GetString(), state.GetProperty("File").GetString()));
            Assert.Equal(f.Alice.Fingerprint, state.GetProperty("Key").GetString());
            Assert.Matches("^token:[0-9a-f]{16}$", state.GetProperty("Writer").GetString());
            Assert.Equal(201, state.GetProperty("Status").GetInt32());
            var refused = refusal.GetProperty("State");
            Assert.Equal("refuse-1", RequestIdOf(refusal));
            Assert.Equal("signer-not-trusted", refused.GetProperty("Reason").GetString());
            Assert.Equal("redis-2.0.0.tgz", refused.GetProperty("File").GetString());
            Assert.Equal(422, refused.GetProperty("Status").GetInt32());
            Assert.Equal(state.GetProperty("Writer").GetString(), refused.GetProperty("Writer").GetString());
            string claimed = refused.GetProperty("Key").GetString()!;
            Assert.True(stranger.Public.PublicKeyRings.SelectMany(r => r.GetPublicKeys()).Any(k => Convert.ToHexString(k.GetFingerprint()) == claimed),
                $"the refused line names the key the .prov claims: {claimed}");
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public void Serve_ConfigFileWithAnUnknownSetting_OneLineNamingFileAndLine_Exit2()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "serve.yaml"), "listen: http://127.0.0.1:0\nstorage: amazon\n");

        var r = Cli.Run(temp.Path, "serve", "repo", "--config", "serve.yaml");

        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.StdErrLines);
        Assert.Contains("serve.yaml: line 2: unknown setting \"storage\"", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "repo")));
    }

    [Theory]
    [InlineData("STORAGE", "amazon", "STORAGE=amazon")]
    [InlineData("CHARTSEAL_SERVE_DISABLE_DELETE", "yes", "CHARTSEAL_SERVE_DISABLE_DELETE=yes: not a boolean")]
    [InlineData("PORT", "http", "PORT=http: not a port number")]
    public void Serve_BadVariable_OneLineNamingIt_Exit2(string name, string value, string expected)
    {
        using var temp = new TempDirectory();

        var r = Cli.Run(temp.Path, new Dictionary<string, string> { [name] = value }, "serve", "repo");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }
}

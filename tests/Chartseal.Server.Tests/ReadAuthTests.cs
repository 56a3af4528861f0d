using System.Net;
using System.Net.Http.Headers;

namespace Chartseal.Server.Tests;

/// <summary>
/// <c>--require-auth-for-reads</c>: ChartMuseum's habit with basic auth (reads need credentials unless
/// <c>--auth-anonymous-get</c>), opt-in here so that existing public repositories stay public.
/// </summary>
public sealed class ReadAuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Reads =
        ["index.yaml", "mysql-1.2.3.tgz", "mysql-1.2.3.tgz.prov", "pubkeys.pgp", "trust.yaml.asc", "root.pgp", "", "api/charts", "api/charts/mysql", "charts/mysql-1.2.3.tgz"];

    private static async Task<HttpResponseMessage> GetAsync(ServerFixture s, string path, AuthenticationHeaderValue? authorization = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Authorization = authorization;
        return await s.Http.SendAsync(request, Ct);
    }

    [Fact]
    public async Task RequireAuthForReads_EveryReadNeedsAWritersCredentials_ProbesAndMetricsStayOpen()
    {
        var users = await BasicAuthUsers.LoadAsync("reader", "p4ss:word", null, Ct);
        await using var s = await ServerFixture.StartAsync(o => o with { BasicAuth = users, RequireAuthForReads = true });
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using (var upload = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Basic("reader", "p4ss:word")))
        {
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        }
        using (var prov = await s.PostRawAsync("api/prov", chart.Provenance!, ServerFixture.Basic("reader", "p4ss:word")))
        {
            Assert.Equal(HttpStatusCode.Created, prov.StatusCode);
        }

        foreach (string path in Reads)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                using var anonymous = await GetAsync(s, path, method: method);
                Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{method} /{path}: {anonymous.StatusCode}");
                Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Basic" && h.Parameter!.StartsWith("realm=\"chartseal\"", StringComparison.Ordinal));
            }
            using var wrong = await GetAsync(s, path, ServerFixture.Basic("reader", "wrong"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            using var bearer = await GetAsync(s, path, new AuthenticationHeaderValue("Bearer", ServerFixture.Token));
            Assert.True(bearer.IsSuccessStatusCode, $"/{path} with the token: {bearer.StatusCode}");
            using var right = await GetAsync(s, path, ServerFixture.Basic("reader", "p4ss:word"));
            Assert.True(right.IsSuccessStatusCode, $"/{path}: {right.StatusCode}");
        }
        foreach (string path in new[] { "health", "ready", "metrics" })
        {
            using var probe = await GetAsync(s, path);
            Assert.True(probe.IsSuccessStatusCode, $"/{path}: {probe.StatusCode}");
        }
    }

    [Fact]
    public async Task ByDefault_ReadsStayOpen_EvenWithBasicUsers()
    {
        var users = await BasicAuthUsers.LoadAsync("reader", "p4ss:word", null, Ct);
        await using var s = await ServerFixture.StartAsync(o => o with { BasicAuth = users });
        foreach (string path in new[] { "index.yaml", "pubkeys.pgp", "api/charts" })
        {
            using var anonymous = await GetAsync(s, path);
            Assert.True(anonymous.IsSuccessStatusCode, $"/{path}: {anonymous.StatusCode}");
        }
    }

    [Fact]
    public async Task ServeCommand_RequireAuthForReadsWithoutCredentials_RefusedAtStart()
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        var command = ServeCommand.Serve(name => name == "CHARTSEAL_SERVE_REQUIRE_AUTH_FOR_READS" ? "true" : null);
        var e = await Assert.ThrowsAsync<ChartsealException>(() => command.Parse([temp.Path, "--listen", "http://127.0.0.1:0"]).InvokeAsync(new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false }, Ct));
        Assert.Contains("--require-auth-for-reads needs credentials to ask for", e.Message, StringComparison.Ordinal);
    }
}

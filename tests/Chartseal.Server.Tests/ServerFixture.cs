using System.Net.Http.Headers;
using Chartseal.Charts;
using Chartseal.Server;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;

namespace Chartseal.Server.Tests;

/// <summary>A clock that stays where it is put.</summary>
internal sealed class FixedClock(DateTime now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(now, TimeSpan.Zero);
}

/// <summary>A signed chart ready to upload.</summary>
internal sealed record SignedChart(string FileName, byte[] Archive, byte[]? Provenance);

/// <summary>
/// A real server (Kestrel on a loopback port) over a repository whose trust material lists Alice and Bob,
/// with one upload token.
/// </summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    public const string Token = "s3cret-token";
    public static readonly DateTime Now = TrustFixture.At(1);

    private ServerFixture(TrustFixture trust, RepositoryServer server)
    {
        Trust = trust;
        Server = server;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public TrustFixture Trust { get; }
    public RepositoryServer Server { get; }
    public HttpClient Http { get; }
    public string Repo => Trust.Repo;

    public static async Task<ServerFixture> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, bool pinRoot = true)
    {
        var trust = new TrustFixture();
        await trust.InitWithTwoMaintainersAsync(Now);
        var options = new ServerOptions
        {
            RepositoryDir = trust.Repo,
            Listen = "http://127.0.0.1:0",
            UploadTokens = [Token],
            Root = pinRoot ? trust.Pin : null,
            TrustState = trust.Store,
            Clock = new FixedClock(Now),
        };
        var server = await RepositoryServer.StartAsync(configure is null ? options : configure(options), TestContext.Current.CancellationToken);
        return new ServerFixture(trust, server);
    }

    /// <summary>Packages NAME-VERSION and signs it with <paramref name="signer"/> (null: no .prov).</summary>
    public SignedChart Chart(string name, string version, TestKey? signer)
    {
        string dir = Trust.Temp.File($"src-{name}-{version}");
        var packaged = ChartPackager.Package(ChartFixtures.WriteSimpleChart(dir, name, version));
        return new SignedChart(packaged.FileName, packaged.Archive, signer?.Sign(packaged.Archive, packaged.FileName, Now));
    }

    /// <summary>POST /api/charts with the chart (and its .prov when it has one), as ChartMuseum clients send it.</summary>
    public Task<HttpResponseMessage> UploadAsync(SignedChart chart, string? token = Token)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(chart.Archive), "chart", chart.FileName },
        };
        if (chart.Provenance is { } prov)
        {
            form.Add(new ByteArrayContent(prov), "prov", chart.FileName + ".prov");
        }
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/charts") { Content = form };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public string[] RepositoryFiles() =>
        [.. Directory.EnumerateFiles(Repo).Select(Path.GetFileName).Where(n => n!.EndsWith(".tgz", StringComparison.Ordinal) || n.EndsWith(".prov", StringComparison.Ordinal)).Order(StringComparer.Ordinal)!];

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Trust.Dispose();
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;

namespace Chartseal.Server.Tests;

/// <summary>A clock that stays where it is put (and moves only when a test moves it).</summary>
internal sealed class FixedClock(DateTime now) : TimeProvider
{
    public DateTime Now { get; set; } = now;

    /// <summary>When set, what reading the clock throws: a failure no step of a request expects.</summary>
    public Exception? Fault { get; set; }

    public override DateTimeOffset GetUtcNow() => Fault is { } fault ? throw fault : new(Now, TimeSpan.Zero);
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

    private ServerFixture(TrustFixture trust, RepositoryServer server, FixedClock clock)
    {
        Trust = trust;
        Server = server;
        Clock = clock;
        Http = new HttpClient { BaseAddress = server.RepositoryUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public TrustFixture Trust { get; }
    public RepositoryServer Server { get; }
    public HttpClient Http { get; }
    public FixedClock Clock { get; }
    public string Repo => Trust.Repo;

    /// <summary>The repository's URL without a trailing slash (with the context path, if any).</summary>
    public string Url => Server.RepositoryUrl.ToString().TrimEnd('/');

    public static async Task<ServerFixture> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, bool pinRoot = true, Func<TrustFixture, Task>? prepare = null)
    {
        var trust = new TrustFixture();
        await trust.InitWithTwoMaintainersAsync(Now);
        if (prepare is not null)
        {
            await prepare(trust);
        }
        var clock = new FixedClock(Now);
        var options = new ServerOptions
        {
            RepositoryDir = trust.Repo,
            Listen = "http://127.0.0.1:0",
            UploadTokens = [Token],
            Root = pinRoot ? trust.Pin : null,
            TrustState = trust.Store,
            Clock = clock,
        };
        var server = await RepositoryServer.StartAsync(configure is null ? options : configure(options), TestContext.Current.CancellationToken);
        return new ServerFixture(trust, server, clock);
    }

    /// <summary>Packages NAME-VERSION and signs it with <paramref name="signer"/> (null: no .prov).</summary>
    public SignedChart Chart(string name, string version, TestKey? signer)
    {
        string dir = Trust.Temp.File($"src-{name}-{version}");
        var packaged = ChartPackager.Package(ChartFixtures.WriteSimpleChart(dir, name, version));
        return new SignedChart(packaged.FileName, packaged.Archive, signer?.Sign(packaged.Archive, packaged.FileName, Now));
    }

    /// <summary>An Authorization header for HTTP Basic auth.</summary>
    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(user + ":" + password)));

    /// <summary>POSTs <paramref name="body"/> itself (as curl --data-binary does) to a path under the repository.</summary>
    public Task<HttpResponseMessage> PostRawAsync(string path, byte[] body, AuthenticationHeaderValue? auth)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = content };
        request.Headers.Authorization = auth;
        return Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>The bearer header of <see cref="Token"/>.</summary>
    public static AuthenticationHeaderValue Bearer => new("Bearer", Token);

    /// <summary>POST /api/charts with the chart (and its .prov when it has one), as ChartMuseum clients send it.</summary>
    public Task<HttpResponseMessage> UploadAsync(SignedChart chart, string? token = Token, string query = "", AuthenticationHeaderValue? auth = null)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(chart.Archive), "chart", chart.FileName },
        };
        if (chart.Provenance is { } prov)
        {
            form.Add(new ByteArrayContent(prov), "prov", chart.FileName + ".prov");
        }
        var request = new HttpRequestMessage(HttpMethod.Post, "api/charts" + query) { Content = form };
        if (auth is not null || token is not null)
        {
            request.Headers.Authorization = auth ?? new AuthenticationHeaderValue("Bearer", token);
        }
        return Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A JSON error answer: its status, <c>error</c> and <c>message</c>.</summary>
    public static async Task<(HttpStatusCode Status, string Error, string Message)> ErrorOfAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (response.StatusCode, json.RootElement.GetProperty("error").GetString()!, json.RootElement.GetProperty("message").GetString()!);
    }

    /// <summary>A JSON answer's body.</summary>
    public static async Task<JsonElement> JsonOfAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();

    /// <summary>Every name in the repository folder, dot files and sub-folders included (what a refusal must leave as it was).</summary>
    public string[] AllNames() =>
        [.. Directory.EnumerateFileSystemEntries(Repo, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(Repo, p)).Order(StringComparer.Ordinal)];

    public string[] RepositoryFiles() =>
        [.. Directory.EnumerateFiles(Repo).Select(Path.GetFileName).Where(n => n!.EndsWith(".tgz", StringComparison.Ordinal) || n.EndsWith(".prov", StringComparison.Ordinal)).Order(StringComparer.Ordinal)!];

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Trust.Dispose();
    }
}

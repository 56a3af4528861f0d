using Chartseal.Client;
using Chartseal.Tests.Support;

namespace Chartseal.Server.Tests;

/// <summary>
/// What stops the server at start: one <see cref="ChartsealException"/> naming the setting or the folder (the program
/// prints it as one line and exits 2), never an exception of the runtime with its stack trace, and never a server that
/// listens somewhere else than the operator asked.
/// </summary>
public sealed class StartupTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private ServerOptions Options(string repository, string listen = "http://127.0.0.1:0") => new()
    {
        RepositoryDir = repository,
        Listen = listen,
        TrustState = new TrustStateStore(_temp.File("state")),
    };

    [Fact]
    public async Task Start_RepositoryFolderIsAFile_OneLineNamingIt()
    {
        string file = _temp.File("repo");
        await File.WriteAllTextAsync(file, "not a folder", Ct);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryServer.StartAsync(Options(file), Ct));

        Assert.Equal(Path.GetFullPath(file), e.File);
        Assert.Contains("is a file, not a folder", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RepositoryFolderCannotBeCreated_OneLineNamingIt()
    {
        string file = _temp.File("plain-file");
        await File.WriteAllTextAsync(file, "x", Ct);
        string below = Path.Combine(file, "repo");

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryServer.StartAsync(Options(below), Ct));

        Assert.Equal(below, e.File);
        Assert.Contains("cannot create the repository folder", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Start_TrustStateFolderCannotBeMade_OneLineNamingIt(bool pinned)
    {
        // CHARTSEAL_HOME on a read-only file system (or under a file): the server could record no trust version, so
        // every upload would fail. It says so at start, whether or not it has a root to check now.
        using var trust = new Chartseal.Tests.Trust.TrustFixture();
        await trust.InitWithTwoMaintainersAsync(ServerFixture.Now);
        string file = _temp.File("home");
        await File.WriteAllTextAsync(file, "not a folder", Ct);
        var options = Options(trust.Repo) with
        {
            TrustState = new TrustStateStore(Path.Combine(file, "trust-state")),
            Root = pinned ? trust.Pin : null,
            Clock = new FixedClock(ServerFixture.Now),
        };

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryServer.StartAsync(options, Ct));

        Assert.Contains("cannot create the trust-state folder (CHARTSEAL_HOME)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_LogsWhatItServesWhereAndWithWhichSettings()
    {
        var logs = new LogLines();
        await using var s = await ServerFixture.StartAsync(o => o with { Logs = logs, ContextPath = "/charts", DisableDelete = true });

        Assert.Contains($"serving {s.Repo} at {s.Url}", Assert.Single(logs.Events(1)).Message, StringComparison.Ordinal);
        string settings = Assert.Single(logs.Events(ServerLog.SettingsEvent)).Message;
        Assert.Contains("reads open, uploads bearer token", settings, StringComparison.Ordinal);
        Assert.Contains("delete off", settings, StringComparison.Ordinal);
        Assert.Contains($"root {s.Trust.Root.Fingerprint}", settings, StringComparison.Ordinal);
        Assert.Contains("metrics /charts/metrics", settings, StringComparison.Ordinal);
        Assert.Single(logs.Events(ServerLog.ReadyEvent));
    }

    [Theory]
    [InlineData("http://example.com:8080")]
    [InlineData("http://charts.internal:0")]
    [InlineData("http://my-host:0")]
    public void Validate_ListenOnAHostName_Refused_KestrelWouldListenOnEveryAddress(string listen)
    {
        var e = Assert.Throws<ChartsealException>(() => Options(_temp.File("repo"), listen).Validate());

        Assert.Contains("every address", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://localhost:0")]
    [InlineData("http://[::1]:0")]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://[::]:0")]
    [InlineData("http://*:0")]
    [InlineData("http://+:0")]
    public void Validate_ListenOnAnAddress_LocalhostOrAny_Accepted(string listen)
    {
        // Checked, not started: servers in tests listen on the loopback only.
        Options(_temp.File("repo"), listen).Validate();
    }
}

using System.Net;
using System.Text.Json;
using Chartseal.Client;
using Chartseal.Server.Page;
using Chartseal.Server.Tests.Page;
using Chartseal.Tests.Support;

namespace Chartseal.Server.Tests;

/// <summary>
/// <c>--disable-api</c> on a read-only repository folder (a read-only volume filled by git-sync, a mirror): the server
/// starts, serves everything and writes nothing, and keeps its trust state in memory when CHARTSEAL_HOME cannot be written.
/// Tests may run as root, whom <c>chmod</c> does not stop: "nothing written" is asserted by listing the folder (names,
/// sizes, times), never by a permission error.
/// </summary>
public sealed class ReadOnlyServeTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempDirectory _temp = new();
    private readonly List<IDisposable> _restores = [];

    public void Dispose()
    {
        foreach (var restore in _restores)
        {
            restore.Dispose();
        }
        _temp.Dispose();
    }

    // Every file and folder with its size and modification time (the folder itself included).
    private static string[] Listing(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Prepend(root)
            .Select(p => new FileInfo(p) is var f && f.Exists
                ? $"{Path.GetRelativePath(root, p)} {f.Length} {f.LastWriteTimeUtc:O}"
                : $"{Path.GetRelativePath(root, p)}/ {Directory.GetLastWriteTimeUtc(p):O}")
            .Order(StringComparer.Ordinal)];

    // chmod a-w on a folder and everything in it, until the result is disposed (then writable again, to be removed).
    private static Restore MakeReadOnly(string root)
    {
        if (OperatingSystem.IsWindows())
        {
            return new Restore(root); // no Unix modes: the listing still shows that nothing was written
        }
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        foreach (string dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Prepend(root))
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        return new Restore(root);
    }

    private sealed class Restore(string root) : IDisposable
    {
        public void Dispose()
        {
            if (OperatingSystem.IsWindows() || !Directory.Exists(root))
            {
                return;
            }
            foreach (string dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Prepend(root))
            {
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    // A CHARTSEAL_HOME that cannot be written: read-only by chmod, or, for root (whom chmod does not stop), below a file.
    private TrustStateStore UnwritableState()
    {
        if (Environment.IsPrivilegedProcess)
        {
            string file = _temp.File("home-is-a-file");
            File.WriteAllText(file, "x");
            return new TrustStateStore(Path.Combine(file, "trust-state"));
        }
        string home = _temp.File("home");
        Directory.CreateDirectory(home);
        _restores.Add(MakeReadOnly(home));
        return new TrustStateStore(Path.Combine(home, "trust-state"));
    }

    private static ServerOptions ReadOnly(string repository, TrustStateStore state, Chartseal.Trust.PinnedRoot? root, LogLines? logs = null) => new()
    {
        RepositoryDir = repository,
        Listen = "http://127.0.0.1:0",
        DisableApi = true,
        Root = root,
        TrustState = state,
        Clock = new FixedClock(ServerFixture.Now),
        Logs = logs,
    };

    [Fact]
    public async Task DisableApi_ReadOnlyFolderAndHome_ServesEverythingWritesNothing()
    {
        await using var f = await PageFixture.StartAsync();
        string repo = f.S.Repo;
        using var writableAgain = MakeReadOnly(repo);
        var state = UnwritableState();
        string[] before = Listing(repo);
        var logs = new LogLines();

        await using var server = await RepositoryServer.StartAsync(ReadOnly(repo, state, f.S.Trust.Pin, logs), Ct);
        using var http = new HttpClient { BaseAddress = server.RepositoryUrl };

        // Ready, with the trust version the folder holds.
        using var ready = await http.GetAsync("ready", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // Every file a client needs.
        foreach (string path in new[] { "index.yaml", "web-1.1.0.tgz", "web-1.1.0.tgz.prov", "legacy-2.0.0.tgz.prov", "trust.yaml.asc", "pubkeys.pgp", "revoked.pgp", "", "charts/web", "api/repository", "health" })
        {
            using var response = await http.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(repo, "web-1.1.0.tgz"), Ct), await http.GetByteArrayAsync("web-1.1.0.tgz", Ct));
        // The page's verdicts are the gate's, judged against the trust material the folder holds.
        Assert.Equal(new Dictionary<string, string> { ["1.1.0"] = "trusted", ["1.0.0"] = "trusted", ["0.9.0"] = "hash-mismatch" },
            PageFixture.Verdicts(await http.GetStringAsync("charts/web", Ct)));
        Assert.Equal("signer-revoked", Assert.Single(PageFixture.Verdicts(await http.GetStringAsync("charts/legacy", Ct))).Value);
        Assert.Equal("missing-provenance", Assert.Single(PageFixture.Verdicts(await http.GetStringAsync("charts/unsigned", Ct))).Value);
        // The metrics: ready, at the folder's trust version.
        var metrics = PrometheusText.Parse(await http.GetStringAsync("metrics", Ct));
        Assert.Equal(1, metrics.Single("chartseal_ready"));
        Assert.Equal((await f.S.Trust.MaterialAsync(f.Now)).Version, metrics.Single("chartseal_trust_version"));
        // An upload gets --disable-api's answer.
        using var upload = await ((Func<Task<HttpResponseMessage>>)(() =>
        {
            var chart = f.S.Chart("mysql", "1.2.3", f.S.Trust.Alice);
            var form = new MultipartFormDataContent { { new ByteArrayContent(chart.Archive), "chart", chart.FileName }, { new ByteArrayContent(chart.Provenance!), "prov", chart.FileName + ".prov" } };
            return http.PostAsync("api/charts", form, Ct);
        }))();
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        Assert.Equal("not-found", (await ServerFixture.ErrorOfAsync(upload)).Error);

        // Nothing was written: no lock file, no state, no temporary file, no changed time.
        Assert.Equal(before, Listing(repo));
        Assert.False(Directory.Exists(state.Directory));
        var warning = Assert.Single(logs.Events(ServerLog.TrustStateInMemoryEvent));
        Assert.Contains("in memory only", warning.Message, StringComparison.Ordinal);
        Assert.Contains(state.Directory, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisableApi_StateInMemory_StillRefusesARollbackWhileItRuns()
    {
        // The in-memory state remembers the version seen at start: older material put back in the folder is not ready.
        await using var f = await PageFixture.StartAsync(revokeBob: false);
        string repo = f.S.Repo;
        var older = await f.S.Trust.FilesAsync();
        await f.RevokeBobAsync();

        await using var server = await RepositoryServer.StartAsync(ReadOnly(repo, UnwritableState(), f.S.Trust.Pin), Ct);
        using var http = new HttpClient { BaseAddress = server.RepositoryUrl };
        using (var ready = await http.GetAsync("ready", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        Chartseal.Tests.Trust.TrustFixture.WriteFiles(repo, older);
        await Task.Delay(ServerStatus.ReuseFor + TimeSpan.FromMilliseconds(100), Ct);

        using var rolledBack = await http.GetAsync("ready", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rolledBack.StatusCode);
        Assert.Contains("trust-rollback", await rolledBack.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisableApi_WritableHome_RecordsTheTrustStateThere()
    {
        await using var f = await PageFixture.StartAsync();
        var state = new TrustStateStore(_temp.File("writable-home"));
        var logs = new LogLines();

        await using var server = await RepositoryServer.StartAsync(ReadOnly(f.S.Repo, state, f.S.Trust.Pin, logs), Ct);

        Assert.NotNull(state.Get(f.S.Trust.Pin));
        Assert.False(state.RecordsInMemory);
        Assert.Empty(logs.Events(ServerLog.TrustStateInMemoryEvent));
    }

    [Fact]
    public async Task DisableApi_UnwritableHomeWithoutRootFingerprint_RefusedInOneLine()
    {
        await using var f = await PageFixture.StartAsync();
        var state = UnwritableState();

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryServer.StartAsync(ReadOnly(f.S.Repo, state, null), Ct));

        Assert.Contains("--root-fingerprint", e.Message, StringComparison.Ordinal);
        Assert.Contains(state.Directory, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task DisableApi_MissingFolder_RefusedInOneLineAndNotCreated()
    {
        string missing = _temp.File("not-mounted");

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryServer.StartAsync(ReadOnly(missing, new TrustStateStore(_temp.File("state")), null), Ct));

        Assert.Equal(missing, e.File);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Path.Exists(missing));
    }

    [Fact]
    public async Task DisableApi_EmptyReadOnlyFolder_ServedNotReadyWritesNothing()
    {
        string repo = _temp.File("empty");
        Directory.CreateDirectory(repo);
        using var writableAgain = MakeReadOnly(repo);
        string[] before = Listing(repo);

        await using var server = await RepositoryServer.StartAsync(ReadOnly(repo, new TrustStateStore(_temp.File("state")), null), Ct);
        using var http = new HttpClient { BaseAddress = server.RepositoryUrl };

        using var ready = await http.GetAsync("ready", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct));
        Assert.StartsWith("trust-unsigned: ", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("index.yaml", Ct)).StatusCode);
        Assert.Equal(before, Listing(repo));
    }

    [Fact]
    public async Task DisableApiWithIndexKey_FolderCannotBeWritten_RefusedInOneLine()
    {
        // The index key makes the server a writer: a folder it cannot write is said at start, not at the first signing.
        await using var f = await PageFixture.StartAsync();
        // chmod does not stop root (CI runs tests as root); nobody, root included, creates files in /proc/self.
        string repo = Environment.IsPrivilegedProcess ? "/proc/self" : f.S.Repo;
        using var writableAgain = Environment.IsPrivilegedProcess ? null : MakeReadOnly(repo);
        string[] before = Environment.IsPrivilegedProcess ? [] : Listing(repo);
        var ivy = new Chartseal.Tests.Trust.TestKey("Ivy Index <index@example.com>", Chartseal.Tests.Trust.TrustFixture.T0);
        var selected = Chartseal.Keys.SigningKeySelector.Select(ivy.Secret, ivy.Fingerprint, ServerFixture.Now);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryServer.StartAsync(
            ReadOnly(repo, new TrustStateStore(_temp.File("state")), f.S.Trust.Pin) with { IndexSigner = new Chartseal.Repository.IndexSigner(selected, selected.Unlock(null)) }, Ct));

        Assert.Equal(repo, e.File);
        Assert.Contains("--index-key writes the index snapshot", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Equal(before, Listing(repo));
        }
    }
}

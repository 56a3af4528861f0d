using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Chartseal.Server.Tests;

/// <summary>HTTP Basic auth beside bearer tokens: ChartMuseum's --basic-auth-user/--basic-auth-pass, and htpasswd -B files.</summary>
public sealed class BasicAuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs the real htpasswd (apache2-utils) and returns the file it wrote.</summary>
    internal static string Htpasswd(string dir, params string[] args)
    {
        string file = Path.Combine(dir, "htpasswd-" + Guid.NewGuid().ToString("N")[..6]);
        var start = new ProcessStartInfo("htpasswd") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("-b");
        foreach (string a in args[..^2])
        {
            start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add(file);
        start.ArgumentList.Add(args[^2]);
        start.ArgumentList.Add(args[^1]);
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "htpasswd: " + stderr);
        return file;
    }

    private static async Task<ServerFixture> WithUsersAsync(BasicAuthUsers users, bool tokens = false) =>
        await ServerFixture.StartAsync(o => o with { BasicAuth = users, UploadTokens = tokens ? [ServerFixture.Token] : [] });

    [Fact]
    public async Task FlagUser_RightPasswordUploads_WrongPasswordIs401WithABasicChallenge()
    {
        var users = await BasicAuthUsers.LoadAsync("ci", "p4ss:word", null, Ct);
        await using var s = await WithUsersAsync(users);
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);

        using (var wrong = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Basic("ci", "p4ss")))
        {
            var (status, error, _) = await ServerFixture.ErrorOfAsync(wrong);
            Assert.Equal((HttpStatusCode.Unauthorized, "unauthorized"), (status, error));
            Assert.Contains(wrong.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        }
        using (var other = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Basic("admin", "p4ss:word")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        }
        Assert.Empty(s.RepositoryFiles());

        using var first = await s.PostRawAsync("api/charts", chart.Archive, ServerFixture.Basic("ci", "p4ss:word"));
        using var second = await s.PostRawAsync("api/prov", chart.Provenance!, ServerFixture.Basic("ci", "p4ss:word"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("4")]
    [InlineData("10")]
    public async Task HtpasswdBcryptEntry_AsHtpasswdBWritesIt_Verifies(string cost)
    {
        await using var s = await ServerFixture.StartAsync();
        string file = Htpasswd(s.Trust.Temp.Path, "-B", "-C", cost, "alice", "correct horse");
        Assert.StartsWith("alice:$2y$", await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);

        var users = await BasicAuthUsers.LoadAsync(null, null, file, Ct);

        Assert.True(users.Verify("alice", "correct horse"));
        Assert.False(users.Verify("alice", "correct horsE"));
        Assert.False(users.Verify("alice", ""));
        Assert.False(users.Verify("bob", "correct horse"));
    }

    [Fact]
    public async Task HtpasswdUsers_UploadBesideBearerTokens()
    {
        string dir = Directory.CreateTempSubdirectory("chartseal-htpasswd-").FullName;
        try
        {
            var users = await BasicAuthUsers.LoadAsync(null, null, Htpasswd(dir, "-B", "alice", "s3cret"), Ct);
            await using var s = await WithUsersAsync(users, tokens: true);

            using var basic = await s.UploadAsync(s.Chart("one", "1.0.0", s.Trust.Alice), token: null, auth: ServerFixture.Basic("alice", "s3cret"));
            using var bearer = await s.UploadAsync(s.Chart("two", "1.0.0", s.Trust.Alice));
            using var wrong = await s.UploadAsync(s.Chart("three", "1.0.0", s.Trust.Alice), token: null, auth: ServerFixture.Basic("alice", "guess"));

            Assert.Equal(HttpStatusCode.Created, basic.StatusCode);
            Assert.Equal(HttpStatusCode.Created, bearer.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal(["Basic", "Bearer"], wrong.Headers.WwwAuthenticate.Select(h => h.Scheme).Order(StringComparer.Ordinal));
            Assert.Equal(["one-1.0.0.tgz", "one-1.0.0.tgz.prov", "two-1.0.0.tgz", "two-1.0.0.tgz.prov"], s.RepositoryFiles());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("-m")] // htpasswd's default: Apache MD5
    [InlineData("-s")] // SHA-1
    [InlineData("-p")] // plain text
    public async Task HtpasswdEntryThatIsNotBcrypt_RefusedAtStartWithOneLine(string scheme)
    {
        string dir = Directory.CreateTempSubdirectory("chartseal-htpasswd-").FullName;
        try
        {
            string file = Htpasswd(dir, scheme, "alice", "s3cret");
            var e = await Assert.ThrowsAsync<ChartsealException>(() => BasicAuthUsers.LoadAsync(null, null, file, Ct));
            Assert.Contains("htpasswd -B", e.Message, StringComparison.Ordinal);
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("ci", null)]
    [InlineData(null, "secret")]
    public async Task UserWithoutPassword_OrTheReverse_Refused(string? user, string? password)
    {
        var e = await Assert.ThrowsAsync<ChartsealException>(() => BasicAuthUsers.LoadAsync(user, password, null, Ct));
        Assert.Contains("--basic-auth-pass", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BasicUsersConfigured_AnonymousUploadIsOff()
    {
        var users = await BasicAuthUsers.LoadAsync("ci", "secret", null, Ct);
        await using var s = await ServerFixture.StartAsync(o => o with { BasicAuth = users, UploadTokens = [], AllowAnonymousUpload = true });
        using var response = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice), token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task Delete_WithBasicAuth()
    {
        var users = await BasicAuthUsers.LoadAsync("ci", "secret", null, Ct);
        await using var s = await WithUsersAsync(users);
        using (var upload = await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice), token: null, auth: ServerFixture.Basic("ci", "secret")))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }
        using var wrong = new HttpRequestMessage(HttpMethod.Delete, "api/charts/mysql/1.2.3") { Headers = { Authorization = ServerFixture.Basic("ci", "nope") } };
        using (var refused = await s.Http.SendAsync(wrong, Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using var right = new HttpRequestMessage(HttpMethod.Delete, "api/charts/mysql/1.2.3") { Headers = { Authorization = ServerFixture.Basic("ci", "secret") } };
        using var deleted = await s.Http.SendAsync(right, Ct);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task MalformedBasicHeader_401()
    {
        var users = await BasicAuthUsers.LoadAsync("ci", "secret", null, Ct);
        await using var s = await WithUsersAsync(users);
        using var response = await s.PostRawAsync("api/charts", s.Chart("mysql", "1.2.3", s.Trust.Alice).Archive, new AuthenticationHeaderValue("Basic", "%%%not-base64"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    // With the flag user and an htpasswd file together, the first user (the flag's, checked by SHA-256) was the decoy an
    // unknown name was checked against: a wrong password for an htpasswd user cost a bcrypt run, for an unknown name or
    // the flag user a hash, so timing told which htpasswd names exist. Load only makes the slow ones slower.
    [Fact]
    public async Task FlagUserBesideHtpasswd_UnknownNamesAndTheFlagUserCostABcryptRunToo()
    {
        using var dir = new Chartseal.Tests.Support.TempDirectory();
        var users = await BasicAuthUsers.LoadAsync("ci", "flag-secret", Htpasswd(dir.Path, "-B", "-C", "10", "alice", "s3cret"), Ct);
        static TimeSpan Time(Func<bool> verify)
        {
            var clock = Stopwatch.StartNew();
            Assert.False(verify());
            return clock.Elapsed;
        }

        TimeSpan known = Time(() => users.Verify("alice", "wrong"));
        TimeSpan unknown = Time(() => users.Verify("mallory", "wrong"));
        TimeSpan flag = Time(() => users.Verify("ci", "wrong"));

        Assert.True(unknown > known / 4, $"an unknown name took {unknown.TotalMilliseconds} ms, a known one {known.TotalMilliseconds} ms");
        Assert.True(flag > known / 4, $"the flag user took {flag.TotalMilliseconds} ms, an htpasswd user {known.TotalMilliseconds} ms");
        Assert.True(users.Verify("ci", "flag-secret"));
        Assert.True(users.Verify("alice", "s3cret"));
    }
}

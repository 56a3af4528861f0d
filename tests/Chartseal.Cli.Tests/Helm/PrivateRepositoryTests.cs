using System.Net;
using System.Text;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// Chartseal's and Helm's clients against a repository that needs Basic credentials to read: Helm's repo add flags mean
/// what they mean to Helm, and the credentials go only where Helm sends them.
/// </summary>
public sealed class PrivateRepositoryTests(ProtectedRepository repo) : IClassFixture<ProtectedRepository>
{
    private string[] Add(string name, params string[] more) =>
        ["repo", "add", name, repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http", .. more];

    [Fact]
    public async Task Server_ReadsNeedCredentials_ProbesStayOpen()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (string path in new[] { "/index.yaml", "/local-chart-1.0.0.tgz", "/local-chart-1.0.0.tgz.prov", "/pubkeys.pgp", "/trust.yaml.asc", "/", "/api/charts" })
        {
            using var response = await http.GetAsync(repo.Url + path, ct);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {response.StatusCode}");
            Assert.Contains("Basic realm=\"chartseal\"", string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())), StringComparison.Ordinal);
        }
        foreach (string path in new[] { "/health", "/ready" })
        {
            using var response = await http.GetAsync(repo.Url + path, ct);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
        }
    }

    [Fact]
    public void RepoAdd_WithoutCredentials_OrWithTheWrongPassword_OneClearLine_NothingRecorded()
    {
        using var temp = new TempDirectory();

        var anonymous = Cli.Run(temp.Path, Add("cs"));
        Assert.Equal(2, anonymous.ExitCode);
        string line = Assert.Single(anonymous.StdErrLines);
        Assert.Contains(repo.Url + "/", line, StringComparison.Ordinal);
        Assert.Contains("the server wants credentials (401 Unauthorized): add the repository with chartseal repo add NAME URL --username USER --password-stdin", line, StringComparison.Ordinal);

        var wrong = Cli.Run(temp.Path, Add("cs", "--username", ProtectedRepository.User, "--password", "wrong"));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("the server refused the credentials (401 Unauthorized)", Assert.Single(wrong.StdErrLines), StringComparison.Ordinal);

        Assert.Empty(Cli.Run(temp.Path, "repo", "list", "--no-headers").StdOut.Trim());
    }

    [Fact]
    public void RepoAdd_UsernameAlone_AsksForThePasswordOnTheTerminal_AsHelmDoes_AndRefusesWithoutOne()
    {
        using var temp = new TempDirectory();
        var asked = Cli.RunOnTerminal(temp.Path, ProtectedRepository.Password + "\r", Add("cs", "--username", ProtectedRepository.User));
        Assert.True(asked.ExitCode == 0, asked.ToString());
        Assert.Contains("Password: ", asked.StdOut, StringComparison.Ordinal);
        Assert.Contains("\"cs\" has been added to your repositories", asked.StdOut, StringComparison.Ordinal);
        Assert.Contains("password: " + ProtectedRepository.Password, File.ReadAllText(Path.Combine(temp.Path, ".chartseal-home", "repositories.yaml")), StringComparison.Ordinal);

        // Standard input is a pipe: nobody to ask.
        var piped = Cli.RunWithInput(temp.Path, ProtectedRepository.Password + "\n", Add("other", "--username", ProtectedRepository.User));
        Assert.Equal(2, piped.ExitCode);
        Assert.Contains("--username needs --password or --password-stdin (standard input is not a terminal to ask on)", Assert.Single(piped.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void WithCredentials_AddUpdateSearchPull_Work_ConfigIsPrivate_PasswordNeverShown()
    {
        using var temp = new TempDirectory();

        var added = Cli.RunWithInput(temp.Path, ProtectedRepository.Password + "\n", Add("cs", "--username", ProtectedRepository.User, "--password-stdin"));
        Cli.AssertOk(added);
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "update", "cs"));
        var search = Cli.Run(temp.Path, "search", "cs/local");
        Cli.AssertOk(search);
        Assert.Contains("cs/local-chart", search.StdOut, StringComparison.Ordinal);
        Cli.AssertOk(Cli.Run(temp.Path, "pull", "cs/local-chart", "-d", "out"));
        Assert.True(File.Exists(temp.File("out/local-chart-1.0.0.tgz")));

        string config = temp.File(".chartseal-home/repositories.yaml");
        string written = File.ReadAllText(config);
        Assert.Contains("username: " + ProtectedRepository.User, written, StringComparison.Ordinal);
        Assert.Contains("password: " + ProtectedRepository.Password, written, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        }
        foreach (string[] list in new[] { new[] { "repo", "list" }, ["repo", "list", "-o", "json"] })
        {
            var shown = Cli.Run(temp.Path, list);
            Cli.AssertOk(shown);
            Assert.Contains(ProtectedRepository.User, shown.StdOut, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", shown.StdOut + shown.StdErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Credentials_NotSentToAnotherHost_UnlessPassCredentials()
    {
        using var temp = new TempDirectory();
        Cli.AssertOk(Cli.Run(temp.Path, Add("cs", "--username", ProtectedRepository.User, "--password", ProtectedRepository.Password)));
        Cli.AssertOk(Cli.Run(temp.Path, Add("all", "--username", ProtectedRepository.User, "--password", ProtectedRepository.Password, "--pass-credentials")));
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ProtectedRepository.User + ":" + ProtectedRepository.Password));

        repo.ChartHost.Requests.Clear();
        Cli.AssertOk(Cli.Run(temp.Path, "pull", "cs/remote-chart", "-d", "kept"));
        Assert.True(File.Exists(temp.File("kept/remote-chart-1.0.0.tgz")));
        Assert.NotEmpty(repo.ChartHost.Requests);
        Assert.All(repo.ChartHost.Requests, r => Assert.Null(r.Authorization));

        repo.ChartHost.Requests.Clear();
        Cli.AssertOk(Cli.Run(temp.Path, "pull", "all/remote-chart", "-d", "passed"));
        Assert.NotEmpty(repo.ChartHost.Requests);
        Assert.All(repo.ChartHost.Requests, r => Assert.Equal(expected, r.Authorization));
    }

    [Fact]
    public void PullByUrl_WithUsernameAndPasswordStdin_ReachesTheRepository_CredentialsOnlyToItsOwnHost_NothingRecorded()
    {
        using var temp = new TempDirectory();
        string[] byUrl = ["--repo", repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http", "-d", "out"];
        var anonymous = Cli.Run(temp.Path, ["pull", "local-chart", .. byUrl]);
        Assert.Equal(2, anonymous.ExitCode);
        Assert.Contains("the server wants credentials (401 Unauthorized)", Assert.Single(anonymous.StdErrLines), StringComparison.Ordinal);

        repo.ChartHost.Requests.Clear();
        var pulled = Cli.RunWithInput(temp.Path, ProtectedRepository.Password + "\n", ["pull", "local-chart", "remote-chart", "--username", ProtectedRepository.User, "--password-stdin", .. byUrl]);

        Cli.AssertOk(pulled);
        Assert.True(File.Exists(temp.File("out/local-chart-1.0.0.tgz")));
        Assert.True(File.Exists(temp.File("out/remote-chart-1.0.0.tgz")));
        // remote-chart's archive lives on another host: as for a repository added without --pass-credentials, nothing is sent there.
        Assert.NotEmpty(repo.ChartHost.Requests);
        Assert.All(repo.ChartHost.Requests, r => Assert.Null(r.Authorization));
        Assert.False(File.Exists(temp.File(".chartseal-home/repositories.yaml")));
        Assert.DoesNotContain("s3cret", pulled.StdOut + pulled.StdErr, StringComparison.Ordinal);

        // As Helm's pull --repo --pass-credentials: the chart host gets them too.
        repo.ChartHost.Requests.Clear();
        Cli.AssertOk(Cli.RunWithInput(temp.Path, ProtectedRepository.Password + "\n",
            ["pull", "remote-chart", "--username", ProtectedRepository.User, "--password-stdin", "--pass-credentials", .. byUrl[..^1], "passed"]));
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ProtectedRepository.User + ":" + ProtectedRepository.Password));
        Assert.NotEmpty(repo.ChartHost.Requests);
        Assert.All(repo.ChartHost.Requests, r => Assert.Equal(expected, r.Authorization));
        Assert.True(File.Exists(temp.File("passed/remote-chart-1.0.0.tgz")));
    }

    [Fact]
    public void AuditTrustShowAndPackageDependencies_ByUrl_UseTheCredentialsOfTheRepositoryAddedWithThatUrl()
    {
        using var temp = new TempDirectory();
        string chart = ChartFixtures.WriteChart(temp.File("app"),
            ("Chart.yaml", $"apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: local-chart\n  version: 1.0.0\n  repository: {repo.Url}\n"),
            ("values.yaml", ""));
        string[] audit = ["audit", repo.Url, "--root-fingerprint", repo.RootFingerprint, "--plain-http"];
        string[] show = ["trust", "show", repo.Url, "--plain-http"];
        string[] package = ["package", chart, "-u", "--plain-http", "-d", "dist"];
        foreach (string[] args in new[] { audit, show, package })
        {
            var anonymous = Cli.Run(temp.Path, args);
            Assert.Equal(2, anonymous.ExitCode);
            Assert.Contains("the server wants credentials (401 Unauthorized)", Assert.Single(anonymous.StdErrLines), StringComparison.Ordinal);
        }

        Cli.AssertOk(Cli.Run(temp.Path, Add("cs", "--username", ProtectedRepository.User, "--password", ProtectedRepository.Password)));

        Cli.AssertOk(Cli.Run(temp.Path, audit));
        Cli.AssertOk(Cli.Run(temp.Path, show));
        Cli.AssertOk(Cli.Run(temp.Path, package));
        Assert.True(File.Exists(Path.Combine(chart, "charts", "local-chart-1.0.0.tgz")));
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void Helm_RepoAddWithCredentials_PullVerify_AgainstTheSameServer(string version)
    {
        using var temp = new TempDirectory();
        var helm = HelmPeer.Of(version);
        Assert.NotEqual(0, helm.Run(temp.Path, "repo", "add", "anonymous", repo.Url).ExitCode);
        helm.RunChecked(temp.Path, "repo", "add", "cs", repo.Url, "--username", ProtectedRepository.User, "--password", ProtectedRepository.Password);
        Directory.CreateDirectory(temp.File("out"));
        helm.RunChecked(temp.Path, "pull", "cs/local-chart", "--verify", "--keyring", repo.ServedPubkeys, "-d", "out");
        Assert.True(File.Exists(temp.File("out/local-chart-1.0.0.tgz")));
    }
}

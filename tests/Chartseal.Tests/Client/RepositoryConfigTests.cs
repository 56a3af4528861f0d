using Chartseal.Client;
using Chartseal.Tests.Support;
using Chartseal.Fetch;

namespace Chartseal.Tests.Client;

/// <summary>repositories.yaml: written atomically, read back strictly.</summary>
public sealed class RepositoryConfigTests
{
    private const string Fingerprint = "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD";

    [Fact]
    public async Task SaveAsync_ThenLoad_RoundTrips()
    {
        using var temp = new TempDirectory();
        var config = await RepositoryConfigFile.LoadAsync(temp.File("sub/repositories.yaml"), TestContext.Current.CancellationToken);
        var a = new ConfiguredRepository("a", "https://charts.example.com/a", Fingerprint, false, false);
        var b = new ConfiguredRepository("b.2", "http://localhost:8080", Fingerprint, true, true);
        config.Add(a);
        config.Add(b);

        await config.SaveAsync(TestContext.Current.CancellationToken);
        var loaded = await RepositoryConfigFile.LoadAsync(temp.File("sub/repositories.yaml"), TestContext.Current.CancellationToken);

        Assert.Equal([a, b], loaded.Repositories);
        Assert.Empty(Directory.EnumerateFiles(temp.File("sub"), "*.tmp"));
    }

    // A repo add or remove here once dropped every key this version does not know: a setting a newer version wrote
    // (perhaps a stricter one) was gone when that version read the file again.
    [Fact]
    public async Task ChangeAsync_KeysOfANewerVersion_AreWrittenBackAsTheyWere()
    {
        using var temp = new TempDirectory();
        string path = temp.File("repositories.yaml");
        await File.WriteAllTextAsync(path, $"""
            apiVersion: chartseal/v1
            generatedBy: chartseal 9
            repositories:
            - name: a
              url: https://charts.example.com/a
              rootFingerprint: {Fingerprint}
              requireIndexSignature: true
              mirrors:
              - url: "https://mirror.example.com/a"
                weight: 2
            - name: gone
              url: https://charts.example.com/gone
              rootFingerprint: {Fingerprint}
              newerSetting: x
            """, TestContext.Current.CancellationToken);

        await RepositoryConfigFile.ChangeAsync(path, c =>
        {
            c.Remove("gone");
            c.Add(new ConfiguredRepository("b", "https://charts.example.com/b", Fingerprint, false, false));
        }, TestContext.Current.CancellationToken);

        string written = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        Assert.Contains("generatedBy: chartseal 9\n", written, StringComparison.Ordinal);
        Assert.Contains("  requireIndexSignature: true\n", written, StringComparison.Ordinal);
        Assert.Contains("  mirrors:\n  - url: https://mirror.example.com/a\n    weight: 2\n", written, StringComparison.Ordinal);
        Assert.DoesNotContain("newerSetting", written, StringComparison.Ordinal);
        Assert.Equal(1, written.Split("requireIndexSignature").Length - 1);
        var loaded = await RepositoryConfigFile.LoadAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(["a", "b"], loaded.Repositories.Select(r => r.Name));
    }

    [Fact]
    public async Task SaveAsync_CredentialsAndTls_HelmsFieldNames_RoundTrip_Mode0600_PasswordNeverPrinted()
    {
        using var temp = new TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        string path = temp.File("repositories.yaml");
        var plain = new ConfiguredRepository("plain", "https://charts.example.com/a", Fingerprint, false, false);
        var config = await RepositoryConfigFile.LoadAsync(path, ct);
        config.Add(plain);
        await config.SaveAsync(ct);
        if (!OperatingSystem.IsWindows())
        {
            Assert.NotEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path)); // no secret: the usual mode
        }
        var secret = new ConfiguredRepository("private", "https://charts.example.com/private", Fingerprint, false, false)
        {
            Username = "alice",
            Password = "true", // a password that looks like YAML's boolean stays a string
            PassCredentialsAll = true,
            CaFile = "/etc/ca.pem",
            CertFile = "/etc/client.pem",
            KeyFile = "/etc/client-key.pem",
            InsecureSkipTlsVerify = true,
        };
        config.Add(secret);

        await config.SaveAsync(ct);
        var loaded = await RepositoryConfigFile.LoadAsync(path, ct);

        Assert.Equal([plain, secret], loaded.Repositories);
        string text = File.ReadAllText(path);
        foreach (string field in new[] { "username: alice", "password: \"true\"", "caFile: /etc/ca.pem", "certFile: /etc/client.pem", "keyFile: /etc/client-key.pem", "insecure_skip_tls_verify: true", "pass_credentials_all: true" })
        {
            Assert.Contains(field, text, StringComparison.Ordinal);
        }
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.DoesNotContain("true", secret.ToString().Replace("alice", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var policy = secret.Policy();
        Assert.Equal("alice", policy.Credentials!.Username);
        Assert.True(policy.Credentials.PassToAllHosts);
        Assert.Equal(new TlsSettings { CaFile = "/etc/ca.pem", CertFile = "/etc/client.pem", KeyFile = "/etc/client-key.pem", InsecureSkipVerify = true }, policy.Tls);
        Assert.Null(plain.Policy().Credentials);

        // Added again with another password: refused without naming either password.
        var e = Assert.Throws<ChartsealException>(() => loaded.IsConfiguredAs("private", secret.Url, Fingerprint, false, "/etc/ca.pem", secret with { Password = "other" }));
        Assert.Contains("another password", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("other\"", e.Message, StringComparison.Ordinal);
        Assert.True(loaded.IsConfiguredAs("private", secret.Url, Fingerprint, false, "/etc/ca.pem", secret));
    }

    [Fact]
    public void ClientHome_AFileAsTheHome_IsAnErrorNamingIt_NotAHomeWithNoRepositories()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("home"), "x");

        var e = Assert.Throws<ChartsealException>(() => ClientHome.Under(temp.File("home")));

        Assert.Equal($"{temp.File("home")}: is a file, not a folder (the client's home: CHARTSEAL_HOME)", e.Message);
    }

    [Fact]
    public async Task LoadAsync_AFolderInPlaceOfTheFile_IsAnErrorNotAnEmptyConfiguration()
    {
        using var temp = new TempDirectory();
        string path = temp.File("repositories.yaml");
        Directory.CreateDirectory(path);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryConfigFile.LoadAsync(path, TestContext.Current.CancellationToken));

        Assert.Equal($"{path}: is a folder, not a file", e.Message);
    }

    [Theory]
    [InlineData("apiVersion: v2\nrepositories: []\n", "apiVersion must be chartseal/v1")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n- name: a\n  url: https://x\n", "no rootFingerprint")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n- name: a\n  url: https://x\n  rootFingerprint: ABC\n", "not a 40-digit OpenPGP fingerprint")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n- name: ../x\n  url: https://x\n  rootFingerprint: " + Fingerprint + "\n", "not a valid repository name")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n- name: a\n  url: https://x\n  rootFingerprint: " + Fingerprint + "\n  insecureHttp: yes\n", "insecureHttp must be true or false")]
    [InlineData("- just a list\n", "top level is not a mapping")]
    // These were read as no repositories, or as the first of two values, or as no value at all.
    [InlineData("", "is empty")]
    [InlineData("apiVersion: chartseal/v1\nrepositories: 5\n", "repositories must be a list")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n  a: b\n", "repositories must be a list")]
    [InlineData("apiVersion: chartseal/v1\nrepositories: []\nrepositories:\n- name: a\n  url: https://x\n  rootFingerprint: " + Fingerprint + "\n", "duplicate key \"repositories\"")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n- name: a\n  name: b\n  url: https://x\n  rootFingerprint: " + Fingerprint + "\n", "duplicate key \"name\"")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n- name: a\n  url: https://x\n  rootFingerprint: " + Fingerprint + "\n  rootFingerprint: " + OtherFingerprint + "\n", "repository \"a\": duplicate key \"rootFingerprint\"")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n- name: a\n  url: https://x\n  rootFingerprint: " + Fingerprint + "\n  caFile: [/etc/ca.pem]\n", "repository \"a\": caFile must be a single value, not a list or mapping")]
    [InlineData("apiVersion: chartseal/v1\nrepositories:\n- name: a\n  url: https://x\n  rootFingerprint: " + Fingerprint + "\n  insecureHttp: {a: b}\n", "insecureHttp must be a single value")]
    public async Task LoadAsync_InvalidFile_OneLineErrorNamingTheFile(string content, string expected)
    {
        using var temp = new TempDirectory();
        string path = temp.File("repositories.yaml");
        await File.WriteAllTextAsync(path, content, TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryConfigFile.LoadAsync(path, TestContext.Current.CancellationToken));

        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("https://charts.example.com", false, true)]
    [InlineData("http://charts.example.com", false, false)]
    [InlineData("http://127.0.0.1:8080", false, false)]
    [InlineData("http://127.0.0.1:8080", true, true)]
    [InlineData("ftp://charts.example.com", true, false)]
    [InlineData("file:///tmp/repo", true, false)]
    public void CheckTransport_OnlyHttpsUnlessInsecureHttpGiven(string url, bool insecureHttp, bool allowed)
    {
        var check = () => new FetchPolicy(insecureHttp).Check(new Uri(url));

        if (allowed)
        {
            check();
        }
        else
        {
            Assert.Throws<ChartsealException>(check);
        }
    }

    private const string OtherFingerprint = "0123456789ABCDEF0123456789ABCDEF01234567";

    [Theory]
    [InlineData("a", "https://charts.example.com/a", Fingerprint, false, null)]
    [InlineData("a", "https://charts.example.com/a", "5b67 7cae 6073 4194 b7db  be1d 6f85 4bc0 d6f0 e2dd", false, null)]
    [InlineData("tofu", "https://charts.example.com/t", null, false, null)]
    [InlineData("reg", "oci://registry.example.com/charts", Fingerprint, true, "/etc/ca.pem")]
    public async Task IsConfiguredAs_AddedAgainTheSameWay_True(string name, string url, string? root, bool insecure, string? caFile)
    {
        var config = await ThreeRepositoriesAsync();

        Assert.True(config.IsConfiguredAs(name, url, root, insecure, caFile));
    }

    [Fact]
    public async Task IsConfiguredAs_FreeName_False()
    {
        var config = await ThreeRepositoriesAsync();

        Assert.False(config.IsConfiguredAs("b", "https://charts.example.com/a", Fingerprint, false, null));
    }

    [Theory]
    [InlineData("a", "https://charts.example.com/other", Fingerprint, false, null, "URL https://charts.example.com/a")]
    [InlineData("a", "https://charts.example.com/a", OtherFingerprint, false, null, "root " + Fingerprint + " pinned")]
    [InlineData("a", "https://charts.example.com/a", null, false, null, "root " + Fingerprint + " pinned")]
    [InlineData("tofu", "https://charts.example.com/t", OtherFingerprint, false, null, "root " + OtherFingerprint + " trusted on first use")]
    [InlineData("a", "https://charts.example.com/a", Fingerprint, true, null, "plain http not allowed")]
    [InlineData("reg", "oci://registry.example.com/charts", Fingerprint, true, null, "CA file /etc/ca.pem")]
    public async Task IsConfiguredAs_ConfiguredOtherwise_OneLineErrorSayingHow(string name, string url, string? root, bool insecure, string? caFile, string expected)
    {
        var config = await ThreeRepositoriesAsync();

        var e = Assert.Throws<ChartsealException>(() => config.IsConfiguredAs(name, url, root, insecure, caFile));

        Assert.Equal($"{config.Path}: repository \"{name}\" already exists with {expected} (chartseal repo remove {name} first, or add it with --force-update)", e.Message);
    }

    private static async Task<RepositoryConfigFile> ThreeRepositoriesAsync()
    {
        var config = await RepositoryConfigFile.LoadAsync("/nonexistent/repositories.yaml", TestContext.Current.CancellationToken);
        config.Add(new ConfiguredRepository("a", "https://charts.example.com/a", Fingerprint, false, false));
        config.Add(new ConfiguredRepository("tofu", "https://charts.example.com/t", OtherFingerprint, true, false));
        config.Add(new ConfiguredRepository("reg", "oci://registry.example.com/charts", Fingerprint, false, true) { CaFile = "/etc/ca.pem" });
        return config;
    }
}

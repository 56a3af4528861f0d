using System.Text;
using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Oci;

public class RegistryCredentialsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Auth(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

    /// <summary>A config file with <c>auths</c> entries holding <c>auth</c> values.</summary>
    private static string AuthsJson(params (string Key, string Auth)[] entries) =>
        "{\"auths\":{" + string.Join(",", entries.Select(e => $"\"{e.Key}\":{{\"auth\":\"{e.Auth}\"}}")) + "}}";

    [Fact]
    public async Task Reads_the_auth_entry_of_the_registry_with_its_port()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("helm.json"), AuthsJson(("127.0.0.1:5000", Auth("helm-user", "pa:ss")), ("127.0.0.1", Auth("other", "x"))));
        var credentials = new RegistryCredentials([temp.File("helm.json")]);
        RegistryCredential found = (await credentials.FindAsync("127.0.0.1:5000", Ct))!;
        Assert.Equal("helm-user", found.Username);
        Assert.Equal("pa:ss", found.Password); // only the first colon separates
        Assert.Equal(temp.File("helm.json"), found.Source);
        Assert.DoesNotContain("pa:ss", found.ToString());
        Assert.Null(await credentials.FindAsync("127.0.0.1:5001", Ct));
    }

    [Fact]
    public async Task Helms_file_comes_before_Dockers_and_explicit_credentials_before_both()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("helm.json"), AuthsJson(("reg.example", Auth("from-helm", "1"))));
        File.WriteAllText(temp.File("docker.json"), """{"auths":{"reg.example":{"username":"from-docker","password":"2"},"https://only-docker.example/v1/":{"username":"legacy","password":"3"}}}""");
        var credentials = new RegistryCredentials([temp.File("helm.json"), temp.File("docker.json")]);
        Assert.Equal("from-helm", (await credentials.FindAsync("reg.example", Ct))!.Username);
        Assert.Equal("legacy", (await credentials.FindAsync("only-docker.example", Ct))!.Username); // a URL key matches its host
        RegistryCredential explicitUser = (await credentials.WithUser("flag-user", "4").FindAsync("reg.example", Ct))!;
        Assert.Equal(("flag-user", "4", "--username/--password"), (explicitUser.Username, explicitUser.Password, explicitUser.Source));
    }

    [Fact]
    public async Task Tokens_are_read_and_Docker_Hubs_historical_key_matches()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("docker.json"), """
            {"auths":{"https://index.docker.io/v1/":{"identitytoken":"refresh-1"},"ghcr.io":{"registrytoken":"bearer-2"}}}
            """);
        var credentials = new RegistryCredentials([temp.File("docker.json")]);
        Assert.Equal("refresh-1", (await credentials.FindAsync("registry-1.docker.io", Ct))!.IdentityToken);
        RegistryCredential ghcr = (await credentials.FindAsync("ghcr.io", Ct))!;
        Assert.Equal("bearer-2", ghcr.RegistryToken);
        Assert.False(ghcr.HasPassword);
    }

    [Fact]
    public async Task An_entry_kept_by_a_credential_helper_is_explained()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("docker.json"), """{"auths":{"reg.example":{}},"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"}}""");
        var credentials = new RegistryCredentials([temp.File("helm-missing.json"), temp.File("docker.json")]);
        Assert.Null(await credentials.FindAsync("reg.example", Ct));
        string explained = await credentials.ExplainAsync("reg.example", Ct);
        Assert.Contains($"none for reg.example in {temp.File("helm-missing.json")} or {temp.File("docker.json")}", explained);
        Assert.Contains("docker-credential-desktop, which Chartseal does not run", explained);
        Assert.Contains("docker-credential-gcloud", await credentials.ExplainAsync("gcr.io", Ct));
    }

    [Theory]
    [InlineData("{not json", "is not valid JSON")]
    [InlineData("""{"auths":{"reg.example":{"auth":"***"}}}""", "\"auth\" is not base64 of user:password")]
    [InlineData("""{"auths":{"reg.example":{"auth":"bm9jb2xvbg=="}}}""", "no colon")]
    [InlineData("""{"auths":{"reg.example":"x"}}""", "is not a JSON object")]
    public async Task A_malformed_config_file_is_named_in_the_error(string content, string reason)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("config.json"), content);
        var e = await Assert.ThrowsAsync<ChartsealException>(() => new RegistryCredentials([temp.File("config.json")]).FindAsync("reg.example", Ct));
        Assert.StartsWith(temp.File("config.json") + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_names_Helms_and_Dockers_files()
    {
        string? helm = Environment.GetEnvironmentVariable("HELM_REGISTRY_CONFIG"), docker = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        try
        {
            Environment.SetEnvironmentVariable("HELM_REGISTRY_CONFIG", "/somewhere/helm-registry.json");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", "/elsewhere/docker");
            Assert.Equal(["/somewhere/helm-registry.json", Path.Combine("/elsewhere/docker", "config.json")], RegistryCredentials.FromEnvironment().ConfigFiles);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HELM_REGISTRY_CONFIG", helm);
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", docker);
        }
    }
}

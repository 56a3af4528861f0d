using System.Text;
using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Oci;

/// <summary>The client against the real registry with token authentication (Bearer challenges, a token service issuing JWTs).</summary>
public class OciTokenAuthTests(OciTokenAuthTests.Registry registry) : IClassFixture<OciTokenAuthTests.Registry>
{
    public sealed class Registry() : OciTestRegistry(RegistryAuth.Token);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RegistryTokenService Tokens => registry.TokenService!;

    private static OciBlob[] Blobs(string text) => [new(OciDescriptor.Empty, OciDescriptor.EmptyContent), OciBlob.Of("application/vnd.chartseal.test", Encoding.UTF8.GetBytes(text))];

    private static OciManifest Manifest(OciBlob[] blobs) => new(blobs[0].Descriptor, [blobs[1].Descriptor]) { ArtifactType = "application/vnd.chartseal.test" };

    private async Task<List<string>> TokenRequestsDuring(Func<Task> action)
    {
        int before = Tokens.Requests.Count;
        await action();
        return Tokens.Requests.Skip(before).ToList();
    }

    [Fact]
    public async Task The_token_flow_pushes_and_pulls_and_tokens_are_cached_per_scope()
    {
        using var client = new OciRegistryClient(registry.ClientOptions(registry.UserCredentials));
        OciBlob[] blobs = Blobs("token flow");
        OciReference reference = registry.Reference("tokens/app:v1");

        List<string> push = await TokenRequestsDuring(() => client.PushArtifactAsync(reference, Manifest(blobs), blobs, Ct));
        Assert.Equal(["GET chartseal repository:tokens/app:pull", "GET chartseal repository:tokens/app:pull,push"], push);

        List<string> pulls = await TokenRequestsDuring(async () =>
        {
            for (int i = 0; i < 3; i++)
            {
                Assert.NotNull(await client.GetManifestAsync(reference, Ct));
                Assert.Equal(blobs[1].Content.ToArray(), await client.GetBlobAsync(reference, blobs[1].Descriptor, Ct));
            }
        });
        Assert.Empty(pulls); // the pull token of the push is reused

        List<string> other = await TokenRequestsDuring(async () => Assert.Null(await client.GetManifestAsync(registry.Reference("tokens/other:v1"), Ct)));
        Assert.Equal(["GET chartseal repository:tokens/other:pull"], other);
    }

    [Fact]
    public async Task Ping_and_the_catalog_get_their_own_tokens()
    {
        using var client = new OciRegistryClient(registry.ClientOptions(registry.UserCredentials));
        OciBlob[] blobs = Blobs("catalog");
        await client.PushArtifactAsync(registry.Reference("tokens/listed:v1"), Manifest(blobs), blobs, Ct);
        List<string> requests = await TokenRequestsDuring(async () =>
        {
            await client.PingAsync(registry.Host, Ct);
            Assert.Contains("tokens/listed", await client.ListRepositoriesAsync(registry.Host, 1, Ct));
        });
        Assert.Equal(["GET chartseal ", "GET chartseal registry:catalog:*"], requests);
    }

    [Fact]
    public async Task Anonymous_tokens_grant_nothing_and_the_message_says_credentials_are_needed()
    {
        using var temp = new TempDirectory();
        using var client = new OciRegistryClient(registry.ClientOptions(new RegistryCredentials([temp.File("config.json")])));
        OciReference reference = registry.Reference("tokens/app:v1");
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(reference, Ct));
        Assert.StartsWith($"{reference}: anonymous access refused (401 UNAUTHORIZED: authentication required", e.Message);
        Assert.EndsWith($"credentials are needed (none for {registry.Host} in {temp.File("config.json")})", e.Message);
        Assert.Contains("GET anonymous repository:tokens/app:pull", Tokens.Requests);
    }

    [Fact]
    public async Task Credentials_refused_by_the_token_service_are_named()
    {
        using var client = new OciRegistryClient(registry.ClientOptions(RegistryCredentials.None.WithUser(registry.User, "wrong")));
        OciReference reference = registry.Reference("tokens/app:v1");
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(reference, Ct));
        Assert.Equal($"{reference}: the token service {Tokens.Realm} refused the credentials from --username/--password (401)", e.Message);
    }

    [Fact]
    public async Task An_identity_token_from_dockers_config_is_exchanged_with_a_refresh_grant()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("config.json"), "{\"auths\":{\"" + registry.Host + "\":{\"identitytoken\":\"" + Tokens.RefreshToken + "\"}}}");
        using var client = new OciRegistryClient(registry.ClientOptions(new RegistryCredentials([temp.File("config.json")])));
        OciBlob[] blobs = Blobs("refresh grant");
        List<string> requests = await TokenRequestsDuring(() => client.PushArtifactAsync(registry.Reference("tokens/refresh:v1"), Manifest(blobs), blobs, Ct));
        Assert.Equal(["POST refresh repository:tokens/refresh:pull", "POST refresh repository:tokens/refresh:pull,push"], requests);
    }

    [Fact]
    public async Task An_expired_token_is_renewed()
    {
        using var client = new OciRegistryClient(registry.ClientOptions(registry.UserCredentials));
        OciReference reference = registry.Reference("tokens/short:v1");
        Tokens.LifetimeSeconds = 2; // cached for one second
        try
        {
            Assert.Null(await client.GetManifestAsync(reference, Ct));
            await Task.Delay(1200, Ct);
            List<string> requests = await TokenRequestsDuring(async () => Assert.Null(await client.GetManifestAsync(reference, Ct)));
            Assert.Equal(["GET chartseal repository:tokens/short:pull"], requests);
        }
        finally
        {
            Tokens.LifetimeSeconds = 300;
        }
    }
}

using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Oci;

/// <summary>The client against the real registry with htpasswd (HTTP Basic) authentication.</summary>
public class OciBasicAuthTests(OciBasicAuthTests.Registry registry) : IClassFixture<OciBasicAuthTests.Registry>
{
    public sealed class Registry() : OciTestRegistry(RegistryAuth.Basic);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OciBlob[] Blobs(string text) => [new(OciDescriptor.Empty, OciDescriptor.EmptyContent), OciBlob.Of("application/vnd.chartseal.test", System.Text.Encoding.UTF8.GetBytes(text))];

    private static OciManifest Manifest(OciBlob[] blobs) => new(blobs[0].Descriptor, [blobs[1].Descriptor]) { ArtifactType = "application/vnd.chartseal.test" };

    [Fact]
    public async Task Anonymous_access_is_refused_with_where_credentials_were_looked_for()
    {
        using var temp = new TempDirectory();
        var credentials = new RegistryCredentials([temp.File("helm/registry/config.json"), temp.File("docker/config.json")]);
        using var client = new OciRegistryClient(registry.ClientOptions(credentials));
        OciReference reference = registry.Reference("private/app:1.0.0");

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(reference, Ct));

        Assert.Equal($"{reference}: anonymous access refused (401 UNAUTHORIZED: authentication required): credentials are needed " +
            $"(none for {registry.Host} in {temp.File("helm/registry/config.json")} or {temp.File("docker/config.json")})", e.Message);
        Assert.Equal(401, e.StatusCode);
    }

    [Fact]
    public async Task Basic_credentials_push_and_pull()
    {
        using var client = new OciRegistryClient(registry.ClientOptions(registry.UserCredentials));
        OciBlob[] blobs = Blobs("basic");
        OciReference reference = registry.Reference("private/basic:v1");
        await client.PingAsync(registry.Host, Ct);
        OciDescriptor pushed = await client.PushArtifactAsync(reference, Manifest(blobs), blobs, Ct);
        Assert.Equal(pushed.Digest, (await client.GetManifestAsync(reference, Ct))!.Digest);
        Assert.Equal(blobs[1].Content.ToArray(), await client.GetBlobAsync(reference, blobs[1].Descriptor, Ct));
        Assert.Equal(["v1"], await client.ListTagsAsync(reference, 0, Ct));
        Assert.Contains("private/basic", await client.ListRepositoriesAsync(registry.Host, 0, Ct));
    }

    [Fact]
    public async Task Parallel_first_requests_all_answer_the_Basic_challenge()
    {
        // Two requests of a new client both go out anonymously and both get the 401: the second to answer it must
        // send the credentials the first one cached, not take them as refused (pull of several charts did).
        using var direct = new OciRegistryClient(registry.ClientOptions(registry.UserCredentials));
        OciBlob[] blobs = Blobs("parallel");
        await direct.PushArtifactAsync(registry.Reference("private/parallel-a:v1"), Manifest(blobs), blobs, Ct);
        await direct.PushArtifactAsync(registry.Reference("private/parallel-b:v1"), Manifest(blobs), blobs, Ct);
        using var bothAnonymous = new CountdownEvent(2);
        using var proxy = new RegistryProxy(registry.Host);
        proxy.Intercept = async context =>
        {
            if (context.Request.Headers["Authorization"] is null && context.Request.Url!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal))
            {
                bothAnonymous.Signal();
                await Task.Run(() => bothAnonymous.Wait(TimeSpan.FromSeconds(10), Ct), Ct);
            }
            return false;
        };
        using var client = new OciRegistryClient(registry.ClientOptions(registry.UserCredentials));

        OciManifestResponse?[] manifests = await Task.WhenAll(
            client.GetManifestAsync(OciReference.Parse($"oci://{proxy.Host}/private/parallel-a:v1"), Ct),
            client.GetManifestAsync(OciReference.Parse($"oci://{proxy.Host}/private/parallel-b:v1"), Ct));

        Assert.All(manifests, Assert.NotNull);
        Assert.Equal(2, proxy.Requests.Count(r => r.Authorization is null));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_naming_its_source()
    {
        using var temp = new TempDirectory();
        string config = registry.WriteRegistryConfig(temp.File("config.json"), password: "wrong");
        using var client = new OciRegistryClient(registry.ClientOptions(new RegistryCredentials([config])));
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync(registry.Host, Ct));
        Assert.Equal($"oci://{registry.Host}: the registry refused the credentials from {config} (401 UNAUTHORIZED: authentication required)", e.Message);
    }

    [Fact]
    public async Task Credentials_come_from_Helms_registry_config_then_from_Dockers()
    {
        using var temp = new TempDirectory();
        string helm = registry.WriteRegistryConfig(temp.File("helm.json"));
        File.WriteAllText(temp.File("docker.json"), """{"auths":{"other.example":{"username":"x","password":"y"}}}""");
        OciBlob[] blobs = Blobs("from helm config");
        using (var client = new OciRegistryClient(registry.ClientOptions(new RegistryCredentials([helm, temp.File("docker.json")]))))
        {
            await client.PushArtifactAsync(registry.Reference("private/config:v1"), Manifest(blobs), blobs, Ct);
        }

        File.WriteAllText(temp.File("helm-other.json"), """{"auths":{"other.example":{"auth":"eDp5"}}}""");
        File.WriteAllText(temp.File("docker-legacy.json"), "{\"auths\":{\"http://" + registry.Host + "/v1/\":{\"username\":\"" + registry.User + "\",\"password\":\"" + registry.Password + "\"}}}");
        using (var client = new OciRegistryClient(registry.ClientOptions(new RegistryCredentials([temp.File("helm-other.json"), temp.File("docker-legacy.json")]))))
        {
            Assert.NotNull(await client.GetManifestAsync(registry.Reference("private/config:v1"), Ct));
        }
    }

    [Fact]
    public async Task Credentials_written_by_helm_registry_login_are_used()
    {
        using var temp = new TempDirectory();
        HelmPeer.V4.RunChecked(temp.Path, "registry", "login", registry.Host, "--plain-http", "--username", registry.User, "--password", registry.Password);
        string written = Path.Combine(temp.Path, ".helm-4.1.4", "config", "registry", "config.json");
        Assert.True(File.Exists(written), "helm registry login wrote no " + written);

        using var client = new OciRegistryClient(registry.ClientOptions(new RegistryCredentials([written])));
        OciBlob[] blobs = Blobs("helm login");
        await client.PushArtifactAsync(registry.Reference("private/helm-login:v1"), Manifest(blobs), blobs, Ct);
        Assert.Equal(written, (await new RegistryCredentials([written]).FindAsync(registry.Host, Ct))!.Source);
    }

    [Fact]
    public async Task A_blob_redirect_to_storage_is_followed_without_the_registry_credentials()
    {
        using var direct = new OciRegistryClient(registry.ClientOptions(registry.UserCredentials));
        OciBlob[] blobs = Blobs("redirected blob");
        OciReference stored = registry.Reference("private/redirect:v1");
        await direct.PushArtifactAsync(stored, Manifest(blobs), blobs, Ct);
        OciBlob blob = blobs[1];

        var storageRequests = new List<(string Path, string? Authorization)>();
        using var storage = new RegistryProxy(registry.Host);
        storage.Intercept = context =>
        {
            storageRequests.Add((context.Request.Url!.PathAndQuery, context.Request.Headers["Authorization"]));
            RegistryProxy.Reply(context, 200, [new("Content-Type", "application/octet-stream")], blob.Content.ToArray());
            return Task.FromResult(true);
        };
        using var proxy = new RegistryProxy(registry.Host);
        string location = $"http://{storage.Host}/bucket/{blob.Descriptor.Digest}?signature=secret";
        proxy.Intercept = context =>
        {
            bool redirect = context.Request.Url!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal) && context.Request.Headers["Authorization"] is not null;
            if (redirect)
            {
                RegistryProxy.Reply(context, 307, [new("Location", location)], []);
            }
            return Task.FromResult(redirect);
        };
        using var client = new OciRegistryClient(registry.ClientOptions(registry.UserCredentials));
        OciReference viaProxy = OciReference.Parse($"oci://{proxy.Host}/private/redirect:v1");

        Assert.Equal(blob.Content.ToArray(), await client.GetBlobAsync(viaProxy, blob.Descriptor, Ct));

        Assert.Contains(proxy.Requests, r => r.PathAndQuery.Contains("/blobs/", StringComparison.Ordinal) && r.Authorization?.StartsWith("Basic ", StringComparison.Ordinal) == true);
        var (path, authorization) = Assert.Single(storageRequests);
        Assert.Equal($"/bucket/{blob.Descriptor.Digest}?signature=secret", path);
        Assert.Null(authorization);

        // A redirect to another scheme is refused.
        proxy.Intercept = context =>
        {
            RegistryProxy.Reply(context, 302, [new("Location", "file:///etc/passwd")], []);
            return Task.FromResult(true);
        };
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetBlobAsync(viaProxy, blob.Descriptor, Ct));
        Assert.EndsWith("(blob): the registry redirected to a file: URL, which is refused", e.Message);

        // A redirected answer is checked like any other.
        proxy.Intercept = context =>
        {
            RegistryProxy.Reply(context, 307, [new("Location", location)], []);
            return Task.FromResult(true);
        };
        storage.Intercept = context =>
        {
            RegistryProxy.Reply(context, 200, [], [.. blob.Content.ToArray().Reverse()]);
            return Task.FromResult(true);
        };
        e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetBlobAsync(viaProxy, blob.Descriptor, Ct));
        Assert.Contains("blob digest mismatch", e.Message);
    }
}

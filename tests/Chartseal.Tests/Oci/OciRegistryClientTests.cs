using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Oci;

/// <summary>The client against the real CNCF registry without authentication (one registry for the class).</summary>
public class OciRegistryClientTests(OciRegistryClientTests.Registry registry) : IClassFixture<OciRegistryClientTests.Registry>
{
    public sealed class Registry() : OciTestRegistry(RegistryAuth.None);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private OciRegistryClient Client(OciRegistryOptions? options = null) => new(options ?? registry.ClientOptions());

    /// <summary>A small artifact with a custom type, an empty config and layers with their own media types and annotations.</summary>
    private static (OciManifest Manifest, OciBlob[] Blobs) Artifact(string seed, int layers = 3)
    {
        var blobs = Enumerable.Range(0, layers).Select(i => OciBlob.Of($"application/vnd.chartseal.test.layer{i}",
            Encoding.UTF8.GetBytes($"{seed} layer {i} " + new string('x', i * 100)),
            new Dictionary<string, string> { ["org.opencontainers.image.title"] = $"file{i}.txt", ["n"] = i.ToString() })).ToArray();
        var manifest = new OciManifest(OciDescriptor.Empty, blobs.Select(b => b.Descriptor).ToList(), new Dictionary<string, string> { ["seed"] = seed })
        {
            MediaType = OciMediaTypes.ImageManifest,
            ArtifactType = "application/vnd.chartseal.test.artifact",
        };
        return (manifest, [new OciBlob(OciDescriptor.Empty, OciDescriptor.EmptyContent), .. blobs]);
    }

    [Fact]
    public async Task Ping_answers_for_a_registry_and_names_what_is_not_one()
    {
        using OciRegistryClient client = Client();
        await client.PingAsync(registry.Host, Ct);

        using var temp = new TempDirectory();
        using var notARegistry = new FolderServer(temp.Path);
        string host = new Uri(notARegistry.Url).Authority;
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync(host, Ct));
        Assert.Equal($"oci://{host}: does not answer the OCI distribution API (/v2/ answered 404)", e.Message);
    }

    [Fact]
    public async Task An_arbitrary_artifact_round_trips()
    {
        using OciRegistryClient client = Client();
        var (manifest, blobs) = Artifact("round-trip");
        OciReference target = registry.Reference("trust/artifact:v1");

        OciDescriptor pushed = await client.PushArtifactAsync(target, manifest, blobs, Ct);

        Assert.Equal(OciDigest.Sha256(manifest.ToJson()), pushed.Digest);
        OciManifestResponse got = (await client.GetManifestAsync(target, Ct))!;
        Assert.Equal(manifest.ToJson(), got.Content);
        Assert.Equal(pushed.Digest, got.Digest);
        Assert.Equal(OciMediaTypes.ImageManifest, got.MediaType);
        Assert.Equal(pushed, await client.HeadManifestAsync(target, Ct));
        Assert.Equal(pushed, await client.HeadManifestAsync(target.WithDigest(pushed.Digest), Ct));
        OciManifest read = got.Parse(target.ToString());
        Assert.Equal("application/vnd.chartseal.test.artifact", read.ArtifactType);
        Assert.Equal(3, read.Layers.Count);
        foreach (OciDescriptor layer in read.Layers)
        {
            Assert.Equal(blobs.Single(b => b.Descriptor.Digest == layer.Digest).Content.ToArray(), await client.GetBlobAsync(target, layer, Ct));
        }
        Assert.Equal("{}"u8.ToArray(), await client.GetBlobAsync(target, read.Config, Ct));
        Assert.Equal(got.Content, (await client.GetManifestAsync(target.WithDigest(pushed.Digest), Ct))!.Content);

        // Pushing again uploads nothing: every blob is already there.
        Assert.False(await client.PushBlobAsync(target, blobs[1].Descriptor, blobs[1].Content, Ct));
        Assert.Equal(pushed, await client.PushArtifactAsync(target, manifest, [], Ct));
    }

    [Fact]
    public async Task A_chart_round_trips_with_its_provenance()
    {
        using OciRegistryClient client = Client();
        byte[] archive = File.ReadAllBytes(TestPaths.Helm("extra/downloader-testdata/signtest-0.1.0.tgz"));
        byte[] prov = File.ReadAllBytes(TestPaths.Helm("extra/downloader-testdata/signtest-0.1.0.tgz.prov"));
        HelmChartArtifact artifact = HelmChartArtifact.Create(archive, "signtest-0.1.0.tgz", prov, DateTimeOffset.UtcNow);
        OciReference ns = registry.Reference("charts");

        OciDescriptor pushed = await artifact.PushAsync(client, ns, Ct);

        OciReference reference = registry.Reference("charts/signtest:0.1.0");
        Assert.Equal(reference, artifact.ReferenceIn(ns));
        OciManifestResponse got = (await client.GetManifestAsync(reference, Ct))!;
        Assert.Equal(artifact.ManifestDigest, got.Digest);
        Assert.Equal(pushed.Digest, got.Digest);
        HelmChartLayers layers = HelmChartArtifact.ReadLayers(got.Parse(reference.ToString()), reference.ToString());
        Assert.Equal(archive, await client.GetBlobAsync(reference, layers.Chart, Ct));
        Assert.Equal(prov, await client.GetBlobAsync(reference, layers.Provenance!, Ct));
        Assert.Equal(["0.1.0"], await client.ListTagsAsync(reference, 0, Ct));
    }

    [Fact]
    public async Task What_does_not_exist_is_null_or_empty_and_a_missing_blob_is_named()
    {
        using OciRegistryClient client = Client();
        OciReference missing = registry.Reference("nothing/here:1.0.0");
        Assert.Null(await client.GetManifestAsync(missing, Ct));
        Assert.Null(await client.HeadManifestAsync(missing, Ct));
        Assert.Empty(await client.ListTagsAsync(missing, 0, Ct));
        Assert.False(await client.DeleteManifestAsync(missing, Ct));
        string digest = OciDigest.Sha256("absent"u8);
        Assert.False(await client.BlobExistsAsync(missing, digest, Ct));
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetBlobAsync(missing, digest, 100, Ct));
        Assert.Equal($"oci://{registry.Host}/nothing/here@{digest} (blob): not found (404 BLOB_UNKNOWN: blob unknown to registry)", e.Message);
        Assert.Equal(404, e.StatusCode);
        Assert.Equal(["BLOB_UNKNOWN"], e.ErrorCodes);
    }

    [Fact]
    public async Task A_manifest_naming_a_missing_blob_is_refused_with_the_registrys_reason()
    {
        using OciRegistryClient client = Client();
        var (manifest, blobs) = Artifact("missing-blob");
        OciReference target = registry.Reference("trust/missing:v1");
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PushArtifactAsync(target, manifest, blobs.Take(2), Ct));
        Assert.Contains("the manifest names this blob, but it was not given and the repository does not hold it", e.Message);

        await client.PushBlobAsync(target, blobs[0].Descriptor, blobs[0].Content, Ct);
        e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PutManifestAsync(target, manifest, Ct));
        Assert.StartsWith($"{target}: the registry answered 400 Bad Request (MANIFEST_BLOB_UNKNOWN: blob unknown to registry", e.Message);
        Assert.Equal(400, e.StatusCode);
    }

    [Fact]
    public async Task A_blob_changed_in_the_registrys_storage_is_refused()
    {
        using OciRegistryClient client = Client();
        OciReference target = registry.Reference("tamper/blob:v1");
        var (manifest, blobs) = Artifact("tampered blob");
        await client.PushArtifactAsync(target, manifest, blobs, Ct);
        OciBlob victim = blobs[2];
        byte[] changed = victim.Content.ToArray();
        changed[0] ^= 0x20; // same length, one bit different
        File.WriteAllBytes(registry.BlobDataPath(victim.Descriptor.Digest), changed);

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetBlobAsync(target, victim.Descriptor, Ct));
        Assert.Equal($"oci://{registry.Host}/tamper/blob@{victim.Descriptor.Digest} (blob): blob digest mismatch: the registry sent content with digest {OciDigest.Sha256(changed)}", e.Message);
        using var sink = new MemoryStream();
        await Assert.ThrowsAsync<OciRegistryException>(() => client.CopyBlobToAsync(target, victim.Descriptor, sink, Ct));
        await Assert.ThrowsAsync<OciRegistryException>(() => client.GetBlobAsync(target, victim.Descriptor.Digest, 10_000, Ct));

        // As sent, for a caller that judges the bytes itself: what the registry holds, and never more than one byte past the descriptor's size.
        Assert.Equal(changed, await client.GetBlobAsSentAsync(target, victim.Descriptor, Ct));
        File.WriteAllBytes(registry.BlobDataPath(victim.Descriptor.Digest), [.. changed, .. new byte[200_000]]);
        Assert.Equal([.. changed, 0], await client.GetBlobAsSentAsync(target, victim.Descriptor, Ct));
    }

    [Fact]
    public async Task A_manifest_changed_in_the_registrys_storage_is_refused()
    {
        using OciRegistryClient client = Client();
        OciReference target = registry.Reference("tamper/manifest:v1");
        var (manifest, blobs) = Artifact("tampered manifest");
        OciDescriptor pushed = await client.PushArtifactAsync(target, manifest, blobs, Ct);
        byte[] changed = File.ReadAllBytes(registry.BlobDataPath(pushed.Digest));
        string text = Encoding.UTF8.GetString(changed).Replace("tampered manifest", "tampered Manifest", StringComparison.Ordinal);
        File.WriteAllText(registry.BlobDataPath(pushed.Digest), text);
        string actual = OciDigest.Sha256(Encoding.UTF8.GetBytes(text));

        var byTag = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(target, Ct));
        Assert.Equal($"{target}: manifest digest mismatch: the registry announced {pushed.Digest} but sent content with digest {actual}", byTag.Message);
        OciReference byDigestReference = target.WithDigest(pushed.Digest);
        var byDigest = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(byDigestReference, Ct));
        Assert.Equal($"{byDigestReference}: manifest digest mismatch: the registry sent content with digest {actual}", byDigest.Message);
    }

    [Fact]
    public async Task Manifests_and_blobs_over_their_limits_are_refused()
    {
        using OciRegistryClient client = Client();
        OciReference target = registry.Reference("limits/artifact:v1");
        var (manifest, blobs) = Artifact("limits");
        int manifestSize = manifest.ToJson().Length;
        await client.PushArtifactAsync(target, manifest, blobs, Ct);

        using OciRegistryClient small = Client(registry.ClientOptions() with { MaxManifestSize = 500 });
        var read = await Assert.ThrowsAsync<OciRegistryException>(() => small.GetManifestAsync(target, Ct));
        Assert.Equal($"{target}: manifest is larger than the 500 byte limit ({manifestSize} bytes)", read.Message);
        var write = await Assert.ThrowsAsync<OciRegistryException>(() => small.PutManifestAsync(target.WithTag("v2"), manifest, Ct));
        Assert.Equal($"{target.WithTag("v2")}: manifest is larger than the 500 byte limit ({manifestSize} bytes)", write.Message);

        OciBlob big = blobs[3];
        var capped = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetBlobAsync(target, big.Descriptor.Digest, 10, Ct));
        Assert.EndsWith($"(blob): blob is larger than the 10 byte limit ({big.Descriptor.Size} bytes)", capped.Message);
        var lying = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetBlobAsync(target, big.Descriptor with { Size = 5 }, Ct));
        Assert.EndsWith($"(blob): the registry announced {big.Descriptor.Size} bytes, the descriptor says 5", lying.Message);
    }

    [Fact]
    public async Task Tags_are_listed_and_a_manifest_is_deleted_under_every_tag()
    {
        using OciRegistryClient client = Client();
        OciReference repository = registry.Reference("tags/app");
        var (manifest, blobs) = Artifact("tags");
        string[] tags = ["1.0.0", "1.0.1", "1.1.0_build.5", "2.0.0", "latest"];
        OciDescriptor pushed = await client.PushArtifactAsync(repository.WithTag(tags[0]), manifest, blobs, Ct);
        foreach (string tag in tags[1..])
        {
            await client.PutManifestAsync(repository.WithTag(tag), manifest, Ct);
        }

        // Distribution 2.8 answers every tag at once even when asked for pages of two (RegistryPagination covers Link pages).
        Assert.Equal(tags, (await client.ListTagsAsync(repository, 2, Ct)).Order(StringComparer.Ordinal));

        Assert.True(await client.DeleteManifestAsync(repository.WithTag("latest"), Ct));
        Assert.Null(await client.GetManifestAsync(repository.WithTag("1.0.0"), Ct));
        Assert.Null(await client.HeadManifestAsync(repository.WithDigest(pushed.Digest), Ct));
        Assert.False(await client.DeleteManifestAsync(repository.WithDigest(pushed.Digest), Ct));
    }

    [Fact]
    public async Task The_catalog_is_listed_page_by_page()
    {
        using OciRegistryClient client = Client();
        var (manifest, blobs) = Artifact("catalog", layers: 1);
        string[] names = ["catalog/a", "catalog/b", "catalog/c", "catalog/d", "catalog/e"];
        foreach (string name in names)
        {
            await client.PushArtifactAsync(registry.Reference(name + ":v1"), manifest, blobs, Ct);
        }

        IReadOnlyList<string> paged = await client.ListRepositoriesAsync(registry.Host, 2, Ct);

        Assert.Subset(paged.ToHashSet(), names.ToHashSet());
        Assert.Equal(paged.Order(StringComparer.Ordinal), paged);
        Assert.Equal(paged.Count, paged.Distinct().Count());
        Assert.Equal(paged, await client.ListRepositoriesAsync(registry.Host, 0, Ct));
    }

    [Fact]
    public async Task Tag_pages_are_followed_through_Link_headers()
    {
        using OciRegistryClient direct = Client();
        OciReference repository = registry.Reference("paged/app");
        var (manifest, blobs) = Artifact("paged", layers: 1);
        string[] tags = ["a1", "a2", "b1", "b2", "c1"];
        foreach (string tag in tags)
        {
            await direct.PushArtifactAsync(repository.WithTag(tag), manifest, blobs, Ct);
        }
        // Distribution 2.8 lists all tags at once; this proxy pages them as the distribution spec (and distribution 3) does.
        using var proxy = new RegistryProxy(registry.Host);
        proxy.Intercept = context => PageTagsAsync(proxy, context);
        using OciRegistryClient client = new(registry.ClientOptions());
        OciReference viaProxy = OciReference.Parse($"oci://{proxy.Host}/paged/app");

        Assert.Equal(tags, await client.ListTagsAsync(viaProxy, 2, Ct));

        Assert.Equal(["/v2/paged/app/tags/list?n=2", "/v2/paged/app/tags/list?n=2&last=a2", "/v2/paged/app/tags/list?n=2&last=b2"],
            proxy.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task A_next_page_on_another_host_or_a_page_loop_is_refused()
    {
        using OciRegistryClient direct = Client();
        OciReference repository = registry.Reference("paged/loop");
        var (manifest, blobs) = Artifact("loop", layers: 1);
        await direct.PushArtifactAsync(repository.WithTag("v1"), manifest, blobs, Ct);
        using var proxy = new RegistryProxy(registry.Host);
        using OciRegistryClient client = new(registry.ClientOptions());
        OciReference viaProxy = OciReference.Parse($"oci://{proxy.Host}/paged/loop");

        proxy.Intercept = context =>
        {
            RegistryProxy.Reply(context, 200, [new("Content-Type", "application/json"), new("Link", "<http://elsewhere.example/v2/paged/loop/tags/list?n=1&last=v1>; rel=\"next\"")],
                """{"name":"paged/loop","tags":["v1"]}"""u8.ToArray());
            return Task.FromResult(true);
        };
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.ListTagsAsync(viaProxy, 1, Ct));
        Assert.Equal($"{viaProxy}: the registry's next-page link points to another host (http://elsewhere.example/v2/paged/loop/tags/list), which is refused", e.Message);

        proxy.Intercept = context =>
        {
            RegistryProxy.Reply(context, 200, [new("Content-Type", "application/json"), new("Link", "</v2/paged/loop/tags/list?n=1>; rel=\"next\"")],
                """{"name":"paged/loop","tags":["v1"]}"""u8.ToArray());
            return Task.FromResult(true);
        };
        e = await Assert.ThrowsAsync<OciRegistryException>(() => client.ListTagsAsync(viaProxy, 1, Ct));
        Assert.StartsWith($"{viaProxy}: the registry's pages loop back to http://{proxy.Host}/v2/paged/loop/tags/list?n=1", e.Message);
    }

    [Theory]
    [InlineData("lone-surrogate")]
    [InlineData("invalid-utf8")]
    public async Task A_tag_list_with_a_string_that_is_not_Unicode_is_a_registry_error_not_an_InvalidOperationException(string kind)
    {
        // Found by the fuzz tests (OciManifest): System.Text.Json checks a string's Unicode only when it is read.
        using var proxy = new RegistryProxy(registry.Host);
        using OciRegistryClient client = new(registry.ClientOptions());
        OciReference viaProxy = OciReference.Parse($"oci://{proxy.Host}/hostile/tags");
        byte[] body = kind == "lone-surrogate"
            ? Encoding.UTF8.GetBytes("{\"name\":\"hostile/tags\",\"tags\":[\"1.0.0\",\"\\ud800\"]}")
            : [.. "{\"name\":\"hostile/tags\",\"tags\":[\"1.0.0\",\"caf"u8, 0xC3, 0x28, .. "\"]}"u8];
        proxy.Intercept = context =>
        {
            RegistryProxy.Reply(context, 200, [new("Content-Type", "application/json")], body);
            return Task.FromResult(true);
        };

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.ListTagsAsync(viaProxy, 0, Ct));

        Assert.StartsWith($"{viaProxy}: the tags list is not valid JSON: a name or string is not valid UTF-8 or UTF-16", e.Message);
    }

    /// <summary>Answers a tag list request with one page of the registry's full list (<c>n</c>, <c>last</c>, a relative <c>Link</c>).</summary>
    private static async Task<bool> PageTagsAsync(RegistryProxy proxy, HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        if (!request.Url!.AbsolutePath.EndsWith("/tags/list", StringComparison.Ordinal))
        {
            return false;
        }
        using HttpResponseMessage upstream = await proxy.FetchAsync(request, request.Url.AbsolutePath);
        using JsonDocument list = JsonDocument.Parse(await upstream.Content.ReadAsByteArrayAsync());
        List<string> tags = list.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal).ToList();
        int n = int.Parse(request.QueryString["n"] ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        string? last = request.QueryString["last"];
        List<string> page = tags.Where(t => last is null || string.CompareOrdinal(t, last) > 0).Take(n).ToList();
        var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/json") };
        if (page.Count > 0 && page[^1] != tags[^1])
        {
            headers.Add(new("Link", $"<{request.Url.AbsolutePath}?n={n}&last={page[^1]}>; rel=\"next\""));
        }
        string body = "{\"name\":\"" + list.RootElement.GetProperty("name").GetString() + "\",\"tags\":[" + string.Join(",", page.Select(t => $"\"{t}\"")) + "]}";
        RegistryProxy.Reply(context, 200, headers, Encoding.UTF8.GetBytes(body));
        return true;
    }

    [Fact]
    public async Task A_registry_without_deletes_says_so()
    {
        using var noDelete = new OciTestRegistry(deleteEnabled: false);
        using var client = new OciRegistryClient(noDelete.ClientOptions());
        var (manifest, blobs) = Artifact("no delete", layers: 1);
        OciReference reference = noDelete.Reference("kept/app:v1");
        OciDescriptor pushed = await client.PushArtifactAsync(reference, manifest, blobs, Ct);
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.DeleteManifestAsync(reference, Ct));
        Assert.Equal($"{reference.WithDigest(pushed.Digest)}: the registry does not allow deleting manifests (405 Method Not Allowed)", e.Message);
        Assert.True(e.IsUnsupported);
        Assert.NotNull(await client.GetManifestAsync(reference, Ct));
    }

    [Fact]
    public async Task A_registry_without_a_catalog_is_reported_clearly()
    {
        using var proxy = new RegistryProxy(registry.Host);
        proxy.Intercept = context =>
        {
            if (context.Request.Url!.AbsolutePath != "/v2/_catalog")
            {
                return Task.FromResult(false);
            }
            RegistryProxy.Reply(context, 404, [new("Content-Type", "application/json")],
                """{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}"""u8.ToArray());
            return Task.FromResult(true);
        };
        using OciRegistryClient client = Client();
        await client.PingAsync(proxy.Host, Ct);
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.ListRepositoriesAsync(proxy.Host, 0, Ct));
        Assert.Equal($"oci://{proxy.Host}: the registry does not list its repositories (/v2/_catalog answered 404 UNSUPPORTED); name the repositories instead", e.Message);
        Assert.True(e.IsUnsupported);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_times_out_with_the_reference()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new System.Collections.Concurrent.ConcurrentBag<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    accepted.Add(await silent.AcceptSocketAsync(Ct)); // accepts and never answers
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    return;
                }
            }
        }, Ct);
        string host = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        OciReference reference = OciReference.Parse($"oci://{host}/ns/app:1.0.0");

        using var once = new OciRegistryClient(new OciRegistryOptions { PlainHttp = true, Credentials = RegistryCredentials.None, RequestTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 1 });
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => once.GetManifestAsync(reference, Ct));
        Assert.Equal($"{reference}: no complete answer within 0.3 s (timed out)", e.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));

        using var twice = new OciRegistryClient(new OciRegistryOptions { PlainHttp = true, Credentials = RegistryCredentials.None, RequestTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 });
        e = await Assert.ThrowsAsync<OciRegistryException>(() => twice.ListTagsAsync(reference, 0, Ct));
        Assert.Equal($"oci://{host}/ns/app: no complete answer within 0.2 s (timed out) (2 attempts)", e.Message);
        silent.Stop();
        foreach (Socket socket in accepted)
        {
            socket.Dispose();
        }
    }

    [Fact]
    public async Task Plain_HTTP_is_used_only_when_asked_for()
    {
        using OciRegistryClient https = Client(registry.ClientOptions() with { PlainHttp = false, MaxAttempts = 1 });
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => https.PingAsync(registry.Host, Ct));
        Assert.StartsWith($"oci://{registry.Host}: TLS handshake with {registry.Host} failed: ", e.Message);
        Assert.EndsWith("(give the registry's CA with --ca-file, or use --plain-http if it speaks plain HTTP)", e.Message);
        Assert.Null(e.StatusCode);
    }

    [Fact]
    public async Task A_closed_port_is_reported_as_unreachable()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var client = new OciRegistryClient(new OciRegistryOptions { PlainHttp = true, Credentials = RegistryCredentials.None, MaxAttempts = 1 });
        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.PingAsync($"127.0.0.1:{port}", Ct));
        Assert.StartsWith($"oci://127.0.0.1:{port}: cannot reach the registry: Connection refused", e.Message);
    }

    [Fact]
    public async Task A_registry_that_drips_its_answer_is_cut_at_the_commands_deadline_and_the_next_request_is_refused_at_once()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("1.0.0"), new byte[400]);
        using var server = new HostileServer(temp.Path);
        server.Drip["1.0.0"] = true;
        string host = new Uri(server.Url).Authority;
        using OciRegistryClient client = new(new OciRegistryOptions { PlainHttp = true, Deadline = new Chartseal.Fetch.FetchDeadline(TimeSpan.FromSeconds(1)) });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(OciReference.Parse($"oci://{host}/slow/chart:1.0.0"), Ct));
        var next = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(OciReference.Parse($"oci://{host}/slow/chart:2.0.0"), Ct));

        Assert.Contains("timed out after 1s (the overall deadline of the command: set it with --timeout or CHARTSEAL_TIMEOUT)", e.Message, StringComparison.Ordinal);
        Assert.Contains("slow/chart:2.0.0", next.Message, StringComparison.Ordinal);
        Assert.Contains("timed out after 1s", next.Message, StringComparison.Ordinal);
        Assert.Equal(["1.0.0"], server.Requests);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(6));
    }
    [Fact]
    public async Task A_registry_that_drips_below_the_low_speed_limit_is_cut_after_one_window_per_attempt()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("1.0.0"), new byte[400]);
        using var server = new HostileServer(temp.Path) { Interval = TimeSpan.FromMilliseconds(50) };
        server.Drip["1.0.0"] = true;
        string host = new Uri(server.Url).Authority;
        // No deadline and a request timeout far away: only the low-speed limit (1 KiB/s over 1 s) can stop the drip.
        using OciRegistryClient client = new(new OciRegistryOptions
        {
            PlainHttp = true,
            Credentials = RegistryCredentials.None,
            RequestTimeout = TimeSpan.FromMinutes(2),
            LowSpeedTime = TimeSpan.FromSeconds(1),
            MaxAttempts = 2,
        });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(OciReference.Parse($"oci://{host}/slow/chart:1.0.0"), Ct));

        Assert.Matches(@"^oci://[^ ]+/slow/chart:1\.0\.0: too slow: \d+ bytes in 1s \(the least accepted is 1024 bytes a second\) \(2 attempts\)$", e.Message);
        Assert.Equal(["1.0.0", "1.0.0"], server.Requests);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_registry_that_never_answers_a_read_is_cut_after_one_low_speed_window()
    {
        using var temp = new TempDirectory();
        using var server = new HostileServer(temp.Path);
        server.Silent["sha256:" + new string('a', 64)] = true;
        string host = new Uri(server.Url).Authority;
        using OciRegistryClient client = new(new OciRegistryOptions
        {
            PlainHttp = true,
            Credentials = RegistryCredentials.None,
            LowSpeedTime = TimeSpan.FromSeconds(1),
            MaxAttempts = 1,
        });

        var e = await Assert.ThrowsAsync<OciRegistryException>(() =>
            client.GetBlobAsync(OciReference.Parse($"oci://{host}/slow/chart"), "sha256:" + new string('a', 64), 1024, Ct));

        Assert.EndsWith("(blob): the registry sent nothing for 1s", e.Message, StringComparison.Ordinal);
    }
}

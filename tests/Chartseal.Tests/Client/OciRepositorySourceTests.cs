#pragma warning disable xUnit1051 // the trust fixture's library calls take no test cancellation
using System.Net;
using System.Text;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.Fetch;
using Chartseal.Gate;
using Chartseal.IO;
using Chartseal.Oci;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Oci;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Tests.Client;

/// <summary>
/// A Chartseal repository in the real CNCF registry, through the fetch seam: the trust artifact (read, written only over
/// what was read), the chart list, the index built from tags, the name the gate judges a chart under, and the writers
/// (trust changes on a working copy, push and re-sign through the gate).
/// </summary>
public sealed class OciRepositorySourceTests(OciRepositorySourceTests.Registry registry) : IClassFixture<OciRepositorySourceTests.Registry>
{
    public sealed class Registry() : OciTestRegistry(RegistryAuth.None);

    private static readonly DateTime Now = TrustFixture.At(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int _namespaces;

    private OciReference NewNamespace() => registry.Reference($"team{Interlocked.Increment(ref _namespaces)}/charts");

    private OciRepositorySource Source(OciReference @namespace, IEnumerable<string>? charts = null) => new(@namespace, registry.ClientOptions(), charts);

    /// <summary>A trust fixture (root, Alice, Bob; versions 1 and 2) whose files are pushed as the namespace's trust artifact.</summary>
    private static async Task<TrustFixture> TrustedNamespaceAsync(OciRepositorySource source)
    {
        var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Now);
        await OciTrustArtifact.PushAsync(source.Client, source.Namespace, await f.FilesAsync(), null, Ct);
        return f;
    }

    private static (byte[] Archive, string Name, byte[] Prov) SignedChart(TrustFixture f, TestKey signer, string name, string version)
    {
        var packaged = ChartPackager.Package(ChartFixtures.WriteSimpleChart(f.Temp.File($"src-{name}-{version}"), name, version));
        return (packaged.Archive, packaged.FileName, signer.Sign(packaged.Archive, packaged.FileName, Now));
    }

    [Fact]
    public async Task The_trust_artifact_holds_the_five_files_and_the_trust_updater_accepts_it_as_over_http()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);

        var snapshot = (await OciTrustArtifact.ReadAsync(source.Client, source.Namespace, Ct))!;
        TrustFiles files = await f.FilesAsync();
        Assert.Equal(files.Manifest, snapshot.Files.Manifest);
        Assert.Equal(files.PublicKeys, snapshot.Files.PublicKeys);
        Assert.Equal(files.Revoked, snapshot.Files.Revoked);
        Assert.Equal(files.RootKeys, snapshot.Files.RootKeys);
        var manifest = (await source.Client.GetManifestAsync(source.TrustReference, Ct))!.Parse("trust");
        Assert.Equal(OciTrustArtifact.ArtifactType, manifest.ArtifactType);
        Assert.Equal(OciMediaTypes.Empty, manifest.Config.MediaType);
        Assert.Equal(["trust.yaml.asc", "pubkeys.pgp", "revoked.pgp", "root.pgp"], manifest.Layers.Select(l => l.Annotations![OciAnnotations.Title]));
        Assert.Equal($"oci://{registry.Host}/{source.Namespace.Repository}/chartseal-trust:current", source.TrustReference.ToString());

        var accepted = Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(source, f.Pin, f.Store, Now, Ct));
        Assert.Equal(2, accepted.Material.Version);
        Assert.Equal(f.Root.Fingerprint, (await TrustOnFirstUse.ClaimAsync(source, Ct)).Fingerprint);
    }

    [Fact]
    public async Task A_namespace_without_trust_material_is_trust_unsigned_as_a_folder_without_a_manifest()
    {
        using var source = Source(NewNamespace());
        using var f = new TrustFixture();

        var rejected = Assert.IsType<TrustResult.Rejected>(await TrustUpdater.RefreshAsync(source, f.Pin, f.Store, Now, Ct));

        Assert.Equal(RejectionReason.TrustUnsigned, rejected.Refusal.Reason);
    }

    [Fact]
    public async Task The_trust_artifact_is_replaced_only_over_the_digest_that_was_read()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        var first = (await OciTrustArtifact.ReadAsync(source.Client, source.Namespace, Ct))!;

        // A second init, and a change based on a stale read, are both refused and change nothing.
        var init = await Assert.ThrowsAsync<ChartsealException>(() => OciTrustArtifact.PushAsync(source.Client, source.Namespace, first.Files, null, Ct));
        Assert.Contains("changed while this change was made", init.Message, StringComparison.Ordinal);
        await TrustRepository.RenewAsync(f.Repo, f.Root.RootSigner(Now), TrustFixture.Validity, Now);
        await OciTrustArtifact.PushAsync(source.Client, source.Namespace, await f.FilesAsync(), first.Digest, Ct);
        var second = (await OciTrustArtifact.ReadAsync(source.Client, source.Namespace, Ct))!;
        var stale = await Assert.ThrowsAsync<ChartsealException>(() => OciTrustArtifact.PushAsync(source.Client, source.Namespace, first.Files, first.Digest, Ct));
        Assert.Contains($"it was {first.Digest}, it is now {second.Digest}", stale.Message, StringComparison.Ordinal);
        Assert.Equal(second.Digest, (await OciTrustArtifact.ReadAsync(source.Client, source.Namespace, Ct))!.Digest);
    }

    [Fact]
    public async Task A_trust_change_that_another_writer_overtook_is_refused_and_the_other_change_stays()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        var carol = new TestKey("Carol <carol@example.com>", TrustFixture.T0);

        // The other writer pushes version 3 while this change (adding Carol) is being made on its working copy.
        var e = await Assert.ThrowsAsync<ChartsealException>(() => OciTrustRepository.ChangeAsync(source.Client, source.Namespace, creating: false, async (dir, token) =>
        {
            await TrustRepository.RenewAsync(f.Repo, f.Root.RootSigner(Now), TrustFixture.Validity, Now, token);
            await OciTrustArtifact.PushAsync(source.Client, source.Namespace, await f.FilesAsync(), (await OciTrustArtifact.ReadAsync(source.Client, source.Namespace, token))!.Digest, token);
            return await TrustRepository.AddAsync(dir, f.Root.RootSigner(Now), carol.Public, TrustFixture.Validity, Now, token);
        }, Ct));

        Assert.StartsWith($"{source.TrustReference}: the trust artifact changed while this change was made", e.Message, StringComparison.Ordinal);
        var material = Assert.IsType<TrustResult.Accepted>(TrustedMaterial.Load((await OciTrustArtifact.ReadAsync(source.Client, source.Namespace, Ct))!.Files, f.Pin, null, Now)).Material;
        Assert.Equal(3, material.Version);
        Assert.DoesNotContain(material.PublicKeys.PublicKeyRings, r => Chartseal.Keys.KeyInfo.Fingerprint(r.GetPublicKey()) == carol.Fingerprint);
    }

    [Fact]
    public async Task A_trust_change_names_the_artifact_not_the_working_copy_and_init_refuses_a_namespace_with_trust()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);

        var init = await Assert.ThrowsAsync<ChartsealException>(() => OciTrustRepository.ChangeAsync(source.Client, source.Namespace, creating: true,
            (dir, token) => TrustRepository.InitAsync(dir, f.Root.RootSigner(Now), TrustFixture.Validity, Now, token), Ct));
        Assert.Equal($"{source.TrustReference}: already holds trust material; use trust add/remove/revoke/renew", init.Message);

        var wrongRoot = await Assert.ThrowsAsync<ChartsealException>(() => OciTrustRepository.ChangeAsync(source.Client, source.Namespace, creating: false,
            (dir, token) => TrustRepository.RenewAsync(dir, f.Alice.RootSigner(Now), TrustFixture.Validity, Now, token), Ct));
        Assert.StartsWith($"{source.TrustReference} (trust.yaml.asc): is signed by root {f.Root.Fingerprint}", wrongRoot.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), wrongRoot.Message, StringComparison.Ordinal);

        using var empty = Source(NewNamespace());
        var none = await Assert.ThrowsAsync<ChartsealException>(() => OciTrustRepository.ChangeAsync(empty.Client, empty.Namespace, creating: false,
            (dir, token) => TrustRepository.RenewAsync(dir, f.Root.RootSigner(Now), TrustFixture.Validity, Now, token), Ct));
        Assert.Contains("run chartseal trust init", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_root_rotation_made_over_oci_is_followed_by_a_client_that_missed_it()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(source, f.Pin, f.Store, Now, Ct));
        var next = new TestKey("Next root <next-root@example.com>", TrustFixture.T0);

        await OciTrustRepository.ChangeAsync(source.Client, source.Namespace, creating: false,
            (dir, token) => TrustRepository.RotateRootAsync(dir, f.Root.RootSigner(Now), next.RootSigner(Now), TrustFixture.Validity, Now, token), Ct);
        await OciTrustRepository.ChangeAsync(source.Client, source.Namespace, creating: false,
            (dir, token) => TrustRepository.RenewAsync(dir, next.RootSigner(Now), TrustFixture.Validity, Now, token), Ct);

        // The client pinned the old root and saw version 2 only: rotations.asc (a layer of the artifact) leads it on.
        Assert.NotNull((await OciTrustArtifact.ReadAsync(source.Client, source.Namespace, Ct))!.Files.Rotations);
        var accepted = Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(source, f.Pin, f.Store, Now, Ct));
        Assert.Equal((4L, next.Fingerprint), (accepted.Material.Version, accepted.Material.SignedBy));
    }

    [Fact]
    public async Task A_trust_artifact_with_two_layers_for_one_file_or_another_type_is_refused()
    {
        using var source = Source(NewNamespace());
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Now);
        TrustFiles files = await f.FilesAsync();
        var (good, blobs) = OciTrustArtifact.Build(files);
        var extra = OciBlob.Of(OciTrustArtifact.PublicKeysMediaType, f.Alice.Public.PublicKeyRings[0].GetEncoded());
        var twoKeyrings = new OciManifest(good.Config, [.. good.Layers, extra.Descriptor]) { MediaType = good.MediaType, ArtifactType = good.ArtifactType };
        await source.Client.PushArtifactAsync(source.TrustReference, twoKeyrings, [.. blobs, extra], Ct);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => TrustUpdater.RefreshAsync(source, f.Pin, f.Store, Now, Ct));
        Assert.Equal($"{source.TrustReference}: has two pubkeys.pgp layers ({OciTrustArtifact.PublicKeysMediaType}); readers would disagree on which one counts", e.Message);

        var other = new OciManifest(good.Config, good.Layers) { MediaType = good.MediaType, ArtifactType = "application/vnd.example.other" };
        await source.Client.PushArtifactAsync(source.TrustReference, other, blobs, Ct);
        e = await Assert.ThrowsAsync<ChartsealException>(() => TrustUpdater.RefreshAsync(source, f.Pin, f.Store, Now, Ct));
        Assert.Contains("is not Chartseal trust material", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_index_lists_every_version_tag_of_the_charts_found_in_the_chart_list_the_catalog_and_by_name()
    {
        using var source = Source(NewNamespace(), ["named"]);
        using var f = new TrustFixture();
        async Task PushChart(string name, string version, string? tag = null)
        {
            var (archive, file, prov) = SignedChart(f, f.Alice, name, version);
            var artifact = HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch);
            await source.Client.PushArtifactAsync(source.Namespace.Child(name).WithTag(tag ?? artifact.Tag), artifact.Manifest, artifact.Blobs, Ct);
        }
        await PushChart("listed", "1.0.0");
        await PushChart("listed", "1.1.0+build.2");
        await PushChart("listed", "1.1.0", tag: "latest"); // not a version: never an entry
        await PushChart("cataloged", "2.0.0");
        await PushChart("named", "3.0.0");
        await OciChartList.AddAsync(source.Client, source.Namespace, "listed", Ct);
        var (image, imageBlobs) = (new OciManifest(OciDescriptor.For("application/vnd.oci.image.config.v1+json", "{}"u8), []), new[] { OciBlob.Of("application/vnd.oci.image.config.v1+json", "{}"u8.ToArray()) });
        await source.Client.PushArtifactAsync(source.Namespace.Child("image").WithTag("1.0.0"), image, imageBlobs, Ct); // not a chart
        await source.Client.PushArtifactAsync(registry.Reference(source.Namespace.Repository + "/sub/deep:1.0.0"), image, imageBlobs, Ct); // another namespace

        var outcome = Assert.IsType<Chartseal.Fetch.FetchOutcome.Downloaded>(await source.ReadIndexAsync(null, null, Ct));

        var index = ChartIndex.Load(new MemoryStream(outcome.Content), "index");
        Assert.Equal(["cataloged", "listed", "named"], index.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["1.1.0+build.2", "1.0.0"], index.Entries["listed"].Select(e => e.Metadata.Version));
        var entry = index.Entries["listed"][0];
        Assert.Equal($"oci://{registry.Host}/{source.Namespace.Repository}/listed:1.1.0_build.2", Assert.Single(entry.Urls));
        var located = source.Locate(entry.Urls[0])!;
        Assert.Equal("listed-1.1.0+build.2.tgz", located.FileName);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData((await source.ReadArchiveAsync(located, null, null, Ct))!)), entry.Digest);
        var enumeration = source.Enumeration!;
        Assert.Equal(["cataloged", "image", "listed", "named"], enumeration.Charts); // "image" is looked at, and has no chart
        Assert.Equal((1, 1, 4, null), (enumeration.Named, enumeration.ChartList, enumeration.Catalog, enumeration.CatalogProblem));
        Assert.IsType<Chartseal.Fetch.FetchOutcome.NotModified>(await source.ReadIndexAsync(outcome.ETag, null, Ct));
    }

    [Fact]
    public async Task Without_a_catalog_the_chart_list_and_the_names_given_are_used_and_the_enumeration_says_so()
    {
        OciReference direct = NewNamespace();
        using var f = new TrustFixture();
        using (var writer = Source(direct))
        {
            foreach (string name in new[] { "listed", "unlisted" })
            {
                var (archive, file, prov) = SignedChart(f, f.Alice, name, "1.0.0");
                await HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).PushAsync(writer.Client, direct, Ct);
            }
            await OciChartList.AddAsync(writer.Client, direct, "listed", Ct);
        }
        using var proxy = new RegistryProxy(registry.Host) { Intercept = NoCatalogAsync };
        OciReference viaProxy = OciReference.Parse($"oci://{proxy.Host}/{direct.Repository}");

        using var source = new OciRepositorySource(viaProxy, registry.ClientOptions());
        await source.ReadIndexAsync(null, null, Ct);
        Assert.Equal(["listed"], source.Enumeration!.Charts);
        Assert.Null(source.Enumeration.Catalog);
        Assert.Contains("does not list its repositories", source.Enumeration.CatalogProblem, StringComparison.Ordinal);
        Assert.Equal("1 chart name looked at: 1 in the chart list, no catalog (the registry does not list its repositories)", source.Enumeration.Describe());

        using var named = new OciRepositorySource(viaProxy, registry.ClientOptions(), ["unlisted"]);
        await named.ReadIndexAsync(null, null, Ct);
        Assert.Equal(["listed", "unlisted"], named.Enumeration!.Charts);
    }

    [Fact]
    public async Task The_manifests_and_configs_an_index_is_built_from_are_capped_like_an_index()
    {
        // Each manifest (up to 4 MiB: a hostile registry's "created" annotation) and config (up to 1 MiB) went into the
        // index held in memory, without a total: a registry with many tags could make it any size, and the cache then
        // refused the index that repo update had saved.
        OciReference @namespace = NewNamespace();
        using var f = new TrustFixture();
        using (var writer = Source(@namespace))
        {
            foreach (string version in new[] { "1.0.0", "1.1.0", "1.2.0", "2.0.0" })
            {
                var (archive, file, prov) = SignedChart(f, f.Alice, "app", version);
                await HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).PushAsync(writer.Client, @namespace, Ct);
            }
        }
        using (var roomy = new OciRepositorySource(@namespace, registry.ClientOptions(), ["app"]) { MaxIndexBytes = 64 * 1024 })
        {
            Assert.IsType<FetchOutcome.Downloaded>(await roomy.ReadIndexAsync(null, null, Ct));
        }

        using var tight = new OciRepositorySource(@namespace, registry.ClientOptions(), ["app"]) { MaxIndexBytes = 2000 };
        var e = await Assert.ThrowsAsync<ChartsealException>(() => tight.ReadIndexAsync(null, null, Ct));

        Assert.StartsWith($"{tight.Location} (its charts and tags): its manifests and chart configs add up to more than the 2000 byte limit of an index (at {@namespace}/app:", e.Message);
    }

    [Fact]
    public async Task Builds_of_the_index_at_the_same_time_each_have_their_own_byte_budget()
    {
        // The byte count was one field of the source, reset by each build: a server refreshing while a client read (or
        // two refreshes) added up each other's manifests and refused an index well under the limit.
        OciReference @namespace = NewNamespace();
        using var f = new TrustFixture();
        long oneBuild = 0;
        using (var writer = Source(@namespace))
        {
            foreach (string version in new[] { "1.0.0", "1.1.0", "1.2.0", "2.0.0" })
            {
                var (archive, file, prov) = SignedChart(f, f.Alice, "app", version);
                await HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).PushAsync(writer.Client, @namespace, Ct);
                OciReference tag = @namespace.Child("app").WithTag(version);
                OciManifestResponse manifest = (await writer.Client.GetManifestAsync(tag, Ct))!;
                oneBuild += manifest.Content.Length + HelmChartArtifact.ReadLayers(manifest.Parse(tag.ToString()), tag.ToString()).Config.Size;
            }
        }
        using var source = new OciRepositorySource(@namespace, registry.ClientOptions(), ["app"]) { MaxIndexBytes = oneBuild + (oneBuild / 2) };

        FetchOutcome[] outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => source.ReadIndexAsync(null, null, Ct), Ct)));

        Assert.All(outcomes, outcome => Assert.IsType<FetchOutcome.Downloaded>(outcome));
    }

    private static Task<bool> NoCatalogAsync(HttpListenerContext context)
    {
        if (context.Request.Url!.AbsolutePath != "/v2/_catalog")
        {
            return Task.FromResult(false);
        }
        RegistryProxy.Reply(context, 404, [new("Content-Type", "application/json")], """{"errors":[{"code":"UNSUPPORTED","message":"catalog disabled"}]}"""u8.ToArray());
        return Task.FromResult(true);
    }

    [Theory]
    [InlineData("{ns}/app:1.0.0", "app-1.0.0.tgz")]
    [InlineData("{ns}/app:1.0.0_build.1", "app-1.0.0+build.1.tgz")]
    [InlineData("{ns}/app", null)]
    [InlineData("{ns}/chartseal-trust:current", null)]
    [InlineData("{ns}/sub/app:1.0.0", null)]
    [InlineData("other/app:1.0.0", null)]
    public void Locate_accepts_only_a_tagged_chart_of_the_namespace(string path, string? fileName)
    {
        OciReference @namespace = registry.Reference("locate/charts");
        using var source = Source(@namespace);
        string url = $"oci://{registry.Host}/{path.Replace("{ns}", @namespace.Repository, StringComparison.Ordinal)}";

        Assert.Equal(fileName, source.Locate(url)?.FileName);
        Assert.Null(source.Locate("https://example.com/app-1.0.0.tgz"));
    }

    [Fact]
    public async Task A_chart_stored_under_another_name_is_refused_naming_the_reference_and_its_signed_chart()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        var (archive, file, prov) = SignedChart(f, f.Alice, "hello", "1.0.0");
        var artifact = HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch);
        await source.Client.PushArtifactAsync(source.Namespace.Child("other").WithTag("1.0.0"), artifact.Manifest, artifact.Blobs, Ct);
        await source.Client.PushArtifactAsync(source.Namespace.Child("hello").WithTag("2.0.0"), artifact.Manifest, artifact.Blobs, Ct);
        await artifact.PushAsync(source.Client, source.Namespace, Ct);

        var audit = Assert.IsType<AuditResult.Completed>(await RepositoryAudit.AuditAsync(source, f.Pin, f.Store, Now, cancellationToken: Ct));

        var rows = audit.Rows.ToDictionary(r => $"{r.Name} {r.Version}", r => r);
        Assert.True(rows["hello 1.0.0"].IsTrusted, rows["hello 1.0.0"].Message);
        Assert.Equal(RejectionReason.NameVersionMismatch, rows["other 1.0.0"].Reason);
        Assert.Equal($"{source.Namespace}/other:1.0.0 names other 1.0.0, but the signed archive holds hello 1.0.0", rows["other 1.0.0"].Message);
        Assert.Equal(RejectionReason.NameVersionMismatch, rows["hello 2.0.0"].Reason);
        Assert.Equal($"{source.Namespace}/hello:2.0.0 names hello 2.0.0, but the signed archive holds hello 1.0.0", rows["hello 2.0.0"].Message);
    }

    [Fact]
    public async Task A_trust_change_whose_push_failed_is_not_remembered_as_signed_so_the_next_change_is_no_rollback()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        var memory = new SignedVersionStore(f.Temp.File("signed-state"));
        // The registry refuses every write (credentials without push access): the change is signed here, then not pushed.
        using var proxy = new RegistryProxy(registry.Host)
        {
            Intercept = async context =>
            {
                if (context.Request.HttpMethod is "GET" or "HEAD")
                {
                    return false;
                }
                RegistryProxy.Reply(context, 403, [new("Content-Type", "application/json")],
                    Encoding.UTF8.GetBytes("""{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"""));
                return await Task.FromResult(true);
            },
        };
        string viaProxy = $"oci://{proxy.Host}/{source.Namespace.Repository}";
        var signer = f.Root.RootSigner(Now) with { Memory = memory, RememberedAs = OciTrustRepository.RememberedAs(viaProxy) };
        var carol = new TestKey("Carol <carol@example.com>", TrustFixture.T0);
        Task<TrustManifest> AddCarolAsync(string location) => OciTrustRepository.ChangeAtAsync(location, registry.ClientOptions(), creating: false,
            (dir, token) => TrustRepository.AddAsync(dir, signer, carol.Public, null, Now, token), memory, Ct);

        var denied = await Assert.ThrowsAsync<OciRegistryException>(() => AddCarolAsync(viaProxy));
        Assert.Contains("access denied (403 DENIED", denied.Message, StringComparison.Ordinal);
        Assert.Equal(0, memory.HighestSigned(f.Root.Fingerprint, signer.RememberedAs!));

        // Once writes go through (straight to the registry, not through the refusing proxy; the signer remembers the
        // namespace as before), the same change is no "rollback": version 3 is signed, pushed, and only now remembered.
        Assert.Equal(3, (await AddCarolAsync(source.Namespace.ToString())).Version);
        Assert.Equal(3, memory.HighestSigned(f.Root.Fingerprint, signer.RememberedAs!));
        Assert.Equal(3, Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(Source(source.Namespace), f.Pin, f.Store, Now, Ct)).Material.Version);
    }

    [Theory]
    [InlineData("another chart's layer")]
    [InlineData("another chart's layer and .prov")]
    [InlineData("a longer Content-Length")]
    [InlineData("a shorter Content-Length")]
    [InlineData("an endless body")]
    [InlineData("an endless .prov")]
    public async Task A_registry_that_lies_about_a_chart_layer_gets_only_that_chart_refused_and_is_never_read_past_the_descriptor(string lie)
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        var pushed = new Dictionary<string, (byte[] Archive, byte[] Prov, HelmChartLayers Layers)>();
        foreach (string name in new[] { "victim", "other" })
        {
            var (archive, file, prov) = SignedChart(f, f.Alice, name, "1.0.0");
            var artifact = HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch);
            await artifact.PushAsync(source.Client, source.Namespace, Ct);
            pushed[name] = (archive, prov, HelmChartArtifact.ReadLayers(artifact.Manifest, name));
        }
        var victim = pushed["victim"];
        var other = pushed["other"];
        string blobs = $"/v2/{source.Namespace.Repository}/victim/blobs/";
        long sent = 0;
        int lies = 0;
        async Task<bool> EndlessAsync(HttpListenerContext context)
        {
            context.Response.SendChunked = true;
            byte[] chunk = new byte[64 * 1024];
            try
            {
                while (sent < 512L << 20)
                {
                    await context.Response.OutputStream.WriteAsync(chunk);
                    Interlocked.Add(ref sent, chunk.Length);
                }
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // the client stopped reading
            }
            return true;
        }
        using var proxy = new RegistryProxy(registry.Host)
        {
            Intercept = async context =>
            {
                string path = context.Request.Url!.AbsolutePath;
                bool chart = path == blobs + victim.Layers.Chart.Digest;
                bool prov = path == blobs + victim.Layers.Provenance!.Digest;
                if (chart || prov)
                {
                    Interlocked.Increment(ref lies);
                }
                switch (lie)
                {
                    case "another chart's layer" when chart:
                    case "another chart's layer and .prov" when chart:
                        RegistryProxy.Reply(context, 200, [new("Content-Type", "application/octet-stream")], other.Archive);
                        return true;
                    case "another chart's layer and .prov" when prov:
                        RegistryProxy.Reply(context, 200, [new("Content-Type", "application/octet-stream")], other.Prov);
                        return true;
                    case "a longer Content-Length" when chart:
                        context.Response.ContentLength64 = victim.Archive.Length * 10L;
                        byte[] padded = [.. victim.Archive, .. new byte[victim.Archive.Length * 9]];
                        try
                        {
                            await context.Response.OutputStream.WriteAsync(padded);
                            context.Response.Close();
                        }
                        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                        {
                            // the client stopped reading
                        }
                        return true;
                    case "a shorter Content-Length" when chart:
                        RegistryProxy.Reply(context, 200, [new("Content-Type", "application/octet-stream")], victim.Archive[..^10]);
                        return true;
                    case "an endless body" when chart:
                    case "an endless .prov" when prov:
                        return await EndlessAsync(context);
                    default:
                        return false;
                }
            },
        };
        var viaProxy = OciReference.Parse($"oci://{proxy.Host}/{source.Namespace.Repository}");

        var audit = Assert.IsType<AuditResult.Completed>(await RepositoryAudit.AuditAsync(Source(viaProxy, ["victim", "other"]), f.Pin, f.Store, Now, cancellationToken: Ct));

        var rows = audit.Rows.ToDictionary(r => r.Name, r => r);
        Assert.True(rows["other"].IsTrusted, rows["other"].Message);
        Assert.False(rows["victim"].IsTrusted, lie);
        Assert.NotNull(rows["victim"].Reason);
        Assert.True(lies > 0);
        // Cut one byte past the descriptor's size: never more than what the socket buffers held when the client stopped.
        Assert.InRange(Interlocked.Read(ref sent), 0, 16L << 20);
    }

    [Fact]
    public async Task A_chart_layer_or_prov_changed_in_the_registrys_storage_is_one_refused_row_of_the_audit_not_a_failed_audit()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        var layersOf = new Dictionary<string, HelmChartLayers>();
        foreach (string name in new[] { "good", "archive", "prov" })
        {
            var (archive, file, prov) = SignedChart(f, f.Alice, name, "1.0.0");
            var artifact = HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch);
            await artifact.PushAsync(source.Client, source.Namespace, Ct);
            layersOf[name] = HelmChartArtifact.ReadLayers(artifact.Manifest, name);
        }
        // The same length, one bit different: the registry serves them under the digests the manifests name.
        void Flip(string digest)
        {
            byte[] bytes = File.ReadAllBytes(registry.BlobDataPath(digest));
            bytes[^1] ^= 0x01;
            File.WriteAllBytes(registry.BlobDataPath(digest), bytes);
        }
        Flip(layersOf["archive"].Chart.Digest);
        Flip(layersOf["prov"].Provenance!.Digest);

        var audit = Assert.IsType<AuditResult.Completed>(await RepositoryAudit.AuditAsync(Source(source.Namespace), f.Pin, f.Store, Now, cancellationToken: Ct));

        var rows = audit.Rows.ToDictionary(r => r.Name, r => r);
        Assert.Equal(["archive", "good", "prov"], rows.Keys.Order());
        Assert.True(rows["good"].IsTrusted, rows["good"].Message);
        Assert.False(rows["archive"].IsTrusted);
        Assert.False(rows["prov"].IsTrusted);
        // The same reasons as for an archive or .prov changed in an http repository's folder.
        var material = await f.MaterialAsync(Now);
        foreach (string name in new[] { "archive", "prov" })
        {
            var (archive, file, prov) = SignedChart(f, f.Alice, name, "1.0.0");
            (name == "archive" ? archive : prov)[^1] ^= 0x01;
            var verdict = TrustGate.Judge(file, archive, prov, new TrustBasis.Repository(material), new GateExpectations(name, "1.0.0"), Now);
            Assert.Equal(((Verdict.Refused)verdict).Refusal.Reason, rows[name].Reason);
        }
    }

    [Fact]
    public async Task A_signed_tag_whose_manifest_the_registry_withholds_is_audited_as_missing_not_left_out_of_the_index()
    {
        using var source = Source(NewNamespace());
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Now);
        var ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0);
        await TrustRepository.AddIndexKeyAsync(f.Repo, f.Root.RootSigner(Now), ivy.Public, null, null, Now);
        await OciTrustArtifact.PushAsync(source.Client, source.Namespace, await f.FilesAsync(), null, Ct);
        foreach (string version in new[] { "1.0.0", "1.1.0" })
        {
            var (archive, file, prov) = SignedChart(f, f.Alice, "hello", version);
            await HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).PushAsync(source.Client, source.Namespace, Ct);
        }
        var selected = Chartseal.Keys.SigningKeySelector.Select(ivy.Secret, ivy.Fingerprint, Now);
        await IndexSnapshotWriter.SignAsync(source, new IndexSigner(selected, selected.Unlock(null)), TimeSpan.FromDays(1), Now, Ct);

        // The registry withholds the fixed version's manifest (the signed map still names it).
        Assert.True(await source.Client.DeleteManifestAsync(source.ChartReference("hello", "1.1.0"), Ct));

        var audit = Assert.IsType<AuditResult.Completed>(await RepositoryAudit.AuditAsync(Source(source.Namespace), f.Pin, f.Store, Now, cancellationToken: Ct));
        var rows = audit.Rows.ToDictionary(r => $"{r.Name} {r.Version}", r => r);
        Assert.True(rows["hello 1.0.0"].IsTrusted, rows["hello 1.0.0"].Message);
        Assert.True(rows.ContainsKey("hello 1.1.0"), "the withheld version is left out of the audit: " + string.Join(", ", rows.Keys));
        Assert.Equal(RejectionReason.MissingArchive, rows["hello 1.1.0"].Reason);
    }

    [Theory]
    [InlineData("1.1.0", "1.0.0")]
    [InlineData("1.1.0", "")]
    [InlineData(null, "")]
    public async Task A_registry_whose_tag_list_hides_a_signed_version_cannot_keep_a_pull_from_it(string? asked, string listed)
    {
        OciReference direct = NewNamespace();
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Now);
        var ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0);
        await TrustRepository.AddIndexKeyAsync(f.Repo, f.Root.RootSigner(Now), ivy.Public, null, null, Now);
        using (var writer = Source(direct))
        {
            await OciTrustArtifact.PushAsync(writer.Client, direct, await f.FilesAsync(), null, Ct);
            foreach (string version in new[] { "1.0.0", "1.1.0" })
            {
                var (archive, file, prov) = SignedChart(f, f.Alice, "hello", version);
                await HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).PushAsync(writer.Client, direct, Ct);
            }
            var selected = Chartseal.Keys.SigningKeySelector.Select(ivy.Secret, ivy.Fingerprint, Now);
            await IndexSnapshotWriter.SignAsync(writer, new IndexSigner(selected, selected.Unlock(null)), TimeSpan.FromDays(1), Now, Ct);
        }
        // The registry's tag list leaves out the fixed version (or every version); the signed tag map holds both.
        string tags = listed.Length == 0 ? "[]" : $"[\"{listed}\"]";
        using var proxy = new RegistryProxy(registry.Host)
        {
            Intercept = context =>
            {
                if (!context.Request.Url!.AbsolutePath.EndsWith("/hello/tags/list", StringComparison.Ordinal))
                {
                    return Task.FromResult(false);
                }
                RegistryProxy.Reply(context, 200, [new("Content-Type", "application/json")], Encoding.UTF8.GetBytes($$"""{"name":"{{direct.Repository}}/hello","tags":{{tags}}}"""));
                return Task.FromResult(true);
            },
        };
        using var hostile = Source(OciReference.Parse($"oci://{proxy.Host}/{direct.Repository}"));

        var results = await ChartPuller.PullAllFromAsync(hostile, f.Pin, f.Store, ["hello"], asked, null, null, Now, Ct);

        var pulled = Assert.IsType<PullResult.Pulled>(Assert.Single(results));
        Assert.Equal("1.1.0", pulled.Verdict.Metadata.Version);
    }

    [Fact]
    public async Task Two_jobs_signing_one_namespace_at_once_end_with_a_snapshot_of_every_tag_and_no_version_signed_twice()
    {
        // Two CI jobs each push a chart and sign the tags. Job A has read the tags (hello 1.0.0 only) when job B pushes
        // hello 1.1.0 and signs; then A's snapshot lands, on top of B's. A registry has no lock to take.
        using var direct = Source(NewNamespace());
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Now);
        var ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0);
        await TrustRepository.AddIndexKeyAsync(f.Repo, f.Root.RootSigner(Now), ivy.Public, null, null, Now);
        await OciTrustArtifact.PushAsync(direct.Client, direct.Namespace, await f.FilesAsync(), null, Ct);
        async Task PushAsync(string version)
        {
            var (archive, file, prov) = SignedChart(f, f.Alice, "hello", version);
            await HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).PushAsync(direct.Client, direct.Namespace, Ct);
        }
        await PushAsync("1.0.0");
        var selected = Chartseal.Keys.SigningKeySelector.Select(ivy.Secret, ivy.Fingerprint, Now);
        var signer = new IndexSigner(selected, selected.Unlock(null));

        TagMapSigning? jobB = null;
        int snapshotPuts = 0;
        using var proxy = new RegistryProxy(registry.Host)
        {
            Intercept = async context =>
            {
                if (context.Request.HttpMethod == "PUT" && context.Request.Url!.AbsolutePath.EndsWith("/manifests/" + OciIndexSnapshot.Tag, StringComparison.Ordinal)
                    && Interlocked.Increment(ref snapshotPuts) == 1)
                {
                    await PushAsync("1.1.0");
                    using var b = Source(direct.Namespace);
                    jobB = await IndexSnapshotWriter.SignAsync(b, signer, TimeSpan.FromDays(1), Now, Ct);
                }
                return false;
            },
        };
        using var jobA = new OciRepositorySource(OciReference.Parse($"oci://{proxy.Host}/{direct.Namespace.Repository}"), registry.ClientOptions());

        var a = await IndexSnapshotWriter.SignAsync(jobA, signer, TimeSpan.FromDays(1), Now, Ct);

        Assert.NotNull(jobB);
        Assert.Equal(2, jobB.Signed);
        // A read its snapshot back, found the tags changed under it and signed again, above B's version (the same second
        // gave both the same version; a client that had read B's would have refused A's first one as a rollback).
        Assert.Equal(2, snapshotPuts);
        Assert.Equal(2, a.Signed);
        Assert.True(a.Snapshot.Version > jobB.Snapshot.Version, $"{a.Snapshot.Version} after {jobB.Snapshot.Version}");
        using var reader = Source(direct.Namespace);
        var stored = (await reader.ReadIndexSnapshotAsync(Ct))!.Value;
        Assert.Equal(["1.0.0", "1.1.0"], OciTagMap.TryParse(stored.Tags!, out _)!.TagsOf("hello").Keys);
        Assert.Contains($"version: {a.Snapshot.Version}", Encoding.UTF8.GetString(stored.Snapshot!), StringComparison.Ordinal);
    }

    /// <summary>A namespace whose trust material names Ivy's index key and that holds hello 1.0.0 (Alice's), as two signing jobs find it.</summary>
    private sealed class RacedNamespace : IDisposable
    {
        private RacedNamespace(OciRepositorySource direct, TrustFixture trust, IndexSigner signer)
        {
            Direct = direct;
            Trust = trust;
            Signer = signer;
        }

        public OciRepositorySource Direct { get; }

        public TrustFixture Trust { get; }

        public IndexSigner Signer { get; }

        /// <summary>The digest of hello 1.0.0's chart layer.</summary>
        public string FirstLayer { get; private set; } = "";

        public static async Task<RacedNamespace> CreateAsync(OciRepositorySource direct)
        {
            var f = new TrustFixture();
            await f.InitWithTwoMaintainersAsync(Now);
            var ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0);
            await TrustRepository.AddIndexKeyAsync(f.Repo, f.Root.RootSigner(Now), ivy.Public, null, null, Now);
            await OciTrustArtifact.PushAsync(direct.Client, direct.Namespace, await f.FilesAsync(), null, Ct);
            var selected = Chartseal.Keys.SigningKeySelector.Select(ivy.Secret, ivy.Fingerprint, Now);
            var raced = new RacedNamespace(direct, f, new IndexSigner(selected, selected.Unlock(null)));
            raced.FirstLayer = await raced.PushAsync("1.0.0");
            return raced;
        }

        /// <summary>Pushes hello <paramref name="version"/>, signed by Alice; returns its chart layer's digest.</summary>
        public async Task<string> PushAsync(string version)
        {
            var (archive, file, prov) = SignedChart(Trust, Trust.Alice, "hello", version);
            await HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).PushAsync(Direct.Client, Direct.Namespace, Ct);
            return "sha256:" + ContentHash.Sha256Hex(archive);
        }

        public void Dispose()
        {
            Trust.Dispose();
            Direct.Dispose();
        }
    }

    private static bool IsSnapshotManifest(HttpListenerContext context, string method) =>
        context.Request.HttpMethod == method && context.Request.Url!.AbsolutePath.EndsWith("/manifests/" + OciIndexSnapshot.Tag, StringComparison.Ordinal);

    [Fact]
    public async Task A_signer_that_judges_the_tags_longer_than_another_takes_to_sign_pushes_above_that_ones_snapshot()
    {
        // Job A started first (its clock an hour behind job B's) but judges the tags longer: B signs and pushes while A
        // downloads the chart. A's snapshot lands last, so it must count up from B's, not from what A read before judging:
        // clients that read B's would refuse a lower version as a rollback.
        using var raced = await RacedNamespace.CreateAsync(Source(NewNamespace()));
        TagMapSigning? jobB = null;
        using var proxy = new RegistryProxy(registry.Host)
        {
            Intercept = async context =>
            {
                if (jobB is null && context.Request.HttpMethod == "GET" && context.Request.Url!.AbsolutePath.EndsWith("/blobs/" + raced.FirstLayer, StringComparison.Ordinal))
                {
                    using var b = Source(raced.Direct.Namespace);
                    jobB = await IndexSnapshotWriter.SignAsync(b, raced.Signer, TimeSpan.FromDays(1), Now.AddHours(1), Ct);
                }
                return false;
            },
        };
        using var jobA = new OciRepositorySource(OciReference.Parse($"oci://{proxy.Host}/{raced.Direct.Namespace.Repository}"), registry.ClientOptions());

        var a = await IndexSnapshotWriter.SignAsync(jobA, raced.Signer, TimeSpan.FromDays(1), Now, Ct);

        Assert.NotNull(jobB);
        Assert.True(a.Snapshot.Version > jobB.Snapshot.Version, $"{a.Snapshot.Version} pushed after {jobB.Snapshot.Version}");
        using var reader = Source(raced.Direct.Namespace);
        Assert.Contains($"version: {a.Snapshot.Version}\n", Encoding.UTF8.GetString((await reader.ReadIndexSnapshotAsync(Ct))!.Value.Snapshot!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signer_whose_snapshot_an_older_one_replaced_signs_again_above_its_own_version()
    {
        // Job B signed hello 1.0.0 an hour before A's clock; A reads that snapshot and signs the same tags. Right after A's
        // push, B's next run lands late: it pushed hello 1.1.0 and its older snapshot lands again on top of A's. A reads
        // back, finds it replaced by a lower version, and signs again: above its own first version, since clients that
        // read that one would refuse the same version over other tags.
        using var raced = await RacedNamespace.CreateAsync(Source(NewNamespace()));
        await IndexSnapshotWriter.SignAsync(raced.Direct, raced.Signer, TimeSpan.FromDays(1), Now, Ct);
        var older = (await raced.Direct.ReadIndexSnapshotAsync(Ct))!.Value;
        int snapshotPuts = 0;
        bool landed = false;
        using var proxy = new RegistryProxy(registry.Host)
        {
            Intercept = async context =>
            {
                if (IsSnapshotManifest(context, "PUT"))
                {
                    Interlocked.Increment(ref snapshotPuts);
                }
                else if (IsSnapshotManifest(context, "GET") && Volatile.Read(ref snapshotPuts) == 1 && !landed)
                {
                    landed = true;
                    await raced.PushAsync("1.1.0");
                    await OciIndexSnapshot.PushAsync(raced.Direct.Client, raced.Direct.Namespace, older.Snapshot!, older.Tags!, Ct);
                }
                return false;
            },
        };
        using var jobA = new OciRepositorySource(OciReference.Parse($"oci://{proxy.Host}/{raced.Direct.Namespace.Repository}"), registry.ClientOptions());

        var a = await IndexSnapshotWriter.SignAsync(jobA, raced.Signer, TimeSpan.FromDays(1), Now.AddHours(1), Ct);

        Assert.True(landed);
        Assert.Equal(2, snapshotPuts);
        Assert.Equal(2, a.Signed);
        long first = new DateTimeOffset(Now.AddHours(1)).ToUnixTimeSeconds(); // A's first version: its clock, above B's
        Assert.True(a.Snapshot.Version > first, $"signed again as version {a.Snapshot.Version}, after version {first}");
        using var reader = Source(raced.Direct.Namespace);
        var stored = (await reader.ReadIndexSnapshotAsync(Ct))!.Value;
        Assert.Equal(["1.0.0", "1.1.0"], OciTagMap.TryParse(stored.Tags!, out _)!.TagsOf("hello").Keys);
        Assert.Contains($"version: {a.Snapshot.Version}\n", Encoding.UTF8.GetString(stored.Snapshot!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signer_that_finds_the_tags_changed_after_every_signing_stops_and_says_its_snapshot_is_not_settled()
    {
        // Other jobs keep pushing charts: after each snapshot this signer pushes, a new tag appears. It stops after
        // MaxSigningAttempts signings, and says so (the last snapshot lacks the newest tag), instead of reporting success.
        using var raced = await RacedNamespace.CreateAsync(Source(NewNamespace()));
        int snapshotPuts = 0;
        using var proxy = new RegistryProxy(registry.Host)
        {
            Intercept = async context =>
            {
                if (IsSnapshotManifest(context, "PUT"))
                {
                    await raced.PushAsync($"1.{Interlocked.Increment(ref snapshotPuts)}.0");
                }
                return false;
            },
        };
        using var signer = new OciRepositorySource(OciReference.Parse($"oci://{proxy.Host}/{raced.Direct.Namespace.Repository}"), registry.ClientOptions());

        var signed = await IndexSnapshotWriter.SignAsync(signer, raced.Signer, TimeSpan.FromDays(1), Now, Ct);

        Assert.Equal(IndexSnapshotWriter.MaxSigningAttempts, snapshotPuts);
        Assert.False(signed.Settled);
        Assert.Equal(IndexSnapshotWriter.MaxSigningAttempts, signed.Signed); // 1.0.0 and the four pushed before the last signing

        // Once the others are done, signing again settles.
        using var again = Source(raced.Direct.Namespace);
        var settled = await IndexSnapshotWriter.SignAsync(again, raced.Signer, TimeSpan.FromDays(1), Now, Ct);
        Assert.True(settled.Settled);
        Assert.Equal(IndexSnapshotWriter.MaxSigningAttempts + 1, settled.Signed);
    }

    [Fact]
    public async Task Index_sign_signs_only_trusted_charts_and_an_image_under_a_version_tag_neither_stops_nor_enters_it()
    {
        using var source = Source(NewNamespace(), ["image"]);
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Now);
        var ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0);
        await TrustRepository.AddIndexKeyAsync(f.Repo, f.Root.RootSigner(Now), ivy.Public, null, null, Now);
        await OciTrustArtifact.PushAsync(source.Client, source.Namespace, await f.FilesAsync(), null, Ct);
        var carol = new TestKey("Carol <carol@example.com>", TrustFixture.T0);
        foreach (var (version, signer) in new[] { ("1.0.0", f.Alice), ("6.6.6", carol) })
        {
            var (archive, file, prov) = SignedChart(f, signer, "hello", version);
            await HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).PushAsync(source.Client, source.Namespace, Ct);
        }
        // Anyone with push rights can put an image under a version tag of a chart's repository (or of its own).
        var (image, imageBlobs) = (new OciManifest(OciDescriptor.For("application/vnd.oci.image.config.v1+json", "{}"u8), []), new[] { OciBlob.Of("application/vnd.oci.image.config.v1+json", "{}"u8.ToArray()) });
        await source.Client.PushArtifactAsync(source.ChartReference("hello", "2.0.0"), image, imageBlobs, Ct);
        await source.Client.PushArtifactAsync(source.ChartReference("image", "1.0.0"), image, imageBlobs, Ct);
        var selected = Chartseal.Keys.SigningKeySelector.Select(ivy.Secret, ivy.Fingerprint, Now);

        var signed = await IndexSnapshotWriter.SignAsync(source, new IndexSigner(selected, selected.Unlock(null)), TimeSpan.FromDays(1), Now, Ct);

        var refused = Assert.Single(signed.Refused);
        Assert.Equal((source.ChartReference("hello", "6.6.6").ToString(), RejectionReason.SignerNotTrusted, (string?)null), (refused.Reference, refused.Refusal.Reason, refused.KeptDigest));
        Assert.Equal(1, signed.Signed);
        var map = OciTagMap.TryParse((await source.ReadIndexSnapshotAsync(Ct))!.Value.Tags!, out _)!;
        Assert.Equal(["hello"], map.Charts);
        Assert.Equal(["1.0.0"], map.TagsOf("hello").Keys);
    }

    [Fact]
    public async Task Push_goes_through_the_gate_and_resign_replaces_only_the_provenance_layer()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        var (archive, file, prov) = SignedChart(f, f.Alice, "hello", "1.0.0");
        var carol = new TestKey("Carol <carol@example.com>", TrustFixture.T0);
        var options = new OciPushOptions(f.Pin, Created: DateTimeOffset.UnixEpoch);

        var untrusted = Assert.IsType<PublishResult.Rejected>(await OciChartPublisher.PushAsync(source, new ChartUpload(file, archive, carol.Sign(archive, file, Now)), options, f.Store, Now, Ct));
        Assert.Equal(RejectionReason.SignerNotTrusted, untrusted.Reason);
        Assert.Empty(await source.Client.ListTagsAsync(source.Namespace.Child("hello"), 0, Ct));

        Assert.IsType<PublishResult.Published>(await OciChartPublisher.PushAsync(source, new ChartUpload(file, archive, prov), options, f.Store, Now, Ct));
        OciReference reference = source.ChartReference("hello", "1.0.0");
        var before = (await source.Client.GetManifestAsync(reference, Ct))!;
        Assert.Equal(HelmChartArtifact.Create(archive, file, prov, DateTimeOffset.UnixEpoch).ManifestDigest, before.Digest); // what helm push would store
        Assert.Equal(["hello"], await OciChartList.ReadAsync(source.Client, source.Namespace, Ct));
        Assert.Equal(RejectionReason.VersionExists, Assert.IsType<PublishResult.Rejected>(await OciChartPublisher.PushAsync(source, new ChartUpload(file, archive, prov), options, f.Store, Now, Ct)).Reason);

        // Bob re-signs: a .prov for another archive is refused; his .prov over the stored chart layer replaces Alice's.
        byte[] otherArchive = ChartPackager.Package(ChartFixtures.WriteChart(f.Temp.File("changed"), ("Chart.yaml", "apiVersion: v2\nname: hello\nversion: 1.0.0\n"), ("values.yaml", "changed: true\n"))).Archive;
        var wrong = Assert.IsType<PublishResult.Rejected>(await OciChartPublisher.ReplaceProvenanceAsync(source, f.Bob.Sign(otherArchive, file, Now), "bob.prov", f.Pin, f.Store, Now, Ct));
        Assert.Equal(RejectionReason.HashMismatch, wrong.Reason);
        byte[] bobProv = f.Bob.Sign(archive, file, Now);
        Assert.IsType<PublishResult.Published>(await OciChartPublisher.ReplaceProvenanceAsync(source, bobProv, "bob.prov", f.Pin, f.Store, Now, Ct));

        var after = (await source.Client.GetManifestAsync(reference, Ct))!.Parse("after");
        var old = before.Parse("before");
        Assert.Equal(old.Config, after.Config);
        Assert.Equal(old.Annotations, after.Annotations);
        Assert.Equal(old.FindLayer(OciMediaTypes.HelmChartContent), after.FindLayer(OciMediaTypes.HelmChartContent));
        Assert.Equal(bobProv, await source.Client.GetBlobAsync(reference, after.FindLayer(OciMediaTypes.HelmProvenance)!, Ct));
        Assert.Equal(after.Layers.Select(l => l.Digest).Order(StringComparer.Ordinal), after.Layers.Select(l => l.Digest));
        var (unpushed, unpushedName, _) = SignedChart(f, f.Alice, "hello", "1.0.0-other");
        var unknown = Assert.IsType<PublishResult.Rejected>(await OciChartPublisher.ReplaceProvenanceAsync(source, f.Bob.Sign(unpushed, unpushedName, Now), "x", f.Pin, f.Store, Now, Ct));
        Assert.Equal(RejectionReason.VersionNotFound, unknown.Reason);
        Assert.Contains("hello:1.0.0-other does not exist", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resign_refuses_a_chart_layer_swapped_behind_its_provenance_layer()
    {
        using var source = Source(NewNamespace());
        using var f = await TrustedNamespaceAsync(source);
        var (archive, file, prov) = SignedChart(f, f.Alice, "hello", "1.0.0");
        Assert.IsType<PublishResult.Published>(await OciChartPublisher.PushAsync(source, new ChartUpload(file, archive, prov), new OciPushOptions(f.Pin, Created: DateTimeOffset.UnixEpoch), f.Store, Now, Ct));
        // Someone with write access to the registry swaps the chart layer and keeps Alice's provenance layer.
        byte[] swapped = ChartPackager.Package(ChartFixtures.WriteChart(f.Temp.File("swapped"), ("Chart.yaml", "apiVersion: v2\nname: hello\nversion: 1.0.0\n"), ("values.yaml", "swapped: true\n"))).Archive;
        var artifact = HelmChartArtifact.Create(swapped, file, prov, DateTimeOffset.UnixEpoch);
        OciReference reference = source.ChartReference("hello", "1.0.0");
        await source.Client.PushArtifactAsync(reference, artifact.Manifest, artifact.Blobs, Ct);
        var before = (await source.Client.GetManifestAsync(reference, Ct))!;

        // Bob signs what the registry holds now: re-signing must not bless the swapped chart.
        var refused = Assert.IsType<PublishResult.Rejected>(await OciChartPublisher.ReplaceProvenanceAsync(source, f.Bob.Sign(swapped, file, Now), "bob.prov", f.Pin, f.Store, Now, Ct));

        Assert.True(refused.Reason == RejectionReason.HashMismatch, refused.Message);
        Assert.Contains("current .prov", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before.Digest, (await source.Client.GetManifestAsync(reference, Ct))!.Digest);
    }

    [Fact]
    public async Task Concurrent_pushes_of_different_charts_all_end_in_the_chart_list()
    {
        using var source = Source(NewNamespace());
        string[] names = ["a", "b", "c", "d", "e", "f"];

        await Task.WhenAll(names.Select(n => OciChartList.AddAsync(source.Client, source.Namespace, n, Ct)));

        Assert.Equal(names, await OciChartList.ReadAsync(source.Client, source.Namespace, Ct));
        Assert.False(await OciChartList.AddAsync(source.Client, source.Namespace, "a", Ct));
        Assert.False(await OciChartList.AddAsync(source.Client, source.Namespace, new string('x', 123), Ct)); // too long for a tag: not recorded
    }
}

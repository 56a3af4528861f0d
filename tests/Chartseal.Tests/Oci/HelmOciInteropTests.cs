using System.Text;
using System.Text.RegularExpressions;
using Chartseal.Oci;
using Chartseal.Tests.Provenance;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Oci;

/// <summary>
/// The client and the real Helm against the same real registry: what <c>helm push</c> stores is read and checked by the
/// client, byte-identical to what <see cref="HelmChartArtifact"/> builds; what the client pushes, <c>helm pull</c>
/// (<c>--verify</c>) and <c>helm show chart</c> read.
/// </summary>
public partial class HelmOciInteropTests(HelmOciInteropTests.Registry registry) : IClassFixture<HelmOciInteropTests.Registry>
{
    public sealed class Registry() : OciTestRegistry(RegistryAuth.None);

    private static readonly Dictionary<string, string> Utc = new() { ["TZ"] = "UTC" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A chart whose metadata exercises Helm's JSON: escapes, non-ASCII, maintainers, dependencies, annotations.</summary>
    private const string RichChartYaml = """
        apiVersion: v2
        name: rich
        version: 1.2.3+build.7
        appVersion: "4.5"
        description: Uses <b>tags</b> & "quotes" — und Ümlaute
        home: https://example.com/rich
        sources:
          - https://github.com/example/rich
          - https://mirror.example/rich
        keywords: [oci, helm]
        maintainers:
          - name: Ann Example
            email: ann@example.com
          - name: Bob
            url: https://bob.example
        icon: https://example.com/icon.png
        kubeVersion: ">=1.25.0-0"
        deprecated: true
        type: application
        annotations:
          example.com/zeta: last
          example.com/alpha: "first & <foremost>"
          org.opencontainers.image.title: ignored-by-helm
          org.opencontainers.image.licenses: Apache-2.0
        dependencies:
          - name: sub
            version: ~1.0.0
            repository: https://charts.example.com
            condition: sub.enabled
            tags: [backend]
            alias: child
            import-values:
              - data
              - child: exports.x
                parent: imported.x
        """;

    private static string PackageRich(TempDirectory temp)
    {
        // The declared dependency is vendored in charts/, as helm package requires.
        Charts.ChartFixtures.WriteChart(temp.File("rich/charts/sub"), ("Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.3\n"));
        (byte[] archive, string name) = ProvenanceKit.Package(temp, RichChartYaml, "rich");
        string path = temp.File(name);
        File.WriteAllBytes(path, archive);
        return path;
    }

    [Fact]
    public async Task What_helm_push_stores_is_read_and_equals_what_HelmChartArtifact_builds()
    {
        using var temp = new TempDirectory();
        foreach (string file in new[] { "hashtest-1.2.3.tgz", "hashtest-1.2.3.tgz.prov" })
        {
            File.Copy(TestPaths.Helm(file), temp.File(file));
        }
        await AssertHelmPushMatchesAsync(temp, temp.File("hashtest-1.2.3.tgz"), "hashtest", "1.2.3", withProv: true);
    }

    [Fact]
    public async Task A_chart_with_rich_metadata_gets_the_same_manifest_digest_as_helm_push()
    {
        using var temp = new TempDirectory();
        string archive = PackageRich(temp);
        await AssertHelmPushMatchesAsync(temp, archive, "rich", "1.2.3_build.7", withProv: false);
    }

    private async Task AssertHelmPushMatchesAsync(TempDirectory temp, string archive, string name, string tag, bool withProv)
    {
        var created = new DateTimeOffset(2024, 2, 29, 12, 34, 56, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(archive, created.UtcDateTime); // helm push writes the archive's mtime as "created"
        string ns = "pushed-by-helm-" + name;
        HelmResult pushed = HelmPeer.V4.Run(temp.Path, Utc, "push", archive, $"oci://{registry.Host}/{ns}", "--plain-http");
        Assert.True(pushed.ExitCode == 0, pushed.ToString());
        string helmDigest = DigestLine().Match(pushed.StdOut + pushed.StdErr).Groups[1].Value;

        using var client = new OciRegistryClient(registry.ClientOptions());
        OciReference reference = registry.Reference($"{ns}/{name}:{tag}");
        OciManifestResponse manifest = (await client.GetManifestAsync(reference, Ct))!;
        Assert.Equal(helmDigest, manifest.Digest);
        HelmChartLayers layers = HelmChartArtifact.ReadLayers(manifest.Parse(reference.ToString()), reference.ToString());
        byte[] archiveBytes = File.ReadAllBytes(archive);
        Assert.Equal(archiveBytes, await client.GetBlobAsync(reference, layers.Chart, Ct));
        byte[]? prov = withProv ? File.ReadAllBytes(archive + ".prov") : null;
        if (withProv)
        {
            Assert.Equal(prov, await client.GetBlobAsync(reference, layers.Provenance!, Ct));
        }
        else
        {
            Assert.Null(layers.Provenance);
        }

        HelmChartArtifact ours = HelmChartArtifact.Create(archiveBytes, Path.GetFileName(archive), prov, created);
        Assert.Equal(Encoding.UTF8.GetString(await client.GetBlobAsync(reference, layers.Config, Ct)), Encoding.UTF8.GetString(ours.Config.Content.Span));
        Assert.Equal(Encoding.UTF8.GetString(manifest.Content), Encoding.UTF8.GetString(ours.ManifestBytes));
        Assert.Equal(helmDigest, ours.ManifestDigest);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task Helm_pulls_verifies_and_shows_a_signed_chart_the_client_pushed(string helmVersion)
    {
        HelmPeer helm = HelmPeer.Of(helmVersion);
        using var temp = new TempDirectory();
        string archivePath = PackageRich(temp);
        byte[] archive = File.ReadAllBytes(archivePath);
        byte[] prov = ProvenanceKit.SignArchive(archive, Path.GetFileName(archivePath));
        HelmChartArtifact artifact = HelmChartArtifact.Create(archive, Path.GetFileName(archivePath), prov, DateTimeOffset.UtcNow);
        string ns = "pushed-by-chartseal-" + helmVersion.Replace('.', '-');
        using (var client = new OciRegistryClient(registry.ClientOptions()))
        {
            await artifact.PushAsync(client, registry.Reference(ns), Ct);
        }
        string chartUrl = $"oci://{registry.Host}/{ns}/rich";

        string destination = Directory.CreateDirectory(temp.File("pulled")).FullName;
        HelmResult pulled = helm.Run(temp.Path, "pull", chartUrl, "--version", "1.2.3+build.7", "--plain-http",
            "--verify", "--keyring", TestPaths.Helm("helm-test-key.pub"), "--destination", destination);
        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        Assert.Equal(archive, File.ReadAllBytes(Path.Combine(destination, "rich-1.2.3+build.7.tgz")));
        Assert.Equal(prov, File.ReadAllBytes(Path.Combine(destination, "rich-1.2.3+build.7.tgz.prov")));

        HelmResult shown = helm.Run(temp.Path, "show", "chart", chartUrl, "--version", "1.2.3+build.7", "--plain-http");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("name: rich\n", shown.StdOut);
        Assert.Contains("version: 1.2.3+build.7\n", shown.StdOut);

        // With a keyring that lacks the signer, helm pull --verify refuses the same chart: the provenance layer was checked.
        HelmResult refused = helm.Run(temp.Path, "pull", chartUrl, "--version", "1.2.3+build.7", "--plain-http",
            "--verify", "--keyring", TestPaths.Helm("helm-password-key.secret"), "--destination", Directory.CreateDirectory(temp.File("refused")).FullName);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("unknown entity", refused.StdErr);
    }

    [GeneratedRegex(@"Digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex DigestLine();
}

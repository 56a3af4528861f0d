using System.Text;
using Chartseal.Charts;
using Chartseal.Oci;
using Chartseal.Tests.Provenance;
using Chartseal.Tests.Support;
using Chartseal.Compat;

namespace Chartseal.Tests.Oci;

public class OciManifestTests
{
    private static readonly DateTimeOffset SigntestCreated = new(1977, 9, 2, 22, 4, 5, TimeSpan.Zero);

    [Fact]
    public void The_signtest_chart_gives_exactly_the_manifest_and_config_Helm_pushes()
    {
        byte[] archive = File.ReadAllBytes(TestPaths.Helm("extra/downloader-testdata/signtest-0.1.0.tgz"));
        byte[] prov = File.ReadAllBytes(TestPaths.Helm("extra/downloader-testdata/signtest-0.1.0.tgz.prov"));
        byte[] expectedManifest = File.ReadAllBytes(TestPaths.Helm("extra/oci-manifest-signtest.json"));
        byte[] expectedConfig = File.ReadAllBytes(TestPaths.Helm("extra/oci-config-signtest.json"));

        HelmChartArtifact artifact = HelmChartArtifact.Create(archive, "signtest-0.1.0.tgz", prov, SigntestCreated);

        Assert.Equal(Encoding.UTF8.GetString(expectedConfig), Encoding.UTF8.GetString(artifact.Config.Content.Span));
        Assert.Equal(Encoding.UTF8.GetString(expectedManifest), Encoding.UTF8.GetString(artifact.ManifestBytes));
        Assert.Equal("sha256:fbbade96da6050f68f94f122881e3b80051a18f13ab5f4081868dd494538f5c2", artifact.ManifestDigest);
        Assert.Equal("0.1.0", artifact.Tag);
        Assert.Equal([artifact.Config, artifact.Provenance!, artifact.Chart], artifact.Blobs); // layers sorted by digest: b0a0… before e5ef…
    }

    [Fact]
    public void ReadLayers_finds_the_chart_and_provenance_of_Helms_manifest()
    {
        OciManifest manifest = OciManifest.Parse(File.ReadAllBytes(TestPaths.Helm("extra/oci-manifest-signtest.json")), "signtest");
        HelmChartLayers layers = HelmChartArtifact.ReadLayers(manifest, "signtest");
        Assert.Equal("sha256:e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55", layers.Chart.Digest);
        Assert.Equal(973, layers.Chart.Size);
        Assert.Equal("sha256:b0a02b7412f78ae93324d48df8fcc316d8482e5ad7827b5b238657a29a22f256", layers.Provenance!.Digest);
        Assert.Equal(OciMediaTypes.HelmConfig, layers.Config.MediaType);
        Assert.False(layers.IsLegacyChartMediaType);
        Assert.Null(manifest.MediaType);
        Assert.Equal("0.1.0", manifest.Annotations![OciAnnotations.Version]);
    }

    [Fact]
    public void ReadLayers_refuses_manifests_that_are_not_one_chart()
    {
        OciDescriptor config = OciDescriptor.For(OciMediaTypes.HelmConfig, "{}"u8);
        OciDescriptor chart = OciDescriptor.For(OciMediaTypes.HelmChartContent, "a"u8);
        OciDescriptor prov = OciDescriptor.For(OciMediaTypes.HelmProvenance, "p"u8);
        Assert.Contains("no layer has media type", Assert.Throws<ChartsealException>(() => HelmChartArtifact.ReadLayers(new OciManifest(config, [prov]), "x")).Message);
        Assert.Contains("more than one chart layer", Assert.Throws<ChartsealException>(() =>
            HelmChartArtifact.ReadLayers(new OciManifest(config, [chart, OciDescriptor.For(OciMediaTypes.HelmChartContent, "b"u8)]), "x")).Message);
        Assert.Contains("more than one provenance layer", Assert.Throws<ChartsealException>(() =>
            HelmChartArtifact.ReadLayers(new OciManifest(config, [chart, prov, OciDescriptor.For(OciMediaTypes.HelmProvenance, "q"u8)]), "x")).Message);
        Assert.Contains("is not a Helm chart", Assert.Throws<ChartsealException>(() =>
            HelmChartArtifact.ReadLayers(new OciManifest(OciDescriptor.Empty, [chart]), "x")).Message);
        HelmChartLayers legacy = HelmChartArtifact.ReadLayers(new OciManifest(config, [OciDescriptor.For(OciMediaTypes.LegacyHelmChartContent, "a"u8)]), "x");
        Assert.True(legacy.IsLegacyChartMediaType);
        Assert.Null(legacy.Provenance);
    }

    [Fact]
    public void Strings_are_escaped_as_Go_escapes_them()
    {
        var manifest = new OciManifest(OciDescriptor.Empty, [],
            new Dictionary<string, string> { ["k"] = "<a & b> é 😀 \u2028\u2029 \u0001\u001f \t\n\r\b\f \"q\" \\ \u007f +" });
        Assert.Equal(
            """{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"annotations":{"k":"\u003ca \u0026 b\u003e é 😀 \u2028\u2029 \u0001\u001f \t\n\r\b\f \"q\" \\ """ + "\u007f" + """ +"}}""",
            Encoding.UTF8.GetString(manifest.ToJson()));
    }

    [Fact]
    public void Map_keys_are_sorted_by_their_UTF8_bytes_as_Go_sorts_them()
    {
        var manifest = new OciManifest(OciDescriptor.Empty, [], new Dictionary<string, string> { ["b"] = "2", ["\uFF21"] = "4", ["😀"] = "5", ["B"] = "1", ["a"] = "3" });
        string json = Encoding.UTF8.GetString(manifest.ToJson());
        Assert.EndsWith("""{"B":"1","a":"3","b":"2","Ａ":"4","😀":"5"}}""", json); // UTF-16 order would put the emoji's surrogates before U+FF21
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(100.0, "100")]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.0000001, "1e-7")]
    [InlineData(-2.5e-10, "-2.5e-10")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.2345678901234568e20, "123456789012345680000")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(0.1, "0.1")]
    public void Numbers_are_written_as_Go_writes_float64(double value, string expected) =>
        Assert.Equal(expected, GoJsonText.FormatFloat64(value));

    [Fact]
    public void The_config_blob_is_the_metadata_in_Go_struct_order_with_omitempty()
    {
        var metadata = new ChartMetadata
        {
            ApiVersion = "v2",
            Name = "full",
            Version = "1.0.0+meta",
            Description = "Uses <html> & more",
            Home = "https://example.com",
            Sources = ["https://src/a", "https://src/b"],
            Keywords = ["k1"],
            Maintainers = [new ChartMaintainer { Name = "Ann", Email = "ann@example.com" }, new ChartMaintainer()],
            Icon = "https://icon",
            AppVersion = "2.0",
            Deprecated = true,
            Annotations = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" },
            KubeVersion = ">=1.20",
            Type = "application",
            Dependencies =
            [
                new ChartDependency
                {
                    Name = "dep", Version = "1.x", Repository = "", Enabled = true, Tags = ["t"],
                    ImportValues = ["data", new Dictionary<string, object?> { ["parent"] = "p", ["child"] = "c", ["n"] = 1.0 }],
                },
            ],
        };
        Assert.Equal(
            """{"name":"full","home":"https://example.com","sources":["https://src/a","https://src/b"],"version":"1.0.0+meta","description":"Uses \u003chtml\u003e \u0026 more","keywords":["k1"],"maintainers":[{"name":"Ann","email":"ann@example.com"},{}],"icon":"https://icon","apiVersion":"v2","appVersion":"2.0","deprecated":true,"annotations":{"a":"2","z":"1"},"kubeVersion":"\u003e=1.20","dependencies":[{"name":"dep","version":"1.x","repository":"","tags":["t"],"enabled":true,"import-values":["data",{"child":"c","n":1,"parent":"p"}]}],"type":"application"}""",
            Encoding.UTF8.GetString(HelmChartArtifact.ConfigJson(metadata)));
    }

    [Fact]
    public void Annotations_follow_Helms_rules()
    {
        using var temp = new TempDirectory();
        (byte[] archive, _) = ProvenanceKit.Package(temp, """
            apiVersion: v2
            name: annotated
            version: 1.0.0
            description: "   "
            home: https://home
            sources: [https://first, https://second]
            maintainers:
              - name: Ann
                email: ann@example.com
              - name: Bob
            annotations:
              org.opencontainers.image.title: not-the-name
              org.opencontainers.image.description: from the chart
              custom: "yes"
            """);
        HelmChartArtifact artifact = HelmChartArtifact.Create(archive, "annotated-1.0.0.tgz", null, new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(-5)));
        var annotations = artifact.Manifest.Annotations!;
        Assert.Equal("2024-05-06T07:08:09-05:00", annotations[OciAnnotations.Created]);
        Assert.Equal("annotated", annotations[OciAnnotations.Title]); // the chart's own title annotation does not override it
        Assert.Equal("1.0.0", annotations[OciAnnotations.Version]);
        Assert.Equal("from the chart", annotations[OciAnnotations.Description]); // but it may override the description
        Assert.Equal("https://home", annotations[OciAnnotations.Url]);
        Assert.Equal("https://first", annotations[OciAnnotations.Source]);
        Assert.Equal("Ann (ann@example.com), Bob", annotations[OciAnnotations.Authors]);
        Assert.Equal("yes", annotations["custom"]);
        Assert.Single(artifact.Manifest.Layers);
        Assert.Null(artifact.Provenance);
    }

    [Fact]
    public void An_artifact_manifest_round_trips_with_every_field()
    {
        var layer = OciDescriptor.For("application/vnd.example.layer", "layer"u8, new Dictionary<string, string> { ["org.opencontainers.image.title"] = "file.txt" });
        var subject = OciDescriptor.For(OciMediaTypes.ImageManifest, "subject"u8);
        var manifest = new OciManifest(OciDescriptor.Empty, [layer], new Dictionary<string, string> { ["x"] = "y" })
        {
            MediaType = OciMediaTypes.ImageManifest,
            ArtifactType = "application/vnd.example.trust",
            Subject = subject,
        };
        byte[] json = manifest.ToJson();
        Assert.StartsWith("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.trust","config":""", Encoding.UTF8.GetString(json));
        OciManifest read = OciManifest.Parse(json, "x");
        Assert.Equal(manifest.MediaType, read.MediaType);
        Assert.Equal(manifest.ArtifactType, read.ArtifactType);
        Assert.Equal(manifest.Config, read.Config);
        Assert.Equal(subject, read.Subject);
        Assert.Equal("file.txt", read.Layers.Single().Annotations!["org.opencontainers.image.title"]);
        Assert.Equal("y", read.Annotations!["x"]);
        Assert.Equal(json, read.ToJson());
    }

    [Theory]
    [InlineData("annotation-value")]
    [InlineData("annotation-name")]
    [InlineData("invalid-utf8")]
    public void Parse_refuses_strings_that_are_not_Unicode_instead_of_throwing_InvalidOperationException(string where)
    {
        // Found by the fuzz tests (seeds fuzz-corpus/oci/regression-*.json): System.Text.Json checks a string only when
        // it is read, and then throws InvalidOperationException.
        const string Start = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\","
            + "\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\",\"size\":1},\"layers\":[]";
        byte[] json = where switch
        {
            "annotation-value" => Encoding.UTF8.GetBytes(Start + ",\"annotations\":{\"a\":\"\\ud800\"}}"),
            "annotation-name" => Encoding.UTF8.GetBytes(Start + ",\"annotations\":{\"\\udc00\":\"a\"}}"),
            _ => [.. Encoding.UTF8.GetBytes(Start + ",\"annotations\":{\"a\":\"caf"), 0xC3, 0x28, .. "\"}}"u8],
        };

        var e = Assert.Throws<ChartsealException>(() => OciManifest.Parse(json, "oci://h/ns/app:1"));

        Assert.StartsWith("oci://h/ns/app:1: manifest is not valid JSON: a name or string is not valid UTF-8 or UTF-16", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""", "image index")]
    [InlineData("""{"schemaVersion":2,"manifests":[]}""", "image index")]
    [InlineData("""{"schemaVersion":1,"config":{},"layers":[]}""", "schemaVersion 2")]
    [InlineData("""{"schemaVersion":2,"layers":[]}""", "no config")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:00","size":1},"layers":[]}""", "not a valid digest")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":-1},"layers":[]}""", "no valid size")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1},"layers":{}}""", "no layers array")]
    [InlineData("""{"schemaVersion":2,"schemaVersion":2,"config":{},"layers":[]}""", "twice")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1},"layers":[],"annotations":{"a":1}}""", "not a string")]
    [InlineData("""{"schemaVersion":2,"mediaType":"text/plain","config":{},"layers":[]}""", "media type \"text/plain\"")]
    public void Parse_refuses_malformed_manifests(string json, string reason)
    {
        var e = Assert.Throws<ChartsealException>(() => OciManifest.Parse(Encoding.UTF8.GetBytes(json), "oci://h/ns/app:1"));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("oci://h/ns/app:1: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}

using System.Diagnostics;
using System.Text;
using Chartseal.Charts;
using Chartseal.Provenance;

namespace Chartseal.Tests.Charts;

/// <summary>
/// Deep nesting in the YAML we read from untrusted sources. YamlDotNet's scanner checks every open flow level on
/// each token, so a document of nested <c>[</c> costs time quadratic in its depth: measured on this code before the
/// fix, skipping an unknown index.yaml key of 10,000 / 20,000 / 40,000 <c>[</c> took 0.6 / 2.5 / 10.7 s (and
/// ended in an InvalidOperationException), so 400 KB took minutes. The bound stops the scanner at the first event
/// past the allowed depth. The tests assert the refusal and its reason, not a wall time.
/// </summary>
public sealed class YamlNestingTests
{
    private const int Depth = BoundedYamlReader.DefaultMaxDepth;

    private static ChartIndex LoadIndex(string yaml) => ChartIndex.Load(new MemoryStream(Encoding.UTF8.GetBytes(yaml)), "index.yaml");

    private static string Nested(int depth) => new string('[', depth) + "x" + new string(']', depth);

    [Fact]
    public void NestedFlowUnderAnUnknownIndexKey_400KB_RefusedForItsDepth()
    {
        string yaml = "apiVersion: v1\nextra: " + new string('[', 400_000) + "\nentries: {}\n";
        var clock = Stopwatch.StartNew();

        var ex = Assert.Throws<ChartsealException>(() => LoadIndex(yaml));

        Assert.Equal($"index.yaml: YAML nesting is deeper than {Depth} levels; refusing", ex.Message);
        // Reported, not asserted (a shared machine): before the bound this took minutes.
        TestContext.Current.TestOutputHelper?.WriteLine($"refused in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void NestedFlowUnderAnUnknownIndexKey_AtTheAllowedDepth_Parses()
    {
        var index = LoadIndex($"apiVersion: v1\nextra: {Nested(Depth)}\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n");
        Assert.Equal("1.0.0", Assert.Single(index.Entries["demo"]).Metadata.Version);

        var ex = Assert.Throws<ChartsealException>(() => LoadIndex($"apiVersion: v1\nextra: {Nested(Depth + 1)}\n"));
        Assert.Contains("nesting is deeper than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedBlockMappingsUnderAnUnknownIndexKey_RefusedForTheirDepth()
    {
        var yaml = new StringBuilder("apiVersion: v1\nextra:\n");
        for (int i = 1; i <= 200; i++)
        {
            yaml.Append(' ', i).Append("k:\n");
        }
        var ex = Assert.Throws<ChartsealException>(() => LoadIndex(yaml.ToString()));
        Assert.Equal($"index.yaml: YAML nesting is deeper than {Depth} levels; refusing", ex.Message);
    }

    [Fact]
    public void NestedFlowInAnIndexEntry_RefusedForItsDepth()
    {
        string yaml = "apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n    keywords: " + new string('[', 400_000) + "\n";
        var ex = Assert.Throws<ChartsealException>(() => LoadIndex(yaml));
        Assert.Equal($"index.yaml: entries.demo: YAML nesting is deeper than {Depth} levels; refusing", ex.Message);
    }

    [Theory]
    [InlineData("apiVersion: v1\nextra: [[a]\nentries: {}\n")]
    [InlineData("apiVersion: v1\nentries:\n  demo:\n  - name: [[a]\nx: {}\n")]
    public void UnclosedFlowBeforeABlockKey_InvalidIndexNotInvalidOperationException(string yaml)
    {
        // YamlDotNet's scanner throws InvalidOperationException here; it escaped as a crash.
        var ex = Assert.Throws<ChartsealException>(() => LoadIndex(yaml));
        Assert.StartsWith("index.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: v1\nextra: !!a]\n")]
    [InlineData("apiVersion: v1\nentries:\n  demo:\n  - name: !!a]\n")]
    public void InvalidGlobalTag_InvalidIndexNotArgumentException(string yaml)
    {
        // Found by the fuzz tests (index seed regression-global-tag-uri.yaml): YamlDotNet throws ArgumentException.
        var ex = Assert.Throws<ChartsealException>(() => LoadIndex(yaml));
        Assert.Contains("Global tags must be valid URIs", ex.Message, StringComparison.Ordinal);
        var chart = Assert.Throws<ChartsealException>(() => ChartYaml.Parse("apiVersion: v2\nname: !!a]\nversion: 1.0.0\n"u8, "Chart.yaml"));
        Assert.StartsWith("Chart.yaml: invalid YAML", chart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IndexNotUtf8_SaysSoNotTheDecodersMessage()
    {
        // The decoder's DecoderFallbackException is an ArgumentException too: it must not be taken for a YAML error.
        byte[] yaml = [.. "apiVersion: v1\nentries:\n  demo:\n  - name: caf"u8, 0xC3, 0x28, .. "\n"u8];
        var ex = Assert.Throws<ChartsealException>(() => ChartIndex.Load(new MemoryStream(yaml), "index.yaml"));
        Assert.Equal("index.yaml: invalid index: not UTF-8 text", ex.Message);
    }

    [Fact]
    public void NestedFlowInChartYaml_400KB_RefusedForItsDepth()
    {
        byte[] yaml = Encoding.UTF8.GetBytes("apiVersion: v2\nname: demo\nversion: 1.0.0\nannotations: " + new string('[', 400_000) + "\n");
        var ex = Assert.Throws<ChartsealException>(() => ChartYaml.Parse(yaml, "Chart.yaml"));
        Assert.Equal($"Chart.yaml: YAML nesting is deeper than {Depth} levels; refusing", ex.Message);

        var unclosed = Assert.Throws<ChartsealException>(() => ChartYaml.Parse("apiVersion: v2\nkeywords: [[a]\nname: demo\n"u8, "Chart.yaml"));
        Assert.StartsWith("Chart.yaml: invalid YAML", unclosed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedFlowInValuesYaml_RefusedForItsDepth()
    {
        byte[] yaml = Encoding.UTF8.GetBytes("a: " + new string('[', 400_000) + "\n");
        var ex = Assert.Throws<ChartsealException>(() => BoundedYamlReader.CheckSyntax(yaml, "values.yaml"));
        Assert.Equal("values.yaml: YAML nesting is deeper than 256 levels; refusing", ex.Message);
    }

    [Fact]
    public void NestedFlowInTheProvenanceFilesSection_ErrorNotStackOverflow()
    {
        // Parsed only after the signature verified, but the signer may be a revoked key: YamlStream recursed per level.
        string body = "apiVersion: v2\nname: demo\nversion: 1.0.0\n\n...\nfiles: " + new string('[', 200_000) + "\n";
        Assert.Null(ProvenanceBody.TryParse(body, out string error));
        Assert.Equal($"files section: YAML nesting is deeper than {Depth} levels; refusing", error);

        var ok = ProvenanceBody.TryParse("apiVersion: v2\nname: demo\nversion: 1.0.0\n\n...\nfiles:\n  demo-1.0.0.tgz: sha256:ab\n  empty.tgz:\n", out error);
        Assert.NotNull(ok);
        Assert.Equal("sha256:ab", ok.Files["demo-1.0.0.tgz"]);
        Assert.Equal("", ok.Files["empty.tgz"]);
    }
}

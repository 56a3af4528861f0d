using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Charts;

public class ChartIndexTests
{
    private static string RealIndex => Path.Combine(TestPaths.Vectors, "real-index", "platform9-index.yaml");

    [Fact]
    public async Task LoadAsync_RealHelmIndex_ReadsEveryEntry()
    {
        var index = await ChartIndex.LoadAsync(RealIndex, TestContext.Current.CancellationToken);

        string text = await File.ReadAllTextAsync(RealIndex, TestContext.Current.CancellationToken);
        int digests = text.Split('\n').Count(l => l.TrimStart().StartsWith("digest:", StringComparison.Ordinal));
        Assert.Equal(digests, index.Count);
        Assert.NotEmpty(index.Entries);
        Assert.All(index.Entries.Values.SelectMany(v => v), e =>
        {
            Assert.Matches("^[0-9a-f]{64}$", e.Digest);
            Assert.NotEmpty(e.Urls);
            Assert.NotEmpty(e.Metadata.Version);
        });
    }

    [Fact]
    public async Task Serialize_RealHelmIndex_ReproducesHelmsBytes()
    {
        var index = await ChartIndex.LoadAsync(RealIndex, TestContext.Current.CancellationToken);
        string written = index.Serialize();

        // Helm's own output, byte for byte: key order, quoting, 80-column folding, times.
        Assert.Equal(await File.ReadAllTextAsync(RealIndex, TestContext.Current.CancellationToken), written);
        Assert.Contains("\ngenerated: \"", written, StringComparison.Ordinal);
        Assert.Contains("    created: \"", written, StringComparison.Ordinal);
        var again = ChartIndex.Load(new MemoryStream(Encoding.UTF8.GetBytes(written)), "written");
        Assert.Equal(index.Count, again.Count);
        foreach (var (name, versions) in index.Entries)
        {
            Assert.Equal(versions.Select(v => (v.Metadata.Version, v.Digest)), again.Entries[name].Select(v => (v.Metadata.Version, v.Digest)));
        }
    }

    [Fact]
    public void Load_JsonIndex_IsAccepted()
    {
        const string json = """{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","apiVersion":"v2","digest":"sha256:00ff","urls":["a-1.0.0.tgz"]}]}}""";
        var index = ChartIndex.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "index.json");
        var entry = Assert.Single(index.Entries["a"]);
        Assert.Equal("00ff", entry.Digest);
        Assert.Equal("a-1.0.0.tgz", Assert.Single(entry.Urls));
    }

    [Fact]
    public void SortVersions_MixedVersions_NewestFirstUnparsableLast()
    {
        var index = new ChartIndex();
        foreach (string v in new[] { "1.2.0", "bogus", "1.10.0", "1.10.0-rc.1" })
        {
            index.Add(new IndexEntry { Metadata = new ChartMetadata { Name = "c", Version = v, ApiVersion = "v2" }, Urls = [$"c-{v}.tgz"], Digest = "00" });
        }
        index.SortVersions();
        Assert.Equal(["1.10.0", "1.10.0-rc.1", "1.2.0", "bogus"], index.Entries["c"].Select(e => e.Metadata.Version));
    }

    [Theory]
    [InlineData("", "empty index.yaml file")]
    [InlineData("entries: {}\n", "no API version specified")]
    [InlineData("- a\n", "not a repository index")]
    [InlineData("apiVersion: v1\nentries:\n  a:\n  - &x {name: a}\n  - *x\n", "aliases are not allowed")]
    public void Load_InvalidIndex_ClearError(string yaml, string expected)
    {
        var e = Assert.Throws<ChartsealException>(() => ChartIndex.Load(new MemoryStream(Encoding.UTF8.GetBytes(yaml)), "index.yaml"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("index.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithServerInfo_AppendsTheContextPathLast()
    {
        byte[] yaml = "apiVersion: v1\nentries: {}\ngenerated: \"2026-01-01T00:00:00Z\"\n"u8.ToArray();

        string served = System.Text.Encoding.UTF8.GetString(ChartIndex.WithServerInfo(yaml, "/charts"));

        Assert.Equal("apiVersion: v1\nentries: {}\ngenerated: \"2026-01-01T00:00:00Z\"\nserverInfo:\n  contextPath: /charts\n", served);
        Assert.Equal(0, ChartIndex.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(served)), "index.yaml").Count);
    }

    [Fact]
    public void WithServerInfo_NoFinalNewline_StillAValidIndex()
    {
        byte[] yaml = "apiVersion: v1\nentries: {}"u8.ToArray();
        string served = System.Text.Encoding.UTF8.GetString(ChartIndex.WithServerInfo(yaml, "/v1/helm"));
        Assert.Equal("apiVersion: v1\nentries: {}\nserverInfo:\n  contextPath: /v1/helm\n", served);
    }

    [Fact]
    public void WithServerInfo_AnIndexThatHasOne_IsUnchanged()
    {
        byte[] yaml = "apiVersion: v1\nentries: {}\nserverInfo:\n  contextPath: /old\n"u8.ToArray();
        Assert.Same(yaml, ChartIndex.WithServerInfo(yaml, "/charts"));
    }
}

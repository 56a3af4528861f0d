using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Support;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Chartseal.Tests.Charts;

/// <summary>
/// The fast index reader must build exactly the trees YamlDotNet's parser builds (through <see cref="BoundedYamlReader"/>),
/// and hand anything outside its subset back (false) rather than read it differently.
/// </summary>
public class IndexYamlReaderTests
{
    private const string Head = "apiVersion: v1\nentries:\n";

    public static TheoryData<string> Supported => new(
        // Go-yaml's layout: sequences at the key's column, folded plain scalars, quoted scalars.
        Head + "  a:\n  - name: a\n    version: 1.0.0\n    description: one two\n      three four\n\n      five\n    urls:\n    - a-1.0.0.tgz\n    created: \"2026-01-01T00:00:00Z\"\n",
        // Indented sequences, single quotes with a doubled quote, escapes, empty flow collections, nulls.
        Head + "  b:\n    - name: b\n      version: '1.0'\n      kubeVersion: '>=1.2 it''s'\n      home: \"a\\tb\\u00e9\\\"c\\\\\"\n      keywords: []\n      annotations: {}\n      icon:\n      sources: ~\n      deprecated: null\n",
        // Literal block scalars (clip, strip, keep), with blank and more-indented lines.
        Head + "  c:\n  - name: c\n    version: 1.0.0\n    description: |\n      line one\n\n        indented\n      last\n\n    appVersion: |-\n      x\n      y\n    type: |+\n      z\n    digest: abc\n",
        // Comments, blank lines, nested mappings and sequences of mappings, an unknown top-level key, generated last.
        "# comment\napiVersion: v1\n\nentries:\n  # the charts\n  d:\n  - annotations:\n      artifacthub.io/changes: added x\n      category: Infra\n    dependencies:\n    - name: redis\n      version: ~17.3\n      tags:\n      - cache\n    maintainers:\n    -\n      name: Jane\n    name: d\n    version: 2.0.0\n    urls:\n    - https://example.com/d-2.0.0.tgz\nserverInfo:\n  contextPath: /x\ngenerated: \"2026-01-01T00:00:00.1Z\"\n",
        // A chart name with no versions, an empty entries map member, UTF-8, a final line without a newline.
        Head + "  e: null\n  f:\n  - name: f\n    version: 0.1.0\n    description: caf\u00e9 \u65e5\u672c \u2013 ok\n    sources:\n    - http://x:8080/y\n    - a-b:c\n    urls: [ ]\n    home: plain:no",
        // A BOM, and entries: with nothing.
        "\uFEFFapiVersion: v1\nentries:\ngenerated: x\n",
        "apiVersion: v1\nentries: null\n");

    public static TheoryData<string> Unsupported => new(
        Head + "  a:\n  - &x\n    name: a\n  - *x\n",                  // anchors and aliases
        Head + "  a:\n  - name: a\n    description: >\n      folded\n",  // folded block scalar
        Head + "  a:\n  - name: a\n    keywords: [a, b]\n",             // flow sequence with items
        Head + "  a:\n  - name: a\n    description: \"two\n      lines\"\n", // multi-line double quotes
        Head + "  a:\n  - name: !!str a\n",                             // tags
        Head + "  a:\n  - name: a\r\n",                                 // CR LF
        Head + "  a:\n  - name:\ta\n",                                   // a tab
        "{\"apiVersion\": \"v1\", \"entries\": {}}",                     // JSON
        "---\napiVersion: v1\n",                                         // document markers
        Head + "  a:\n  - name: a\n   version: 1\n",                     // bad indentation
        Head + "  a:\n  - name: a: b\n",                                 // a colon YamlDotNet refuses
        Head + "  a:\n  - \"quoted\": key\n",                            // quoted keys
        Head + "  a:\n  - name: a # a comment\n");                      // comments after a value

    [Theory]
    [MemberData(nameof(Supported))]
    public void Supported_documents_read_as_YamlDotNet_reads_them(string yaml)
    {
        var (fast, read) = Fast(yaml);

        Assert.True(read, "the fast reader gave up");
        Assert.Equal(Describe(YamlDotNet(yaml)), Describe(fast));
    }

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Unsupported_documents_are_handed_back(string yaml)
    {
        Assert.False(Fast(yaml).Read);
    }

    [Fact]
    public void A_real_Helm_index_reads_as_YamlDotNet_reads_it()
    {
        string yaml = File.ReadAllText(Path.Combine(TestPaths.Vectors, "real-index", "platform9-index.yaml"));
        var (fast, read) = Fast(yaml);

        Assert.True(read);
        Assert.Equal(4, fast.Entries.Count);
        Assert.Equal(Describe(YamlDotNet(yaml)), Describe(fast));
    }

    /// <summary>The index as a whole: the same through the fast reader (seekable) and through YamlDotNet (a non-seekable stream).</summary>
    [Fact]
    public void ChartIndex_Load_is_the_same_through_both_readers()
    {
        byte[] yaml = File.ReadAllBytes(Path.Combine(TestPaths.Vectors, "real-index", "platform9-index.yaml"));

        var fast = ChartIndex.Load(new MemoryStream(yaml), "index.yaml");
        var slow = ChartIndex.Load(new NonSeekableStream(yaml), "index.yaml");

        Assert.Equal(slow.Count, fast.Count);
        Assert.Equal(slow.Generated, fast.Generated);
        Assert.Equal(slow.Serialize(), fast.Serialize());
        Assert.Equal(slow.SerializeJson(), fast.SerializeJson());
    }

    /// <summary>A document the fast reader gives up on half-way: every entry is handed on once, in order.</summary>
    [Fact]
    public void Giving_up_half_way_hands_on_each_entry_once()
    {
        string yaml = Head + "  a:\n  - name: a\n    version: 1.0.0\n  - name: a\n    version: 1.1.0\n  b:\n  - name: b\n    version: 1.0.0\n    keywords: [x, y]\n";
        var versions = new List<string>();

        ChartIndex.ReadEntries(new MemoryStream(Encoding.UTF8.GetBytes(yaml)), "index.yaml", e => versions.Add(e.Metadata.Name + "-" + e.Metadata.Version));

        Assert.Equal(["a-1.0.0", "a-1.1.0", "b-1.0.0"], versions);
    }

    [Fact]
    public void An_invalid_entry_fails_with_the_same_message_through_both_readers()
    {
        byte[] yaml = Encoding.UTF8.GetBytes(Head + "  a:\n  - name: a\n    version: 1.0.0\n  - just a string\n");

        var fast = Assert.Throws<ChartsealException>(() => ChartIndex.Load(new MemoryStream(yaml), "index.yaml"));
        var slow = Assert.Throws<ChartsealException>(() => ChartIndex.Load(new NonSeekableStream(yaml), "index.yaml"));

        Assert.Equal(slow.Message, fast.Message);
    }

    private sealed class Collector : IndexYamlReader.ITarget
    {
        public List<string> Top { get; } = [];

        public List<(string Name, YamlNode? Node)> Entries { get; } = [];

        public void ApiVersion(string value) => Top.Add("apiVersion=" + value);

        public void Generated(string value) => Top.Add("generated=" + value);

        public void Entry(YamlNode? node, string name) => Entries.Add((name, node));
    }

    private static (Collector Result, bool Read) Fast(string yaml)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(yaml);
        var collector = new Collector();
        return (collector, IndexYamlReader.TryRead(bytes, bytes.Length, collector));
    }

    /// <summary>The reference: YamlDotNet's events, the top level read as ChartIndex reads it, each entry through BoundedYamlReader.</summary>
    private static Collector YamlDotNet(string yaml)
    {
        var result = new Collector();
        var parser = new Parser(new StringReader(yaml.TrimStart('\uFEFF')));
        parser.Consume<StreamStart>();
        parser.Consume<DocumentStart>();
        parser.Consume<MappingStart>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            string key = parser.Consume<Scalar>().Value;
            if (key == "apiVersion")
            {
                result.ApiVersion(parser.Consume<Scalar>().Value);
            }
            else if (key == "generated")
            {
                result.Generated(parser.Consume<Scalar>().Value);
            }
            else if (key == "entries" && !parser.TryConsume<Scalar>(out _))
            {
                parser.Consume<MappingStart>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    string name = parser.Consume<Scalar>().Value;
                    if (parser.TryConsume<Scalar>(out _))
                    {
                        continue;
                    }
                    parser.Consume<SequenceStart>();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        result.Entry(BoundedYamlReader.ReadNode(parser, name), name);
                    }
                }
            }
            else if (key != "entries")
            {
                parser.SkipThisAndNestedEvents();
            }
        }
        return result;
    }

    private static string Describe(Collector c)
    {
        var text = new StringBuilder();
        foreach (string top in c.Top)
        {
            text.Append(top).Append('\n');
        }
        foreach (var (name, node) in c.Entries)
        {
            text.Append(name).Append(": ");
            Describe(node, text);
            text.Append('\n');
        }
        return text.ToString();
    }

    private static void Describe(YamlNode? node, StringBuilder text)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case YamlScalar s:
                text.Append(s.IsPlain ? "plain" : "quoted").Append('(').Append(s.Tag).Append(")\"").Append(s.Value.Replace("\n", "\\n")).Append('"');
                break;
            case YamlSequence seq:
                text.Append('[');
                foreach (var item in seq.Items)
                {
                    Describe(item, text);
                    text.Append(", ");
                }
                text.Append(']');
                break;
            case YamlMapping map:
                text.Append('{');
                foreach (var (key, value) in map.Entries)
                {
                    Describe(key, text);
                    text.Append(": ");
                    Describe(value, text);
                    text.Append(", ");
                }
                text.Append('}');
                break;
        }
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }

    public static TheoryData<string> Documents => new(
        "apiVersion: v2\nname: hello\ndescription: |\n  A chart.\n\n  Two paragraphs.\nversion: 0.1.0\nappVersion: \"1.0\"\n",
        "# Chart.yaml\napiVersion: v2\nname: web\nversion: 1.2.3\nkeywords:\n- a\n- b\nmaintainers:\n  - name: Jane\n    email: jane@example.com\ndependencies:\n- name: redis\n  version: ~17.3\n  repository: https://charts.example.com\n  import-values:\n  - child: a\n    parent: b\nannotations:\n  category: x\n",
        "",
        "# only a comment\n",
        "name: 'single '' quoted'\nversion: \"1.0\\u00e9\"\nhome:\nicon: ~\n");

    [Theory]
    [MemberData(nameof(Documents))]
    public void Documents_read_as_YamlDotNet_reads_them(string yaml)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(yaml);

        Assert.True(IndexYamlReader.TryReadDocument(bytes, bytes.Length, BoundedYamlReader.DefaultMaxDepth, out YamlNode? fast));
        Assert.Equal(DescribeNode(YamlDotNetDocument(yaml)), DescribeNode(fast));
    }

    [Fact]
    public void Documents_from_the_test_data_read_as_YamlDotNet_reads_them()
    {
        foreach (string file in new[] { TestPaths.Helm("hashtest/Chart.yaml"), Path.Combine(TestPaths.RepoRoot, "examples", "hello", "Chart.yaml") })
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.True(IndexYamlReader.TryReadDocument(bytes, bytes.Length, BoundedYamlReader.DefaultMaxDepth, out YamlNode? fast), file);
            Assert.Equal(DescribeNode(YamlDotNetDocument(Encoding.UTF8.GetString(bytes))), DescribeNode(fast));
        }
    }

    [Theory]
    [InlineData("name: a\nkeywords: [a, b]\n")]
    [InlineData("- a\n- b\n")]
    [InlineData("just text\n")]
    [InlineData("a: 1\n---\nb: 2\n")]
    public void Documents_outside_the_subset_are_handed_back(string yaml)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(yaml);
        Assert.False(IndexYamlReader.TryReadDocument(bytes, bytes.Length, BoundedYamlReader.DefaultMaxDepth, out _));
    }

    private static YamlNode? YamlDotNetDocument(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
        {
            return null;
        }
        parser.Consume<DocumentStart>();
        return BoundedYamlReader.ReadNode(parser, "doc");
    }

    private static string DescribeNode(YamlNode? node)
    {
        var text = new StringBuilder();
        Describe(node, text);
        return text.ToString();
    }
}

using System.Text;
using System.Text.Json;
using Chartseal.Compat;
using Chartseal.IO;
using Chartseal.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Chartseal.Tests.Compat;

/// <summary>
/// JSON to YAML as Helm's <c>-o yaml</c> prints it: against the go-yaml golden cases (JSON in, go-yaml's YAML out) and
/// against the real <c>helm search repo -o json</c> and <c>-o yaml</c> (Helm 4.1.4 and 3.17.3) over descriptions that
/// need quoting, folding or a literal block.
/// </summary>
public sealed class GoJsonToYamlTests
{
    private static readonly Lazy<JsonElement> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "Chartseal.Tests", "Compat", "TestData", "go-yaml-golden.json"))).RootElement);

    [Fact]
    public void Convert_GoldenCases_AsGoYamlWritesThem()
    {
        foreach (var golden in Golden.Value.EnumerateArray())
        {
            byte[] json = Encoding.UTF8.GetBytes(golden.GetProperty("input").GetRawText());
            Assert.Equal(golden.GetProperty("expected").GetString(), GoJsonToYaml.Convert(json));
        }
    }

    private const string Index = """
        apiVersion: v1
        entries:
          tricky:
          - {apiVersion: v2, name: tricky, version: 1.0.0, appVersion: "1.0", description: "yes", urls: [a.tgz]}
          - {apiVersion: v2, name: tricky, version: 1.1.0, appVersion: "null", description: "key: value # not a comment", urls: [b.tgz]}
          - {apiVersion: v2, name: tricky, version: 1.2.0, appVersion: "2024-01-01", description: "- starts like a list item and is long enough to be folded by the emitter at eighty columns, which go-yaml does", urls: [c.tgz]}
          - {apiVersion: v2, name: tricky, version: 1.3.0, description: "two\nlines", urls: [d.tgz]}
          - {apiVersion: v2, name: tricky, version: 1.4.0, appVersion: "0x1F", description: "it's \"quoted\", élan, trailing space ", urls: [e.tgz]}
          - {apiVersion: v2, name: tricky, version: 1.5.0, appVersion: "1e3", description: "", urls: [f.tgz]}
          - {apiVersion: v2, name: tricky, version: 1.6.0, appVersion: "~", description: "tab\there", urls: [g.tgz]}

        """;

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void Convert_HelmSearchJson_IsHelmSearchYaml(string version)
    {
        using var t = new TempDirectory();
        string cache = Directory.CreateDirectory(t.File("helm-cache")).FullName;
        File.WriteAllText(Path.Combine(cache, "r-index.yaml"), Index);
        File.WriteAllText(t.File("repositories.yaml"), "apiVersion: \"\"\nrepositories:\n- name: r\n  url: https://r.example.com\n");
        var env = new Dictionary<string, string> { ["HELM_REPOSITORY_CONFIG"] = t.File("repositories.yaml"), ["HELM_REPOSITORY_CACHE"] = cache };
        var helm = HelmPeer.Of(version);

        var json = helm.Run(t.Path, env, "search", "repo", "tricky", "--versions", "-o", "json");
        var yaml = helm.Run(t.Path, env, "search", "repo", "tricky", "--versions", "-o", "yaml");

        Assert.True(json.ExitCode == 0 && yaml.ExitCode == 0, json + "\n" + yaml);
        Assert.Equal(7, JsonDocument.Parse(json.StdOut).RootElement.GetArrayLength());
        Assert.Equal(yaml.StdOut, GoJsonToYaml.Convert(Encoding.UTF8.GetBytes(json.StdOut)));
    }

    [Fact]
    public void Convert_TerminalSafe_EscapesControlsInDoubleQuotes_SameValues()
    {
        // OSC 52, BEL, an 8-bit CSI, a right-to-left override, a line separator, a line break, a tab.
        string hostile = "Hello \u001b]52;c;ZXZpbA==\u0007\u009b31m\u202e\u2028two\nlines\tend";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("name", "plain");
            writer.WriteString("description", hostile);
            writer.WriteEndObject();
        }
        byte[] json = buffer.ToArray();

        string safe = GoJsonToYaml.Convert(json, terminalSafe: true);
        string asHelm = GoJsonToYaml.Convert(json);

        Assert.Equal("description: \"Hello \\e]52;c;ZXZpbA==\\a\\x9B31m\\u202E\\Ltwo\\nlines\\tend\"\nname: plain\n", safe);
        Assert.DoesNotContain(safe, c => c != '\n' && TerminalText.IsUnsafe(c));
        Assert.Contains('\u202e', asHelm); // go-yaml writes it raw
        var stream = new YamlStream();
        stream.Load(new StringReader(safe));
        Assert.Equal(hostile, ((YamlScalarNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("description")]).Value);
    }
}

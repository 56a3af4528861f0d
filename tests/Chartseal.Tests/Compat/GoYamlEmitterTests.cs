using System.Text.Json;
using Chartseal.Tests.Support;
using Chartseal.Compat;

namespace Chartseal.Tests.Compat;

/// <summary>
/// The emitter against golden output of go-yaml v2.4.0 fed through Go's encoding/json (what Helm's
/// sigs.k8s.io/yaml does). TestData/go-yaml-golden.json was produced with Go 1.19 and gopkg.in/yaml.v2 2.4.0.
/// </summary>
public sealed class GoYamlEmitterTests
{
    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Golden.Value.GetArrayLength(); i++)
        {
            data.Add(i);
        }
        return data;
    }

    private static readonly Lazy<JsonElement> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "Chartseal.Tests", "Compat", "TestData", "go-yaml-golden.json"))).RootElement);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Emit_GoldenCase_MatchesGoYaml(int index)
    {
        var golden = Golden.Value[index];
        string actual = GoYamlEmitter.Emit(ToNode(golden.GetProperty("input")));
        Assert.Equal(golden.GetProperty("expected").GetString(), actual);
    }

    private static GoNode ToNode(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => GoNode.Str(e.GetString()!),
        JsonValueKind.Number => GoNode.Plain(GoYamlResolver.FormatJsonNumber(e.GetDouble())),
        JsonValueKind.True => GoNode.Plain("true"),
        JsonValueKind.False => GoNode.Plain("false"),
        JsonValueKind.Null => GoNode.Null,
        JsonValueKind.Array => new GoSequence(e.EnumerateArray().Select(ToNode)),
        _ => e.EnumerateObject().Aggregate(new GoMapping(), (m, p) => m.Add(p.Name, ToNode(p.Value))),
    };
}

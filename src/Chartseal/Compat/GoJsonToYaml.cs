using System.Globalization;
using System.Text.Json;

namespace Chartseal.Compat;

/// <summary>
/// A JSON document as Helm's <c>-o yaml</c> prints it: sigs.k8s.io/yaml's <c>JSONToYAML</c>, the JSON read by go-yaml v2
/// and written again. Keys in go-yaml's order, strings quoted only where they would read back as something else,
/// integers as integers and other numbers in Go's shortest form, <c>{}</c> and <c>[]</c> for empty collections.
/// </summary>
public static class GoJsonToYaml
{
    /// <summary>The YAML of <paramref name="json"/>, ending with a line break.</summary>
    /// <param name="json">One UTF-8 JSON document.</param>
    /// <param name="terminalSafe">
    /// For a terminal: strings holding a control, bidirectional or line-separator character are written double-quoted
    /// with it escaped (go-yaml would write some raw). The same values, and every string on its line.
    /// </param>
    /// <exception cref="JsonException">The bytes are not one JSON document.</exception>
    public static string Convert(ReadOnlySpan<byte> json, bool terminalSafe = false)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        return GoYamlEmitter.Emit(Node(document.RootElement), terminalSafe);
    }

    private static GoNode Node(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(new GoMapping(), (map, p) => map.Add(p.Name, Node(p.Value))),
        JsonValueKind.Array => new GoSequence(element.EnumerateArray().Select(Node)),
        JsonValueKind.String => GoNode.Str(element.GetString()!),
        JsonValueKind.True => GoNode.Plain("true"),
        JsonValueKind.False => GoNode.Plain("false"),
        JsonValueKind.Number => GoNode.Plain(element.TryGetInt64(out long integer)
            ? integer.ToString(CultureInfo.InvariantCulture)
            : GoYamlResolver.FormatJsonNumber(element.GetDouble())),
        _ => GoNode.Null,
    };
}

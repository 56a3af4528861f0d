using System.Globalization;
using System.Text.Json;

namespace Chartseal.Compat;

/// <summary>
/// Writes a <see cref="GoNode"/> tree as JSON. Helm's documents are JSON first (sigs.k8s.io/yaml), so the same
/// tree that gives index.yaml its YAML gives the HTTP API its JSON, with the same fields and order.
/// </summary>
internal static class GoJsonWriter
{
    public static void Write(Utf8JsonWriter json, GoNode node)
    {
        switch (node)
        {
            case GoScalar { IsString: true } s:
                json.WriteStringValue(s.Text);
                break;
            case GoScalar s when s.Text is "true" or "false" or "null"
                || double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                json.WriteRawValue(s.Text);
                break;
            case GoScalar s:
                json.WriteStringValue(s.Text);
                break;
            case GoMapping m:
                json.WriteStartObject();
                foreach (var (key, value) in m.Entries)
                {
                    json.WritePropertyName(key);
                    Write(json, value);
                }
                json.WriteEndObject();
                break;
            case GoSequence q:
                json.WriteStartArray();
                foreach (var item in q.Items)
                {
                    Write(json, item);
                }
                json.WriteEndArray();
                break;
            default:
                throw new ArgumentException("unknown node " + node.GetType().Name, nameof(node));
        }
    }
}

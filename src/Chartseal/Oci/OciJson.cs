using System.Text.Json;

namespace Chartseal.Oci;

/// <summary>Parses JSON that a registry, its token service or a registry config file holds.</summary>
internal static class OciJson
{
    /// <summary>
    /// Parses <paramref name="utf8"/> and reads every property name and string once, so that the document can be read
    /// without surprises. System.Text.Json checks a string only when it is read: invalid UTF-8 in a string, or an
    /// escaped lone surrogate (<c>"\ud800"</c>), then makes <see cref="JsonElement.GetString"/> or
    /// <see cref="JsonProperty.Name"/> throw <see cref="InvalidOperationException"/>, which no caller expects.
    /// </summary>
    /// <exception cref="JsonException">Not JSON, too deep, or a name or string that is not valid Unicode.</exception>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options = default)
    {
        JsonDocument document = JsonDocument.Parse(utf8, options);
        try
        {
            CheckStrings(document.RootElement);
            return document;
        }
        catch (InvalidOperationException e)
        {
            document.Dispose();
            throw new JsonException("a name or string is not valid UTF-8 or UTF-16 (" + e.Message + ")", e);
        }
    }

    // Recursion is bounded by the parser's MaxDepth (64 by default).
    private static void CheckStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    _ = property.Name;
                    CheckStrings(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    CheckStrings(item);
                }
                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            default:
                break;
        }
    }
}

using System.Text.Json;

namespace Chartseal.Client;

/// <summary>
/// What a registry namespace's index snapshot covers (<c>tags.json</c>): every chart, each of its version tags, and the
/// digest of the manifest the tag held when the snapshot was signed. A client that follows it reads each chart's
/// versions from here instead of the registry's live tag list, and each manifest by this digest, so a registry can
/// neither hide a tag nor move one back. Canonical JSON (keys sorted, no spaces), so one map has one hash.
/// </summary>
public sealed class OciTagMap
{
    /// <summary>The largest <c>tags.json</c> read.</summary>
    public const long MaxSize = 16L * 1024 * 1024;

    private readonly SortedDictionary<string, SortedDictionary<string, string>> _charts;

    /// <summary>A map of chart → tag → manifest digest.</summary>
    public OciTagMap(IEnumerable<(string Chart, string Tag, string Digest)> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        _charts = new(StringComparer.Ordinal);
        foreach (var (chart, tag, digest) in tags)
        {
            if (!_charts.TryGetValue(chart, out var byTag))
            {
                _charts[chart] = byTag = new SortedDictionary<string, string>(StringComparer.Ordinal);
            }
            byTag[tag] = digest;
        }
    }

    /// <summary>The charts, sorted.</summary>
    public IReadOnlyCollection<string> Charts => _charts.Keys;

    /// <summary>The tags of a chart with their manifest digests (empty for an unknown chart).</summary>
    public IReadOnlyDictionary<string, string> TagsOf(string chart) =>
        _charts.TryGetValue(chart, out var byTag) ? byTag : new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The manifest digest a tag held when the snapshot was signed; null when the map does not list it.</summary>
    public string? DigestOf(string chart, string tag) => _charts.TryGetValue(chart, out var byTag) && byTag.TryGetValue(tag, out string? digest) ? digest : null;

    /// <summary>The canonical JSON: <c>{"charts":{"NAME":{"TAG":"sha256:…"}}}</c>, keys in ordinal order.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("charts");
            foreach (var (chart, tags) in _charts)
            {
                json.WriteStartObject(chart);
                foreach (var (tag, digest) in tags)
                {
                    json.WriteString(tag, digest);
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Reads a (verified) map; null with <paramref name="error"/> when it is not one.</summary>
    public static OciTagMap? TryParse(byte[] json, out string error)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var tags = new List<(string, string, string)>();
            foreach (var chart in doc.RootElement.GetProperty("charts").EnumerateObject())
            {
                if (!OciRepositorySource.IsChartName(chart.Name))
                {
                    error = $"\"{chart.Name}\" is not a chart name";
                    return null;
                }
                foreach (var tag in chart.Value.EnumerateObject())
                {
                    if (!Oci.OciReference.IsTag(tag.Name))
                    {
                        error = $"{chart.Name}:{tag.Name} is not a tag";
                        return null;
                    }
                    string digest = tag.Value.GetString()!;
                    if (!Oci.OciDigest.IsValid(digest))
                    {
                        error = $"{chart.Name}:{tag.Name} has no valid manifest digest";
                        return null;
                    }
                    tags.Add((chart.Name, tag.Name, digest));
                }
            }
            error = "";
            return new OciTagMap(tags);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            error = "not a tag map: " + e.Message;
            return null;
        }
    }
}

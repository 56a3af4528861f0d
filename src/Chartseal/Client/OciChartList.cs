using System.Text.Json;
using Chartseal.Oci;

namespace Chartseal.Client;

/// <summary>
/// The names of a namespace's charts, as an unsigned OCI artifact at <c>NAMESPACE/chartseal-trust:chart-list</c>:
/// registries often do not list their repositories (<c>/v2/_catalog</c> is disabled on most hosted ones), so
/// <c>chartseal push</c> records each chart's name here for <c>audit</c>, <c>repo update</c> and <c>search</c>. It is a
/// catalogue, never trust: it only says where to look, and every chart found is judged by the gate. A name missing
/// from it (a chart pushed by plain <c>helm push</c>) is still found through the catalog or by naming it.
/// </summary>
public static class OciChartList
{
    /// <summary>The chart list's tag (in <see cref="OciTrustArtifact.RepositoryName"/>).</summary>
    public const string Tag = "chart-list";

    /// <summary>The artifact type of the chart list.</summary>
    public const string ArtifactType = "application/vnd.chartseal.chart-list.v1";

    /// <summary>The media type of its one layer: <c>{"schema":"chartseal.chart-list/v1","charts":[NAME...]}</c>.</summary>
    public const string LayerMediaType = "application/vnd.chartseal.chart-list.v1+json";

    /// <summary>The <c>schema</c> of the layer.</summary>
    public const string Schema = "chartseal.chart-list/v1";

    /// <summary>The largest chart list read.</summary>
    public const long MaxSize = 4L * 1024 * 1024;

    /// <summary>Where the chart list of <paramref name="namespace"/> is.</summary>
    public static OciReference ReferenceIn(OciReference @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        return @namespace.WithoutReference.Child(OciTrustArtifact.RepositoryName).WithTag(Tag);
    }

    /// <summary>The chart names listed (valid repository names only, sorted) and the list's manifest digest; null when there is no list.</summary>
    /// <exception cref="ChartsealException">A list that is not one, or a failed request.</exception>
    public static async Task<(IReadOnlyList<string> Charts, string Digest)?> ReadAsync(OciRegistryClient client, OciReference @namespace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        OciReference reference = ReferenceIn(@namespace);
        string where = reference.ToString();
        if (await client.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false) is not { } response)
        {
            return null;
        }
        OciManifest manifest = response.Parse(where);
        if (manifest.ArtifactType != ArtifactType || manifest.FindLayer(LayerMediaType) is not { } layer)
        {
            throw new ChartsealException(where, $"is not a Chartseal chart list (artifact type {ArtifactType} with a {LayerMediaType} layer)");
        }
        if (layer.Size > MaxSize)
        {
            throw new ChartsealException(where, $"is larger than the {MaxSize} byte limit ({layer.Size} bytes)");
        }
        byte[] content = await client.GetBlobAsync(reference, layer, cancellationToken).ConfigureAwait(false);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.GetProperty("schema").GetString() != Schema)
            {
                throw new ChartsealException(where, $"is not a {Schema} document");
            }
            foreach (JsonElement name in document.RootElement.GetProperty("charts").EnumerateArray())
            {
                if (name.GetString() is { } text && OciRepositorySource.IsChartName(text))
                {
                    names.Add(text);
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ChartsealException(where, "chart list is not valid: " + e.Message);
        }
        return ([.. names], response.Digest);
    }

    /// <summary>
    /// Adds <paramref name="chart"/> to the namespace's chart list unless it is there. Two pushes racing may both read
    /// the same list; the one whose put is overtaken reads the list again and retries (a few times).
    /// </summary>
    /// <returns>True when the list was changed.</returns>
    /// <exception cref="ChartsealException">The list could not be updated, or a failed request.</exception>
    public static async Task<bool> AddAsync(OciRegistryClient client, OciReference @namespace, string chart, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(chart);
        OciReference reference = ReferenceIn(@namespace);
        for (int attempt = 1; ; attempt++)
        {
            var current = await ReadAsync(client, @namespace, cancellationToken).ConfigureAwait(false);
            if (current is { } list && list.Charts.Contains(chart, StringComparer.Ordinal))
            {
                return false;
            }
            var names = new SortedSet<string>(current?.Charts ?? [], StringComparer.Ordinal) { chart };
            var (manifest, blobs) = Build(names);
            foreach (OciBlob blob in blobs)
            {
                await client.PushBlobAsync(reference, blob.Descriptor, blob.Content, cancellationToken).ConfigureAwait(false);
            }
            try
            {
                await OciTrustArtifact.PutIfUnchangedAsync(client, reference, manifest.ToJson(), manifest.MediaType!, current?.Digest, "chart list", cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ChartsealException e) when (e is not OciRegistryException && attempt < 5)
            {
                // Another push changed the list between our read and our put: read it again.
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The chart list artifact holding <paramref name="charts"/>.</summary>
    public static (OciManifest Manifest, IReadOnlyList<OciBlob> Blobs) Build(IEnumerable<string> charts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("schema", Schema);
            json.WriteStartArray("charts");
            foreach (string chart in charts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(chart);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var layer = OciBlob.Of(LayerMediaType, buffer.ToArray(), new Dictionary<string, string> { [OciAnnotations.Title] = "charts.json" });
        var manifest = new OciManifest(OciDescriptor.Empty, [layer.Descriptor])
        {
            MediaType = OciMediaTypes.ImageManifest,
            ArtifactType = ArtifactType,
        };
        return (manifest, [new OciBlob(OciDescriptor.Empty, OciDescriptor.EmptyContent), layer]);
    }
}

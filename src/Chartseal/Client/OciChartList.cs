using Chartseal.Oci;

namespace Chartseal.Client;

/// <summary>
/// The names of a namespace's charts, kept in the registry beside its trust material: registries often do not list
/// their repositories (<c>/v2/_catalog</c> is disabled on most hosted ones), so <c>chartseal push</c> records each
/// chart it pushes as the tag <c>chart.NAME</c> of <c>NAMESPACE/chartseal-trust</c> (a small unsigned artifact naming the
/// chart). One tag per chart, written once and never rewritten, so pushes of different charts never race, and the list
/// is one tag listing. It is a catalogue, never trust: it only says where to look, and every chart found is judged by
/// the gate. A chart pushed by plain <c>helm push</c> is not in it, and is found through the catalog or by naming it.
/// </summary>
public static class OciChartList
{
    /// <summary>What every chart tag starts with (not a SemVer version, so never a tag Helm writes).</summary>
    public const string TagPrefix = "chart.";

    /// <summary>The artifact type of a chart tag's artifact.</summary>
    public const string ArtifactType = "application/vnd.chartseal.chart-entry.v1";

    /// <summary>The annotation of a chart tag's artifact naming the chart.</summary>
    public const string ChartAnnotation = "dev.chartseal.chart";

    /// <summary>The repository holding the chart tags of <paramref name="namespace"/> (the trust artifact's).</summary>
    public static OciReference RepositoryIn(OciReference @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        return @namespace.WithoutReference.Child(OciTrustArtifact.RepositoryName);
    }

    /// <summary>Whether a chart of that name can be recorded (its tag fits the 128-character limit).</summary>
    public static bool CanRecord(string chart) => OciRepositorySource.IsChartName(chart) && TagPrefix.Length + chart.Length <= 128;

    /// <summary>The chart names recorded (valid names only, sorted); empty when there are none.</summary>
    /// <exception cref="ChartsealException">A failed request.</exception>
    public static async Task<IReadOnlyList<string>> ReadAsync(OciRegistryClient client, OciReference @namespace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var tags = await client.ListTagsAsync(RepositoryIn(@namespace), 0, cancellationToken).ConfigureAwait(false);
        return [.. tags.Where(t => t.StartsWith(TagPrefix, StringComparison.Ordinal))
            .Select(t => t[TagPrefix.Length..])
            .Where(OciRepositorySource.IsChartName)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Records <paramref name="chart"/> unless it is recorded (or cannot be: a name too long for a tag).</summary>
    /// <returns>True when the tag was written.</returns>
    /// <exception cref="ChartsealException">A failed request.</exception>
    public static async Task<bool> AddAsync(OciRegistryClient client, OciReference @namespace, string chart, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(chart);
        if (!CanRecord(chart))
        {
            return false;
        }
        OciReference reference = RepositoryIn(@namespace).WithTag(TagPrefix + chart);
        if (await client.HeadManifestAsync(reference, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }
        // Its own content per chart, so that deleting one chart's tag (by its digest) never removes another's.
        var manifest = new OciManifest(OciDescriptor.Empty, [OciDescriptor.Empty], new Dictionary<string, string> { [ChartAnnotation] = chart })
        {
            MediaType = OciMediaTypes.ImageManifest,
            ArtifactType = ArtifactType,
        };
        await client.PushArtifactAsync(reference, manifest, [new OciBlob(OciDescriptor.Empty, OciDescriptor.EmptyContent)], cancellationToken).ConfigureAwait(false);
        return true;
    }
}

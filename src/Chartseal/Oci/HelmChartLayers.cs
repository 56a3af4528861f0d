namespace Chartseal.Oci;

/// <summary>The descriptors of a Helm chart manifest (see <see cref="HelmChartArtifact.ReadLayers"/>).</summary>
/// <param name="Config">The config blob (the chart's metadata as JSON).</param>
/// <param name="Chart">The chart archive layer.</param>
/// <param name="Provenance">The provenance layer, or null when the chart was pushed without one.</param>
/// <param name="IsLegacyChartMediaType">Whether the chart layer has Helm 3.0–3.6's media type <c>application/tar+gzip</c>.</param>
public sealed record HelmChartLayers(OciDescriptor Config, OciDescriptor Chart, OciDescriptor? Provenance, bool IsLegacyChartMediaType);

namespace Chartseal.Oci;

/// <summary>The media types Chartseal reads and writes in OCI registries (OCI image spec 1.1 and Helm's own).</summary>
public static class OciMediaTypes
{
    /// <summary>An OCI image manifest: what Helm pushes for a chart, and what every Chartseal artifact is.</summary>
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>An OCI image index (a list of manifests). Chartseal never writes one and does not follow one.</summary>
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>Docker's schema 2 image manifest, which registries may still serve for old images.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Docker's manifest list.</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>The empty descriptor's media type (OCI 1.1): a config blob holding exactly <c>{}</c>.</summary>
    public const string Empty = "application/vnd.oci.empty.v1+json";

    /// <summary>Helm's chart config blob: the chart's Chart.yaml metadata as JSON.</summary>
    public const string HelmConfig = "application/vnd.cncf.helm.config.v1+json";

    /// <summary>Helm's chart layer: the chart archive (<c>.tgz</c>) itself.</summary>
    public const string HelmChartContent = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    /// <summary>Helm's provenance layer: the chart's <c>.prov</c> file.</summary>
    public const string HelmProvenance = "application/vnd.cncf.helm.chart.provenance.v1.prov";

    /// <summary>The chart layer media type of Helm 3.0–3.6 pushes, still read by Helm (with a warning).</summary>
    public const string LegacyHelmChartContent = "application/tar+gzip";
}

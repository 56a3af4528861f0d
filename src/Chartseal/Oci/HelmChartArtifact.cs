using System.Globalization;
using Chartseal.Charts;
using Chartseal.Compat;

namespace Chartseal.Oci;

/// <summary>
/// A chart as Helm 4 stores it in an OCI registry (<c>helm push</c>, pkg/registry/client.go): at
/// <c>NAMESPACE/NAME:VERSION</c> (<c>+</c> written <c>_</c>), an image manifest without <c>mediaType</c> or
/// <c>artifactType</c> whose config blob (<see cref="OciMediaTypes.HelmConfig"/>) is the chart's metadata as Go's
/// <c>json.Marshal</c> writes it, whose layers are the archive (<see cref="OciMediaTypes.HelmChartContent"/>) and, when the
/// chart is signed, its <c>.prov</c> (<see cref="OciMediaTypes.HelmProvenance"/>), sorted by digest, and whose annotations are
/// Helm's <c>org.opencontainers.image.*</c> set plus the chart's own annotations. The bytes equal Helm's for the same
/// archive, provenance and creation time, so the manifest digest is the one Helm would produce.
/// </summary>
public sealed class HelmChartArtifact
{
    private HelmChartArtifact(ChartMetadata metadata, OciBlob config, OciBlob chart, OciBlob? provenance, OciManifest manifest)
    {
        Metadata = metadata;
        Config = config;
        Chart = chart;
        Provenance = provenance;
        Manifest = manifest;
        ManifestBytes = manifest.ToJson();
        ManifestDigest = OciDigest.Sha256(ManifestBytes);
    }

    /// <summary>The chart's metadata (validated, from the archive's Chart.yaml).</summary>
    public ChartMetadata Metadata { get; }

    /// <summary>The config blob: the metadata as JSON.</summary>
    public OciBlob Config { get; }

    /// <summary>The chart layer: the archive.</summary>
    public OciBlob Chart { get; }

    /// <summary>The provenance layer, or null for an unsigned chart.</summary>
    public OciBlob? Provenance { get; }

    /// <summary>The manifest.</summary>
    public OciManifest Manifest { get; }

    /// <summary>The manifest's bytes, as pushed.</summary>
    public byte[] ManifestBytes { get; }

    /// <summary>The manifest's digest.</summary>
    public string ManifestDigest { get; }

    /// <summary>The tag Helm pushes the chart under: its version with <c>+</c> written <c>_</c>.</summary>
    public string Tag => OciReference.TagForVersion(Metadata.Version);

    /// <summary>Every blob the manifest names: config, then the layers in manifest order.</summary>
    public IReadOnlyList<OciBlob> Blobs =>
        [Config, .. Manifest.Layers.Select(l => l.Digest == Chart.Descriptor.Digest ? Chart : Provenance!)];

    /// <summary>Builds the artifact of a chart archive and its optional provenance, exactly as Helm 4 would push it.</summary>
    /// <param name="archive">The chart archive (<c>.tgz</c>).</param>
    /// <param name="archiveFileName">The archive's name, for error messages.</param>
    /// <param name="provenance">The <c>.prov</c> file's bytes, or null.</param>
    /// <param name="created">
    /// The <c>org.opencontainers.image.created</c> time, written in RFC 3339 to the second with its offset (Helm uses the
    /// archive file's modification time, in local time).
    /// </param>
    /// <exception cref="UnsafeArchiveException">The archive is not a valid chart.</exception>
    public static HelmChartArtifact Create(ReadOnlyMemory<byte> archive, string archiveFileName, byte[]? provenance, DateTimeOffset created)
    {
        ChartMetadata metadata = ChartArchive.Read(archive, archiveFileName).Metadata;
        var config = OciBlob.Of(OciMediaTypes.HelmConfig, ConfigJson(metadata));
        var chart = OciBlob.Of(OciMediaTypes.HelmChartContent, archive);
        OciBlob? prov = provenance is null ? null : OciBlob.Of(OciMediaTypes.HelmProvenance, provenance);
        var layers = new List<OciDescriptor> { chart.Descriptor };
        if (prov is not null)
        {
            layers.Add(prov.Descriptor);
        }
        layers.Sort((a, b) => string.CompareOrdinal(a.Digest, b.Digest)); // Helm sorts layers by digest for determinism
        var manifest = new OciManifest(config.Descriptor, layers, Annotations(metadata, FormatRfc3339(created)));
        return new HelmChartArtifact(metadata, config, chart, prov, manifest);
    }

    /// <summary>Where Helm puts this chart below <paramref name="namespace"/>: <c>NAMESPACE/NAME:TAG</c>.</summary>
    public OciReference ReferenceIn(OciReference @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        return @namespace.WithoutReference.Child(Metadata.Name).WithTag(Tag);
    }

    /// <summary>Pushes the blobs the repository lacks, then the manifest, to <see cref="ReferenceIn"/>(<paramref name="namespace"/>).</summary>
    /// <returns>The manifest's descriptor.</returns>
    /// <exception cref="OciRegistryException">A request failed.</exception>
    public Task<OciDescriptor> PushAsync(OciRegistryClient client, OciReference @namespace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.PushArtifactAsync(ReferenceIn(@namespace), Manifest, Blobs, cancellationToken);
    }

    /// <summary>
    /// Finds a chart's descriptors in a manifest as Helm reads it: the config of <see cref="OciMediaTypes.HelmConfig"/>,
    /// one chart layer (<see cref="OciMediaTypes.HelmChartContent"/>, or Helm 3.0–3.6's <see cref="OciMediaTypes.LegacyHelmChartContent"/>)
    /// and at most one provenance layer. Other layers are ignored; a second chart or provenance layer is an error, since
    /// readers would disagree on which one counts.
    /// </summary>
    /// <param name="manifest">The parsed manifest.</param>
    /// <param name="source">The manifest's reference, for error messages.</param>
    /// <exception cref="ChartsealException">Not a Helm chart manifest.</exception>
    public static HelmChartLayers ReadLayers(OciManifest manifest, string source)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Config.MediaType != OciMediaTypes.HelmConfig)
        {
            throw new ChartsealException(source, $"is not a Helm chart: its config has media type \"{manifest.Config.MediaType}\", not {OciMediaTypes.HelmConfig}");
        }
        OciDescriptor? chart = null, provenance = null;
        bool legacy = false;
        foreach (OciDescriptor layer in manifest.Layers)
        {
            switch (layer.MediaType)
            {
                case OciMediaTypes.HelmChartContent or OciMediaTypes.LegacyHelmChartContent:
                    chart = chart is null ? layer : throw new ChartsealException(source, "has more than one chart layer");
                    legacy = layer.MediaType == OciMediaTypes.LegacyHelmChartContent;
                    break;
                case OciMediaTypes.HelmProvenance:
                    provenance = provenance is null ? layer : throw new ChartsealException(source, "has more than one provenance layer");
                    break;
            }
        }
        return chart is null
            ? throw new ChartsealException(source, $"is not a Helm chart: no layer has media type {OciMediaTypes.HelmChartContent}")
            : new HelmChartLayers(manifest.Config, chart, provenance, legacy);
    }

    /// <summary>RFC 3339 to the second, as Go's <c>time.Format(time.RFC3339)</c>: <c>Z</c> for UTC, else <c>±hh:mm</c>.</summary>
    internal static string FormatRfc3339(DateTimeOffset time)
    {
        string stamp = time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (time.Offset == TimeSpan.Zero)
        {
            return stamp + "Z";
        }
        TimeSpan offset = time.Offset.Duration();
        return stamp + (time.Offset < TimeSpan.Zero ? "-" : "+") + offset.ToString("hh\\:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>Helm's generateOCIAnnotations: its own keys for non-blank fields, then the chart's annotations except version and title.</summary>
    private static Dictionary<string, string> Annotations(ChartMetadata metadata, string created)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                annotations[key] = value;
            }
        }
        Add(OciAnnotations.Description, metadata.Description);
        Add(OciAnnotations.Title, metadata.Name);
        Add(OciAnnotations.Version, metadata.Version);
        Add(OciAnnotations.Url, metadata.Home);
        Add(OciAnnotations.Created, created);
        if (metadata.Sources is { Count: > 0 } sources)
        {
            Add(OciAnnotations.Source, sources[0]);
        }
        if (metadata.Maintainers is { Count: > 0 } maintainers)
        {
            Add(OciAnnotations.Authors, string.Join(", ", maintainers.Select(m =>
                (m.Name ?? "") + (string.IsNullOrEmpty(m.Email) ? "" : $" ({m.Email})"))));
        }
        foreach (var (key, value) in metadata.Annotations ?? [])
        {
            if (key is not (OciAnnotations.Version or OciAnnotations.Title))
            {
                annotations[key] = value ?? "";
            }
        }
        return annotations;
    }

    /// <summary>The metadata as Go's <c>json.Marshal</c> writes Helm's <c>chart.Metadata</c>: struct field order, <c>omitempty</c>.</summary>
    internal static byte[] ConfigJson(ChartMetadata m)
    {
        var json = new GoJsonText(indented: false).StartObject()
            .OmitEmpty("name", m.Name)
            .OmitEmpty("home", m.Home);
        StringList(json, "sources", m.Sources);
        json.OmitEmpty("version", m.Version)
            .OmitEmpty("description", m.Description);
        StringList(json, "keywords", m.Keywords);
        if (m.Maintainers is { Count: > 0 } maintainers)
        {
            json.Name("maintainers").StartArray();
            foreach (ChartMaintainer maintainer in maintainers)
            {
                json.StartObject().OmitEmpty("name", maintainer.Name).OmitEmpty("email", maintainer.Email).OmitEmpty("url", maintainer.Url).EndObject();
            }
            json.EndArray();
        }
        json.OmitEmpty("icon", m.Icon)
            .OmitEmpty("apiVersion", m.ApiVersion)
            .OmitEmpty("condition", m.Condition)
            .OmitEmpty("tags", m.Tags)
            .OmitEmpty("appVersion", m.AppVersion);
        if (m.Deprecated)
        {
            json.Name("deprecated").Bool(true);
        }
        json.OmitEmpty("annotations", m.Annotations)
            .OmitEmpty("kubeVersion", m.KubeVersion);
        if (m.Dependencies is { Count: > 0 } dependencies)
        {
            json.Name("dependencies").StartArray();
            foreach (ChartDependency d in dependencies)
            {
                json.StartObject()
                    .Name("name").String(d.Name ?? "")
                    .OmitEmpty("version", d.Version)
                    .Name("repository").String(d.Repository ?? "")
                    .OmitEmpty("condition", d.Condition);
                StringList(json, "tags", d.Tags);
                if (d.Enabled == true)
                {
                    json.Name("enabled").Bool(true);
                }
                if (d.ImportValues is { Count: > 0 } imports)
                {
                    json.Name("import-values");
                    Generic(json, imports);
                }
                json.OmitEmpty("alias", d.Alias).EndObject();
            }
            json.EndArray();
        }
        return json.OmitEmpty("type", m.Type).EndObject().ToUtf8();
    }

    private static void StringList(GoJsonText json, string name, List<string>? values)
    {
        if (values is not { Count: > 0 })
        {
            return;
        }
        json.Name(name).StartArray();
        foreach (string value in values)
        {
            json.String(value ?? "");
        }
        json.EndArray();
    }

    /// <summary>An <c>interface{}</c> value (import-values): Go writes maps with sorted keys and numbers as float64.</summary>
    private static void Generic(GoJsonText json, object? value)
    {
        switch (value)
        {
            case null:
                json.Null();
                break;
            case string s:
                json.String(s);
                break;
            case bool b:
                json.Bool(b);
                break;
            case IDictionary<string, object?> map:
                json.StartObject();
                foreach (var (key, item) in map.OrderBy(e => e.Key, GoJsonText.KeyOrder))
                {
                    json.Name(key);
                    Generic(json, item);
                }
                json.EndObject();
                break;
            case System.Collections.IEnumerable items:
                json.StartArray();
                foreach (object? item in items)
                {
                    Generic(json, item);
                }
                json.EndArray();
                break;
            case IConvertible number:
                json.Number(number.ToDouble(CultureInfo.InvariantCulture));
                break;
            default:
                json.String(value.ToString() ?? "");
                break;
        }
    }
}

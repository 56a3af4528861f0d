using System.Text.Json;
using Chartseal.Compat;

namespace Chartseal.Oci;

/// <summary>
/// An OCI image manifest (schema version 2): a config descriptor, layer descriptors, annotations, and optionally an
/// artifact type and a subject. <see cref="ToJson"/> writes the bytes Go's <c>json.Marshal</c> writes for the same
/// <c>ocispec.Manifest</c> (Helm's push), so a chart pushed by Chartseal has the digest Helm would give it.
/// <see cref="Parse"/> reads a manifest strictly: unknown fields are ignored, but a missing or ill-typed required field,
/// a duplicated key, an invalid digest or a negative size is an error.
/// </summary>
public sealed class OciManifest
{
    /// <summary>The largest manifest read by default (4 MiB, the limit of most registries).</summary>
    public const long DefaultMaxSize = 4L * 1024 * 1024;

    /// <summary>Creates a manifest.</summary>
    /// <param name="config">The config blob's descriptor (<see cref="OciDescriptor.Empty"/> for artifacts that need none).</param>
    /// <param name="layers">The layers, in order.</param>
    /// <param name="annotations">Manifest annotations, or null.</param>
    public OciManifest(OciDescriptor config, IReadOnlyList<OciDescriptor> layers, IReadOnlyDictionary<string, string>? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(layers);
        Config = config;
        Layers = layers;
        Annotations = annotations is { Count: > 0 } ? annotations : null;
    }

    /// <summary>Always 2.</summary>
    public int SchemaVersion => 2;

    /// <summary>
    /// The <c>mediaType</c> field, or null to leave it out as Helm does (the registry learns the type from the
    /// request's Content-Type). Set it to <see cref="OciMediaTypes.ImageManifest"/> for artifacts of OCI 1.1.
    /// </summary>
    public string? MediaType { get; init; }

    /// <summary>The artifact type (OCI 1.1), or null.</summary>
    public string? ArtifactType { get; init; }

    /// <summary>The config blob's descriptor.</summary>
    public OciDescriptor Config { get; }

    /// <summary>The layer descriptors, in manifest order.</summary>
    public IReadOnlyList<OciDescriptor> Layers { get; }

    /// <summary>The manifest this one refers to (OCI 1.1 <c>subject</c>), or null.</summary>
    public OciDescriptor? Subject { get; init; }

    /// <summary>The manifest's annotations, or null when it has none.</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; }

    /// <summary>The first layer with media type <paramref name="mediaType"/>, or null.</summary>
    public OciDescriptor? FindLayer(string mediaType) => Layers.FirstOrDefault(l => l.MediaType == mediaType);

    /// <summary>The manifest as compact JSON, in the field order and escaping of Go's <c>ocispec.Manifest</c>.</summary>
    public byte[] ToJson()
    {
        var json = new GoJsonText(indented: false).StartObject()
            .Name("schemaVersion").Number(SchemaVersion)
            .OmitEmpty("mediaType", MediaType)
            .OmitEmpty("artifactType", ArtifactType)
            .Name("config");
        Config.WriteTo(json);
        json.Name("layers").StartArray();
        foreach (OciDescriptor layer in Layers)
        {
            layer.WriteTo(json);
        }
        json.EndArray();
        if (Subject is not null)
        {
            json.Name("subject");
            Subject.WriteTo(json);
        }
        return json.OmitEmpty("annotations", Annotations).EndObject().ToUtf8();
    }

    /// <summary>Reads a manifest.</summary>
    /// <param name="json">The manifest's bytes.</param>
    /// <param name="source">What the bytes are (a reference or URL), for error messages.</param>
    /// <exception cref="ChartsealException">Not JSON, not an image manifest (e.g. an index), or a malformed field.</exception>
    public static OciManifest Parse(ReadOnlySpan<byte> json, string source)
    {
        JsonDocument document;
        try
        {
            document = OciJson.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new ChartsealException(source, "manifest is not valid JSON: " + e.Message);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            var fields = Fields(root, "root", source);
            string? mediaType = OptionalString(fields, "mediaType", "root", source);
            if (mediaType is OciMediaTypes.ImageIndex or OciMediaTypes.DockerManifestList || (mediaType is null && fields.ContainsKey("manifests")))
            {
                throw new ChartsealException(source, "is an image index (a list of manifests), not a manifest");
            }
            if (mediaType is not (null or OciMediaTypes.ImageManifest or OciMediaTypes.DockerManifest))
            {
                throw new ChartsealException(source, $"manifest has media type \"{OciReference.Printable(mediaType)}\", not {OciMediaTypes.ImageManifest}");
            }
            if (!fields.TryGetValue("schemaVersion", out JsonElement version) || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out int schemaVersion) || schemaVersion != 2)
            {
                throw new ChartsealException(source, "manifest has no schemaVersion 2");
            }
            if (!fields.TryGetValue("config", out JsonElement config))
            {
                throw new ChartsealException(source, "manifest has no config descriptor");
            }
            if (!fields.TryGetValue("layers", out JsonElement layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw new ChartsealException(source, "manifest has no layers array");
            }
            var layerList = new List<OciDescriptor>();
            foreach (JsonElement layer in layers.EnumerateArray())
            {
                layerList.Add(ReadDescriptor(layer, $"layer {layerList.Count}", source));
            }
            return new OciManifest(ReadDescriptor(config, "config", source), layerList, ReadAnnotations(fields, "root", source))
            {
                MediaType = mediaType,
                ArtifactType = OptionalString(fields, "artifactType", "root", source),
                Subject = fields.TryGetValue("subject", out JsonElement subject) && subject.ValueKind != JsonValueKind.Null
                    ? ReadDescriptor(subject, "subject", source) : null,
            };
        }
    }

    private static OciDescriptor ReadDescriptor(JsonElement element, string what, string source)
    {
        var fields = Fields(element, what, source);
        string mediaType = OptionalString(fields, "mediaType", what, source) is { Length: > 0 } m
            ? m : throw new ChartsealException(source, $"manifest {what} has no mediaType");
        string? digest = OptionalString(fields, "digest", what, source);
        if (OciDigest.Problem(digest) is { } problem)
        {
            throw new ChartsealException(source, $"manifest {what}: {problem}");
        }
        if (!fields.TryGetValue("size", out JsonElement sizeElement) || sizeElement.ValueKind != JsonValueKind.Number
            || !sizeElement.TryGetInt64(out long size) || size < 0)
        {
            throw new ChartsealException(source, $"manifest {what} has no valid size");
        }
        return new OciDescriptor(mediaType, digest!, size)
        {
            ArtifactType = OptionalString(fields, "artifactType", what, source),
            Annotations = ReadAnnotations(fields, what, source),
        };
    }

    private static Dictionary<string, string>? ReadAnnotations(Dictionary<string, JsonElement> fields, string what, string source)
    {
        if (!fields.TryGetValue("annotations", out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Fields(element, what + " annotations", source))
        {
            annotations[key] = value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new ChartsealException(source, $"manifest {what} annotation \"{OciReference.Printable(key)}\" is not a string");
        }
        return annotations.Count > 0 ? annotations : null;
    }

    private static string? OptionalString(Dictionary<string, JsonElement> fields, string name, string what, string source)
    {
        if (!fields.TryGetValue(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new ChartsealException(source, $"manifest {what} field \"{name}\" is not a string");
    }

    /// <summary>The properties of an object, refusing duplicated keys (readers disagree on which one counts).</summary>
    private static Dictionary<string, JsonElement> Fields(JsonElement element, string what, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ChartsealException(source, $"manifest {what} is not a JSON object");
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!fields.TryAdd(property.Name, property.Value))
            {
                throw new ChartsealException(source, $"manifest {what} has the key \"{OciReference.Printable(property.Name)}\" twice");
            }
        }
        return fields;
    }
}

using Chartseal.Compat;

namespace Chartseal.Oci;

/// <summary>
/// An OCI content descriptor: what a manifest says about one blob (or about another manifest). The digest and size
/// are the only things that identify content; everything read by digest is checked against them before use.
/// </summary>
/// <param name="MediaType">The content's media type, e.g. <see cref="OciMediaTypes.HelmChartContent"/>.</param>
/// <param name="Digest">The content's digest (<c>sha256:…</c>), checked by <see cref="OciDigest.Check"/>.</param>
/// <param name="Size">The content's exact length in bytes.</param>
public sealed record OciDescriptor(string MediaType, string Digest, long Size)
{
    /// <summary>The artifact type (descriptors of manifests, as in a referrers list), or null.</summary>
    public string? ArtifactType { get; init; }

    /// <summary>The descriptor's annotations, or null when it has none.</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>The descriptor of <paramref name="content"/> (SHA-256).</summary>
    public static OciDescriptor For(string mediaType, ReadOnlySpan<byte> content, IReadOnlyDictionary<string, string>? annotations = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        return new OciDescriptor(mediaType, OciDigest.Sha256(content), content.Length) { Annotations = annotations is { Count: > 0 } ? annotations : null };
    }

    /// <summary>The OCI 1.1 empty descriptor: the two-byte blob <c>{}</c>, the config of artifacts that need none.</summary>
    public static OciDescriptor Empty { get; } = For(OciMediaTypes.Empty, "{}"u8);

    /// <summary>The content of <see cref="Empty"/>.</summary>
    public static ReadOnlyMemory<byte> EmptyContent { get; } = "{}"u8.ToArray();

    /// <summary>Writes the descriptor in the field order of Go's <c>ocispec.Descriptor</c>.</summary>
    internal void WriteTo(GoJsonText json)
    {
        json.StartObject()
            .Name("mediaType").String(MediaType)
            .Name("digest").String(Digest)
            .Name("size").Number(Size)
            .OmitEmpty("annotations", Annotations)
            .OmitEmpty("artifactType", ArtifactType)
            .EndObject();
    }
}

namespace Chartseal.Oci;

/// <summary>A blob to push: its descriptor and its bytes.</summary>
/// <param name="Descriptor">The descriptor the manifest will carry.</param>
/// <param name="Content">The bytes; they must match the descriptor's digest and size.</param>
public sealed record OciBlob(OciDescriptor Descriptor, ReadOnlyMemory<byte> Content)
{
    /// <summary>A blob of <paramref name="mediaType"/> holding <paramref name="content"/>, with a SHA-256 descriptor.</summary>
    public static OciBlob Of(string mediaType, ReadOnlyMemory<byte> content, IReadOnlyDictionary<string, string>? annotations = null) =>
        new(OciDescriptor.For(mediaType, content.Span, annotations), content);
}

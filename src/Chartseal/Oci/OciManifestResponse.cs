namespace Chartseal.Oci;

/// <summary>
/// A manifest as the registry served it, after its digest was checked: the exact bytes (what the digest covers), the
/// digest, and the media type the registry gave.
/// </summary>
/// <param name="Content">The manifest's bytes.</param>
/// <param name="Digest">Their digest: the one asked for, or the one the registry announced, checked against the bytes.</param>
/// <param name="MediaType">The media type from the answer's Content-Type (or the manifest's own <c>mediaType</c>).</param>
public sealed record OciManifestResponse(byte[] Content, string Digest, string MediaType)
{
    /// <summary>The manifest's descriptor.</summary>
    public OciDescriptor Descriptor => new(MediaType, Digest, Content.Length);

    /// <summary>Parses the bytes (see <see cref="OciManifest.Parse"/>).</summary>
    /// <param name="source">What the manifest is, for error messages.</param>
    public OciManifest Parse(string source) => OciManifest.Parse(Content, source);
}

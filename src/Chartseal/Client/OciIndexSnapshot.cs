using Chartseal.Oci;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// A registry namespace's index snapshot: <c>snapshot.yaml.asc</c> (signed by an index key) and the <c>tags.json</c>
/// it covers (<see cref="OciTagMap"/>), the two layers of ONE artifact at <c>NAMESPACE/chartseal-trust:snapshot</c>,
/// beside the trust artifact: one manifest digest pins both, so a reader never sees a snapshot with another map. The
/// tag <c>snapshot</c> is not SemVer, so no <c>helm push</c> can write it. Nothing here is trusted:
/// <see cref="TrustedSnapshot"/> checks the signature, and the map's hash against the snapshot.
/// </summary>
public static class OciIndexSnapshot
{
    /// <summary>The snapshot artifact's tag (in <see cref="OciTrustArtifact.RepositoryName"/>).</summary>
    public const string Tag = "snapshot";

    /// <summary>The artifact type of the snapshot artifact.</summary>
    public const string ArtifactType = "application/vnd.chartseal.index-snapshot.v1";

    /// <summary>The media type of the <c>snapshot.yaml.asc</c> layer.</summary>
    public const string SnapshotMediaType = "application/vnd.chartseal.index-snapshot.v1.asc";

    /// <summary>The media type of the <c>tags.json</c> layer.</summary>
    public const string TagsMediaType = "application/vnd.chartseal.index-tags.v1+json";

    /// <summary>Where the snapshot of <paramref name="namespace"/> is: <c>NAMESPACE/chartseal-trust:snapshot</c>.</summary>
    public static OciReference ReferenceIn(OciReference @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        return @namespace.WithoutReference.Child(OciTrustArtifact.RepositoryName).WithTag(Tag);
    }

    /// <summary>The snapshot and map as stored (either may be null); null when the namespace has no snapshot artifact.</summary>
    /// <exception cref="ChartsealException">Not a snapshot artifact, a layer twice or too large, or a failed request.</exception>
    public static async Task<(byte[]? Snapshot, byte[]? Tags)?> ReadAsync(OciRegistryClient client, OciReference @namespace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        OciReference reference = ReferenceIn(@namespace);
        string where = reference.ToString();
        if (await client.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false) is not { } response)
        {
            return null;
        }
        OciManifest manifest = response.Parse(where);
        if (manifest.ArtifactType != ArtifactType)
        {
            throw new ChartsealException(where, $"is not a Chartseal index snapshot: its artifact type is \"{manifest.ArtifactType ?? "(none)"}\", not {ArtifactType}");
        }
        OciDescriptor? Layer(string mediaType, long maxSize)
        {
            var found = manifest.Layers.Where(l => l.MediaType == mediaType).ToList();
            if (found.Count > 1)
            {
                throw new ChartsealException(where, $"has {found.Count} {mediaType} layers; readers would disagree on which one counts");
            }
            return found.Count == 0 ? null
                : found[0].Size > maxSize ? throw new ChartsealException(where, $"its {mediaType} layer is larger than the {maxSize} byte limit ({found[0].Size} bytes)")
                : found[0];
        }
        OciDescriptor? snapshot = Layer(SnapshotMediaType, IndexSnapshot.MaxLength);
        OciDescriptor? tags = Layer(TagsMediaType, OciTagMap.MaxSize);
        return (snapshot is null ? null : await client.GetBlobAsync(reference, snapshot, cancellationToken).ConfigureAwait(false),
            tags is null ? null : await client.GetBlobAsync(reference, tags, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Pushes a signed snapshot and the map it covers as the namespace's snapshot artifact.</summary>
    /// <exception cref="ChartsealException">A failed request.</exception>
    public static async Task<OciDescriptor> PushAsync(OciRegistryClient client, OciReference @namespace, byte[] snapshot, byte[] tags, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var blobs = new List<OciBlob>
        {
            new(OciDescriptor.Empty, OciDescriptor.EmptyContent),
            OciBlob.Of(SnapshotMediaType, snapshot, new Dictionary<string, string> { [OciAnnotations.Title] = IndexSnapshot.FileName }),
            OciBlob.Of(TagsMediaType, tags, new Dictionary<string, string> { [OciAnnotations.Title] = IndexSnapshot.TagsFileName }),
        };
        var manifest = new OciManifest(OciDescriptor.Empty, [blobs[1].Descriptor, blobs[2].Descriptor])
        {
            MediaType = OciMediaTypes.ImageManifest,
            ArtifactType = ArtifactType,
        };
        return await client.PushArtifactAsync(ReferenceIn(@namespace), manifest, blobs, cancellationToken).ConfigureAwait(false);
    }
}

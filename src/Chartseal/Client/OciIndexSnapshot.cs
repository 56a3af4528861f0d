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
        return await OciFileArtifact.ReadAsync(client, ReferenceIn(@namespace), ArtifactType, "a Chartseal index snapshot", Layers, cancellationToken).ConfigureAwait(false) is { } read
            ? (read.Files[0], read.Files[1])
            : null;
    }

    private static readonly OciFileArtifact.FileLayer[] Layers =
    [
        new(IndexSnapshot.FileName, SnapshotMediaType, IndexSnapshot.MaxLength),
        new(IndexSnapshot.TagsFileName, TagsMediaType, OciTagMap.MaxSize),
    ];

    /// <summary>Pushes a signed snapshot and the map it covers as the namespace's snapshot artifact.</summary>
    /// <exception cref="ChartsealException">A failed request.</exception>
    public static async Task<OciDescriptor> PushAsync(OciRegistryClient client, OciReference @namespace, byte[] snapshot, byte[] tags, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var (manifest, blobs) = OciFileArtifact.Build(ArtifactType, Layers, [snapshot, tags]);
        return await client.PushArtifactAsync(ReferenceIn(@namespace), manifest, blobs, cancellationToken).ConfigureAwait(false);
    }
}

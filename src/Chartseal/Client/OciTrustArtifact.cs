using Chartseal.Oci;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// A registry namespace's trust material: the very files an http(s) repository serves at its root
/// (<c>trust.yaml.asc</c> signed by the root, <c>pubkeys.pgp</c>, <c>revoked.pgp</c>, <c>root.pgp</c>,
/// <c>rotations.asc</c>), stored as the layers of ONE OCI artifact at <c>NAMESPACE/chartseal-trust:current</c>, so that
/// a reader always gets one consistent set (one manifest digest pins every file). Helm stores a chart at
/// <c>NAMESPACE/NAME:VERSION</c>, and a chart version is SemVer, so no <c>helm push</c> can ever write the tag
/// <c>current</c>; Chartseal's own push refuses a chart named <c>chartseal-trust</c>. The artifact is an OCI 1.1 image
/// manifest with <see cref="ArtifactType"/>, the empty config, and one layer per file, each with its own media type and
/// its file name as <c>org.opencontainers.image.title</c> (so <c>oras pull</c> writes the files under their names).
/// Nothing here is trusted: <see cref="TrustedMaterial"/> checks the files as it checks them over http(s), and the tag,
/// being mutable, is never more than a hint (an older or expired artifact re-tagged is refused like a stale mirror).
/// </summary>
public static class OciTrustArtifact
{
    /// <summary>The repository below the namespace that holds the trust artifact (and the chart list).</summary>
    public const string RepositoryName = "chartseal-trust";

    /// <summary>The trust artifact's tag.</summary>
    public const string Tag = "current";

    /// <summary>The artifact type of the trust artifact.</summary>
    public const string ArtifactType = "application/vnd.chartseal.trust.v1";

    /// <summary>The media type of the <c>trust.yaml.asc</c> layer (the root-signed manifest).</summary>
    public const string ManifestMediaType = "application/vnd.chartseal.trust.manifest.v1.asc";

    /// <summary>The media type of the <c>pubkeys.pgp</c> layer.</summary>
    public const string PublicKeysMediaType = "application/vnd.chartseal.trust.pubkeys.v1.pgp";

    /// <summary>The media type of the <c>revoked.pgp</c> layer.</summary>
    public const string RevokedMediaType = "application/vnd.chartseal.trust.revoked.v1.pgp";

    /// <summary>The media type of the <c>root.pgp</c> layer.</summary>
    public const string RootKeysMediaType = "application/vnd.chartseal.trust.root.v1.pgp";

    /// <summary>The media type of the <c>rotations.asc</c> layer.</summary>
    public const string RotationsMediaType = "application/vnd.chartseal.trust.rotations.v1.asc";

    /// <summary>The media type of the <c>indexkeys.pgp</c> layer.</summary>
    public const string IndexKeysMediaType = "application/vnd.chartseal.trust.indexkeys.v1.pgp";

    private static readonly OciFileArtifact.FileLayer[] Layers =
    [
        new(TrustFiles.ManifestName, ManifestMediaType, TrustFiles.MaxFileSize),
        new(TrustFiles.PublicKeysName, PublicKeysMediaType, TrustFiles.MaxFileSize),
        new(TrustFiles.RevokedName, RevokedMediaType, TrustFiles.MaxFileSize),
        new(TrustFiles.RootKeysName, RootKeysMediaType, TrustFiles.MaxFileSize),
        new(TrustFiles.RotationsName, RotationsMediaType, TrustFiles.MaxRotationsSize),
        new(TrustFiles.IndexKeysName, IndexKeysMediaType, TrustFiles.MaxFileSize),
    ];

    /// <summary>Where the trust artifact of <paramref name="namespace"/> is: <c>NAMESPACE/chartseal-trust:current</c>.</summary>
    public static OciReference ReferenceIn(OciReference @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        return @namespace.WithoutReference.Child(RepositoryName).WithTag(Tag);
    }

    /// <summary>
    /// Reads the namespace's trust artifact: its files (each blob checked against its digest and size, at most
    /// <see cref="TrustFiles.MaxFileSize"/> each) and its manifest digest; null when the namespace has none.
    /// </summary>
    /// <exception cref="ChartsealException">Not a trust artifact, two layers for one file, a file too large, or a failed request.</exception>
    public static async Task<OciTrustSnapshot?> ReadAsync(OciRegistryClient client, OciReference @namespace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await OciFileArtifact.ReadAsync(client, ReferenceIn(@namespace), ArtifactType, "Chartseal trust material", Layers, cancellationToken).ConfigureAwait(false) is not { } read)
        {
            return null;
        }
        return new OciTrustSnapshot(TrustFiles.From(name => read.Files[Array.FindIndex(Layers, l => l.Name == name)]), read.Digest);
    }

    /// <summary>The artifact holding <paramref name="files"/> (absent files have no layer), and its blobs (the empty config first).</summary>
    public static (OciManifest Manifest, IReadOnlyList<OciBlob> Blobs) Build(TrustFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return OciFileArtifact.Build(ArtifactType, Layers, [.. Layers.Select(l => files.Of(l.Name))]);
    }

    /// <summary>
    /// Pushes <paramref name="files"/> as the namespace's trust artifact, only if the tag still holds the artifact
    /// <paramref name="replacing"/> (its manifest digest, as read before the change; null: there must be none), so that
    /// two writers never silently overwrite each other's change. The tag is checked just before the manifest is put,
    /// and again after: a writer that lost a race is told so.
    /// </summary>
    /// <returns>The descriptor of the pushed manifest.</returns>
    /// <exception cref="ChartsealException">The tag moved meanwhile, or a request failed.</exception>
    public static async Task<OciDescriptor> PushAsync(OciRegistryClient client, OciReference @namespace, TrustFiles files, string? replacing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        OciReference reference = ReferenceIn(@namespace);
        var (manifest, blobs) = Build(files);
        foreach (OciBlob blob in blobs)
        {
            await client.PushBlobAsync(reference, blob.Descriptor, blob.Content, cancellationToken).ConfigureAwait(false);
        }
        return await PutIfUnchangedAsync(client, reference, manifest.ToJson(), manifest.MediaType!, replacing, "trust artifact", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts a manifest at a tag only while the tag holds <paramref name="replacing"/> (null: nothing), and checks
    /// afterwards that it holds the manifest put. Registries offer no conditional put, so this narrows the window to
    /// the requests around the put, and reports a lost race instead of hiding it.
    /// </summary>
    /// <exception cref="ChartsealException">The tag moved (not an <see cref="OciRegistryException"/>), or a request failed.</exception>
    internal static async Task<OciDescriptor> PutIfUnchangedAsync(OciRegistryClient client, OciReference reference, byte[] manifest, string mediaType, string? replacing, string what, CancellationToken cancellationToken)
    {
        string where = reference.ToString();
        string? before = (await client.HeadManifestAsync(reference, cancellationToken).ConfigureAwait(false))?.Digest;
        if (before != replacing)
        {
            throw new ChartsealException(where, $"the {what} changed while this change was made (it was {replacing ?? "absent"}, it is now {before ?? "absent"}): another writer got there first; run the command again");
        }
        OciDescriptor pushed = await client.PutManifestAsync(reference, manifest, mediaType, cancellationToken).ConfigureAwait(false);
        string? after = (await client.HeadManifestAsync(reference, cancellationToken).ConfigureAwait(false))?.Digest;
        if (after != pushed.Digest)
        {
            throw new ChartsealException(where, $"another writer replaced the {what} just after this change was pushed (the tag now holds {after ?? "nothing"}, not {pushed.Digest}); check it and run the command again");
        }
        return pushed;
    }
}

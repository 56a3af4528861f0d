using Chartseal.Oci;

namespace Chartseal.Client;

/// <summary>
/// An artifact whose layers are named files, one layer per media type (the trust artifact, the index snapshot): the
/// one reader and builder of such artifacts, so both check the same things (artifact type, one layer per file, sizes).
/// </summary>
internal static class OciFileArtifact
{
    /// <summary>One file of an artifact: its name (the layer's title), media type and largest size read.</summary>
    internal readonly record struct FileLayer(string Name, string MediaType, long MaxSize);

    /// <summary>
    /// Reads the artifact at <paramref name="reference"/>: each file's bytes (null when the artifact has no such layer;
    /// each blob checked against its digest and size) in the order of <paramref name="layers"/>, and the manifest's
    /// digest; null when there is no manifest there. Layers of other media types are ignored (a later format's extras).
    /// </summary>
    /// <exception cref="ChartsealException">Another artifact type, two layers for one file, a file too large, or a failed request.</exception>
    public static async Task<(byte[]?[] Files, string Digest)?> ReadAsync(OciRegistryClient client, OciReference reference, string artifactType, string what,
        IReadOnlyList<FileLayer> layers, CancellationToken cancellationToken)
    {
        string where = reference.ToString();
        if (await client.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false) is not { } response)
        {
            return null;
        }
        OciManifest manifest = response.Parse(where);
        if (manifest.ArtifactType != artifactType)
        {
            throw new ChartsealException(where, $"is not {what}: its artifact type is \"{manifest.ArtifactType ?? "(none)"}\", not {artifactType}");
        }
        var found = new OciDescriptor?[layers.Count];
        foreach (OciDescriptor layer in manifest.Layers)
        {
            int slot = -1;
            for (int i = 0; i < layers.Count && slot < 0; i++)
            {
                slot = layers[i].MediaType == layer.MediaType ? i : -1;
            }
            if (slot < 0)
            {
                continue; // a later format's extra file: ignored, as unknown files beside an index.yaml are
            }
            if (found[slot] is not null)
            {
                throw new ChartsealException(where, $"has two {layers[slot].Name} layers ({layer.MediaType}); readers would disagree on which one counts");
            }
            if (layer.Size > layers[slot].MaxSize)
            {
                throw new ChartsealException($"{where} ({layers[slot].Name})", $"is larger than the {layers[slot].MaxSize} byte limit ({layer.Size} bytes)");
            }
            found[slot] = layer;
        }
        byte[]?[] contents = await Task.WhenAll(found.Select(async d => d is null ? null : await client.GetBlobAsync(reference, d, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        return (contents, response.Digest);
    }

    /// <summary>The artifact holding <paramref name="contents"/> (in the order of <paramref name="layers"/>; null files have no layer), and its blobs (the empty config first).</summary>
    public static (OciManifest Manifest, IReadOnlyList<OciBlob> Blobs) Build(string artifactType, IReadOnlyList<FileLayer> layers, IReadOnlyList<byte[]?> contents)
    {
        var blobs = new List<OciBlob> { new(OciDescriptor.Empty, OciDescriptor.EmptyContent) };
        var descriptors = new List<OciDescriptor>();
        for (int i = 0; i < layers.Count; i++)
        {
            if (contents[i] is { } bytes)
            {
                var blob = OciBlob.Of(layers[i].MediaType, bytes, new Dictionary<string, string> { [OciAnnotations.Title] = layers[i].Name });
                blobs.Add(blob);
                descriptors.Add(blob.Descriptor);
            }
        }
        var manifest = new OciManifest(OciDescriptor.Empty, descriptors)
        {
            MediaType = OciMediaTypes.ImageManifest,
            ArtifactType = artifactType,
        };
        return (manifest, blobs);
    }
}

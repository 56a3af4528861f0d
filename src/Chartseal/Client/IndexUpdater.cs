using Chartseal.Charts;
using Chartseal.Fetch;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// The index updater: fetches a repository's <c>index.yaml</c> after its trust material was accepted. When that material
/// names index keys, the index arrives only through its signed snapshot: the snapshot is verified
/// (<see cref="TrustedSnapshot.Load"/>: signer, trust manifest, rollback, expiry), then the very index it names is
/// downloaded under its content-addressed name and checked against the snapshot's hash and size; the snapshot is
/// remembered only then. <c>repo update</c>, <c>audit</c> and a pull by URL read every index through here.
/// </summary>
public static class IndexUpdater
{
    /// <summary>
    /// The repository's current index read afresh (nothing held: audit, a pull by URL), streamed into a temporary file
    /// first (a compressed answer of a few kilobytes may be hundreds of megabytes of YAML) and opened for reading; the file
    /// goes when the stream is closed. Either the stream, or the refusal of the index or its snapshot.
    /// </summary>
    /// <returns>The open index, or null with the refusal.</returns>
    /// <exception cref="ChartsealException">No index, a download failure, a file that cannot be written, the deadline.</exception>
    public static async Task<(FileStream? Index, IndexDownload.Rejected? Rejected)> OpenCurrentAsync(RepositorySource source, PinnedRoot root, TrustStateStore store,
        TrustedMaterial material, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        string copy = Path.Combine(Path.GetTempPath(), $"chartseal-index-{Guid.NewGuid():N}.yaml");
        FileStream? opened = null;
        try
        {
            switch (await SaveAsync(source, root, store, material, null, null, copy, null, now, cancellationToken).ConfigureAwait(false))
            {
                case IndexDownload.Rejected rejected:
                    return (null, rejected);
                case IndexDownload.Saved:
                    opened = new FileStream(copy, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.DeleteOnClose);
                    return (opened, null);
                default:
                    throw new ChartsealException(source.AddressOf(ChartIndex.FileName), source.IsRemote ? "not found: the repository has no index.yaml" : "no such file");
            }
        }
        finally
        {
            if (opened is null)
            {
                File.Delete(copy);
            }
        }
    }

    /// <summary>
    /// Saves the repository's current index into <paramref name="path"/>, unless the index held (by its
    /// <paramref name="heldSha256"/>, or its <paramref name="etag"/> when the repository signs no index) is still current.
    /// </summary>
    /// <exception cref="ChartsealException">A download failure, a file that cannot be written, the deadline.</exception>
    public static async Task<IndexDownload> SaveAsync(RepositorySource source, PinnedRoot initialRoot, TrustStateStore store, TrustedMaterial material,
        string? heldSha256, string? etag, string path, IProgress<DownloadProgress>? progress, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(material);
        if (!material.RequiresSnapshot)
        {
            return await source.SaveIndexAsync(etag, path, progress, cancellationToken).ConfigureAwait(false) switch
            {
                FetchOutcome.Saved saved => new IndexDownload.Saved(saved, null),
                FetchOutcome.NotModified => new IndexDownload.Unchanged(null),
                _ => new IndexDownload.NotFound(),
            };
        }

        if (source is OciRepositorySource registry)
        {
            var pinned = await PinAsync(registry, initialRoot, store, material, now, cancellationToken).ConfigureAwait(false);
            if (pinned.Rejected is { } refused)
            {
                return refused;
            }
            // The catalogue built from the signed map only (each manifest read by the map's digest).
            var built = await registry.SaveIndexAsync(null, path, progress, cancellationToken).ConfigureAwait(false);
            store.AcceptSnapshot(initialRoot, source.Location, material, pinned.Snapshot!);
            return new IndexDownload.Saved((FetchOutcome.Saved)built, pinned.Snapshot, pinned.Tags);
        }

        // A writer replaces the snapshot and, a while later, the old indexes: a reader that lost that race reads once more.
        for (int attempt = 1; ; attempt++)
        {
            byte[]? bytes = await source.ReadFileAsync(IndexSnapshot.FileName, IndexSnapshot.MaxLength, cancellationToken).ConfigureAwait(false);
            SnapshotResult result = TrustedSnapshot.Load(bytes, material, store.Get(initialRoot)?.Snapshot, now);
            if (result is not SnapshotResult.Accepted { Snapshot: var snapshot })
            {
                return new IndexDownload.Rejected(source.AddressOf(IndexSnapshot.FileName), ((SnapshotResult.Rejected)result).Refusal);
            }
            if (snapshot.Snapshot.IndexName != IndexSnapshot.IndexFileName)
            {
                return new IndexDownload.Rejected(source.AddressOf(IndexSnapshot.FileName), new Refusal(RejectionReason.IndexMismatch,
                    $"{IndexSnapshot.FileName} version {snapshot.Version} covers {snapshot.Snapshot.IndexName}, but a repository's snapshot covers its {IndexSnapshot.IndexFileName} (a registry namespace's snapshot served in its place?)"));
            }
            if (string.Equals(heldSha256, snapshot.Snapshot.IndexSha256, StringComparison.Ordinal))
            {
                store.AcceptSnapshot(initialRoot, source.Location, material, snapshot);
                return new IndexDownload.Unchanged(snapshot);
            }
            string name = IndexSnapshot.ContentAddressedIndexName(snapshot.Snapshot.IndexSha256);
            Refusal refusal;
            if (await source.SaveFileAsync(name, ChartIndex.MaxIndexSize, path, progress, cancellationToken).ConfigureAwait(false) is FetchOutcome.Saved saved)
            {
                if (snapshot.CheckIndex(saved.Sha256, saved.Length, source.AddressOf(name)) is not { } mismatch)
                {
                    store.AcceptSnapshot(initialRoot, source.Location, material, snapshot);
                    return new IndexDownload.Saved(saved, snapshot);
                }
                refusal = mismatch;
            }
            else
            {
                refusal = new Refusal(RejectionReason.IndexMismatch, $"{source.AddressOf(name)}, the index that {IndexSnapshot.FileName} version {snapshot.Version} signs, is not in the repository");
            }
            if (attempt == 2)
            {
                return new IndexDownload.Rejected(source.AddressOf(name), refusal);
            }
        }
    }

    /// <summary>
    /// For a registry namespace whose trust material names index keys: reads its snapshot artifact, verifies the snapshot
    /// and that it covers the <c>tags.json</c> beside it, and pins <paramref name="registry"/> to that map
    /// (<see cref="OciRepositorySource.PinTags"/>) so that the versions and manifests read next are the signed ones.
    /// The snapshot is not remembered here (the caller does, once it used it).
    /// </summary>
    /// <exception cref="ChartsealException">Not a snapshot artifact, or a failed request.</exception>
    public static async Task<(IndexDownload.Rejected? Rejected, TrustedSnapshot? Snapshot, byte[]? Tags)> PinAsync(OciRepositorySource registry, PinnedRoot initialRoot,
        TrustStateStore store, TrustedMaterial material, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(material);
        string where = OciIndexSnapshot.ReferenceIn(registry.Namespace).ToString();
        static (IndexDownload.Rejected?, TrustedSnapshot?, byte[]?) Refuse(string file, RejectionReason reason, string message) =>
            (new IndexDownload.Rejected(file, new Refusal(reason, message)), null, null);

        var stored = await registry.ReadIndexSnapshotAsync(cancellationToken).ConfigureAwait(false);
        SnapshotResult result = TrustedSnapshot.Load(stored?.Snapshot, material, store.Get(initialRoot)?.Snapshot, now);
        if (result is not SnapshotResult.Accepted { Snapshot: var snapshot })
        {
            return (new IndexDownload.Rejected(where, ((SnapshotResult.Rejected)result).Refusal), null, null);
        }
        if (snapshot.Snapshot.IndexName != IndexSnapshot.TagsFileName)
        {
            return Refuse(where, RejectionReason.IndexMismatch, $"{IndexSnapshot.FileName} version {snapshot.Version} covers {snapshot.Snapshot.IndexName}, but a registry namespace's snapshot covers its {IndexSnapshot.TagsFileName}");
        }
        if (stored?.Tags is not { } tags)
        {
            return Refuse(where, RejectionReason.IndexMismatch, $"the snapshot artifact holds no {IndexSnapshot.TagsFileName}, which {IndexSnapshot.FileName} version {snapshot.Version} signs");
        }
        if (snapshot.CheckIndex(IO.ContentHash.Sha256Hex(tags), tags.LongLength, $"{where} ({IndexSnapshot.TagsFileName})") is { } mismatch)
        {
            return (new IndexDownload.Rejected(where, mismatch), null, null);
        }
        if (OciTagMap.TryParse(tags, out string error) is not { } map)
        {
            return Refuse(where, RejectionReason.IndexBadSignature, $"the {IndexSnapshot.TagsFileName} that {IndexSnapshot.FileName} version {snapshot.Version} signs is malformed: {error}");
        }
        registry.PinTags(map);
        return (null, snapshot, tags);
    }
}

using Chartseal.Charts;
using Chartseal.Fetch;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// The index updater: fetches a repository's <c>index.yaml</c> after its trust material was accepted. When that material
/// names index keys, the index arrives only through its signed snapshot: the snapshot is verified
/// (<see cref="TrustedSnapshot.Load"/>: signer, trust manifest, rollback, expiry), then the very index it names is
/// downloaded under its content-addressed name and checked against the snapshot's hash and size; the snapshot is
/// remembered only then. <c>repo update</c> and <c>audit</c> read every index through here.
/// </summary>
public static class IndexUpdater
{
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

        // A writer replaces the snapshot and, a while later, the old indexes: a reader that lost that race reads once more.
        for (int attempt = 1; ; attempt++)
        {
            byte[]? bytes = await source.ReadFileAsync(IndexSnapshot.FileName, IndexSnapshot.MaxLength, cancellationToken).ConfigureAwait(false);
            SnapshotResult result = TrustedSnapshot.Load(bytes, material, store.Get(initialRoot)?.Snapshot, now);
            if (result is not SnapshotResult.Accepted { Snapshot: var snapshot })
            {
                return new IndexDownload.Rejected(source.AddressOf(IndexSnapshot.FileName), ((SnapshotResult.Rejected)result).Refusal);
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
}

using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// The trust updater: reads a repository's trust files through its <see cref="RepositorySource"/>, has them verified
/// against the pinned root (or the root it rotated to) and the highest version seen, and remembers the result only
/// after it was accepted. The publisher, the server, the audit and the verifying client all refresh through it.
/// </summary>
public static class TrustUpdater
{
    /// <summary>Loads and verifies a repository's trust material.</summary>
    /// <returns>Accepted material, or a rejection (trust-*).</returns>
    /// <exception cref="ChartsealException">A trust file cannot be read (or downloaded), or the trust state is damaged.</exception>
    public static async Task<TrustResult> RefreshAsync(RepositorySource source, PinnedRoot initialRoot, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default) =>
        (await RefreshWithFilesAsync(source, initialRoot, store, now, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>
    /// <see cref="RefreshAsync"/>, also returning the very files the result was decided on, for a client that caches
    /// accepted material (check <see cref="TrustRefresh.Result"/> before keeping them).
    /// </summary>
    public static async Task<TrustRefresh> RefreshWithFilesAsync(RepositorySource source, PinnedRoot initialRoot, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(initialRoot);
        ArgumentNullException.ThrowIfNull(store);
        TrustState? state = store.Get(initialRoot);
        var pin = new PinnedRoot(state?.CurrentRoot ?? initialRoot.Fingerprint);
        TrustFiles files = await source.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
        TrustResult result = TrustedMaterial.Load(files, pin, state?.Seen, now);
        if (result is TrustResult.Rejected { Reason: RejectionReason.TrustMismatch })
        {
            // A writer may be between renaming the keyrings and the manifest: read once more.
            files = await source.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
            result = TrustedMaterial.Load(files, pin, state?.Seen, now);
        }
        if (result is TrustResult.Accepted accepted)
        {
            store.Accept(initialRoot, source.Location, accepted.Material);
        }
        return new TrustRefresh(result, files);
    }

    /// <summary>
    /// Checks trust files already held (e.g. a client's cache of what <see cref="RefreshWithFilesAsync"/> accepted) against
    /// what the store remembers for the repository's root: the current root, no rollback, not expired. Remembers nothing.
    /// </summary>
    /// <returns>Accepted material, or a rejection (trust-*).</returns>
    public static TrustResult CheckHeld(TrustFiles files, PinnedRoot initialRoot, TrustStateStore store, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(initialRoot);
        ArgumentNullException.ThrowIfNull(store);
        TrustState? state = store.Get(initialRoot);
        return TrustedMaterial.Load(files, new PinnedRoot(state?.CurrentRoot ?? initialRoot.Fingerprint), state?.Seen, now);
    }

    /// <summary>
    /// The material in <paramref name="files"/> when <see cref="CheckHeld"/> refuses it only for having expired
    /// (trust-expired): so that a report (the repository page, the server's metrics) can say which version expired and
    /// when. Nothing may be trusted with it.
    /// </summary>
    /// <returns>The expired material, or null when the files are accepted or refused for another reason.</returns>
    public static TrustedMaterial? ReadExpired(TrustFiles files, PinnedRoot initialRoot, TrustStateStore store, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(initialRoot);
        ArgumentNullException.ThrowIfNull(store);
        if (CheckHeld(files, initialRoot, store, now) is not TrustResult.Rejected { Reason: RejectionReason.TrustExpired })
        {
            return null;
        }
        var pin = new PinnedRoot(store.Get(initialRoot)?.CurrentRoot ?? initialRoot.Fingerprint);
        return TrustedMaterial.LoadForUpdate(files, pin, now) is TrustResult.Accepted { Material: var material } ? material : null;
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chartseal.IO;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// The client's update step: read a repository's trust files, verify them against the pinned root (or the root
/// it rotated to) and the highest version seen, and remember the result only after it was accepted.
/// </summary>
public static class TrustClient
{
    /// <summary>Loads and verifies a repository folder's (or http(s) URL's) trust material.</summary>
    /// <returns>Accepted material, or a rejection (trust-*).</returns>
    public static async Task<TrustResult> RefreshAsync(string repositoryDirectory, PinnedRoot initialRoot, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default) =>
        (await RefreshWithFilesAsync(repositoryDirectory, initialRoot, store, now, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>
    /// <see cref="RefreshAsync"/>, also returning the very files the result was decided on, for a client that caches
    /// accepted material (check <see cref="TrustRefresh.Result"/> before keeping them).
    /// </summary>
    public static async Task<TrustRefresh> RefreshWithFilesAsync(string repositoryDirectory, PinnedRoot initialRoot, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string location = LocationOf(repositoryDirectory);
        TrustState? state = store.Get(initialRoot, location);
        var pin = new PinnedRoot(state?.CurrentRoot ?? initialRoot.Fingerprint);
        TrustFiles files = await TrustFiles.ReadAsync(repositoryDirectory, cancellationToken).ConfigureAwait(false);
        TrustResult result = TrustedMaterial.Load(files, pin, state?.Seen, now);
        if (result is TrustResult.Rejected { Reason: RejectionReason.TrustMismatch })
        {
            // A writer may be between renaming the keyrings and the manifest: read once more.
            files = await TrustFiles.ReadAsync(repositoryDirectory, cancellationToken).ConfigureAwait(false);
            result = TrustedMaterial.Load(files, pin, state?.Seen, now);
        }
        if (result is TrustResult.Accepted accepted)
        {
            store.Accept(initialRoot, location, accepted.Material);
        }
        return new TrustRefresh(result, files);
    }

    /// <summary>
    /// Checks trust files already held (e.g. a client's cache of what <see cref="RefreshWithFilesAsync"/> accepted) against
    /// what the store remembers for <paramref name="repositoryLocation"/>: the current root, no rollback, not expired.
    /// Remembers nothing.
    /// </summary>
    /// <returns>Accepted material, or a rejection (trust-*).</returns>
    public static TrustResult CheckHeld(TrustFiles files, string repositoryLocation, PinnedRoot initialRoot, TrustStateStore store, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(store);
        TrustState? state = store.Get(initialRoot, LocationOf(repositoryLocation));
        return TrustedMaterial.Load(files, new PinnedRoot(state?.CurrentRoot ?? initialRoot.Fingerprint), state?.Seen, now);
    }

    /// <summary>The key a repository's state is remembered under: the URL without a trailing slash, or the full folder path.</summary>
    public static string LocationOf(string repository) =>
        Fetch.HttpFetcher.IsUrl(repository) ? repository.TrimEnd('/') : Path.GetFullPath(repository);
}

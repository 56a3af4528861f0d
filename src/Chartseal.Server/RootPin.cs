using Chartseal.Client;
using Chartseal.Trust;

namespace Chartseal.Server;

/// <summary>
/// The root the server checks everything against: <c>--root-fingerprint</c>, or else the root the repository declares
/// when it is first needed (trust on first use), pinned once for the whole server so that uploads, the page and
/// readiness can never judge against different roots.
/// </summary>
internal sealed class RootPin(ServerOptions options)
{
    private PinnedRoot? _root = options.Root;

    /// <summary>The pinned root, or null before anything needed it (no <c>--root-fingerprint</c>).</summary>
    public PinnedRoot? Current => Volatile.Read(ref _root);

    /// <summary>The pinned root, pinning the declared one the first time; <c>Pinned</c> is true for the call that pinned it.</summary>
    /// <exception cref="ChartsealException">No pin yet, and no usable trust material to take the declared root from.</exception>
    public async Task<(PinnedRoot Root, bool Pinned)> GetAsync(CancellationToken cancellationToken)
    {
        if (Current is { } pinned)
        {
            return (pinned, false);
        }
        var claimed = await TrustOnFirstUse.ClaimAsync(new FolderRepositorySource(options.RepositoryDir), cancellationToken).ConfigureAwait(false);
        bool won = Interlocked.CompareExchange(ref _root, new PinnedRoot(claimed.Fingerprint), null) is null;
        return (Current!, won);
    }
}

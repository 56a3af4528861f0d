using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.OpenPgp;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>
/// Keeps a repository folder's index snapshot fresh for a server that holds an index key: it signs after every change
/// the server makes, and, when asked on a timer, whenever the snapshot is missing, past half its lifetime, or no longer
/// names the folder's <c>index.yaml</c> or trust manifest (another writer changed them: <c>chartseal publish</c>, a
/// trust command). One signature at a time.
/// </summary>
public sealed class IndexSnapshotKeeper(string repositoryDir, IndexSigner signer, TimeSpan lifetime)
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private (long Length, DateTime Modified, string Sha256)? _indexHash;

    /// <summary>How long each snapshot is valid.</summary>
    public TimeSpan Lifetime => lifetime;

    /// <summary>The index key's fingerprint.</summary>
    public string Fingerprint => signer.Fingerprint;

    /// <summary>How often a server should call <see cref="RefreshIfDueAsync"/>: every few seconds, and several times per lifetime.</summary>
    public TimeSpan CheckInterval => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, lifetime.Ticks / 4));

    /// <summary>Signs a snapshot of the folder as it is now (after a change).</summary>
    /// <exception cref="ChartsealException">See <see cref="IndexSnapshotWriter.SignAsync(string, IndexSigner, TimeSpan, DateTime, CancellationToken)"/>.</exception>
    public async Task<IndexSnapshot> SignAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await IndexSnapshotWriter.SignAsync(repositoryDir, signer, lifetime, now, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>Signs when a snapshot is due (see the class); returns it, or null when the current one still holds.</summary>
    /// <exception cref="ChartsealException">See <see cref="IndexSnapshotWriter.SignAsync(string, IndexSigner, TimeSpan, DateTime, CancellationToken)"/>.</exception>
    public async Task<IndexSnapshot?> RefreshIfDueAsync(DateTime now, CancellationToken cancellationToken = default) =>
        await IsDueAsync(now, cancellationToken).ConfigureAwait(false) ? await SignAsync(now, cancellationToken).ConfigureAwait(false) : null;

    private async Task<bool> IsDueAsync(DateTime now, CancellationToken cancellationToken)
    {
        byte[]? bytes = await InputFile.ReadIfExistsAsync(Path.Combine(repositoryDir, IndexSnapshot.FileName), IndexSnapshot.MaxLength, truncate: true, cancellationToken).ConfigureAwait(false);
        // Read, not verified: the keeper only decides when to sign; clients verify.
        if (bytes is null || ClearSignedMessage.TryParse(bytes, out _) is not { } message || IndexSnapshot.TryParse(message.Plaintext, out _) is not { } current)
        {
            return true;
        }
        // Due once signing now would move the expiry on by more than half a lifetime: with the usual lifetime, when half of
        // it is left. A key expiring sooner caps each snapshot (nothing to gain by signing again); a key that can no longer
        // sign is due, so that the failure is logged and readiness reports it.
        DateTime next;
        try
        {
            next = IndexSnapshotWriter.ExpiryOf(signer, lifetime, now, IndexSnapshot.FileName);
        }
        catch (ChartsealException)
        {
            return true;
        }
        if (next - current.Expires > lifetime / 2)
        {
            return true;
        }
        byte[]? manifest = await InputFile.ReadIfExistsAsync(Path.Combine(repositoryDir, TrustFiles.ManifestName), TrustManifest.MaxLength, truncate: true, cancellationToken).ConfigureAwait(false);
        if (manifest is null || ContentHash.Sha256Hex(manifest) != current.TrustManifestSha256)
        {
            return true;
        }
        // A snapshot that claims to live longer than the root allows was not written here (a stolen key's, say): clients
        // cap it at snapshotMaxLifetime after its signature and then refuse it, long before it looks due by its claim.
        TimeSpan maxLifetime = ClearSignedMessage.TryParse(manifest, out _) is { } signedManifest && TrustManifest.TryParse(signedManifest.Plaintext, out _) is { } parsed
            ? parsed.SnapshotMaxLifetime ?? TrustManifest.DefaultSnapshotMaxLifetime
            : TimeSpan.Zero;
        if (current.Expires - now > maxLifetime)
        {
            return true;
        }
        return await IndexSha256Async(cancellationToken).ConfigureAwait(false) != current.IndexSha256;
    }

    // index.yaml's hash, computed again only when its size or time changed (it may be large).
    private async Task<string?> IndexSha256Async(CancellationToken cancellationToken)
    {
        var info = new FileInfo(Path.Combine(repositoryDir, ChartIndex.FileName));
        if (!info.Exists)
        {
            return null;
        }
        if (_indexHash is { } held && held.Length == info.Length && held.Modified == info.LastWriteTimeUtc)
        {
            return held.Sha256;
        }
        string sha256 = ContentHash.Sha256Hex(await InputFile.ReadAsync(info.FullName, ChartIndex.MaxIndexSize, cancellationToken).ConfigureAwait(false));
        _indexHash = (info.Length, info.LastWriteTimeUtc, sha256);
        return sha256;
    }
}

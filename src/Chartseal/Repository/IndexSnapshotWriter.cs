using System.Text;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.OpenPgp;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>
/// Signs a repository folder's index snapshot: the index is published under its content-addressed name
/// (<see cref="IndexSnapshot.ContentAddressedIndexName"/>) first, then <c>snapshot.yaml.asc</c> pointing to it, each
/// atomically, under the repository lock. A reader follows the snapshot to an index that never changes, so it never sees a
/// mismatched pair; the copies of the last few indexes are kept for readers still holding the previous snapshot.
/// Used by the server (after every accepted change and before expiry), <c>chartseal index sign</c> and <c>publish --index-key</c>.
/// </summary>
public static class IndexSnapshotWriter
{
    /// <summary>Content-addressed indexes kept besides the current one, whatever their age.</summary>
    public const int KeptIndexes = 3;

    /// <summary>Older content-addressed indexes are kept this long after they were replaced (for readers in flight).</summary>
    public static readonly TimeSpan KeepReplacedIndexes = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether the repository folder publishes a signed index snapshot: its clients then read the index the snapshot
    /// names, and a new <c>index.yaml</c> reaches them only once a snapshot is signed again.
    /// </summary>
    public static bool HasSnapshot(string repositoryDir) => File.Exists(Path.Combine(repositoryDir, IndexSnapshot.FileName));

    /// <summary>
    /// Signs a new snapshot of the folder's current <c>index.yaml</c> (an empty index is written first when there is
    /// none), made with its current trust material, expiring <paramref name="lifetime"/> after <paramref name="now"/>.
    /// </summary>
    /// <returns>The snapshot written.</returns>
    /// <exception cref="ChartsealException">
    /// The key is not one of the repository's index keys, the lifetime exceeds the trust manifest's cap, no or unverifiable
    /// trust material, or a file cannot be read or written.
    /// </exception>
    public static async Task<IndexSnapshot> SignAsync(string repositoryDir, IndexSigner signer, TimeSpan lifetime, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signer);
        await using var repositoryLock = await RepositoryLock.AcquireAsync(repositoryDir, cancellationToken).ConfigureAwait(false);
        var source = new FolderRepositorySource(repositoryDir);
        string snapshotPath = source.AddressOf(IndexSnapshot.FileName);

        // 1. The trust material it is made with, and the rules the root set in it.
        TrustedMaterial material = await TrustRepository.ReadCurrentAsync(source, now, cancellationToken).ConfigureAwait(false);
        CheckSigner(material, signer, lifetime, snapshotPath);

        // 2. The index, under its content-addressed name (written once: the name is its hash).
        string indexPath = source.AddressOf(ChartIndex.FileName);
        if (!File.Exists(indexPath))
        {
            await AtomicFile.WriteAllBytesAsync(indexPath, Encoding.UTF8.GetBytes(new ChartIndex { Generated = ChartIndex.Timestamp(now) }.Serialize()), cancellationToken).ConfigureAwait(false);
        }
        byte[] index = await InputFile.ReadAsync(indexPath, ChartIndex.MaxIndexSize, cancellationToken).ConfigureAwait(false);
        string indexSha256 = ContentHash.Sha256Hex(index);
        string addressed = source.AddressOf(IndexSnapshot.ContentAddressedIndexName(indexSha256));
        if (!File.Exists(addressed))
        {
            await AtomicFile.WriteAllBytesAsync(addressed, index, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            File.SetLastWriteTimeUtc(addressed, DateTime.UtcNow); // current again: kept by the clean-up below
        }

        // 3. The snapshot: a version above the last one and at least the Unix time (so a restored folder still moves forward).
        byte[]? previous = await InputFile.ReadIfExistsAsync(snapshotPath, IndexSnapshot.MaxLength, truncate: true, cancellationToken).ConfigureAwait(false);
        var (snapshot, signed) = Sign(signer, lifetime, now, previous, material, IndexSnapshot.IndexFileName, index, snapshotPath);
        await AtomicFile.WriteAllBytesAsync(snapshotPath, signed, cancellationToken).ConfigureAwait(false);

        // 4. Old copies go once no reader can still be following a snapshot to them.
        RemoveReplacedIndexes(source.Location, Path.GetFileName(addressed));
        return snapshot;
    }

    /// <summary>
    /// Signs a new snapshot of a registry namespace: its chart tags and the manifest digest each holds now
    /// (<see cref="OciRepositorySource.ReadLiveTagMapAsync"/>), made with its current trust artifact, pushed as the
    /// snapshot artifact (<see cref="OciIndexSnapshot"/>). No private key goes to the registry.
    /// </summary>
    /// <returns>The snapshot pushed.</returns>
    /// <exception cref="ChartsealException">As for a folder, and a failed request.</exception>
    public static async Task<IndexSnapshot> SignAsync(OciRepositorySource registry, IndexSigner signer, TimeSpan lifetime, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(signer);
        string where = OciIndexSnapshot.ReferenceIn(registry.Namespace).ToString();
        TrustedMaterial material = await TrustRepository.ReadCurrentAsync(registry, now, cancellationToken).ConfigureAwait(false);
        CheckSigner(material, signer, lifetime, where);
        byte[] tags = (await registry.ReadLiveTagMapAsync(cancellationToken).ConfigureAwait(false)).ToJson();
        byte[]? previous = (await registry.ReadIndexSnapshotAsync(cancellationToken).ConfigureAwait(false))?.Snapshot;
        var (snapshot, signed) = Sign(signer, lifetime, now, previous, material, IndexSnapshot.TagsFileName, tags, where);
        await OciIndexSnapshot.PushAsync(registry.Client, registry.Namespace, signed, tags, cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    // The key must be one the root delegated snapshots to, and the lifetime within the root's cap.
    private static void CheckSigner(TrustedMaterial material, IndexSigner signer, TimeSpan lifetime, string where)
    {
        if (!material.IsIndexKey(signer.Fingerprint))
        {
            throw new ChartsealException(where, material.RequiresSnapshot
                ? $"key {signer.Fingerprint} is not an index key of this repository (trust version {material.Version}; chartseal trust show lists them)"
                : $"the repository's trust material (version {material.Version}) names no index key; the root adds one first: chartseal trust index-key add");
        }
        if (lifetime <= TimeSpan.Zero || lifetime > material.SnapshotMaxLifetime)
        {
            throw new ChartsealException(where, $"a snapshot lifetime of {Duration.ForPeople(lifetime)} is outside what the trust manifest allows (at most {Duration.ForPeople(material.SnapshotMaxLifetime)})");
        }
    }

    /// <summary>
    /// When a snapshot signed by <paramref name="signer"/> at <paramref name="now"/> stops being accepted: after
    /// <paramref name="lifetime"/>, or when the index key expires if that comes first (clients check the key as it is when
    /// they read the snapshot, so a later expiry would only be a promise no client keeps).
    /// </summary>
    /// <exception cref="ChartsealException">The index key cannot sign at <paramref name="now"/> (expired, revoked, not yet valid).</exception>
    internal static DateTime ExpiryOf(IndexSigner signer, TimeSpan lifetime, DateTime now, string where)
    {
        ArgumentNullException.ThrowIfNull(signer);
        KeyValidityResult validity = KeyValidity.Check(signer.Key.SecretKey.PublicKey, signer.Key.PublicRing, now);
        if (!validity.IsValid)
        {
            throw new ChartsealException(where, $"index key {signer.Fingerprint} cannot sign a snapshot: {validity.Detail}; clients would refuse it (extend the key's expiry and re-export it to the root, or have the root add a new index key: chartseal trust index-key add)");
        }
        DateTime expires = SecondsOf(now) + lifetime;
        return validity.ExpiresAt is { } keyExpires && keyExpires < expires ? keyExpires : expires;
    }

    private static DateTime SecondsOf(DateTime now)
    {
        DateTime utc = now.ToUniversalTime();
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    // The body and its clear-signed bytes: a version above the previous snapshot's and at least the Unix time, so a
    // restored repository still moves forward. Only a previous snapshot signed by one of the current index keys is
    // counted up from: clients remember versions per set of index keys, so one signed by a key the root has since
    // replaced (a thief's huge version, say) belongs to a lineage no client follows any more, and must not push the
    // new key's versions towards the end of the range.
    private static (IndexSnapshot Snapshot, byte[] Signed) Sign(IndexSigner signer, TimeSpan lifetime, DateTime now, byte[]? previous, TrustedMaterial material,
        string coveredName, byte[] covered, string where)
    {
        long previousVersion = previous is not null && ClearSignedMessage.TryParse(previous, out _) is { } message
            && IndexSnapshot.TryParse(message.Plaintext, out _) is { } old
            && SignatureVerifier.Verify(message, material.IndexKeys!, SignaturePolicy.ValidWhenSigned, now).Failure is null
                ? old.Version
                : 0;
        if (previousVersion == long.MaxValue)
        {
            throw new ChartsealException(where, $"the current snapshot, signed by an index key of trust version {material.Version}, has the largest possible version: no newer one can be signed with these index keys (a stolen key?); the root replaces the index key (chartseal trust index-key add, then remove)");
        }
        DateTime signedAt = SecondsOf(now);
        DateTime expires = ExpiryOf(signer, lifetime, now, where);
        long version = Math.Max(previousVersion + 1, new DateTimeOffset(signedAt).ToUnixTimeSeconds());
        var snapshot = new IndexSnapshot(version, expires, material.Version, material.ManifestSha256, coveredName, ContentHash.Sha256Hex(covered), covered.LongLength);
        return (snapshot, ProvenanceSigner.Sign(snapshot.Serialize(), signer.PrivateKey, signer.Key.SecretKey.PublicKey, signedAt));
    }

    // A copy's write time is when it was last current (written, or touched when signed again); it was replaced when the
    // next newer copy was written. Kept: the newest few, and any replaced less than KeepReplacedIndexes ago, however long
    // it had been current before (an index current for hours and replaced by a burst of uploads a minute ago).
    private static void RemoveReplacedIndexes(string directory, string current)
    {
        var replaced = new DirectoryInfo(directory).EnumerateFiles("index.sha256-*.yaml")
            .Where(f => f.Name != current && IndexSnapshot.IsContentAddressedIndexName(f.Name))
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ToList();
        DateTime now = DateTime.UtcNow;
        for (int i = KeptIndexes; i < replaced.Count; i++)
        {
            DateTime replacedAt = replaced[i - 1].LastWriteTimeUtc; // when the next newer copy became current
            if (now - replacedAt > KeepReplacedIndexes)
            {
                replaced[i].Delete();
            }
        }
    }
}

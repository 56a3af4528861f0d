using System.Text;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.Oci;
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
    /// <remarks>
    /// A registry checks nothing: whoever may push can store any tag with plain <c>helm push</c>. So every chart tag goes
    /// through the gate first, as <c>audit</c> judges it (<see cref="RepositoryAudit.AuditEntriesAsync"/>: the namespace's
    /// keys and revocations now, the tag's name and version, the chart layer's digest), and the map signed lists only the
    /// manifests it trusts. A tag whose chart is refused is left out (<see cref="TagMapSigning.Refused"/>), so clients,
    /// which resolve versions among the signed ones, never choose it and a rogue tag cannot deny them the newest trusted
    /// version; nor can it stop the tags from being signed. A tag moved to a refused manifest keeps the manifest the current
    /// snapshot signed for it, when that one is still trusted: a pusher cannot take a published version away either.
    /// Signers racing on one namespace (no registry offers a lock) each read back what they pushed, and sign again on top
    /// of the current snapshot when the tags changed under them or another signer pushed the same or a lower version
    /// (<see cref="MaxSigningAttempts"/>). Each version counts up from the snapshot the registry holds when it is signed
    /// (judging the tags may take minutes) and from the signer's own last one.
    /// </remarks>
    /// <returns>The snapshot pushed, and the tags not signed as the registry holds them.</returns>
    /// <exception cref="ArgumentException"><paramref name="registry"/> follows a signed tag map (<see cref="OciRepositorySource.PinTags"/>).</exception>
    /// <exception cref="ChartsealException">As for a folder, and a failed request (also one that reads a tag's chart).</exception>
    public static async Task<TagMapSigning> SignAsync(OciRepositorySource registry, IndexSigner signer, TimeSpan lifetime, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(signer);
        if (registry.SignedTags is not null)
        {
            // Such a source reads the old map's manifests and judges every other tag as outside it: nothing new could be signed.
            throw new ArgumentException("the source follows a signed tag map; sign from a source that reads the registry's own tags", nameof(registry));
        }
        // Signers race where a registry has no lock to take: parallel CI jobs each push a chart, then sign. The snapshot
        // pushed last wins, and it may lack a tag another job pushed after this one read the tags, or carry the same version
        // as another job's (clients that saw the other would refuse it as a rollback). So each signer reads back what it
        // pushed: while its snapshot is the current one and the registry's tags are still those it judged, or a newer
        // version replaced it (that signer reads back in turn), it is done; else it signs again, on top of the current one
        // and above its own last version (a snapshot pushed late by a signer that read the tags earlier may have replaced
        // it with a lower one: the same version over other tags would be refused by clients that read ours).
        long ownVersion = 0;
        for (int attempt = 1; ; attempt++)
        {
            var (signing, material, pushed, judged) = await SignTagsOnceAsync(registry, signer, lifetime, now, ownVersion, cancellationToken).ConfigureAwait(false);
            ownVersion = signing.Snapshot.Version;
            bool settled = await SettledAsync(registry, signing.Snapshot, pushed, judged, material, now, cancellationToken).ConfigureAwait(false);
            if (settled || attempt == MaxSigningAttempts)
            {
                return signing with { Settled = settled };
            }
        }
    }

    /// <summary>
    /// How many times a registry's tags are signed before the last snapshot is left as it is (each later signer reads back
    /// too; <see cref="TagMapSigning.Settled"/> then says whether it stood).
    /// </summary>
    public const int MaxSigningAttempts = 5;

    // Whether the snapshot pushed can stand: it is the namespace's current one and the tags are those it judged, or
    // another signer's newer version replaced it.
    private static async Task<bool> SettledAsync(OciRepositorySource registry, IndexSnapshot ours, byte[] pushed, OciTagMap judged, TrustedMaterial material, DateTime now, CancellationToken cancellationToken)
    {
        var stored = await registry.ReadIndexSnapshotAsync(cancellationToken).ConfigureAwait(false);
        if (stored?.Snapshot is not { } current)
        {
            return false;
        }
        if (!current.AsSpan().SequenceEqual(pushed))
        {
            return Verified(current, material, now) is { } theirs && theirs.Version > ours.Version;
        }
        OciTagMap live = await registry.ReadLiveTagMapAsync(cancellationToken).ConfigureAwait(false);
        return live.ToJson().AsSpan().SequenceEqual(judged.ToJson());
    }

    // One signing of a registry's tags, at a version above minVersion: what was signed, the trust material it was judged
    // with, the clear-signed snapshot pushed, and the registry's tags as they were judged.
    private static async Task<(TagMapSigning Signing, TrustedMaterial Material, byte[] Pushed, OciTagMap Judged)> SignTagsOnceAsync(OciRepositorySource registry, IndexSigner signer, TimeSpan lifetime, DateTime now, long minVersion, CancellationToken cancellationToken)
    {
        string where = OciIndexSnapshot.ReferenceIn(registry.Namespace).ToString();
        TrustedMaterial material = await TrustRepository.ReadCurrentAsync(registry, now, cancellationToken).ConfigureAwait(false);
        CheckSigner(material, signer, lifetime, where);
        OciTagMap live = await registry.ReadLiveTagMapAsync(cancellationToken).ConfigureAwait(false);
        var stored = await registry.ReadIndexSnapshotAsync(cancellationToken).ConfigureAwait(false);

        // 1. Every tag as the registry holds it, through the gate.
        var tags = live.Charts.SelectMany(chart => live.TagsOf(chart).Select(tag => (Chart: chart, Tag: tag.Key, Digest: tag.Value))).ToList();
        var rows = await RepositoryAudit.AuditEntriesAsync(registry, [.. tags.Select(t => registry.EntryForTag(t.Chart, t.Tag, t.Digest))], material, now, cancellationToken: cancellationToken).ConfigureAwait(false);
        var signed = new List<(string Chart, string Tag, string Digest)>();
        var refused = new List<((string Chart, string Tag, string Digest) Tag, Refusal Refusal)>();
        for (int i = 0; i < tags.Count; i++)
        {
            if (rows[i].Refusal is { } refusal)
            {
                refused.Add((tags[i], refusal));
            }
            else
            {
                signed.Add(tags[i]);
            }
        }

        // 2. A moved tag whose new manifest is refused: the one the current snapshot signs for it, if it still holds a trusted chart.
        var kept = new HashSet<(string Chart, string Tag)>();
        if (refused.Count > 0 && SignedBefore(stored, material, now) is { } before)
        {
            var candidates = new List<(string Chart, string Tag, string Digest)>();
            foreach (var ((chart, tag, digest), _) in refused)
            {
                if (before.DigestOf(chart, tag) is { } earlier && earlier != digest
                    && await registry.HoldsChartAsync(registry.Namespace.Child(chart).WithTag(tag).WithDigest(earlier), cancellationToken).ConfigureAwait(false))
                {
                    candidates.Add((chart, tag, earlier));
                }
            }
            var judged = await RepositoryAudit.AuditEntriesAsync(registry, [.. candidates.Select(t => registry.EntryForTag(t.Chart, t.Tag, t.Digest))], material, now, cancellationToken: cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < candidates.Count; i++)
            {
                if (judged[i].IsTrusted)
                {
                    signed.Add(candidates[i]);
                    kept.Add((candidates[i].Chart, candidates[i].Tag));
                }
            }
        }

        // 3. The map of what was trusted, signed and pushed. Judging downloads every chart and may take minutes, during
        // which another signer may have pushed its snapshot: the version counts up from the one there now too, so that the
        // snapshot pushed last is never below one clients may have read meanwhile.
        var map = new OciTagMap(signed);
        byte[] json = map.ToJson();
        var latest = await registry.ReadIndexSnapshotAsync(cancellationToken).ConfigureAwait(false);
        minVersion = Math.Max(minVersion, Verified(latest?.Snapshot, material, now)?.Version ?? 0);
        var (snapshot, clearSigned) = Sign(signer, lifetime, now, stored?.Snapshot, material, IndexSnapshot.TagsFileName, json, where, minVersion);
        await OciIndexSnapshot.PushAsync(registry.Client, registry.Namespace, clearSigned, json, cancellationToken).ConfigureAwait(false);
        var signing = new TagMapSigning(snapshot, signed.Count, [.. refused
            .Select(r => new RefusedTag(registry.Namespace.Child(r.Tag.Chart).WithTag(r.Tag.Tag).ToString(), r.Tag.Digest, r.Refusal,
                kept.Contains((r.Tag.Chart, r.Tag.Tag)) ? map.DigestOf(r.Tag.Chart, r.Tag.Tag) : null))
            .OrderBy(r => r.Reference, StringComparer.Ordinal)]);
        return (signing, material, clearSigned, live);
    }

    // The tag map the namespace's current snapshot signs, when that snapshot verifies with one of the current index keys
    // and covers the tags.json beside it; else null.
    private static OciTagMap? SignedBefore((byte[]? Snapshot, byte[]? Tags)? stored, TrustedMaterial material, DateTime now) =>
        stored is { Snapshot: { } snapshot, Tags: { } tags } && Verified(snapshot, material, now) is { } before
        && before.IndexName == IndexSnapshot.TagsFileName && before.IndexSize == tags.LongLength && before.IndexSha256 == ContentHash.Sha256Hex(tags)
            ? OciTagMap.TryParse(tags, out _)
            : null;

    // A snapshot signed by one of the current index keys (expired or not: only its version and what it covers are used).
    // One made after now counts as of its own time: another signer's, pushed while this one judged the tags (now is when
    // this signer started, and judging downloads every chart), must be counted up from, not taken for a forgery.
    private static IndexSnapshot? Verified(byte[]? snapshot, TrustedMaterial material, DateTime now)
    {
        if (snapshot is null || ClearSignedMessage.TryParse(snapshot, out _) is not { } message || IndexSnapshot.TryParse(message.Plaintext, out _) is not { } parsed)
        {
            return null;
        }
        SignatureCheck check = SignatureVerifier.Verify(message, material.IndexKeys!, SignaturePolicy.ValidWhenSigned, now);
        if (check.Failure is not null && check.SignedAt is { } signedAt && signedAt > now)
        {
            check = SignatureVerifier.Verify(message, material.IndexKeys!, SignaturePolicy.ValidWhenSigned, signedAt);
        }
        return check.IsGood ? parsed : null;
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

    // The body and its clear-signed bytes: a version above the previous snapshot's (and above minVersion) and at least the
    // Unix time, so a restored repository still moves forward. Only a previous snapshot signed by one of the current index keys is
    // counted up from: clients remember versions per set of index keys, so one signed by a key the root has since
    // replaced (a thief's huge version, say) belongs to a lineage no client follows any more, and must not push the
    // new key's versions towards the end of the range.
    private static (IndexSnapshot Snapshot, byte[] Signed) Sign(IndexSigner signer, TimeSpan lifetime, DateTime now, byte[]? previous, TrustedMaterial material,
        string coveredName, byte[] covered, string where, long minVersion = 0)
    {
        long previousVersion = Math.Max(Verified(previous, material, now)?.Version ?? 0, minVersion);
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

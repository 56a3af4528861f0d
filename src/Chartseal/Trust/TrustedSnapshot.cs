using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.OpenPgp;
using Chartseal.Provenance;

namespace Chartseal.Trust;

/// <summary>
/// An index snapshot after verification: signed by one of the repository's index keys, made with the trust material
/// accepted in the same refresh, not older than one seen, not expired. The rules of index freshness, in one place; the
/// only way to get one is <see cref="Load"/>. Pure: handed bytes, the accepted material and a time.
/// </summary>
public sealed class TrustedSnapshot
{
    private TrustedSnapshot(IndexSnapshot snapshot, string sha256, string signedBy, DateTime signedAt, DateTime expires, byte[] bytes)
    {
        Snapshot = snapshot;
        Sha256 = sha256;
        SignedBy = signedBy;
        SignedAt = signedAt;
        Expires = expires;
        Bytes = bytes;
    }

    /// <summary>The verified body.</summary>
    public IndexSnapshot Snapshot { get; }

    /// <summary>The snapshot's version.</summary>
    public long Version => Snapshot.Version;

    /// <summary>Lower-case hex SHA-256 of the snapshot file.</summary>
    public string Sha256 { get; }

    /// <summary>Fingerprint of the index key that signed it.</summary>
    public string SignedBy { get; }

    /// <summary>When it was signed (its signature's creation time, UTC).</summary>
    public DateTime SignedAt { get; }

    /// <summary>When it expires: its own expiry, capped at <see cref="SignedAt"/> plus the trust manifest's <c>snapshotMaxLifetime</c>.</summary>
    public DateTime Expires { get; }

    /// <summary>The snapshot file as accepted (for a client's cache).</summary>
    public byte[] Bytes { get; }

    /// <summary>
    /// Verifies a repository's snapshot against the trust material accepted in the same refresh. Call only when
    /// <see cref="TrustedMaterial.RequiresSnapshot"/>.
    /// </summary>
    /// <param name="bytes">The raw <c>snapshot.yaml.asc</c>, or null when the repository serves none.</param>
    /// <param name="material">The trust material just accepted (its index keys, its manifest).</param>
    /// <param name="seen">The highest snapshot already accepted for this repository, or null.</param>
    /// <param name="now">The one clock reading of this operation.</param>
    /// <returns>
    /// <see cref="SnapshotResult.Accepted"/>, or <see cref="SnapshotResult.Rejected"/> with index-unsigned, index-bad-signature,
    /// index-trust-mismatch, index-rollback or index-expired.
    /// </returns>
    public static SnapshotResult Load(byte[]? bytes, TrustedMaterial material, SeenSnapshot? seen, DateTime now) =>
        LoadCore(bytes, material, seen, now, checkExpiry: true);

    /// <summary>
    /// The snapshot in <paramref name="bytes"/> when <see cref="Load"/> refuses it only for having expired
    /// (index-expired): so that a report (the server's metrics) can say which version expired and when. Nothing may be
    /// trusted with it.
    /// </summary>
    /// <returns>The expired snapshot, or null when it is accepted or refused for another reason.</returns>
    public static TrustedSnapshot? ReadExpired(byte[]? bytes, TrustedMaterial material, DateTime now) =>
        Load(bytes, material, null, now) is SnapshotResult.Rejected { Refusal.Reason: RejectionReason.IndexExpired }
            && LoadCore(bytes, material, null, now, checkExpiry: false) is SnapshotResult.Accepted { Snapshot: var expired }
            ? expired
            : null;

    private static SnapshotResult LoadCore(byte[]? bytes, TrustedMaterial material, SeenSnapshot? seen, DateTime now, bool checkExpiry)
    {
        ArgumentNullException.ThrowIfNull(material);
        static SnapshotResult Reject(RejectionReason reason, string message) => new SnapshotResult.Rejected(new Refusal(reason, message));
        const string Name = IndexSnapshot.FileName;
        if (material.IndexKeys is not { } indexKeys)
        {
            throw new InvalidOperationException("the trust material names no index keys: there is no snapshot to check");
        }

        // 1. There must be one (downgrade: a mirror that drops the snapshot keeps the old index working otherwise).
        if (bytes is null)
        {
            return Reject(RejectionReason.IndexUnsigned, $"no {Name}: trust version {material.Version} names index keys, so the repository's index must come with a signed snapshot");
        }
        if (bytes.Length > IndexSnapshot.MaxLength)
        {
            return Reject(RejectionReason.IndexBadSignature, $"{Name} is larger than {IndexSnapshot.MaxLength} bytes");
        }
        if (ClearSignedMessage.TryParse(bytes, out string framingError) is not { } message)
        {
            return Reject(RejectionReason.IndexBadSignature, $"{Name} is not a signed document: it {framingError}");
        }

        // 2. Signed by an index key, valid now (THE signature check, the same policy as charts and trust).
        SignatureCheck check = SignatureVerifier.Verify(message, indexKeys, SignaturePolicy.ValidNow, now);
        if (check.Failure is { } failure)
        {
            return Reject(RejectionReason.IndexBadSignature, check.NoSignatureByTheseKeys
                ? $"{Name} is not signed by an index key of trust version {material.Version} ({failure.Message})"
                : $"the index key's signature over {Name}: {failure.Message}");
        }
        // A revoked key signs nothing, snapshots included (revoked.pgp wins over indexkeys.pgp, as over pubkeys.pgp).
        if (material.IsRevoked(check.Signer!.Fingerprint) || material.IsRevoked(check.Signer.SigningKeyFingerprint))
        {
            return Reject(RejectionReason.IndexBadSignature, $"{Name} is signed by index key {check.Signer.Fingerprint}, which is revoked by the repository ({TrustFiles.RevokedName} version {material.Version})");
        }
        DateTime signedAt = check.SignedAt ?? now;

        // 3. Parse only what was verified.
        if (IndexSnapshot.TryParse(message.Plaintext, out string bodyError) is not { } snapshot)
        {
            return Reject(RejectionReason.IndexBadSignature, $"{Name} is signed but malformed: {bodyError}");
        }

        // 4. Mix-and-match: made with the very trust manifest accepted now.
        if (!string.Equals(snapshot.TrustManifestSha256, material.ManifestSha256, StringComparison.Ordinal))
        {
            return Reject(RejectionReason.IndexTrustMismatch, snapshot.TrustVersion == material.Version
                ? $"{Name} version {snapshot.Version} was made with another trust manifest of version {snapshot.TrustVersion} than the one accepted"
                : $"{Name} version {snapshot.Version} was made with trust version {snapshot.TrustVersion}, but trust version {material.Version} was accepted (the index signer has not caught up, or a mirror mixed old and new files)");
        }

        // 5. Rollback: never older than a snapshot accepted under the same index keys; an equal version must be the same file.
        string sha256 = ContentHash.Sha256Hex(bytes);
        if (seen is not null && seen.IndexKeysSha256 == material.IndexKeysSha256)
        {
            if (snapshot.Version < seen.Version)
            {
                return Reject(RejectionReason.IndexRollback, $"{Name} version {snapshot.Version} is older than version {seen.Version} already accepted (a replayed index)");
            }
            if (snapshot.Version == seen.Version && !string.Equals(sha256, seen.Sha256, StringComparison.Ordinal))
            {
                return Reject(RejectionReason.IndexRollback, $"{Name} version {snapshot.Version} differs from the version {seen.Version} already accepted");
            }
        }

        // 6. Freeze: expired, its lifetime capped by the root's snapshotMaxLifetime (a stolen index key cannot sign for years).
        DateTime cap = signedAt + material.SnapshotMaxLifetime;
        DateTime expires = snapshot.Expires <= cap ? snapshot.Expires : cap;
        if (checkExpiry && expires <= now)
        {
            string capped = snapshot.Expires > cap
                ? $" (it claims {TrustManifest.FormatTime(snapshot.Expires)}, capped at {Duration.ForPeople(material.SnapshotMaxLifetime)} after signing by the trust manifest)"
                : "";
            return Reject(RejectionReason.IndexExpired, $"{Name} version {snapshot.Version} expired {TrustManifest.FormatTime(expires)}, {Duration.ForPeople(now - expires)} ago{capped}: the index may be hiding newer versions");
        }
        return new SnapshotResult.Accepted(new TrustedSnapshot(snapshot, sha256, check.Signer!.Fingerprint, signedAt, expires, bytes));
    }

    /// <summary>Whether <paramref name="sha256Hex"/> and <paramref name="size"/> are those of the file the snapshot covers; null when they are, else the refusal (index-mismatch).</summary>
    public Refusal? CheckIndex(string sha256Hex, long size, string where)
    {
        ArgumentNullException.ThrowIfNull(sha256Hex);
        if (string.Equals(sha256Hex, Snapshot.IndexSha256, StringComparison.OrdinalIgnoreCase) && size == Snapshot.IndexSize)
        {
            return null;
        }
        return new Refusal(RejectionReason.IndexMismatch,
            $"{where} is not the {Snapshot.IndexName} that {IndexSnapshot.FileName} version {Snapshot.Version} signs: sha256 {sha256Hex} and {size} bytes, expected sha256 {Snapshot.IndexSha256} and {Snapshot.IndexSize} bytes (tampered with, or trimmed)");
    }
}

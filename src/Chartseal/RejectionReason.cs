namespace Chartseal;

/// <summary>
/// The closed set of reasons for which a chart, or the trust material that vouches for it, is refused.
/// Each value has a stable kebab-case name (<see cref="RejectionReasons.Name"/>) used in JSON output and
/// on stderr, and a never-renumbered code (<see cref="RejectionReasons.Code"/>) documented in docs/reasons.md.
/// </summary>
/// <remarks>The default value is <see cref="Unknown"/>, never a success: an unset reason fails closed.</remarks>
public enum RejectionReason
{
    /// <summary>Unset. Treated as a rejection wherever it appears.</summary>
    Unknown = 0,

    // ---- chart verification (provenance) ----

    /// <summary>The signature does not verify over the signed text.</summary>
    BadSignature,
    /// <summary>No key in the keyring made the signature.</summary>
    UnknownSigner,
    /// <summary>The signing key (or its primary) is expired now.</summary>
    KeyExpired,
    /// <summary>A verified revocation signature for the signing key is in the keyring.</summary>
    KeyRevoked,
    /// <summary>The signature uses MD5, SHA-1 or another hash we do not accept.</summary>
    WeakHash,
    /// <summary>The archive's SHA-256 differs from the value in <c>files:</c>.</summary>
    HashMismatch,
    /// <summary>The archive's file name is not listed in <c>files:</c>.</summary>
    FileNotInProvenance,
    /// <summary>The signed metadata's name or version differs from the archive's Chart.yaml.</summary>
    NameVersionMismatch,
    /// <summary>The archive is not a safe, well-formed chart (path traversal, links, devices, several top folders...).</summary>
    UnsafeArchive,
    /// <summary>The provenance file is not a clear-signed Helm provenance document.</summary>
    Malformed,
    /// <summary>There is no provenance file.</summary>
    MissingProvenance,
    /// <summary>The signature is of a kind we cannot check (OpenPGP v6, unknown critical subpacket...).</summary>
    UnsupportedSignature,

    // ---- repository trust ----

    /// <summary>The trust material carries no root signature.</summary>
    TrustUnsigned,
    /// <summary>The trust material's signature is invalid or not made by the pinned root.</summary>
    TrustBadSignature,
    /// <summary>A trust file's hash differs from what the root signed.</summary>
    TrustMismatch,
    /// <summary>The trust material is older than a version already accepted for this repository.</summary>
    TrustRollback,
    /// <summary>The root signature's expiry has passed (a frozen repository).</summary>
    TrustExpired,
    /// <summary>The signature is valid but its key is not in the repository's <c>pubkeys.pgp</c>.</summary>
    SignerNotTrusted,
    /// <summary>The signing key is listed in the repository's <c>revoked.pgp</c>.</summary>
    SignerRevoked,
    /// <summary>The signer is not in the local keyring that was required in addition.</summary>
    NotInLocalKeyring,

    // ---- repository gate ----

    /// <summary>The archive rebuilt from source differs from the signed archive.</summary>
    RebuildMismatch,
    /// <summary>The repository already holds this chart name and version.</summary>
    VersionExists,
    /// <summary>An index entry's archive is missing or its digest disagrees with the archive.</summary>
    DigestMismatch,
    /// <summary>An index entry points to an archive that does not exist (or a location outside the repository).</summary>
    MissingArchive,
    /// <summary>A provenance file was sent for a chart name and version that the repository's index does not hold.</summary>
    VersionNotFound,
}

/// <summary>Stable names and codes for <see cref="RejectionReason"/>.</summary>
public static class RejectionReasons
{
    private static readonly Dictionary<RejectionReason, (string Name, string Code)> Table = new()
    {
        [RejectionReason.Unknown] = ("unknown", "CSL1000"),
        [RejectionReason.BadSignature] = ("bad-signature", "CSL1001"),
        [RejectionReason.UnknownSigner] = ("unknown-signer", "CSL1002"),
        [RejectionReason.KeyExpired] = ("key-expired", "CSL1003"),
        [RejectionReason.KeyRevoked] = ("key-revoked", "CSL1004"),
        [RejectionReason.WeakHash] = ("weak-hash", "CSL1005"),
        [RejectionReason.HashMismatch] = ("hash-mismatch", "CSL1006"),
        [RejectionReason.FileNotInProvenance] = ("file-not-in-provenance", "CSL1007"),
        [RejectionReason.NameVersionMismatch] = ("name-version-mismatch", "CSL1008"),
        [RejectionReason.UnsafeArchive] = ("unsafe-archive", "CSL1009"),
        [RejectionReason.Malformed] = ("malformed", "CSL1010"),
        [RejectionReason.MissingProvenance] = ("missing-provenance", "CSL1011"),
        [RejectionReason.UnsupportedSignature] = ("unsupported-signature", "CSL1012"),
        [RejectionReason.TrustUnsigned] = ("trust-unsigned", "CSL2001"),
        [RejectionReason.TrustBadSignature] = ("trust-bad-signature", "CSL2002"),
        [RejectionReason.TrustMismatch] = ("trust-mismatch", "CSL2003"),
        [RejectionReason.TrustRollback] = ("trust-rollback", "CSL2004"),
        [RejectionReason.TrustExpired] = ("trust-expired", "CSL2005"),
        [RejectionReason.SignerNotTrusted] = ("signer-not-trusted", "CSL2006"),
        [RejectionReason.SignerRevoked] = ("signer-revoked", "CSL2007"),
        [RejectionReason.NotInLocalKeyring] = ("not-in-local-keyring", "CSL2008"),
        [RejectionReason.RebuildMismatch] = ("rebuild-mismatch", "CSL3001"),
        [RejectionReason.VersionExists] = ("version-exists", "CSL3002"),
        [RejectionReason.DigestMismatch] = ("digest-mismatch", "CSL3003"),
        [RejectionReason.MissingArchive] = ("missing-archive", "CSL3004"),
        [RejectionReason.VersionNotFound] = ("version-not-found", "CSL3005"),
    };

    /// <summary>The kebab-case name used in JSON and on stderr, e.g. <c>bad-signature</c>.</summary>
    public static string Name(this RejectionReason reason) => Table[reason].Name;

    /// <summary>The stable code, e.g. <c>CSL1001</c>.</summary>
    public static string Code(this RejectionReason reason) => Table[reason].Code;

    /// <summary>Parses a kebab-case name back to the reason; unknown names give <see cref="RejectionReason.Unknown"/>.</summary>
    public static RejectionReason FromName(string name)
    {
        foreach (var (reason, entry) in Table)
        {
            if (entry.Name == name)
            {
                return reason;
            }
        }
        return RejectionReason.Unknown;
    }

    /// <summary>Every reason, in declaration order.</summary>
    public static IReadOnlyCollection<RejectionReason> All => Table.Keys;
}

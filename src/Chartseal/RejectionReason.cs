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

    // ---- index freshness ----

    /// <summary>The trust material names index keys, but the repository serves no index snapshot.</summary>
    IndexUnsigned,
    /// <summary>The index snapshot is not validly signed by one of the repository's index keys (or is malformed).</summary>
    IndexBadSignature,
    /// <summary>The index differs from the one the snapshot signs (hash or size): tampered with or trimmed.</summary>
    IndexMismatch,
    /// <summary>The index snapshot is older than one already accepted (a replayed index).</summary>
    IndexRollback,
    /// <summary>The index snapshot has expired (a frozen index).</summary>
    IndexExpired,
    /// <summary>The index snapshot was made with another trust manifest than the one accepted (mix-and-match).</summary>
    IndexTrustMismatch,
    /// <summary>
    /// The chart version is in the repository beside its signed index but not in it: a registry tag outside the namespace's
    /// signed tag map (pushed after the tags were last signed, moved since, or stored by someone without the gate).
    /// </summary>
    NotInIndex,
}

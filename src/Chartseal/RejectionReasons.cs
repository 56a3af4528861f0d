namespace Chartseal;

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
        [RejectionReason.IndexUnsigned] = ("index-unsigned", "CSL4001"),
        [RejectionReason.IndexBadSignature] = ("index-bad-signature", "CSL4002"),
        [RejectionReason.IndexMismatch] = ("index-mismatch", "CSL4003"),
        [RejectionReason.IndexRollback] = ("index-rollback", "CSL4004"),
        [RejectionReason.IndexExpired] = ("index-expired", "CSL4005"),
        [RejectionReason.IndexTrustMismatch] = ("index-trust-mismatch", "CSL4006"),
        [RejectionReason.NotInIndex] = ("not-in-index", "CSL4007"),
    };

    /// <summary>The kebab-case name used in JSON and on stderr, e.g. <c>bad-signature</c>.</summary>
    public static string Name(this RejectionReason reason) => Table[reason].Name;

    /// <summary>The stable code, e.g. <c>CSL1001</c>.</summary>
    public static string Code(this RejectionReason reason) => Table[reason].Code;

    /// <summary>
    /// What the reason means, in one line for people (a repository page, a dashboard): the short form of its entry in
    /// docs/reasons.md. A refusal's own message says what was found in the case at hand.
    /// </summary>
    public static string Summary(this RejectionReason reason) => reason switch
    {
        RejectionReason.BadSignature => "The signature does not verify: the signed text or the signature was changed after signing.",
        RejectionReason.UnknownSigner => "No key in the keyring made the signature.",
        RejectionReason.KeyExpired => "The signing key has expired.",
        RejectionReason.KeyRevoked => "The signing key was revoked by its owner.",
        RejectionReason.WeakHash => "The signature uses a hash that is not accepted (MD5, SHA-1, ...).",
        RejectionReason.HashMismatch => "The archive is not the one that was signed: its SHA-256 differs from the signed value.",
        RejectionReason.FileNotInProvenance => "The provenance file does not name this archive.",
        RejectionReason.NameVersionMismatch => "The signed name or version differs from the chart's own (or from what the index names).",
        RejectionReason.UnsafeArchive => "The archive is not a safe, well-formed chart.",
        RejectionReason.Malformed => "The provenance file is not a clear-signed Helm provenance document.",
        RejectionReason.MissingProvenance => "There is no provenance (.prov) file: the chart is not signed.",
        RejectionReason.UnsupportedSignature => "The signature is of a kind that cannot be checked.",
        RejectionReason.TrustUnsigned => "The repository's trust material carries no root signature.",
        RejectionReason.TrustBadSignature => "The repository's trust material is not validly signed by the pinned root.",
        RejectionReason.TrustMismatch => "A trust file differs from what the root signed.",
        RejectionReason.TrustRollback => "The trust material is older than a version already accepted.",
        RejectionReason.TrustExpired => "The repository's trust material has expired: the repository is frozen until its root renews it.",
        RejectionReason.SignerNotTrusted => "The signature is valid, but its key is not one of the repository's maintainers.",
        RejectionReason.SignerRevoked => "The signing key was revoked by the repository.",
        RejectionReason.NotInLocalKeyring => "The signer is not in the local keyring that was also required.",
        RejectionReason.RebuildMismatch => "The archive rebuilt from source differs from the signed archive.",
        RejectionReason.VersionExists => "The repository already holds this chart version.",
        RejectionReason.DigestMismatch => "The archive's digest differs from the one index.yaml lists.",
        RejectionReason.MissingArchive => "The archive that index.yaml lists is not in the repository.",
        RejectionReason.VersionNotFound => "The repository's index does not hold this chart version.",
        RejectionReason.IndexUnsigned => "The repository's index must come with a signed snapshot, and none was served.",
        RejectionReason.IndexBadSignature => "The index snapshot is not validly signed by one of the repository's index keys.",
        RejectionReason.IndexMismatch => "The index is not the one its signed snapshot names: it was tampered with or trimmed.",
        RejectionReason.IndexRollback => "The index snapshot is older than one already accepted: an old index was replayed.",
        RejectionReason.IndexExpired => "The index snapshot has expired: the index may be hiding newer versions.",
        RejectionReason.IndexTrustMismatch => "The index snapshot was made with other trust material than the repository's current one.",
        RejectionReason.NotInIndex => "The repository holds this chart version, but its signed index does not list it.",
        _ => "Refused for a reason that was never set (a bug): treat it as a failure.",
    };

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

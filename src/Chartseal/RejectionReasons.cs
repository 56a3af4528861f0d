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

using Chartseal.Keys;
using Chartseal.Provenance;

namespace Chartseal.Trust;

/// <summary>
/// THE trust decision: a chart's verification against the repository keys, plus the verified trust
/// material (plus, optionally, a local keyring the user also requires) → trusted or rejected, with why.
/// A pure function: no I/O, no clock, no state. Only <see cref="Gate.TrustGate"/> calls <see cref="Decide"/>; every door
/// asks the gate.
/// </summary>
public abstract record TrustDecision
{
    private TrustDecision() { }

    /// <summary>The chart is trusted.</summary>
    /// <param name="Verification">The successful verification (signer, hash, chart).</param>
    /// <param name="TrustVersion">The trust material version used.</param>
    public sealed record Trusted(ChartVerification.Verified Verification, long TrustVersion) : TrustDecision;

    /// <summary>The chart is refused.</summary>
    /// <param name="Refusal">Why.</param>
    /// <param name="Verification">The verification the decision was made on.</param>
    public sealed record Rejected(Refusal Refusal, ChartVerification Verification) : TrustDecision
    {
        /// <summary>Why (the refusal's reason).</summary>
        public RejectionReason Reason => Refusal.Reason;

        /// <summary>One line for people (the refusal's message).</summary>
        public string Message => Refusal.Message;
    }

    /// <summary>
    /// Decides whether a chart is trusted.
    /// </summary>
    /// <param name="verification">
    /// The chart verified with <see cref="TrustedMaterial.VerificationKeyring"/> (the repository's keys and revoked keys,
    /// nothing else), so that the signer is known even when revoked.
    /// </param>
    /// <param name="material">The verified trust material.</param>
    /// <param name="localKeyring">A keyring the signer must also be in, or null.</param>
    /// <returns>
    /// <see cref="Trusted"/>, or <see cref="Rejected"/> with signer-revoked, signer-not-trusted,
    /// not-in-local-keyring, or the verification's own reason.
    /// </returns>
    public static TrustDecision Decide(ChartVerification verification, TrustedMaterial material, Keyring? localKeyring)
    {
        ArgumentNullException.ThrowIfNull(verification);
        ArgumentNullException.ThrowIfNull(material);

        // Rule 1: a revoked signer wins over every other reason (a compromised key's charts are never
        // "merely" a hash mismatch). Both the primary and the signing subkey are checked.
        if (verification.Signer is { } signer && (material.IsRevoked(signer.Fingerprint) || material.IsRevoked(signer.SigningKeyFingerprint)))
        {
            return new Rejected(new Refusal(RejectionReason.SignerRevoked, $"signing key {signer.Fingerprint} is revoked by the repository ({TrustFiles.RevokedName} version {material.Version})"), verification);
        }

        // Rule 2: the chart itself must verify. A signer in neither keyring was removed (or never added).
        if (verification is ChartVerification.Rejected r)
        {
            return r.Reason == RejectionReason.UnknownSigner
                ? new Rejected(new Refusal(RejectionReason.SignerNotTrusted, "signer is not in the repository's " + TrustFiles.PublicKeysName + ": " + r.Message), verification)
                : new Rejected(r.Refusal, verification);
        }
        var verified = (ChartVerification.Verified)verification;

        // Rule 3: an index key's whole power is the freshness of the index; it never makes a chart trusted.
        if (material.IsIndexKey(verified.Signer.Fingerprint))
        {
            return new Rejected(new Refusal(RejectionReason.SignerNotTrusted, $"signing key {verified.Signer.Fingerprint} is the repository's index key ({TrustFiles.IndexKeysName}): it signs index snapshots only, never charts"), verification);
        }

        // Rule 4: only pubkeys.pgp grants trust (defensive: the verifier's keyring also held revoked.pgp).
        if (!material.PublicKeys.ContainsPrimary(verified.Signer.Fingerprint))
        {
            return new Rejected(new Refusal(RejectionReason.SignerNotTrusted, $"signing key {verified.Signer.Fingerprint} is not in the repository's {TrustFiles.PublicKeysName}"), verification);
        }

        // Rule 5: when the user also requires a local keyring, the signer must be in it too.
        if (localKeyring is not null && !localKeyring.ContainsPrimary(verified.Signer.Fingerprint))
        {
            return new Rejected(new Refusal(RejectionReason.NotInLocalKeyring, $"signing key {verified.Signer.Fingerprint} is trusted by the repository but not in {localKeyring.SourceName}"), verification);
        }

        return new Trusted(verified, material.Version);
    }
}

namespace Chartseal.Provenance;

/// <summary>The outcome of <see cref="SignatureVerifier.Verify"/>.</summary>
/// <param name="Signer">The key that made the signature, when the keyring holds it (also on most failures).</param>
/// <param name="SignedAt">The signature's creation time (UTC), when a signature by a known key was found.</param>
/// <param name="Failure">Null when the signature is good; otherwise why not (unknown-signer when no key of the keyring made any of the signatures).</param>
public sealed record SignatureCheck(SignerInfo? Signer, DateTime? SignedAt, Refusal? Failure)
{
    /// <summary>
    /// Under <see cref="KeyValidityTime.SigningTime"/>: when the key, valid when it signed, has expired since (null
    /// when it has not). Said to the user, never hidden: the signature stands because someone else vouches for the key.
    /// </summary>
    public DateTime? KeyExpiredSince { get; init; }

    /// <summary>Whether the signature is good under the policy.</summary>
    public bool IsGood => Failure is null;

    /// <summary>Whether the document simply carries no signature by a key of the keyring.</summary>
    public bool NoSignatureByTheseKeys => Failure?.Reason == RejectionReason.UnknownSigner;
}

namespace Chartseal.Provenance;

/// <summary>
/// The policy of <see cref="SignatureVerifier"/>. Everything else (SHA-2 hashes only, a document signature type, no
/// unknown critical subpacket, not made in the future, not older than its key) is the same for every document:
/// a difference between two callers is a named parameter here, never a second verifier.
/// </summary>
/// <param name="KeyValidAt">When the signing key and the signature's own expiry are checked.</param>
public sealed record SignaturePolicy(KeyValidityTime KeyValidAt)
{
    /// <summary>Key and signature valid now.</summary>
    public static SignaturePolicy ValidNow { get; } = new(KeyValidityTime.Now);

    /// <summary>Key and signature valid when the signature was made.</summary>
    public static SignaturePolicy ValidWhenSigned { get; } = new(KeyValidityTime.SigningTime);
}

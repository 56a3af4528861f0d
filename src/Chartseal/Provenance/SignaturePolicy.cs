namespace Chartseal.Provenance;

/// <summary>When the key that made a signature, and the signature itself, must be valid.</summary>
public enum KeyValidityTime
{
    /// <summary>At the time of verification: an expired or revoked key fails (Helm's and gpg's rule for charts).</summary>
    Now,

    /// <summary>
    /// When the signature was made: a key that has expired since still counts (hard revocations count whenever they
    /// were made). For documents that are old by design, such as root hand-overs.
    /// </summary>
    SigningTime,
}

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

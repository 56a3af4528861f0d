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

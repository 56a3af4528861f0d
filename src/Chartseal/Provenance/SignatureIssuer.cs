namespace Chartseal.Provenance;

/// <summary>The key a signature names as its maker (issuer subpackets); unverified, for reporting only.</summary>
/// <param name="KeyId">The 64-bit key id (16 upper-case hex).</param>
/// <param name="Fingerprint">The issuer fingerprint (40 upper-case hex), when the signature carries one.</param>
public sealed record SignatureIssuer(string KeyId, string? Fingerprint)
{
    /// <summary>Whether <paramref name="fingerprint"/> (40 upper-case hex) is this issuer: equal fingerprint, or, without one, the same key id.</summary>
    public bool Matches(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        return Fingerprint is not null
            ? string.Equals(Fingerprint, fingerprint, StringComparison.Ordinal)
            : fingerprint.EndsWith(KeyId, StringComparison.Ordinal);
    }
}

using Chartseal.Keys;

namespace Chartseal.Repository;

/// <summary>A key of a repository's trust material, as a repository page shows it.</summary>
/// <param name="Fingerprint">The primary key's fingerprint (40 upper-case hex).</param>
/// <param name="UserId">The primary user id (verified self-certification), or null when the certificate has none.</param>
/// <param name="Algorithm">The primary key's algorithm in gpg's naming (<c>ed25519</c>, <c>rsa3072</c>, ...).</param>
/// <param name="Created">When the key was created (UTC).</param>
/// <param name="Expires">When the key expires (UTC), or null for never.</param>
/// <param name="Revocation">For a revoked key: the revocation its certificate carries (when, why), if any.</param>
/// <param name="SignedVersions">How many chart versions of the repository this key (or one of its subkeys) signed.</param>
public sealed record ReportKey(string Fingerprint, string? UserId, string Algorithm, DateTime Created, DateTime? Expires, RevocationInfo? Revocation, int SignedVersions)
{
    /// <summary>Whether the key has expired at <paramref name="now"/>.</summary>
    public bool IsExpired(DateTime now) => Expires is { } at && at <= now;
}

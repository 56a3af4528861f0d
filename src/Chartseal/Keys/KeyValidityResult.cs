namespace Chartseal.Keys;

/// <summary>The outcome of <see cref="KeyValidity.Check"/>.</summary>
/// <param name="Status">The verdict.</param>
/// <param name="Detail">A one-line explanation for people, e.g. <c>primary key expired 2020-12-31 12:00:00Z</c>.</param>
/// <param name="ExpiresAt">When the key stops being valid (the earlier of its own and its primary's expiry); null for never or unknown.</param>
/// <param name="Revocation">The revocation, when <paramref name="Status"/> is <see cref="KeyStatus.Revoked"/>.</param>
public sealed record KeyValidityResult(KeyStatus Status, string Detail, DateTime? ExpiresAt = null, RevocationInfo? Revocation = null)
{
    /// <summary>Whether the key may sign.</summary>
    public bool IsValid => Status == KeyStatus.Valid;
}

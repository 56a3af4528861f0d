using Org.BouncyCastle.Bcpg;

namespace Chartseal.Keys;

/// <summary>A verified revocation.</summary>
/// <param name="RevokedAt">The revocation signature's creation time (UTC).</param>
/// <param name="Reason">The reason code, <see cref="RevocationReasonTag.NoReason"/> when absent.</param>
/// <param name="Description">The free-text reason, possibly empty.</param>
public sealed record RevocationInfo(DateTime RevokedAt, RevocationReasonTag Reason, string Description)
{
    /// <summary>
    /// Whether the revocation withdraws the key retroactively (RFC 9580 section 5.2.3.31): a compromised
    /// key, or a revocation that does not say why, is invalid even before the revocation was made;
    /// a superseded or retired key only from the revocation on.
    /// </summary>
    public bool IsHard => Reason is not (RevocationReasonTag.KeySuperseded or RevocationReasonTag.KeyRetired or RevocationReasonTag.UserNoLongerValid);

    /// <inheritdoc />
    public override string ToString() =>
        $"revoked {KeyInfo.FormatTime(RevokedAt)} (reason {Reason}{(Description.Length > 0 ? ": " + Description : "")})";
}

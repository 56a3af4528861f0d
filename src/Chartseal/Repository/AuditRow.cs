using Chartseal.Keys;
using Chartseal.Provenance;

namespace Chartseal.Repository;

/// <summary>One chart version of an audited repository: who signed it, when, and the decision.</summary>
/// <param name="Name">The chart name, from <c>index.yaml</c>.</param>
/// <param name="Version">The chart version, from <c>index.yaml</c>.</param>
/// <param name="Archive">Where the archive is (the index entry's first URL, as written).</param>
/// <param name="Refusal">Null when the chart is trusted; otherwise why not.</param>
/// <param name="Signer">The signer when its key is in the repository's <c>pubkeys.pgp</c> or <c>revoked.pgp</c>.</param>
/// <param name="Issuer">The key the signature names as its maker (unverified; also set for keys the repository does not know).</param>
/// <param name="SignedAt">The signature's creation time, when the signature could be checked.</param>
/// <param name="Sha256">The archive's SHA-256, when the archive exists.</param>
/// <param name="Revocation">The revocation recorded in <c>revoked.pgp</c> for a revoked signer, when it carries one.</param>
public sealed record AuditRow(
    string Name,
    string Version,
    string Archive,
    Refusal? Refusal,
    SignerInfo? Signer,
    SignatureIssuer? Issuer,
    DateTime? SignedAt,
    string? Sha256,
    RevocationInfo? Revocation)
{
    /// <summary>Whether the chart is trusted.</summary>
    public bool IsTrusted => Refusal is null;

    /// <summary>Null when the chart is trusted; otherwise the refusal's reason.</summary>
    public RejectionReason? Reason => Refusal?.Reason;

    /// <summary>One line for people (<c>trusted</c> when trusted).</summary>
    public string Message => Refusal?.Message ?? "trusted";

    /// <summary>The signer's primary fingerprint when known, else the issuer fingerprint or key id.</summary>
    public string? SignerFingerprint => Signer?.Fingerprint ?? Issuer?.Fingerprint ?? Issuer?.KeyId;

    /// <summary>Each outcome and how many rows have it: <c>trusted</c> first, then the reasons by code.</summary>
    public static IReadOnlyList<(string Outcome, int Count)> Outcomes(IEnumerable<AuditRow> rows) =>
        rows.GroupBy(r => r.Reason)
            .OrderBy(g => g.Key is null ? "" : g.Key.Value.Code(), StringComparer.Ordinal)
            .Select(g => (g.Key is null ? "trusted" : g.Key.Value.Name(), g.Count()))
            .ToList();

    /// <summary>Whether the key with primary (or signing subkey) <paramref name="fingerprint"/> made this chart's signature.</summary>
    public bool IsSignedBy(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        string fpr = KeyInfo.NormalizeHex(fingerprint);
        return Signer is { } s
            ? s.Fingerprint == fpr || s.SigningKeyFingerprint == fpr
            : Issuer?.Matches(fpr) == true;
    }
}

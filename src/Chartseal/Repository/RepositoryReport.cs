using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>
/// What a repository page shows, all decided by the library: the trust material (root, version, expiry, maintainers,
/// revoked keys) and every chart version of <c>index.yaml</c> with the verdict of the gate (<c>TrustGate.Judge</c>)
/// (the audit's per-version check). Built by <see cref="RepositoryReporter"/>; immutable.
/// </summary>
public sealed class RepositoryReport
{
    /// <summary>The warning starts at most this long before the trust material expires.</summary>
    public static readonly TimeSpan MaxExpiryWarning = TimeSpan.FromDays(30);

    private readonly Dictionary<string, ReportChart> _byName;

    internal RepositoryReport(string root, TrustedMaterial? material, Refusal? trustRefusal, IReadOnlyList<ReportKey> maintainers,
        IReadOnlyList<ReportKey> revokedKeys, IReadOnlyList<ReportChart> charts, DateTime judgedAt, SnapshotResult? snapshot = null, IReadOnlyList<ReportKey>? indexKeys = null)
    {
        Snapshot = (snapshot as SnapshotResult.Accepted)?.Snapshot;
        SnapshotRefusal = (snapshot as SnapshotResult.Rejected)?.Refusal;
        IndexKeys = indexKeys ?? [];
        Root = root;
        TrustRefusal = trustRefusal;
        if (material is not null)
        {
            TrustVersion = material.Version;
            TrustExpires = material.Manifest.Expires;
            TrustSignedAt = material.SignedAt;
            NextRoot = material.Manifest.NextRoot;
            Root = material.RootToPin;
        }
        Maintainers = maintainers;
        RevokedKeys = revokedKeys;
        Charts = charts;
        JudgedAt = judgedAt;
        _byName = charts.ToDictionary(c => c.Name, StringComparer.Ordinal);
        VersionCount = charts.Sum(c => c.Versions.Count);
        TrustedCount = charts.Sum(c => c.TrustedCount);
    }

    /// <summary>The root fingerprint a new user pins (<c>repo add --root-fingerprint</c>): the root that signs the trust material now.</summary>
    public string Root { get; }

    /// <summary>Null when the trust material was accepted; else why it was refused (then every version carries this refusal).</summary>
    public Refusal? TrustRefusal { get; }

    /// <summary>The trust manifest's version (also shown for expired material, read for display only).</summary>
    public long? TrustVersion { get; }

    /// <summary>When the trust manifest expires (UTC).</summary>
    public DateTime? TrustExpires { get; }

    /// <summary>When the root signed the trust manifest (UTC).</summary>
    public DateTime? TrustSignedAt { get; }

    /// <summary>During a root rotation: the root clients pin next.</summary>
    public string? NextRoot { get; }

    /// <summary>The index keys the root delegated snapshots to (empty: the repository's index is not signed).</summary>
    public IReadOnlyList<ReportKey> IndexKeys { get; }

    /// <summary>The index snapshot a client would accept now (made with this trust material, not expired); null when none.</summary>
    public TrustedSnapshot? Snapshot { get; }

    /// <summary>When the repository signs its index: why clients would refuse its snapshot now (index-expired, ...); else null.</summary>
    public Refusal? SnapshotRefusal { get; }

    /// <summary>The maintainers whose keys may sign charts (<c>pubkeys.pgp</c>, revoked material left out).</summary>
    public IReadOnlyList<ReportKey> Maintainers { get; }

    /// <summary>The revoked keys (<c>revoked.pgp</c>), each with how many chart versions it signed.</summary>
    public IReadOnlyList<ReportKey> RevokedKeys { get; }

    /// <summary>The charts, in name order.</summary>
    public IReadOnlyList<ReportChart> Charts { get; }

    /// <summary>The time the verdicts were judged at.</summary>
    public DateTime JudgedAt { get; }

    /// <summary>How many chart versions the index lists.</summary>
    public int VersionCount { get; }

    /// <summary>How many of them are trusted.</summary>
    public int TrustedCount { get; }

    /// <summary>The chart named <paramref name="name"/>, or null.</summary>
    public ReportChart? Chart(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// From when the page warns that the trust material will expire: a third of its lifetime before the expiry, at most
    /// <see cref="MaxExpiryWarning"/> before (a 90-day manifest: 30 days; a weekly one: about two days).
    /// </summary>
    public DateTime? TrustWarningFrom =>
        TrustExpires is { } expires && TrustSignedAt is { } signed
            ? expires - TimeSpan.FromTicks(Math.Min(MaxExpiryWarning.Ticks, Math.Max(0, (expires - signed).Ticks / 3)))
            : null;

    /// <summary>Whether the trust material expires soon (see <see cref="TrustWarningFrom"/>) but has not yet.</summary>
    public bool TrustExpiresSoon(DateTime now) => TrustWarningFrom is { } from && now >= from && now < TrustExpires;
}

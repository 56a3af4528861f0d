namespace Chartseal.Repository;

/// <summary>The outcome of <see cref="RepositoryAudit.AuditAsync"/>.</summary>
public abstract record AuditResult
{
    private AuditResult() { }

    /// <summary>Every chart version was looked at (the rows may still hold rejections).</summary>
    /// <param name="Rows">One row per index entry, in index order (filtered by signer when asked).</param>
    /// <param name="TrustVersion">The trust material version used.</param>
    /// <param name="TrustRoot">The root that signed it.</param>
    public sealed record Completed(IReadOnlyList<AuditRow> Rows, long TrustVersion, string TrustRoot) : AuditResult
    {
        /// <summary>Whether every row is trusted.</summary>
        public bool AllTrusted => Rows.All(r => r.IsTrusted);

        /// <summary>
        /// How many chart versions were audited: every one of the repository, also when <see cref="Rows"/> holds only those
        /// of one signer (<see cref="AuditOptions.SignerFingerprint"/>). Defaults to the number of rows.
        /// </summary>
        public int Audited
        {
            get => _audited ?? Rows.Count;
            init => _audited = value;
        }

        private readonly int? _audited;
    }

    /// <summary>The trust material, or the signed index snapshot, was refused; no chart was looked at.</summary>
    /// <param name="File">The file refused: the trust manifest's address, or the snapshot's or the index's it names.</param>
    /// <param name="Refusal">Why (a trust-* or index-* reason).</param>
    /// <param name="TrustVersion">The version of the trust material, when it was accepted and the index snapshot was refused; else null.</param>
    /// <param name="TrustRoot">The root that signed that trust material, or null.</param>
    public sealed record Rejected(string File, Refusal Refusal, long? TrustVersion = null, string? TrustRoot = null) : AuditResult
    {
        /// <summary>Why (the refusal's reason).</summary>
        public RejectionReason Reason => Refusal.Reason;

        /// <summary>One line for people (the refusal's message).</summary>
        public string Message => Refusal.Message;
    }
}

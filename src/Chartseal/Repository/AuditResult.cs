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
    }

    /// <summary>The trust material itself was refused; no chart was looked at.</summary>
    /// <param name="Refusal">Why (a trust-* reason).</param>
    public sealed record Rejected(Refusal Refusal) : AuditResult
    {
        /// <summary>Why (the refusal's reason).</summary>
        public RejectionReason Reason => Refusal.Reason;

        /// <summary>One line for people (the refusal's message).</summary>
        public string Message => Refusal.Message;
    }
}

using Chartseal.Charts;
using Chartseal.Gate;

namespace Chartseal.Repository;

/// <summary>The outcome of a publish (or a re-sign): the index entry, or why nothing was changed.</summary>
public abstract record PublishResult
{
    private PublishResult() { }

    /// <summary>The chart is in the repository and its index.</summary>
    /// <param name="Entry">Its index entry.</param>
    /// <param name="Verdict">The gate's verdict it was published on (signer, sha256, trust version).</param>
    /// <param name="ProvenanceAdded">A re-sign gave the version its first <c>.prov</c> (a chart published unsigned elsewhere, migrated in).</param>
    public sealed record Published(IndexEntry Entry, Verdict.Trusted Verdict, bool ProvenanceAdded = false) : PublishResult;

    /// <summary>Refused; the repository is unchanged.</summary>
    /// <param name="Refusal">Why.</param>
    public sealed record Rejected(Refusal Refusal) : PublishResult
    {
        /// <summary>A refusal for <paramref name="reason"/>.</summary>
        public Rejected(RejectionReason reason, string message)
            : this(new Refusal(reason, message))
        {
        }

        /// <summary>Why (the refusal's reason).</summary>
        public RejectionReason Reason => Refusal.Reason;

        /// <summary>One line for people (the refusal's message).</summary>
        public string Message => Refusal.Message;
    }
}

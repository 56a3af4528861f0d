using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>The outcome of a publish: the index entry added, or why nothing was changed.</summary>
public abstract record PublishResult
{
    private PublishResult() { }

    /// <summary>The chart is in the repository and its index.</summary>
    public sealed record Published(IndexEntry Entry, TrustDecision.Trusted Decision) : PublishResult;

    /// <summary>Refused; the repository is unchanged.</summary>
    public sealed record Rejected(RejectionReason Reason, string Message) : PublishResult;
}

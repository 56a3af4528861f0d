namespace Chartseal.Trust;

/// <summary>The outcome of <see cref="TrustedSnapshot.Load"/>.</summary>
public abstract record SnapshotResult
{
    private SnapshotResult() { }

    /// <summary>The snapshot is good, fresh and made with the accepted trust material.</summary>
    /// <param name="Snapshot">The verified snapshot.</param>
    public sealed record Accepted(TrustedSnapshot Snapshot) : SnapshotResult;

    /// <summary>The snapshot is refused.</summary>
    /// <param name="Refusal">Why (an index-* reason).</param>
    public sealed record Rejected(Refusal Refusal) : SnapshotResult;
}

using Chartseal.Compat;

namespace Chartseal.Charts;

/// <summary>
/// A chart's <c>Chart.lock</c> (or legacy <c>requirements.lock</c>) as Helm keeps it. Helm re-serialises it
/// into the archive, so only these three fields survive.
/// </summary>
public sealed class ChartLock
{
    /// <summary>
    /// When the lock was generated, as RFC 3339 text in Go's format (nanoseconds kept, trailing zeros trimmed,
    /// e.g. <c>2021-09-01T20:34:58.651387237Z</c>); Go's zero time when the file has none.
    /// </summary>
    public string Generated { get; set; } = GoTime.Zero;

    /// <summary>Digest of the dependency requirements.</summary>
    public string Digest { get; set; } = "";

    /// <summary>The locked dependencies; null is written as <c>dependencies: null</c>, as Helm does.</summary>
    public List<ChartDependency>? Dependencies { get; set; }
}

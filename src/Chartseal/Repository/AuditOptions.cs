using System.Collections.Concurrent;
using System.Threading.Channels;
using Chartseal.Fetch;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>How to audit.</summary>
/// <param name="SignerFingerprint">Keep only the rows signed by this key (primary or subkey fingerprint), trusted or not.</param>
/// <param name="MaxParallelism">Chart versions checked at once; default: the processor count (local) or 4× it, at most 16 (HTTP: downloads wait on the network).</param>
/// <param name="Progress">
/// Called from worker threads with (done, total) after each chart version, and once more with the final counts;
/// total is 0 while index.yaml is still being read (the audit starts before the index is complete).
/// </param>
public sealed record AuditOptions(string? SignerFingerprint = null, int? MaxParallelism = null, Action<int, int>? Progress = null)
{
    /// <summary>The default of <see cref="MaxBytesInFlight"/>: 256 MiB.</summary>
    public const long DefaultMaxBytesInFlight = 256L * 1024 * 1024;

    /// <summary>
    /// The most archive bytes the workers hold at once (<see cref="MemoryBudget"/>): an archive is reserved before it is
    /// read, at its announced length, or at twice the archive limit when its length is unknown (a compressed answer). One
    /// larger than this waits until it is alone.
    /// </summary>
    public long MaxBytesInFlight { get; init; } = DefaultMaxBytesInFlight;

    /// <summary>A budget to share (tests watch its <see cref="MemoryBudget.Peak"/>); default: a new one of <see cref="MaxBytesInFlight"/>.</summary>
    public MemoryBudget? Budget { get; init; }
}

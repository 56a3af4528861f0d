namespace Chartseal.Repository;

/// <summary>How to audit.</summary>
/// <param name="SignerFingerprint">Keep only the rows signed by this key (primary or subkey fingerprint), trusted or not.</param>
/// <param name="MaxParallelism">Chart versions checked at once; default: the processor count (local) or 4× it, at most 16 (HTTP: downloads wait on the network; at most 16 archives in memory at once).</param>
/// <param name="Progress">
/// Called from worker threads with (done, total) after each chart version, and once more with the final counts;
/// total is 0 while index.yaml is still being read (the audit starts before the index is complete).
/// </param>
public sealed record AuditOptions(string? SignerFingerprint = null, int? MaxParallelism = null, Action<int, int>? Progress = null);

namespace Chartseal.Gate;

/// <summary>What the rebuild check found, when one was asked for.</summary>
/// <param name="Source">The chart source folder.</param>
/// <param name="Matched">True when the rebuilt package is the signed one; null when the check did not run (an earlier refusal).</param>
/// <param name="IdenticalBytes">True when the archives are byte-identical (both made by Chartseal), not only the same files.</param>
public sealed record RebuildEvidence(string Source, bool? Matched, bool IdenticalBytes);

namespace Chartseal.Charts;

/// <summary>The outcome of rebuilding a signed archive from its source folder.</summary>
/// <param name="Matches">True when the rebuilt package is the signed one.</param>
/// <param name="IdenticalBytes">True when the archives are byte-identical (both made by Chartseal).</param>
/// <param name="Difference">When not matching: the first differing file, in one line.</param>
public sealed record RebuildResult(bool Matches, bool IdenticalBytes, string? Difference);

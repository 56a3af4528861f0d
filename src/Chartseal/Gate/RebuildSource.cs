namespace Chartseal.Gate;

/// <summary>The chart source a signed package must have been built from (the CI gate).</summary>
/// <param name="Directory">The chart source folder.</param>
/// <param name="SourceDateEpoch">The release's SOURCE_DATE_EPOCH, when it was built with one.</param>
public sealed record RebuildSource(string Directory, DateTimeOffset? SourceDateEpoch);

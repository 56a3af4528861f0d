namespace Chartseal.Client;

/// <summary>What <see cref="ChartSearch.SearchAsync"/> found, and the repositories whose cached index it refused to read.</summary>
/// <param name="Hits">The chart versions found in the repositories searched, in the order of Helm's <c>search repo</c>.</param>
/// <param name="Refused">
/// The repositories not searched because their cached index may not be used now (a trust refusal: an expired or stale
/// snapshot, trust material that no longer verifies), each with the file concerned and why; empty when none.
/// </param>
public sealed record ChartSearchResult(IReadOnlyList<ChartSearchHit> Hits, IReadOnlyList<ChartSearchRefusal> Refused);

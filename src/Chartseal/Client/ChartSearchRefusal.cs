namespace Chartseal.Client;

/// <summary>A repository whose cached index search refused to read.</summary>
/// <param name="Repository">The repository's local name.</param>
/// <param name="File">The cached file the refusal concerns (its snapshot, index or trust manifest).</param>
/// <param name="Refusal">Why (an index-* or trust-* reason), with the update to run.</param>
public sealed record ChartSearchRefusal(string Repository, string File, Refusal Refusal);

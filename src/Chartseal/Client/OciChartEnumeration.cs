using Chartseal.IO;

namespace Chartseal.Client;

/// <summary>
/// How a registry namespace's charts were found (a registry has no <c>index.yaml</c>): the union of the names the
/// caller gave, the namespace's chart list (<see cref="OciChartList"/>) and the registry's catalog when it offers one.
/// </summary>
/// <param name="Charts">Every chart name found, sorted (a repository of the namespace that holds no chart is looked at and yields nothing).</param>
/// <param name="Named">How many names the caller gave (<c>--chart</c>).</param>
/// <param name="ChartList">How many charts the namespace's chart list records; null when it records none.</param>
/// <param name="Catalog">How many charts of the namespace the catalog lists; null when the registry does not list its repositories to us.</param>
/// <param name="CatalogProblem">Why the catalog could not be used (the registry's answer), when it could not.</param>
/// <param name="SignedTagMap">
/// The namespace has a signed index snapshot: its tag map (<c>tags.json</c>) is the list of chart versions, and the names
/// given, the chart list and the catalog were read only to find the tags the registry holds outside it (<see cref="Unlisted"/>).
/// </param>
/// <param name="SignedCharts">How many charts the signed tag map lists (with <paramref name="SignedTagMap"/>).</param>
/// <param name="Unlisted">
/// With <paramref name="SignedTagMap"/>: the references of the chart tags the registry holds that the signed tag map does not
/// hold as they are (a tag it does not list; <c>NAME:TAG@DIGEST</c> for a tag that now holds another manifest); null when
/// they were not looked for.
/// </param>
public sealed record OciChartEnumeration(IReadOnlyList<string> Charts, int Named, int? ChartList, int? Catalog, string? CatalogProblem, bool SignedTagMap = false,
    int SignedCharts = 0, IReadOnlyList<string>? Unlisted = null)
{
    /// <summary>One line for people: where the chart names came from (and, with a signed tag map, what the registry holds outside it).</summary>
    public string Describe()
    {
        if (SignedTagMap && Unlisted is null)
        {
            return $"{Plural.Count(Charts.Count, "chart name")} looked at: those of the signed index snapshot (tags.json)";
        }
        var parts = new List<string>();
        if (SignedTagMap)
        {
            parts.Add($"{SignedCharts} in the signed index snapshot (tags.json)");
        }
        if (Named > 0)
        {
            parts.Add($"{Named} named");
        }
        parts.Add(ChartList is { } listed ? $"{listed} in the chart list" : "no chart list");
        parts.Add(Catalog is { } cataloged ? $"{cataloged} in the registry's catalog" : "no catalog (the registry does not list its repositories)");
        string described = $"{Plural.Count(Charts.Count, "chart name")} looked at: {string.Join(", ", parts)}";
        return Unlisted switch
        {
            null => described,
            { Count: 0 } => described + "; every chart tag the registry holds is in the signed index snapshot",
            { Count: var count } => described + $"; {Plural.Count(count, "tag")} the registry holds {(count == 1 ? "is" : "are")} not in the signed index snapshot",
        };
    }
}

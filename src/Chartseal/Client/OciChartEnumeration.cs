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
/// The charts are those of the signed index snapshot's tag map (<c>tags.json</c>), which replaces the names given, the
/// chart list and the catalog: none of them was read.
/// </param>
public sealed record OciChartEnumeration(IReadOnlyList<string> Charts, int Named, int? ChartList, int? Catalog, string? CatalogProblem, bool SignedTagMap = false)
{
    /// <summary>One line for people: where the chart names came from.</summary>
    public string Describe()
    {
        if (SignedTagMap)
        {
            return $"{Plural.Count(Charts.Count, "chart name")} looked at: those of the signed index snapshot (tags.json), which replaces the chart list{(Named > 0 ? ", the catalog and --chart" : " and the catalog")}";
        }
        var parts = new List<string>();
        if (Named > 0)
        {
            parts.Add($"{Named} named");
        }
        parts.Add(ChartList is { } listed ? $"{listed} in the chart list" : "no chart list");
        parts.Add(Catalog is { } cataloged ? $"{cataloged} in the registry's catalog" : "no catalog (the registry does not list its repositories)");
        return $"{Plural.Count(Charts.Count, "chart name")} looked at: {string.Join(", ", parts)}";
    }
}

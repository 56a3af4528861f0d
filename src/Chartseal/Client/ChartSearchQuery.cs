namespace Chartseal.Client;

/// <summary>What <see cref="ChartSearch.SearchAsync"/> looks for: Helm's <c>search repo [keyword]</c> and its flags.</summary>
/// <param name="Term">The keyword (Helm joins several with spaces); null or empty matches every chart.</param>
public sealed record ChartSearchQuery(string? Term = null)
{
    /// <summary>The term is a regular expression (<c>--regexp</c>), matched case-sensitively as Helm's (RE2) is.</summary>
    public bool Regexp { get; init; }

    /// <summary>Pre-releases too (<c>--devel</c>: the constraint <c>&gt;0.0.0-0</c>); ignored when <see cref="Version"/> is set.</summary>
    public bool Devel { get; init; }

    /// <summary>Every matching version (<c>--versions</c>), not only each chart's first.</summary>
    public bool AllVersions { get; init; }

    /// <summary>A SemVer constraint the versions shown must meet (<c>--version</c>); null: <c>&gt;0.0.0</c> (stable versions).</summary>
    public string? Version { get; init; }
}

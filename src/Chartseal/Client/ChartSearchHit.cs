
namespace Chartseal.Client;

/// <summary>One search result: a version of a chart in one repository.</summary>
/// <param name="Repository">The repository's local name.</param>
/// <param name="Chart">The chart name.</param>
/// <param name="Version">The chart version.</param>
/// <param name="AppVersion">Its appVersion, if any.</param>
/// <param name="Description">Its description, if any.</param>
public sealed record ChartSearchHit(string Repository, string Chart, string Version, string? AppVersion, string? Description)
{
    /// <summary><c>REPOSITORY/CHART</c>, as pull and install take it.</summary>
    public string Reference => $"{Repository}/{Chart}";
}

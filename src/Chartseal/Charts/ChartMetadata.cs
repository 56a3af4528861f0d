namespace Chartseal.Charts;

/// <summary>
/// The fields of a chart's <c>Chart.yaml</c> that Helm keeps (Helm's <c>chart.Metadata</c>).
/// Unknown keys are dropped on load, as Helm does. Empty or null values are omitted when serialised.
/// </summary>
public sealed class ChartMetadata
{
    /// <summary><c>v1</c> or <c>v2</c>.</summary>
    public string ApiVersion { get; set; } = "";
    /// <summary>The chart name; equals the archive's top folder.</summary>
    public string Name { get; set; } = "";
    /// <summary>SemVer 2 version.</summary>
    public string Version { get; set; } = "";
    /// <summary>Kubernetes version constraint.</summary>
    public string? KubeVersion { get; set; }
    /// <summary>One-line description.</summary>
    public string? Description { get; set; }
    /// <summary><c>application</c>, <c>library</c> or empty.</summary>
    public string? Type { get; set; }
    /// <summary>Search keywords.</summary>
    public List<string>? Keywords { get; set; }
    /// <summary>Project home page.</summary>
    public string? Home { get; set; }
    /// <summary>Source URLs.</summary>
    public List<string>? Sources { get; set; }
    /// <summary>Chart dependencies (apiVersion v2; v1 keeps them in requirements.yaml).</summary>
    public List<ChartDependency>? Dependencies { get; set; }
    /// <summary>Maintainers.</summary>
    public List<ChartMaintainer>? Maintainers { get; set; }
    /// <summary>Icon URL.</summary>
    public string? Icon { get; set; }
    /// <summary>Version of the packaged application.</summary>
    public string? AppVersion { get; set; }
    /// <summary>Whether the chart is deprecated.</summary>
    public bool Deprecated { get; set; }
    /// <summary>Free-form annotations.</summary>
    public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>Legacy: condition enabling the chart when used as a dependency.</summary>
    public string? Condition { get; set; }
    /// <summary>Legacy: tags enabling the chart when used as a dependency.</summary>
    public string? Tags { get; set; }
}

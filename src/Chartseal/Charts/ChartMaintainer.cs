namespace Chartseal.Charts;

/// <summary>A maintainer entry of Chart.yaml.</summary>
public sealed class ChartMaintainer
{
    /// <summary>Name.</summary>
    public string? Name { get; set; }
    /// <summary>E-mail address.</summary>
    public string? Email { get; set; }
    /// <summary>URL.</summary>
    public string? Url { get; set; }
}

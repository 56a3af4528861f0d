namespace Chartseal.Charts;

/// <summary>A dependency entry of Chart.yaml (or requirements.yaml).</summary>
public sealed class ChartDependency
{
    /// <summary>Dependency chart name.</summary>
    public string Name { get; set; } = "";
    /// <summary>Version or range.</summary>
    public string? Version { get; set; }
    /// <summary>Repository URL or alias (emitted even when empty, as Helm does).</summary>
    public string Repository { get; set; } = "";
    /// <summary>Condition path.</summary>
    public string? Condition { get; set; }
    /// <summary>Tags.</summary>
    public List<string>? Tags { get; set; }
    /// <summary>Whether enabled.</summary>
    public bool? Enabled { get; set; }
    /// <summary>Alias.</summary>
    public string? Alias { get; set; }
    /// <summary>import-values (strings or maps), kept as parsed.</summary>
    public List<object>? ImportValues { get; set; }
}

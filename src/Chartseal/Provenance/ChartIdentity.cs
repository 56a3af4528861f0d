namespace Chartseal.Provenance;

/// <summary>The name and version of a chart.</summary>
public sealed record ChartIdentity(string Name, string Version);

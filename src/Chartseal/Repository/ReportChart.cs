namespace Chartseal.Repository;

/// <summary>One chart of a repository page: every version the index lists, with its verdict.</summary>
public sealed class ReportChart
{
    internal ReportChart(string name, IReadOnlyList<ReportVersion> versions)
    {
        Name = name;
        Versions = versions;
        TrustedCount = versions.Count(v => v.IsTrusted);
        Outcomes = AuditRow.Outcomes(versions.Select(v => v.Row));
    }

    /// <summary>The chart name (the key of its entries in <c>index.yaml</c>).</summary>
    public string Name { get; }

    /// <summary>Every version, in index order (newest first in an index that Helm or Chartseal wrote).</summary>
    public IReadOnlyList<ReportVersion> Versions { get; }

    /// <summary>The latest version: the first the index lists (as <c>GET /api/charts/NAME/latest</c> answers).</summary>
    public ReportVersion Latest => Versions[0];

    /// <summary>How many versions are trusted.</summary>
    public int TrustedCount { get; }

    /// <summary>Each outcome and how many versions have it (<see cref="AuditRow.Outcomes"/>).</summary>
    public IReadOnlyList<(string Outcome, int Count)> Outcomes { get; }
}

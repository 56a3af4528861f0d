using Chartseal.Charts;

namespace Chartseal.Repository;

/// <summary>One chart version on a repository page: its index entry and the gate's verdict on it (an audit row).</summary>
/// <param name="Entry">The version's entry in <c>index.yaml</c> (unsigned: what the repository claims).</param>
/// <param name="Row">The verdict, with the signer, signing time and the archive's actual SHA-256.</param>
public sealed record ReportVersion(IndexEntry Entry, AuditRow Row)
{
    /// <summary>The chart version.</summary>
    public string Version => Entry.Metadata.Version;

    /// <summary>Whether the gate trusts it.</summary>
    public bool IsTrusted => Row.IsTrusted;
}

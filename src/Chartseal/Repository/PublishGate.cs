using Chartseal.Client;
using Chartseal.Gate;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>
/// What every publish asks before anything is written, whether into a folder (<see cref="ChartPublisher"/>) or a registry
/// namespace (<see cref="OciChartPublisher"/>): a plain archive file name, the repository's trust material checked against
/// the pinned root, then <see cref="TrustGate"/> with only the repository's keys, the canonical <c>NAME-VERSION.tgz</c>
/// (so an upload can never land on another chart's files or reference) and, when asked, the rebuild from the reviewed
/// source. One place, so the two doors cannot drift.
/// </summary>
internal static class PublishGate
{
    /// <summary>The trusted verdict, or the refusal to return.</summary>
    public static async Task<(Verdict.Trusted? Trusted, PublishResult.Rejected? Rejected)> JudgeAsync(
        RepositorySource repository, ChartUpload upload, PinnedRoot root, string? rebuildFrom, DateTimeOffset? sourceDateEpoch,
        TrustStateStore store, DateTime now, CancellationToken cancellationToken)
    {
        string name = upload.FileName;
        if (name.Length == 0 || name != Path.GetFileName(name) || name.StartsWith('.'))
        {
            return (null, new PublishResult.Rejected(RejectionReason.Malformed, $"'{name}' is not a plain archive file name"));
        }

        // 1. The repository's trust material, checked against the pinned root.
        var trust = await TrustUpdater.RefreshAsync(repository, root, store, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return (null, new PublishResult.Rejected(t.Refusal));
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // 2. THE gate, with only the repository's keys.
        var expectations = new GateExpectations(
            CanonicalFileName: true,
            Rebuild: rebuildFrom is { } source ? new RebuildSource(source, sourceDateEpoch) : null);
        return TrustGate.Judge(name, upload.Archive, upload.Provenance, new TrustBasis.Repository(material), expectations, now) switch
        {
            Verdict.Trusted trusted => (trusted, null),
            var refused => (null, new PublishResult.Rejected(((Verdict.Refused)refused).Refusal)),
        };
    }
}

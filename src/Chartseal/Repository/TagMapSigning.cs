using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>What <see cref="IndexSnapshotWriter.SignAsync(Client.OciRepositorySource, IndexSigner, TimeSpan, DateTime, CancellationToken)"/> signed for a registry namespace.</summary>
/// <param name="Snapshot">The snapshot pushed.</param>
/// <param name="Signed">How many chart tags the signed tag map lists.</param>
/// <param name="Refused">
/// The chart tags the registry holds whose chart the gate refused, by reference: each left out of the signed map, or signed
/// at the manifest an earlier snapshot named for it when that one is still trusted (a moved tag).
/// </param>
/// <param name="Settled">
/// False when, read back after the last of <see cref="IndexSnapshotWriter.MaxSigningAttempts"/> signings, the registry's
/// tags had changed again (other signers still pushing) or a lower version had replaced the snapshot: it may lack the
/// newest tags; signing again once they are done settles it.
/// </param>
public sealed record TagMapSigning(IndexSnapshot Snapshot, int Signed, IReadOnlyList<RefusedTag> Refused, bool Settled = true);

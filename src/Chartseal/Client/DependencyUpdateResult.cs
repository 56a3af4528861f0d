using Chartseal.Charts;

namespace Chartseal.Client;

/// <summary>What <see cref="DependencyUpdater.UpdateAsync"/> did.</summary>
/// <param name="Locked">The resolved dependencies (name, exact version, repository), in Chart.yaml's order.</param>
/// <param name="Saved">The archives written into <c>charts/</c>, by file name.</param>
/// <param name="Deleted">The outdated archives removed from <c>charts/</c>.</param>
/// <param name="LockWritten">Whether Chart.lock (requirements.lock for apiVersion v1) was written.</param>
/// <param name="UsedLock">Whether the versions pinned by an in-sync Chart.lock were kept.</param>
public sealed record DependencyUpdateResult(
    IReadOnlyList<ChartDependency> Locked, IReadOnlyList<string> Saved, IReadOnlyList<string> Deleted, bool LockWritten, bool UsedLock);

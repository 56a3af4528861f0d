using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>How to push a chart to a registry namespace, and which checks to run first.</summary>
/// <param name="Root">The pinned root of the namespace's trust material.</param>
/// <param name="RebuildFrom">The chart source folder to rebuild and compare, or null.</param>
/// <param name="SourceDateEpoch">The release's SOURCE_DATE_EPOCH, for the rebuild.</param>
/// <param name="Force">Replace a version the namespace already holds.</param>
/// <param name="Created">The manifest's <c>org.opencontainers.image.created</c> (Helm uses the archive's modification time); null: now.</param>
public sealed record OciPushOptions(
    PinnedRoot Root,
    string? RebuildFrom = null,
    DateTimeOffset? SourceDateEpoch = null,
    bool Force = false,
    DateTimeOffset? Created = null);

using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>Where to publish and which checks to run.</summary>
/// <param name="RepositoryDir">The repository folder (holds index.yaml and the trust material).</param>
/// <param name="Root">The pinned root key of the repository's trust material.</param>
/// <param name="RebuildFrom">The chart source folder to rebuild and compare, or null.</param>
/// <param name="SourceDateEpoch">The release's SOURCE_DATE_EPOCH, for the rebuild.</param>
/// <param name="Force">Replace an existing name and version.</param>
public sealed record PublishOptions(
    string RepositoryDir,
    PinnedRoot Root,
    string? RebuildFrom = null,
    DateTimeOffset? SourceDateEpoch = null,
    bool Force = false);

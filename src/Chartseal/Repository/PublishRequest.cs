using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>What to publish from files, and the checks to run first (the CLI's form).</summary>
/// <param name="ArchivePath">The chart archive.</param>
/// <param name="ProvenancePath">Its provenance file (default: archive path + <c>.prov</c>).</param>
/// <param name="RepositoryDir">The repository folder (holds index.yaml and the trust material).</param>
/// <param name="Root">The pinned root key of the repository's trust material.</param>
/// <param name="RebuildFrom">The chart source folder to rebuild and compare, or null.</param>
/// <param name="SourceDateEpoch">The release's SOURCE_DATE_EPOCH, for the rebuild.</param>
/// <param name="Force">Replace an existing name and version.</param>
public sealed record PublishRequest(
    string ArchivePath,
    string? ProvenancePath,
    string RepositoryDir,
    PinnedRoot Root,
    string? RebuildFrom = null,
    DateTimeOffset? SourceDateEpoch = null,
    bool Force = false)
{
    /// <summary>The checks and destination, without the input files.</summary>
    public PublishOptions Options => new(RepositoryDir, Root, RebuildFrom, SourceDateEpoch, Force);
}

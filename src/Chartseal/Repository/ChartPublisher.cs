using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>What to publish, and the checks to run first.</summary>
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
    bool Force = false);

/// <summary>The outcome of a publish: the index entry added, or why nothing was changed.</summary>
public abstract record PublishResult
{
    private PublishResult() { }

    /// <summary>The chart is in the repository and its index.</summary>
    public sealed record Published(IndexEntry Entry, TrustDecision.Trusted Decision) : PublishResult;

    /// <summary>Refused; the repository is unchanged.</summary>
    public sealed record Rejected(RejectionReason Reason, string Message) : PublishResult;
}

/// <summary>
/// The release gate: the full trust decision (and the rebuild check when asked), then the archive and its
/// <c>.prov</c> are copied in and <c>index.yaml</c> updated, all atomically. Used by <c>chartseal publish</c>
/// and by the server's upload.
/// </summary>
public static class ChartPublisher
{
    private const string LockFileName = ".chartseal.lock";

    /// <summary>Checks and publishes a chart. Reasons: every trust and verification reason, rebuild-mismatch, version-exists.</summary>
    /// <exception cref="ChartsealException">An input file cannot be read.</exception>
    public static async Task<PublishResult> PublishAsync(PublishRequest request, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string name = Path.GetFileName(request.ArchivePath);
        var (archive, prov) = await ChartFileVerifier.ReadAsync(request.ArchivePath, request.ProvenancePath, cancellationToken).ConfigureAwait(false);

        // 1. The repository's trust material, checked against the pinned root.
        var trust = await TrustClient.RefreshAsync(request.RepositoryDir, request.Root, store, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return new PublishResult.Rejected(t.Reason, t.Message);
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // 2. The trust decision, with only the repository's keys.
        var verification = ChartVerifier.Verify(archive, name, prov, material.VerificationKeyring, now);
        var decision = TrustDecision.Decide(verification, material, localKeyring: null);
        if (decision is TrustDecision.Rejected rejected)
        {
            return new PublishResult.Rejected(rejected.Reason, rejected.Message);
        }
        var trusted = (TrustDecision.Trusted)decision;

        // 3. The package is the one built from the reviewed source.
        if (request.RebuildFrom is { } source)
        {
            var rebuild = ChartRebuild.Compare(archive, name, source, request.SourceDateEpoch);
            if (!rebuild.Matches)
            {
                return new PublishResult.Rejected(RejectionReason.RebuildMismatch, $"{name} was not built from {source}: {rebuild.Difference}");
            }
        }

        // 4. Copy in and index, under the repository lock so concurrent publishes never lose an entry.
        //    Files first, index last: every index entry always has its archive and .prov.
        await using var repositoryLock = await AcquireLockAsync(request.RepositoryDir, cancellationToken).ConfigureAwait(false);
        string indexPath = Path.Combine(request.RepositoryDir, RepositoryIndexer.IndexFileName);
        var index = File.Exists(indexPath) ? await ChartIndex.LoadAsync(indexPath, cancellationToken).ConfigureAwait(false) : new ChartIndex();
        var chart = trusted.Verification.Chart;
        if (index.Find(chart.Name, chart.Version) is not null && !request.Force)
        {
            return new PublishResult.Rejected(RejectionReason.VersionExists, $"{chart.Name} {chart.Version} is already in the repository (use --force to replace it)");
        }
        string created = ChartIndex.Timestamp(now);
        var entry = RepositoryIndexer.EntryFor(archive, name, null, created);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(request.RepositoryDir, name), archive, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(request.RepositoryDir, name + ".prov"), prov!, cancellationToken).ConfigureAwait(false);
        index.Add(entry);
        index.SortVersions();
        index.Generated = created;
        await index.WriteAsync(indexPath, cancellationToken).ConfigureAwait(false);
        return new PublishResult.Published(entry, trusted);
    }

    /// <summary>An exclusive lock on the repository (a lock file held open), waiting for other writers.</summary>
    public static async Task<IAsyncDisposable> AcquireLockAsync(string repositoryDir, CancellationToken cancellationToken)
    {
        string path = Path.Combine(repositoryDir, LockFileName);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
            }
            catch (IOException)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

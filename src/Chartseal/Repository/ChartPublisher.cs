using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.Gate;
using Chartseal.IO;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>
/// The release gate: the full trust decision (and the rebuild check when asked), then the archive and its
/// <c>.prov</c> are copied in and <c>index.yaml</c> updated, all atomically. Used by <c>chartseal publish</c>
/// and by the server's upload.
/// </summary>
public static class ChartPublisher
{
    /// <summary>Reads the archive and its <c>.prov</c>, then publishes them (see the other overload).</summary>
    /// <exception cref="ChartsealException">An input file cannot be read.</exception>
    public static async Task<PublishResult> PublishAsync(PublishRequest request, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (archive, prov) = await ChartFileVerifier.ReadAsync(request.ArchivePath, request.ProvenancePath, cancellationToken).ConfigureAwait(false);
        var upload = new ChartUpload(Path.GetFileName(request.ArchivePath), archive, prov);
        return await PublishAsync(upload, request.Options, store, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks and publishes a chart. Reasons: every trust and verification reason, rebuild-mismatch, name-version-mismatch
    /// when the archive is not named NAME-VERSION.tgz after its own Chart.yaml (so that an upload can never overwrite
    /// another chart's files), malformed for a name outside <see cref="ChartName"/>'s rule or one that differs from a
    /// published chart's only in letter case, and version-exists when the version is published (or is one under SemVer
    /// precedence: <c>v1.0.0</c> and <c>1.0.0+b</c> are <c>1.0.0</c>), or was deleted with another archive, unless
    /// <see cref="PublishOptions.Force"/>.
    /// </summary>
    public static async Task<PublishResult> PublishAsync(ChartUpload upload, PublishOptions options, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(options);
        string name = upload.FileName;
        var archive = upload.Archive;
        var prov = upload.Provenance;
        // Everything under the repository lock, which the trust commands take too: the decision is made against the
        // trust material and index that the write lands beside, and concurrent publishes never lose an entry.
        ArgumentNullException.ThrowIfNull(store);
        store.CheckSeparateFrom(options.RepositoryDir);
        await using var repositoryLock = await RepositoryLock.AcquireAsync(options.RepositoryDir, cancellationToken).ConfigureAwait(false);

        // 1-2. The trust material against the pinned root, then THE gate: stored as NAME-VERSION.tgz, and built from the
        //      reviewed source when asked.
        var (trusted, rejected) = await PublishGate.JudgeAsync(new FolderRepositorySource(options.RepositoryDir), upload, options.Root,
            options.RebuildFrom, options.SourceDateEpoch, store, now, cancellationToken).ConfigureAwait(false);
        if (trusted is null)
        {
            return rejected!;
        }
        var chart = trusted.Verification.Chart;

        // 3. The one naming rule: what is accepted here is listed, served and pulled under the same plain name.
        if ((ChartName.Problem(chart.Name) ?? ChartName.VersionProblem(chart.Version)) is { } badName)
        {
            return new PublishResult.Rejected(RejectionReason.Malformed, badName);
        }

        // 4. Copy in and index. Files first, index last: every index entry always has its archive and .prov.
        string indexPath = Path.Combine(options.RepositoryDir, ChartIndex.FileName);
        var index = File.Exists(indexPath) ? await ChartIndex.LoadAsync(indexPath, cancellationToken).ConfigureAwait(false) : new ChartIndex();
        if (index.Entries.Keys.FirstOrDefault(k => k != chart.Name && string.Equals(k, chart.Name, StringComparison.OrdinalIgnoreCase)) is { } lookAlike)
        {
            return new PublishResult.Rejected(RejectionReason.Malformed,
                $"chart name \"{chart.Name}\" differs only in letter case from the published chart \"{lookAlike}\" (two look-alike charts, and one file on a case-insensitive disk)");
        }
        // One version number, one archive: 1.0.0, v1.0.0 and 1.0.0+rebuild are the same version under SemVer precedence
        // (Helm's index finds any of them when asked for another).
        var sameVersion = index.Entries.TryGetValue(chart.Name, out var versions)
            ? versions.Where(e => DeletedVersions.SameVersion(e.Metadata.Version, chart.Version)).ToList()
            : [];
        if (sameVersion.Count > 0 && !options.Force)
        {
            return sameVersion.Exists(e => e.Metadata.Version == chart.Version)
                ? VersionExists(chart.Name, chart.Version)
                : new PublishResult.Rejected(RejectionReason.VersionExists,
                    $"{chart.Name} {chart.Version} is the published version {sameVersion[0].Metadata.Version} under SemVer precedence (a leading v or build metadata does not make a new version)");
        }
        // Deleting a version does not free its number for other bytes.
        var deleted = await DeletedVersions.LoadAsync(options.RepositoryDir, cancellationToken).ConfigureAwait(false);
        if (!options.Force && deleted.Conflict(chart.Name, chart.Version, trusted.Verification.Sha256) is { } tomb)
        {
            return new PublishResult.Rejected(RejectionReason.VersionExists,
                $"{chart.Name} {tomb.Version} was deleted on {tomb.Deleted} with another archive (sha256 {tomb.Digest}); a deleted version is never published again with different bytes");
        }
        // NAME-VERSION.tgz is not unique: chart "a-1" version "2" and chart "a" version "1-2" share a file name.
        if (OtherEntryWithFile(options.RepositoryDir, index, name, chart.Name, chart.Version) is { } holder
            && !sameVersion.Contains(holder))
        {
            return new PublishResult.Rejected(RejectionReason.VersionExists, $"{name} already holds {holder.Metadata.Name} {holder.Metadata.Version} in the repository");
        }
        string created = ChartIndex.Timestamp(now);
        var entry = RepositoryIndexer.EntryFor(trusted.Metadata, trusted.Verification.Sha256, name, null, created);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(options.RepositoryDir, name), archive, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(options.RepositoryDir, name + ".prov"), prov!, cancellationToken).ConfigureAwait(false);
        foreach (var replaced in sameVersion)
        {
            index.Remove(replaced.Metadata.Name, replaced.Metadata.Version); // --force: the new archive replaces them all
        }
        index.Add(entry);
        index.SortVersions();
        index.Generated = created;
        await index.WriteAsync(indexPath, cancellationToken).ConfigureAwait(false);
        if (deleted.Forget(chart.Name, chart.Version))
        {
            // The index is written: the version is published, so what follows is not cancelled with the caller.
            await deleted.SaveAsync(CancellationToken.None).ConfigureAwait(false);
        }
        foreach (string file in sameVersion.SelectMany(e => LocalFilesOf(options.RepositoryDir, e)).Distinct(StringComparer.Ordinal)
            .Where(f => f != name && OtherEntryWithFile(options.RepositoryDir, index, f, "", "") is null))
        {
            File.Delete(Path.Combine(options.RepositoryDir, file));
            File.Delete(Path.Combine(options.RepositoryDir, file + ".prov"));
        }
        return new PublishResult.Published(entry, trusted);
    }

    /// <summary>
    /// Removes a chart version: its index entry first, then its archive and <c>.prov</c>, so that an interrupted
    /// removal leaves at worst unindexed files, never an entry without its files. The version and its digest are
    /// remembered (<c>.deleted-versions.json</c>): publishing the same version again with another archive is refused
    /// unless forced.
    /// </summary>
    /// <returns>False when the version is not in the index (nothing changed).</returns>
    public static async Task<bool> RemoveAsync(string repositoryDir, string name, string version, DateTime now, CancellationToken cancellationToken = default)
    {
        await using var repositoryLock = await RepositoryLock.AcquireAsync(repositoryDir, cancellationToken).ConfigureAwait(false);
        string indexPath = Path.Combine(repositoryDir, ChartIndex.FileName);
        if (!File.Exists(indexPath))
        {
            return false;
        }
        var index = await ChartIndex.LoadAsync(indexPath, cancellationToken).ConfigureAwait(false);
        var entry = index.Find(name, version);
        if (entry is null)
        {
            return false;
        }
        // Remembered first: a crash after it leaves the version published and its number still bound to its bytes.
        var deleted = await DeletedVersions.LoadAsync(repositoryDir, cancellationToken).ConfigureAwait(false);
        deleted.Add(entry.Metadata.Name, entry.Metadata.Version, entry.Digest, ChartIndex.Timestamp(now));
        await deleted.SaveAsync(cancellationToken).ConfigureAwait(false);
        index.Remove(name, version);
        index.Generated = ChartIndex.Timestamp(now);
        await index.WriteAsync(indexPath, cancellationToken).ConfigureAwait(false);
        foreach (string file in LocalFilesOf(repositoryDir, entry).Where(f => OtherEntryWithFile(repositoryDir, index, f, name, version) is null))
        {
            File.Delete(Path.Combine(repositoryDir, file));
            File.Delete(Path.Combine(repositoryDir, file + ".prov"));
        }
        return true;
    }

    /// <summary>The refusal of a plain publish or upload of a version that is already published.</summary>
    internal static PublishResult.Rejected VersionExists(string name, string version) =>
        new(RejectionReason.VersionExists, $"{name} {version} is already in the repository; a published version is never replaced by a plain publish or upload");

    /// <summary>Whether the repository's index lists this version (read without the lock: a hint, the gate decides).</summary>
    /// <exception cref="ChartsealException">index.yaml cannot be read.</exception>
    internal static async Task<bool> IsPublishedAsync(string repositoryDir, string name, string version, CancellationToken cancellationToken)
    {
        string indexPath = Path.Combine(repositoryDir, ChartIndex.FileName);
        return File.Exists(indexPath) && (await ChartIndex.LoadAsync(indexPath, cancellationToken).ConfigureAwait(false)).Find(name, version) is not null;
    }

    // Another chart version whose archive is the file named fileName.
    private static IndexEntry? OtherEntryWithFile(string repositoryDir, ChartIndex index, string fileName, string name, string version)
    {
        string dir = Path.GetFullPath(repositoryDir); // once, not per entry: an index has thousands
        return index.Entries.Values.SelectMany(v => v).FirstOrDefault(e =>
            !(e.Metadata.Name == name && e.Metadata.Version == version) && LocalFilesOf(dir, e).Contains(fileName, StringComparer.Ordinal));
    }

    // An entry's archive files at the top of this folder (where publish writes them): its URLs that resolve there,
    // and the NAME-VERSION.tgz that publish itself would use.
    private static IEnumerable<string> LocalFilesOf(string repositoryDir, IndexEntry entry)
    {
        string dir = Path.IsPathFullyQualified(repositoryDir) ? repositoryDir : Path.GetFullPath(repositoryDir);
        return entry.Urls.Select(u => FolderRepositorySource.LocalArchivePath(dir, u))
            .Where(path => path is not null && Path.GetDirectoryName(path) == Path.TrimEndingDirectorySeparator(dir))
            .Select(path => Path.GetFileName(path!))
            .Append($"{entry.Metadata.Name}-{entry.Metadata.Version}.tgz")
            .Where(f => f == Path.GetFileName(f) && !f.StartsWith('.') && f.EndsWith(".tgz", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal);
    }
}

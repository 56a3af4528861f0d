using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Compat;

namespace Chartseal.Repository;

/// <summary>Builds and updates a repository folder's <c>index.yaml</c>, as <c>helm repo index</c> does.</summary>
public static class RepositoryIndexer
{

    /// <summary>
    /// Indexes the chart archives of <paramref name="repositoryDir"/> as <c>helm repo index</c> does: every
    /// <c>*.tgz</c> at the top, in byte order of the names, then those of each direct sub-folder, folders in
    /// byte order; each valid chart is added in that order, two archives of one chart version both listed.
    /// With <paramref name="mergeFrom"/>, the entries of that index (when it exists) whose chart name and
    /// version (read as Helm's <see cref="ChartIndex.Has"/> reads it) are not found locally are added after
    /// them (local charts win). Each chart's versions are then sorted as Helm sorts them. Archives that are not
    /// valid charts are skipped and reported.
    /// </summary>
    /// <param name="repositoryDir">The repository folder.</param>
    /// <param name="baseUrl">Prefix for the entries' URLs (joined as Helm joins them); relative paths when null or empty.</param>
    /// <param name="mergeFrom">An index file to merge, or null.</param>
    /// <param name="now">The <c>created</c> and <c>generated</c> time.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The index and the archives that were skipped, with why.</returns>
    public static async Task<(ChartIndex Index, IReadOnlyList<string> Skipped)> IndexDirectoryAsync(
        string repositoryDir, string? baseUrl, string? mergeFrom, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(repositoryDir))
        {
            throw new ChartsealException(repositoryDir, "no such folder");
        }
        // Go's filepath.Glob("DIR/*.tgz") then Glob("DIR/**/*.tgz") ("**" is one level, like "*"), each sorted.
        var archives = ArchivesIn(repositoryDir)
            .Concat(Directory.EnumerateDirectories(repositoryDir).Order(StringComparer.Ordinal).SelectMany(ArchivesIn))
            .ToList();
        var entries = new IndexEntry?[archives.Count];
        var skipped = new string?[archives.Count];
        string created = ChartIndex.Timestamp(now);
        await Parallel.ForEachAsync(Enumerable.Range(0, archives.Count), cancellationToken, async (i, ct) =>
        {
            string relative = Path.GetRelativePath(repositoryDir, archives[i]).Replace('\\', '/');
            try
            {
                byte[] bytes = await InputFile.ReadAsync(archives[i], cancellationToken: ct).ConfigureAwait(false);
                entries[i] = EntryFor(bytes, relative, baseUrl, created);
            }
            catch (ChartsealException e)
            {
                skipped[i] = e.Message;
            }
        }).ConfigureAwait(false);

        var index = new ChartIndex { Generated = created };
        foreach (var entry in entries.OfType<IndexEntry>())
        {
            index.Append(entry);
        }
        if (mergeFrom is not null && File.Exists(mergeFrom))
        {
            var old = await ChartIndex.LoadAsync(mergeFrom, cancellationToken).ConfigureAwait(false);
            // Helm loads (and so sorts) the index to merge first, and checks each entry against the entries
            // merged so far: of two equal versions only the first is taken.
            old.SortVersions();
            foreach (var entry in old.Entries.Values.SelectMany(v => v))
            {
                if (!index.Has(entry.Metadata.Name, entry.Metadata.Version))
                {
                    index.Append(entry);
                }
            }
        }
        index.SortVersions();
        return (index, skipped.OfType<string>().ToList());
    }

    /// <summary>
    /// Runs <c>helm repo index</c>: indexes the folder (<see cref="IndexDirectoryAsync"/>) and writes
    /// <c>index.yaml</c> in it atomically, as YAML, or with <paramref name="json"/> as Helm's JSON (the file is
    /// still named <c>index.yaml</c>). As in Helm, a <paramref name="mergeFrom"/> file that does not exist is
    /// first created as an empty index in the same form. In a folder with a <see cref="RepositoryLock"/> file (one
    /// Chartseal writes to) it holds the lock meanwhile.
    /// </summary>
    /// <returns>The index written, the archives skipped, and the path of the index file.</returns>
    public static async Task<(ChartIndex Index, IReadOnlyList<string> Skipped, string Path)> WriteIndexAsync(
        string repositoryDir, string? baseUrl, string? mergeFrom, bool json, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // In a Chartseal repository (its writers' lock file is there) a publish could otherwise add a chart between the
        // listing and the write, and the index written would drop it. A plain Helm folder is left without a lock file.
        await using IAsyncDisposable? repositoryLock = File.Exists(Path.Combine(repositoryDir, RepositoryLock.FileName))
            ? await RepositoryLock.AcquireAsync(repositoryDir, cancellationToken).ConfigureAwait(false)
            : null;
        if (!string.IsNullOrEmpty(mergeFrom) && !File.Exists(mergeFrom) && !Directory.Exists(mergeFrom))
        {
            var empty = new ChartIndex { Generated = ChartIndex.Timestamp(now) };
            await (json ? empty.WriteJsonAsync(mergeFrom, cancellationToken) : empty.WriteAsync(mergeFrom, cancellationToken)).ConfigureAwait(false);
        }
        var (index, skipped) = await IndexDirectoryAsync(repositoryDir, baseUrl, string.IsNullOrEmpty(mergeFrom) ? null : mergeFrom, now, cancellationToken).ConfigureAwait(false);
        string path = Path.Combine(repositoryDir, ChartIndex.FileName);
        await (json ? index.WriteJsonAsync(path, cancellationToken) : index.WriteAsync(path, cancellationToken)).ConfigureAwait(false);
        return (index, skipped, path);
    }

    private static IEnumerable<string> ArchivesIn(string dir) =>
        Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".tgz", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    /// <summary>
    /// The index entry for one archive: its metadata (read from the archive, which must be a safe chart),
    /// its URL, digest and creation time.
    /// </summary>
    /// <exception cref="UnsafeArchiveException">The archive is not a safe, well-formed chart.</exception>
    public static IndexEntry EntryFor(ReadOnlyMemory<byte> archive, string relativePath, string? baseUrl, string created) =>
        EntryFor(ChartArchive.Read(archive, Path.GetFileName(relativePath)).Metadata, ContentHash.Sha256Hex(archive.Span), relativePath, baseUrl, created);

    /// <summary>The index entry for an archive already read (and verified): its metadata, digest, URL and creation time.</summary>
    public static IndexEntry EntryFor(ChartMetadata metadata, string sha256, string relativePath, string? baseUrl, string created) => new()
    {
        Metadata = metadata,
        Urls = [EntryUrl(baseUrl, relativePath)],
        Created = created,
        Digest = sha256,
    };

    /// <summary>
    /// Helm's URL for an archive at <paramref name="relativePath"/> (<c>/</c>-separated): the folder joined to the
    /// base URL, then the file name joined to that (Go's URL join: cleaned and escaped); a top-level archive
    /// without a base URL is its plain file name.
    /// </summary>
    internal static string EntryUrl(string? baseUrl, string relativePath)
    {
        int slash = relativePath.LastIndexOf('/');
        string folder = slash < 0 ? "" : relativePath[..slash];
        string file = relativePath[(slash + 1)..];
        string parentUrl = GoUrl.Join(baseUrl ?? "", folder);
        return parentUrl.Length == 0 ? file : GoUrl.Join(parentUrl, file);
    }
}

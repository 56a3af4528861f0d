using System.Security.Cryptography;
using Chartseal.Charts;
using Chartseal.IO;

namespace Chartseal.Repository;

/// <summary>Builds and updates a repository folder's <c>index.yaml</c>, as <c>helm repo index</c> does.</summary>
public static class RepositoryIndexer
{
    /// <summary>The index file name at the repository root.</summary>
    public const string IndexFileName = "index.yaml";

    /// <summary>
    /// Indexes every <c>*.tgz</c> in <paramref name="repositoryDir"/> and its direct sub-folders. With
    /// <paramref name="mergeFrom"/>, entries of that index whose name and version are not found locally are
    /// kept (local charts win). Archives that are not valid charts are skipped and reported.
    /// </summary>
    /// <param name="repositoryDir">The repository folder.</param>
    /// <param name="baseUrl">Prefix for the entries' URLs; relative paths when null.</param>
    /// <param name="mergeFrom">An index file to merge (created empty when missing), or null.</param>
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
        var archives = Directory.EnumerateFiles(repositoryDir, "*.tgz")
            .Concat(Directory.EnumerateDirectories(repositoryDir).SelectMany(d => Directory.EnumerateFiles(d, "*.tgz")))
            .Order(StringComparer.Ordinal)
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
            index.Add(entry);
        }
        if (mergeFrom is not null && File.Exists(mergeFrom))
        {
            var old = await ChartIndex.LoadAsync(mergeFrom, cancellationToken).ConfigureAwait(false);
            foreach (var entry in old.Entries.Values.SelectMany(v => v))
            {
                if (index.Find(entry.Metadata.Name, entry.Metadata.Version) is null)
                {
                    index.Add(entry);
                }
            }
        }
        index.SortVersions();
        return (index, skipped.OfType<string>().ToList());
    }

    /// <summary>
    /// The index entry for one archive: its metadata (read from the archive, which must be a safe chart),
    /// its URL, digest and creation time.
    /// </summary>
    /// <exception cref="UnsafeArchiveException">The archive is not a safe, well-formed chart.</exception>
    public static IndexEntry EntryFor(ReadOnlyMemory<byte> archive, string relativePath, string? baseUrl, string created)
    {
        var contents = ChartArchive.Read(archive, Path.GetFileName(relativePath));
        return new IndexEntry
        {
            Metadata = contents.Metadata,
            Urls = [baseUrl is null ? relativePath : baseUrl.TrimEnd('/') + "/" + relativePath],
            Created = created,
            Digest = Convert.ToHexStringLower(SHA256.HashData(archive.Span)),
        };
    }

    /// <summary>
    /// Where an index entry's URL puts the archive in a local repository folder: a relative URL below the folder, or
    /// for an absolute http(s) URL (an index made with <c>--url</c>) the file name in the folder. Null when the
    /// URL points outside the folder (<c>../</c>, an absolute path) or is empty.
    /// </summary>
    internal static string? LocalArchivePath(string repositoryDir, string url)
    {
        string dir = Path.GetFullPath(repositoryDir);
        string relative = Uri.TryCreate(url, UriKind.Absolute, out Uri? abs) && (abs.Scheme == Uri.UriSchemeHttp || abs.Scheme == Uri.UriSchemeHttps)
            ? FileNameOf(abs.AbsolutePath)
            : Uri.UnescapeDataString(url);
        if (relative.Length == 0 || Path.IsPathRooted(relative))
        {
            return null;
        }
        string full = Path.GetFullPath(Path.Combine(dir, relative));
        return full.StartsWith(dir.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>The unescaped last segment of a URL path.</summary>
    internal static string FileNameOf(string urlPath) => Uri.UnescapeDataString(urlPath[(urlPath.LastIndexOf('/') + 1)..]);
}

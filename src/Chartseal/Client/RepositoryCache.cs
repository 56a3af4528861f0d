using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// One repository's cache folder: its <c>index.yaml</c> with the ETag it was served with, a compact summary of
/// that index for search and pull (JSON: the fields they use, tied to the index by its SHA-256, so a large index
/// is parsed as YAML once per download rather than on every command), and the trust files the client last
/// accepted (written only after <see cref="TrustedMaterial"/> accepted them, each file atomically, the manifest last).
/// </summary>
public sealed class RepositoryCache
{
    /// <summary>The <c>schema</c> of the index summary file.</summary>
    public const string SummarySchema = "chartseal.index-summary/v1";

    private const string ETagFileName = "index.etag";
    private const string SummaryFileName = "index-summary.json";

    /// <summary>A cache in <paramref name="directory"/> (created on first write).</summary>
    public RepositoryCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>The cached <c>index.yaml</c>.</summary>
    public string IndexPath => Path.Combine(Directory, ChartIndex.FileName);

    /// <summary>Whether an index has been cached.</summary>
    public bool HasIndex => File.Exists(IndexPath);

    /// <summary>
    /// The ETag of the cached index, or null (no index, the server sent none, or the cached <c>index.yaml</c> is not the
    /// one it was served with: damaged or replaced since, it must be downloaded again, not kept by a 304).
    /// </summary>
    public async Task<string?> ReadIndexETagAsync(CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(Directory, ETagFileName);
        if (!HasIndex || !File.Exists(path))
        {
            return null;
        }
        // The SHA-256 of the index it came with, a line feed, the ETag (a file without the hash is from an older version).
        string[] lines = Encoding.UTF8.GetString(await InputFile.ReadAsync(path, 4096, cancellationToken).ConfigureAwait(false)).Split('\n', 2);
        if (lines.Length != 2 || await HashIndexAsync(cancellationToken).ConfigureAwait(false) is not { } held || held.Sha256 != lines[0])
        {
            return null;
        }
        string etag = lines[1].Trim();
        return etag.Length == 0 ? null : etag;
    }

    /// <summary>
    /// Creates the cache folder and returns the file a new <c>index.yaml</c> is downloaded into (hidden, beside the
    /// cached one); <see cref="StoreIndexDownloadAsync"/> takes it in, <see cref="DiscardIndexDownload"/> removes it.
    /// </summary>
    public string PrepareIndexDownload()
    {
        OutputFolder.Create(Directory);
        return DownloadPath;
    }

    /// <summary>Removes what is left of a download that was not taken in.</summary>
    public void DiscardIndexDownload()
    {
        File.Delete(DownloadPath);
        File.Delete(SummaryDownloadPath);
    }

    /// <summary>
    /// Takes in the index downloaded to <see cref="PrepareIndexDownload"/>'s file: it is parsed entry by entry from the
    /// file (never held in memory whole) into a new summary, and only when it is a valid index do it, its summary and
    /// its ETag replace the cached ones.
    /// </summary>
    /// <returns>The number of chart versions.</returns>
    /// <exception cref="ChartsealException">Not a valid index (the cache is unchanged), or a field too long for the summary.</exception>
    public async Task<int> StoreIndexDownloadAsync(string sha256, string? etag, string sourceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        int versions;
        var summary = new FileStream(SummaryDownloadPath, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: false);
        await using (summary.ConfigureAwait(false))
        {
            using var index = new FileStream(DownloadPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: false);
            using var writer = new SummaryWriter(summary, sha256, sourceName);
            ChartIndex.ReadEntries(index, sourceName, writer.Add);
            versions = writer.Complete();
            summary.Flush(flushToDisk: true);
        }
        cancellationToken.ThrowIfCancellationRequested();
        // The old ETag goes first, so a crash between the steps never pairs a new index with it; a summary left from the
        // old index names the old SHA-256 and is rebuilt on its next use.
        string etagPath = Path.Combine(Directory, ETagFileName);
        File.Delete(etagPath);
        File.Move(DownloadPath, IndexPath, overwrite: true);
        File.Move(SummaryDownloadPath, SummaryPath, overwrite: true);
        if (etag is not null)
        {
            await AtomicFile.WriteAllBytesAsync(etagPath, Encoding.UTF8.GetBytes(sha256 + "\n" + etag), cancellationToken).ConfigureAwait(false);
        }
        return versions;
    }

    /// <summary>
    /// Loads the cached index, newest versions first: from the summary when it belongs to the cached <c>index.yaml</c>
    /// (same SHA-256), else by streaming the YAML (and the summary is written for next time). Entries read from the
    /// summary carry the fields search and pull use: name, version, appVersion, description, keywords, urls, digest.
    /// </summary>
    /// <exception cref="ChartsealException">Nothing cached yet, or the cached index is damaged.</exception>
    public async Task<ChartIndex> LoadIndexAsync(string repositoryName, CancellationToken cancellationToken = default)
    {
        if (!HasIndex)
        {
            throw new ChartsealException(IndexPath, $"no cached index for repository \"{repositoryName}\" (run chartseal repo update {repositoryName})");
        }
        string sha256;
        var file = new FileStream(IndexPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            if (file.Length > ChartIndex.MaxIndexSize)
            {
                throw new ChartsealException(IndexPath, $"is larger than the {ChartIndex.MaxIndexSize} byte limit");
            }
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
        }
        if (File.Exists(SummaryPath)
            && ReadSummary(await InputFile.ReadAsync(SummaryPath, ChartIndex.MaxIndexSize, cancellationToken).ConfigureAwait(false), sha256) is { } summarized)
        {
            return summarized;
        }
        ChartIndex index;
        try
        {
            using var stream = new FileStream(IndexPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
            index = ChartIndex.Load(stream, IndexPath);
        }
        catch (ChartsealException e) when (e.File == IndexPath)
        {
            // repo update downloads it again (its ETag counts only for the index it came with).
            throw new ChartsealException(IndexPath, $"{e.Reason} (the cached index of \"{repositoryName}\" is damaged: run chartseal repo update {repositoryName})", e);
        }
        index.SortVersions();
        try
        {
            await AtomicFile.WriteAsync(SummaryPath, (stream, ct) =>
            {
                using var writer = new SummaryWriter(stream, sha256, IndexPath);
                foreach (var entry in index.Entries.Values.SelectMany(v => v))
                {
                    writer.Add(entry);
                }
                writer.Complete();
                return ValueTask.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ChartsealException)
        {
            // Only a speed-up for the next command (e.g. a read-only cache): the index itself was read.
        }
        return index;
    }

    private string SummaryPath => Path.Combine(Directory, SummaryFileName);

    private string DownloadPath => Path.Combine(Directory, "." + ChartIndex.FileName + ".download");

    private string SummaryDownloadPath => Path.Combine(Directory, "." + SummaryFileName + ".download");

    /// <summary>
    /// Writes the summary as the index's entries come, one chart's versions after another (entries of one chart arrive
    /// together in an index; should a chart come twice, the reader merges its arrays).
    /// </summary>
    private sealed class SummaryWriter(Stream output, string indexSha256, string sourceName) : IDisposable
    {
        // Longer texts are cut in the summary (search shows them), and a longer name, version, URL or digest is refused:
        // no real index has one, and JSON cannot hold a string of hundreds of megabytes.
        private const int MaxField = 64 * 1024;

        private readonly Utf8JsonWriter _json = Start(output, indexSha256);
        private string? _chart;
        private int _versions;

        private static Utf8JsonWriter Start(Stream output, string sha256)
        {
            var json = new Utf8JsonWriter(output);
            json.WriteStartObject();
            json.WriteString("schema", SummarySchema);
            json.WriteString("indexSha256", sha256);
            json.WriteStartObject("entries");
            return json;
        }

        public void Add(IndexEntry entry)
        {
            var m = entry.Metadata;
            string name = Exact(m.Name, "a chart name", m.Name)!;
            if (name != _chart)
            {
                if (_chart is not null)
                {
                    _json.WriteEndArray();
                }
                _json.WriteStartArray(name);
                _chart = name;
            }
            _json.WriteStartObject();
            _json.WriteString("version", Exact(m.Version, "a version", name));
            _json.WriteString("apiVersion", Exact(m.ApiVersion, "an apiVersion", name));
            _json.WriteString("appVersion", Exact(m.AppVersion, "an appVersion", name));
            _json.WriteString("description", Cut(m.Description));
            _json.WriteStartArray("keywords");
            foreach (string k in m.Keywords ?? [])
            {
                _json.WriteStringValue(Cut(k));
            }
            _json.WriteEndArray();
            _json.WriteStartArray("urls");
            foreach (string u in entry.Urls)
            {
                _json.WriteStringValue(Exact(u, "a URL", name));
            }
            _json.WriteEndArray();
            _json.WriteString("digest", Exact(entry.Digest, "a digest", name));
            _json.WriteEndObject();
            _versions++;
            if (_json.BytesPending > 1 << 20)
            {
                _json.Flush();
            }
        }

        /// <summary>Ends the document; returns the number of chart versions written.</summary>
        public int Complete()
        {
            if (_chart is not null)
            {
                _json.WriteEndArray();
            }
            _json.WriteEndObject();
            _json.WriteEndObject();
            _json.Flush();
            return _versions;
        }

        public void Dispose() => _json.Dispose();

        private static string? Cut(string? text) => text is { Length: > MaxField } ? text[..MaxField] : text;

        private string? Exact(string? text, string what, string chart) => text is { Length: > MaxField }
            ? throw new ChartsealException(sourceName, $"entries.{(chart.Length > 64 ? chart[..64] + "..." : chart)}: {what} longer than {MaxField} characters")
            : text;
    }

    /// <summary>The summary's index, or null when it is not the summary of the index with <paramref name="indexSha256"/> (or damaged).</summary>
    private static ChartIndex? ReadSummary(byte[] summary, string indexSha256)
    {
        try
        {
            using var doc = JsonDocument.Parse(summary);
            var root = doc.RootElement;
            if (root.GetProperty("schema").GetString() != SummarySchema || root.GetProperty("indexSha256").GetString() != indexSha256)
            {
                return null;
            }
            var index = new ChartIndex();
            foreach (var chart in root.GetProperty("entries").EnumerateObject())
            {
                foreach (var e in chart.Value.EnumerateArray())
                {
                    List<string> Strings(string property) => [.. e.GetProperty(property).EnumerateArray().Select(v => v.GetString()!)];
                    var keywords = Strings("keywords");
                    // Appended as the YAML reader does: a version listed twice stays listed twice (Helm pulls the first).
                    index.Append(new IndexEntry
                    {
                        Metadata = new ChartMetadata
                        {
                            Name = chart.Name,
                            Version = e.GetProperty("version").GetString()!,
                            ApiVersion = e.GetProperty("apiVersion").GetString()!,
                            AppVersion = e.GetProperty("appVersion").GetString(),
                            Description = e.GetProperty("description").GetString(),
                            Keywords = keywords.Count == 0 ? null : keywords,
                        },
                        Urls = Strings("urls"),
                        Digest = e.GetProperty("digest").GetString()!,
                    });
                }
            }
            index.SortVersions();
            return index;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // a damaged summary is rebuilt from index.yaml
        }
    }

    /// <summary>The SHA-256 (lower-case hex) and size of the cached <c>index.yaml</c>; null when none is cached.</summary>
    public async Task<(string Sha256, long Size)?> HashIndexAsync(CancellationToken cancellationToken = default)
    {
        if (!HasIndex)
        {
            return null;
        }
        var file = new FileStream(IndexPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            return (Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false)), file.Length);
        }
    }

    private string SnapshotPath => Path.Combine(Directory, IndexSnapshot.FileName);

    private string TagsPath => Path.Combine(Directory, IndexSnapshot.TagsFileName);

    /// <summary>
    /// Keeps the index snapshot that was just accepted with the cached index (null: the repository signs no index any
    /// more), and for a registry namespace the <c>tags.json</c> it covers (the index was built from it).
    /// </summary>
    public async Task StoreSnapshotAsync(TrustedSnapshot? snapshot, byte[]? tags = null, CancellationToken cancellationToken = default)
    {
        if (snapshot is null)
        {
            File.Delete(SnapshotPath);
            File.Delete(TagsPath);
            return;
        }
        OutputFolder.Create(Directory);
        if (tags is not null)
        {
            await WriteIfChangedAsync(TagsPath, tags, cancellationToken).ConfigureAwait(false);
        }
        await WriteIfChangedAsync(SnapshotPath, snapshot.Bytes, cancellationToken).ConfigureAwait(false);
    }

    // Most updates find the same files again: comparing costs a read, rewriting an fsync'ed write each.
    private static async Task WriteIfChangedAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length == bytes.LongLength
            && (await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(bytes))
        {
            return;
        }
        await AtomicFile.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The SHA-256 and size of the file a cached snapshot covers: the cached index, or for a registry its cached <c>tags.json</c>.</summary>
    public async Task<(string Sha256, long Size)?> HashCoveredAsync(string coveredName, CancellationToken cancellationToken = default)
    {
        if (coveredName != IndexSnapshot.TagsFileName)
        {
            return await HashIndexAsync(cancellationToken).ConfigureAwait(false);
        }
        byte[]? tags = await InputFile.ReadIfExistsAsync(TagsPath, OciTagMap.MaxSize, truncate: true, cancellationToken).ConfigureAwait(false);
        return tags is null ? null : (ContentHash.Sha256Hex(tags), tags.LongLength);
    }

    /// <summary>The cached index snapshot (unverified until checked again); null when none.</summary>
    public Task<byte[]?> ReadSnapshotAsync(CancellationToken cancellationToken = default) =>
        InputFile.ReadIfExistsAsync(SnapshotPath, IndexSnapshot.MaxLength, truncate: true, cancellationToken);

    /// <summary>Keeps trust files that were just accepted: keyrings first, the manifest last.</summary>
    public async Task StoreTrustAsync(TrustFiles accepted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        OutputFolder.Create(Directory);
        foreach (string name in TrustFiles.AllNames)
        {
            byte[]? bytes = accepted.Of(name);
            string path = Path.Combine(Directory, name);
            if (bytes is null)
            {
                File.Delete(path);
            }
            else
            {
                await WriteIfChangedAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The cached trust files (unverified until checked again).</summary>
    public Task<TrustFiles> ReadTrustAsync(CancellationToken cancellationToken = default) =>
        System.IO.Directory.Exists(Directory)
            ? new FolderRepositorySource(Directory).ReadTrustFilesAsync(cancellationToken)
            : Task.FromResult(TrustFiles.From(_ => null));
}

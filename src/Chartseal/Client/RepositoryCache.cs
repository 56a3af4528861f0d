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

    /// <summary>The ETag of the cached index, or null (no index, or the server sent none).</summary>
    public async Task<string?> ReadIndexETagAsync(CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(Directory, ETagFileName);
        if (!HasIndex || !File.Exists(path))
        {
            return null;
        }
        string etag = Encoding.UTF8.GetString(await InputFile.ReadAsync(path, 4096, cancellationToken).ConfigureAwait(false)).Trim();
        return etag.Length == 0 ? null : etag;
    }

    /// <summary>Replaces the cached index (<paramref name="parsed"/> is its parsed form), its summary and its ETag.</summary>
    public async Task StoreIndexAsync(byte[] index, ChartIndex parsed, string? etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(parsed);
        System.IO.Directory.CreateDirectory(Directory);
        string etagPath = Path.Combine(Directory, ETagFileName);
        // The old ETag and summary go first, so a crash between the writes never pairs a new index with either.
        File.Delete(etagPath);
        File.Delete(SummaryPath);
        await AtomicFile.WriteAllBytesAsync(IndexPath, index, cancellationToken).ConfigureAwait(false);
        await WriteSummaryAsync(parsed, Convert.ToHexStringLower(SHA256.HashData(index)), cancellationToken).ConfigureAwait(false);
        if (etag is not null)
        {
            await AtomicFile.WriteAllBytesAsync(etagPath, Encoding.UTF8.GetBytes(etag), cancellationToken).ConfigureAwait(false);
        }
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
        byte[] bytes = await InputFile.ReadAsync(IndexPath, ChartIndex.MaxIndexSize, cancellationToken).ConfigureAwait(false);
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (File.Exists(SummaryPath)
            && ReadSummary(await InputFile.ReadAsync(SummaryPath, ChartIndex.MaxIndexSize, cancellationToken).ConfigureAwait(false), sha256) is { } summarized)
        {
            return summarized;
        }
        ChartIndex index;
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            index = ChartIndex.Load(stream, IndexPath);
        }
        index.SortVersions();
        try
        {
            await WriteSummaryAsync(index, sha256, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a speed-up for the next command (e.g. a read-only cache): the index itself was read.
        }
        return index;
    }

    private string SummaryPath => Path.Combine(Directory, SummaryFileName);

    private async Task WriteSummaryAsync(ChartIndex index, string indexSha256, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("schema", SummarySchema);
            json.WriteString("indexSha256", indexSha256);
            json.WriteStartObject("entries");
            foreach (var (name, versions) in index.Entries)
            {
                json.WriteStartArray(name);
                foreach (var entry in versions)
                {
                    var m = entry.Metadata;
                    json.WriteStartObject();
                    json.WriteString("version", m.Version);
                    json.WriteString("apiVersion", m.ApiVersion);
                    json.WriteString("appVersion", m.AppVersion);
                    json.WriteString("description", m.Description);
                    json.WriteStartArray("keywords");
                    foreach (string k in m.Keywords ?? [])
                    {
                        json.WriteStringValue(k);
                    }
                    json.WriteEndArray();
                    json.WriteStartArray("urls");
                    foreach (string u in entry.Urls)
                    {
                        json.WriteStringValue(u);
                    }
                    json.WriteEndArray();
                    json.WriteString("digest", entry.Digest);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await AtomicFile.WriteAllBytesAsync(SummaryPath, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
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
                    index.Add(new IndexEntry
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

    /// <summary>Keeps trust files that were just accepted: keyrings first, the manifest last.</summary>
    public async Task StoreTrustAsync(TrustFiles accepted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var (name, bytes) in new[]
        {
            (TrustFiles.PublicKeysName, accepted.PublicKeys),
            (TrustFiles.RevokedName, accepted.Revoked),
            (TrustFiles.RootKeysName, accepted.RootKeys),
            (TrustFiles.RotationsName, accepted.Rotations),
            (TrustFiles.ManifestName, accepted.Manifest),
        })
        {
            string path = Path.Combine(Directory, name);
            if (bytes is null)
            {
                File.Delete(path);
            }
            else
            {
                await AtomicFile.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The cached trust files (unverified until checked again).</summary>
    public Task<TrustFiles> ReadTrustAsync(CancellationToken cancellationToken = default) =>
        System.IO.Directory.Exists(Directory)
            ? new FolderRepositorySource(Directory).ReadTrustFilesAsync(cancellationToken)
            : Task.FromResult(new TrustFiles(null, null, null, null));
}

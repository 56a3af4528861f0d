using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.Client;

namespace Chartseal.Server;

/// <summary>
/// The repository's <c>index.yaml</c>, held in memory with everything derived from it, each built once per version of
/// the file: its gzip form and ETags, its parsed entries, the JSON of <c>GET /api/charts</c> (and per chart), and the
/// archive files it lists (the only ones served). Under a context path, the served index also carries
/// <c>serverInfo.contextPath</c> (the file on disk does not).
/// </summary>
/// <remarks>
/// Knowing the file changed is cheap and does not depend on clocks agreeing: the server's own writes call
/// <see cref="Invalidate"/>; any other writer (the CLI on the same folder, a sync job) replaces the file by rename, so
/// its size or modification time changes. Since timestamps are coarse, a version just read could still be replaced by
/// one of the same size within the same tick: for <see cref="SettleTime"/> after a read, the bytes are read and hashed
/// again at most once a second, and a version whose hash did not change keeps everything derived from it. Then the
/// size and time alone decide. No clock of the file system is compared with the server's.
/// </remarks>
internal sealed class IndexFile(string path, string contextPath = "")
{
    /// <summary>How long after a read the file's bytes are checked again (at most once a second).</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    // What a repository with no charts yet serves, so that clients can add it before the first upload.
    private readonly Snapshot _empty = new(-1, DateTime.MinValue,
        Served(System.Text.Encoding.UTF8.GetBytes(new ChartIndex { Generated = ChartIndex.Timestamp(DateTimeOffset.UtcNow) }.Serialize()), contextPath),
        path, Path.GetDirectoryName(path)!);
    private readonly SemaphoreSlim _reload = new(1, 1);
    private Snapshot? _current;
    private int _generation;
    private int _reads;

    /// <summary>How many times the file was read (for tests: derived forms must not be rebuilt per request).</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>One version of the file and what is derived from it, each built on first use.</summary>
    internal sealed class Snapshot
    {
        private readonly Lazy<byte[]> _gzip;
        private readonly Lazy<ChartIndex> _parsed;
        private readonly Lazy<string[]> _names;
        private readonly Lazy<byte[]> _chartsJson;
        private readonly ConcurrentDictionary<string, byte[]> _chartJson = new(StringComparer.Ordinal);
        private readonly Lazy<HashSet<string>> _served;
        private int _derivations;

        public Snapshot(long length, DateTime modified, byte[] bytes, string sourceName, string repositoryDir)
        {
            Length = length;
            Modified = modified;
            Bytes = bytes;
            Sha256 = SHA256.HashData(bytes);
            _gzip = new(() => Gzip(bytes));
            // Each chart's versions newest first, as Helm (and so ChartMuseum) sorts an index it loads.
            _parsed = new(() =>
            {
                var index = ChartIndex.Load(new MemoryStream(bytes, writable: false), sourceName);
                index.SortVersions();
                return index;
            });
            _names = new(() => [.. Parsed.Entries.Keys.Order(StringComparer.Ordinal)]);
            _chartsJson = new(() => ChartsJsonOf(_names.Value));
            _served = new(() => ServedFiles(repositoryDir));
        }

        public long Length { get; }
        public DateTime Modified { get; }
        public byte[] Bytes { get; }
        public byte[] Sha256 { get; }
        public string ETag => "\"" + Convert.ToHexStringLower(Sha256.AsSpan(0, 16)) + "\"";
        public string GzipETag => ETag.Insert(ETag.Length - 1, "-gz");
        public byte[] GzipBytes => _gzip.Value;

        /// <summary>Set from the server's generation counter when the snapshot was taken.</summary>
        public int Generation { get; init; }

        /// <summary>When the bytes were read, and last found unchanged (monotonic clock).</summary>
        public long ReadAt { get; } = Stopwatch.GetTimestamp();

        public long CheckedAt { get; set; } = Stopwatch.GetTimestamp();

        /// <summary>How many derived forms were built (gzip, JSON, the served list): for tests.</summary>
        public int Derivations => Volatile.Read(ref _derivations);

        /// <summary>How many chart bodies (<see cref="ChartJson"/>) are held (for tests: at most one per chart listed).</summary>
        public int ChartBodiesHeld => _chartJson.Count;

        /// <summary>The entries (parsed on first use: the API needs them, plain downloads do not).</summary>
        /// <exception cref="ChartsealException">The file on disk is not a valid index.</exception>
        public ChartIndex Parsed => _parsed.Value;

        /// <summary>The body of <c>GET /api/charts</c>: every chart's versions, charts in name order.</summary>
        public byte[] ChartsJson => _chartsJson.Value;

        /// <summary>
        /// A page of <c>GET /api/charts</c> (ChartMuseum's <c>offset</c> and <c>limit</c>): the charts in name order from
        /// <paramref name="offset"/>, at most <paramref name="limit"/> of them. Built per request; the whole list is held.
        /// </summary>
        public byte[] ChartsJsonPage(int offset, int limit)
        {
            string[] names = _names.Value;
            return offset == 0 && limit >= names.Length
                ? ChartsJson
                : ChartsJsonOf(names.AsSpan(Math.Min(offset, names.Length), Math.Clamp(names.Length - offset, 0, limit)).ToArray());
        }

        /// <summary>The body of <c>GET /api/charts/NAME</c>, or null when no such chart.</summary>
        public byte[]? ChartJson(string name)
        {
            // Kept only for a chart the index lists: anyone may ask for any name, and a name not listed must cost no memory.
            if (!Parsed.Entries.TryGetValue(name, out var versions) || versions.Count == 0)
            {
                return null;
            }
            return _chartJson.GetOrAdd(name, _ => Json(json =>
            {
                json.WriteStartArray();
                foreach (var entry in versions)
                {
                    ChartIndex.WriteEntryJson(json, entry);
                }
                json.WriteEndArray();
            }));
        }

        /// <summary>Whether <paramref name="name"/> (an archive or its .prov at the top of the folder) is listed by this index.</summary>
        public bool Lists(string name) => _served.Value.Contains(name);

        private HashSet<string> ServedFiles(string repositoryDir)
        {
            Interlocked.Increment(ref _derivations);
            var served = new HashSet<string>(StringComparer.Ordinal);
            string dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repositoryDir));
            foreach (var entry in Parsed.Entries.Values.SelectMany(v => v))
            {
                foreach (string url in entry.Urls)
                {
                    if (FolderRepositorySource.LocalArchivePath(dir, url) is { } file && Path.GetDirectoryName(file) == dir
                        && Path.GetFileName(file) is var fileName && ChartName.IsArchiveFileName(fileName))
                    {
                        served.Add(fileName);
                        served.Add(fileName + ".prov");
                    }
                }
            }
            return served;
        }

        private byte[] Gzip(byte[] data)
        {
            Interlocked.Increment(ref _derivations);
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(data);
            }
            return buffer.ToArray();
        }

        private byte[] Json(Action<Utf8JsonWriter> write)
        {
            Interlocked.Increment(ref _derivations);
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, ApiJson.Options))
            {
                write(json);
            }
            return buffer.ToArray();
        }

        private byte[] ChartsJsonOf(string[] names) => Json(json =>
        {
            json.WriteStartObject();
            foreach (string name in names)
            {
                json.WritePropertyName(name);
                json.WriteStartArray();
                foreach (var entry in Parsed.Entries[name])
                {
                    ChartIndex.WriteEntryJson(json, entry);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
    }

    /// <summary>How many times the server changed the repository (each <see cref="Invalidate"/>).</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Marks the held version stale: the server itself just changed the repository.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    /// <summary>The current file (an empty index when the repository has none yet).</summary>
    public async ValueTask<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return _empty;
        }
        var cached = Volatile.Read(ref _current);
        if (cached is not null && IsCurrent(cached, info) && !NeedsCheck(cached))
        {
            return cached;
        }
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have done the work while this one waited.
            cached = Volatile.Read(ref _current);
            info.Refresh();
            if (cached is not null && IsCurrent(cached, info) && !NeedsCheck(cached))
            {
                return cached;
            }
            int generation = Volatile.Read(ref _generation);
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                return _empty;
            }
            Interlocked.Increment(ref _reads);
            byte[] served = Served(bytes, contextPath);
            if (cached is not null && SHA256.HashData(served).AsSpan().SequenceEqual(cached.Sha256)
                && cached.Length == info.Length && cached.Modified == info.LastWriteTimeUtc)
            {
                // The same bytes under the same size and time: keep what was derived from them.
                cached.CheckedAt = Stopwatch.GetTimestamp();
                if (cached.Generation == generation)
                {
                    return cached;
                }
            }
            // Recorded with the stat taken before the read: if the file changed in between, the next request re-reads.
            var fresh = new Snapshot(info.Length, info.LastWriteTimeUtc, served, path, Path.GetDirectoryName(path)!) { Generation = generation };
            Volatile.Write(ref _current, fresh);
            return fresh;
        }
        finally
        {
            _reload.Release();
        }
    }

    private bool IsCurrent(Snapshot cached, FileInfo info) =>
        cached.Generation == Volatile.Read(ref _generation) && cached.Length == info.Length && cached.Modified == info.LastWriteTimeUtc;

    // A version read moments ago is checked again, at most once a second, until it has settled.
    private static bool NeedsCheck(Snapshot cached) =>
        Stopwatch.GetElapsedTime(cached.ReadAt) < SettleTime && Stopwatch.GetElapsedTime(cached.CheckedAt) >= RecheckInterval;

    private static byte[] Served(byte[] bytes, string contextPath) =>
        contextPath.Length > 0 ? ChartIndex.WithServerInfo(bytes, contextPath) : bytes;
}

using System.IO.Compression;
using System.Security.Cryptography;
using Chartseal.Charts;

namespace Chartseal.Server;

/// <summary>
/// The repository's <c>index.yaml</c>, held in memory with its gzip form, ETag and parsed entries. Every request
/// costs one stat of the file; the file is re-read only when its size or modification time changed (writers replace
/// it by rename, so a read never sees half a file). Under a context path, the served index also carries
/// <c>serverInfo.contextPath</c> (the file on disk does not).
/// </summary>
internal sealed class IndexFile(string path, string contextPath = "")
{
    // What a repository with no charts yet serves, so that clients can add it before the first upload.
    private readonly Snapshot _empty = new(-1, DateTime.MinValue,
        Served(System.Text.Encoding.UTF8.GetBytes(new ChartIndex { Generated = ChartIndex.Timestamp(DateTimeOffset.UtcNow) }.Serialize()), contextPath), path);
    private Snapshot? _current;

    /// <summary>One version of the file.</summary>
    internal sealed class Snapshot(long length, DateTime modified, byte[] bytes, string sourceName)
    {
        /// <summary>When the bytes were read: a file changed within a timestamp tick of that may change again unseen.</summary>
        public DateTime ReadAt { get; } = DateTime.UtcNow;

        private readonly Lazy<byte[]> _gzip = new(() => Gzip(bytes));
        private readonly Lazy<ChartIndex> _parsed = new(() => ChartIndex.Load(new MemoryStream(bytes, writable: false), sourceName));

        public long Length { get; } = length;
        public DateTime Modified { get; } = modified;
        public byte[] Bytes { get; } = bytes;
        public string ETag { get; } = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16)) + "\"";
        public string GzipETag => ETag.Insert(ETag.Length - 1, "-gz");
        public byte[] GzipBytes => _gzip.Value;

        /// <summary>The entries (parsed on first use: the API needs them, plain downloads do not).</summary>
        /// <exception cref="ChartsealException">The file on disk is not a valid index.</exception>
        public ChartIndex Parsed => _parsed.Value;

        private static byte[] Gzip(byte[] bytes)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(bytes);
            }
            return buffer.ToArray();
        }
    }

    /// <summary>The current file (an empty index when the repository has none yet).</summary>
    public async ValueTask<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return _empty;
        }
        var cached = Volatile.Read(ref _current);
        // Size and modification time identify a version only once the file has been still for a moment: file
        // timestamps are coarse, so two same-size writes in one tick look alike. A recent file is simply read again.
        if (cached is not null && cached.Length == info.Length && cached.Modified == info.LastWriteTimeUtc
            && cached.ReadAt - cached.Modified > TimeSpan.FromSeconds(10))
        {
            return cached;
        }
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return _empty;
        }
        // Recorded with the stat taken before the read: if the file changed in between, the next request re-reads.
        var fresh = new Snapshot(info.Length, info.LastWriteTimeUtc, Served(bytes, contextPath), path);
        Volatile.Write(ref _current, fresh);
        return fresh;
    }

    private static byte[] Served(byte[] bytes, string contextPath) =>
        contextPath.Length > 0 ? ChartIndex.WithServerInfo(bytes, contextPath) : bytes;
}

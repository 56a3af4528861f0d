using System.IO.Compression;
using System.IO.Hashing;
using Chartseal.IO;

namespace Chartseal.Fetch;

/// <summary>
/// Decodes an answer sent with <c>Content-Encoding: gzip</c> and checks, at its end, the gzip trailer (CRC-32 and length
/// mod 2^32) against what was decoded. <see cref="GZipStream"/> stops quietly when the compressed data ends early, so a
/// complete HTTP answer holding a cut gzip stream (a proxy or cache that stored a truncated copy) would otherwise read as
/// a shorter file, e.g. an <c>index.yaml</c> missing its last charts. As Helm's decoder (Go's <c>compress/gzip</c>), a
/// truncated stream or a checksum mismatch is an error (an <see cref="InvalidDataException"/>); an empty body is an empty
/// answer. One gzip member is expected, as web servers send.
/// </summary>
internal sealed class GzipBody : ReadOnlyStream
{
    private readonly TailStream _raw;
    private readonly GZipStream _gzip;
    private readonly Crc32 _crc = new();
    private long _decoded;
    private bool _ended;

    public GzipBody(Stream compressed)
    {
        _raw = new TailStream(compressed);
        _gzip = new GZipStream(_raw, CompressionMode.Decompress);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_ended || buffer.IsEmpty)
        {
            return 0;
        }
        int read = await _gzip.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            _crc.Append(buffer.Span[..read]);
            _decoded += read;
            return read;
        }
        _ended = true;
        CheckTrailer();
        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private void CheckTrailer()
    {
        if (_raw.Total == 0)
        {
            return; // no body at all
        }
        if (_raw.Total < 18 // a gzip header (10 bytes) and trailer (8) at the least
            || !GzipTrailer.Matches(_raw.Tail, _crc.GetCurrentHashAsUInt32(), _decoded))
        {
            throw new InvalidDataException($"the gzip data is truncated or its checksum does not match (after {_decoded} decoded bytes)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _gzip.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override long ReadSoFar => _decoded;

    /// <summary>Passes the compressed bytes through, remembering how many there were and the last eight (the trailer).</summary>
    private sealed class TailStream(Stream inner) : ReadOnlyStream
    {
        private const int Kept = GzipTrailer.Length;

        private readonly byte[] _tail = new byte[Kept];
        private int _held;

        public long Total { get; private set; }

        public ReadOnlySpan<byte> Tail => _tail.AsSpan(Kept - _held);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Remember(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = inner.Read(buffer, offset, count);
            Remember(buffer.AsSpan(offset, read));
            return read;
        }

        // The last Kept bytes seen, right-aligned in _tail.
        private void Remember(ReadOnlySpan<byte> read)
        {
            Total += read.Length;
            if (read.Length >= Kept)
            {
                read[^Kept..].CopyTo(_tail);
                _held = Kept;
                return;
            }
            _tail.AsSpan(read.Length).CopyTo(_tail);
            read.CopyTo(_tail.AsSpan(Kept - read.Length));
            _held = Math.Min(Kept, _held + read.Length);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override long ReadSoFar => Total;
    }
}

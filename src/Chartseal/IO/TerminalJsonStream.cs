using System.Buffers;

namespace Chartseal.IO;

/// <summary>
/// Writes a UTF-8 JSON document to <c>inner</c> as <see cref="TerminalText.EscapeJson(ReadOnlySpan{byte})"/> would
/// return it, as it comes: a large document (an audit of thousands of charts) is neither held whole nor copied.
/// Disposing writes what is left (it does not dispose <c>inner</c>).
/// </summary>
/// <remarks>
/// The escape works rune by rune; a rune never spans the position after an ASCII byte, so each buffer is escaped up to
/// its last ASCII byte and the rest (a few bytes of a rune cut by the buffer's end) waits for the next write.
/// </remarks>
public sealed class TerminalJsonStream(Stream inner) : Stream
{
    private const int ChunkSize = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _escaped = new();
    private byte[] _pending = new byte[4096]; // grows to ChunkSize: one verdict is a few kilobytes
    private int _pendingLength;
    private bool _disposed;

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (buffer.Length > 0)
        {
            if (_pendingLength == _pending.Length)
            {
                if (_pending.Length >= ChunkSize)
                {
                    WritePending(all: false);
                }
                if (_pendingLength == _pending.Length)
                {
                    // Still full: not yet a chunk, or a chunk without any ASCII byte (not JSON in practice), kept whole
                    // rather than cut inside a rune.
                    Array.Resize(ref _pending, _pending.Length * 2);
                }
            }
            int n = Math.Min(buffer.Length, _pending.Length - _pendingLength);
            buffer[..n].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += n;
            buffer = buffer[n..];
        }
    }

    /// <summary>Escapes and writes what is pending: up to and including its last ASCII byte, or all of it.</summary>
    private void WritePending(bool all)
    {
        int cut = all ? _pendingLength : _pending.AsSpan(0, _pendingLength).LastIndexOfAnyInRange((byte)0, (byte)0x7F) + 1;
        if (cut == 0)
        {
            return;
        }
        TerminalText.EscapeJsonTo(_pending.AsSpan(0, cut), _escaped);
        inner.Write(_escaped.WrittenSpan);
        _escaped.ResetWrittenCount();
        _pending.AsSpan(cut, _pendingLength - cut).CopyTo(_pending);
        _pendingLength -= cut;
    }

    /// <summary>Writes what has come so far, up to its last ASCII byte, and flushes <c>inner</c>.</summary>
    public override void Flush()
    {
        WritePending(all: false);
        inner.Flush();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            WritePending(all: true);
            inner.Flush();
            _disposed = true;
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => !_disposed;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
}

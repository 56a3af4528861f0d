namespace Chartseal.IO;

/// <summary>
/// A stream that is only read, front to back: the members a <see cref="Stream"/> must have and such a stream refuses
/// (seeking, writing, a length), once for the wrappers that count, check or decode what passes through them.
/// </summary>
internal abstract class ReadOnlyStream : Stream
{
    /// <summary>The bytes read so far (what <see cref="Position"/> reports).</summary>
    protected abstract long ReadSoFar { get; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => ReadSoFar; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

using System.Buffers;

namespace Chartseal.Fetch;

/// <summary>
/// Collects a download's bytes without the copies of a growing <see cref="MemoryStream"/> (which doubles its buffer
/// and copies it once more at the end, holding up to three times the body): into one array of the announced length,
/// or, when the length is unknown (a compressed or chunked answer), into pooled 64 KiB chunks that are copied once
/// into an array of the final size.
/// </summary>
internal sealed class BodyBuffer : BodySink
{
    private const int ChunkSize = 64 * 1024;
    private byte[]? _exact;
    private List<byte[]>? _chunks;
    private int _usedInLast;
    private byte[]? _carried; // the announced-size array, when more came: not the pool's
    private readonly byte[] _probe = new byte[16];

    /// <summary>A buffer for <paramref name="announced"/> bytes, or of unknown size when null.</summary>
    public BodyBuffer(long? announced)
    {
        if (announced is { } length && length <= Array.MaxLength)
        {
            _exact = GC.AllocateUninitializedArray<byte>((int)length);
        }
        else
        {
            _chunks = [];
        }
    }

    /// <inheritdoc />
    public override Memory<byte> Space()
    {
        if (_exact is not null)
        {
            // Once the announced length is in, a small probe reads the end of the body (or what comes beyond it).
            return Length < _exact.Length ? _exact.AsMemory((int)Length) : _probe;
        }
        if (_chunks!.Count == 0 || _usedInLast == _chunks[^1].Length)
        {
            _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
            _usedInLast = 0;
        }
        return _chunks[^1].AsMemory(_usedInLast);
    }

    /// <inheritdoc />
    public override ValueTask AdvanceAsync(int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return ValueTask.CompletedTask;
        }
        if (_exact is not null && Length == _exact.Length)
        {
            // More than announced: carry on in chunks, starting with what the probe read.
            _chunks = [_exact];
            _carried = _exact;
            _exact = null;
            byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
            _probe.AsSpan(0, count).CopyTo(chunk);
            _chunks.Add(chunk);
            _usedInLast = count;
            Length += count;
            return ValueTask.CompletedTask;
        }
        Length += count;
        if (_exact is null)
        {
            _usedInLast += count;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The bytes, in an array of exactly <see cref="BodySink.Length"/>.</summary>
    public byte[] ToArray()
    {
        if (_exact is not null)
        {
            return Length == _exact.Length ? _exact : _exact.AsSpan(0, (int)Length).ToArray();
        }
        byte[] result = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        int offset = 0;
        for (int i = 0; i < _chunks!.Count; i++)
        {
            int used = i == _chunks.Count - 1 ? _usedInLast : _chunks[i].Length;
            _chunks[i].AsSpan(0, used).CopyTo(result.AsSpan(offset));
            offset += used;
        }
        return result;
    }

    public override ValueTask DisposeAsync()
    {
        if (_chunks is null)
        {
            return ValueTask.CompletedTask;
        }
        foreach (byte[] chunk in _chunks)
        {
            if (!ReferenceEquals(chunk, _carried))
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
        _chunks = null;
        return ValueTask.CompletedTask;
    }
}

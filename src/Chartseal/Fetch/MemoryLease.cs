namespace Chartseal.Fetch;

/// <summary>
/// The bytes one reader holds of a <see cref="MemoryBudget"/>. It grows once, by waiting for room
/// (<see cref="ReserveAsync"/>); any later growth is taken at once, so that a reader never waits while holding bytes
/// (no two readers can wait on each other). Disposing it gives everything back.
/// </summary>
public sealed class MemoryLease : IDisposable
{
    private readonly MemoryBudget _budget;
    private long _bytes;
    private bool _disposed;

    internal MemoryLease(MemoryBudget budget) => _budget = budget;

    /// <summary>The bytes held.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Makes the lease hold at least <paramref name="bytes"/>; waits for room only while it holds nothing.</summary>
    public async ValueTask ReserveAsync(long bytes, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long more = bytes - _bytes;
        if (more <= 0)
        {
            return;
        }
        await _budget.ReserveAsync(more, wait: _bytes == 0, cancellationToken).ConfigureAwait(false);
        _bytes += more;
    }

    /// <summary>Gives back what is held over <paramref name="bytes"/> (a reservation for the worst case, once the real size is known).</summary>
    public void TrimTo(long bytes)
    {
        long over = _bytes - Math.Max(0, bytes);
        if (over > 0 && !_disposed)
        {
            _bytes -= over;
            _budget.Release(over);
        }
    }

    /// <summary>Gives everything back.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _budget.Release(_bytes);
        _bytes = 0;
    }
}

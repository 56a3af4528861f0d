namespace Chartseal.Fetch;

/// <summary>
/// A limit on the bytes that concurrent readers hold in memory at once: each reader takes a <see cref="MemoryLease"/>,
/// reserves what it is about to buffer (the announced length, or its size limit when the length is unknown, e.g. for a
/// compressed answer) before buffering it, and gives it back when it drops the bytes. A reservation waits, first come
/// first served, while the others hold the budget; one larger than the whole budget waits until it is alone. So
/// sixteen workers that each meet a 100 MiB answer hold at most the budget, not 1.6 GB.
/// </summary>
public sealed class MemoryBudget
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _inUse;
    private long _peak;

    /// <summary>A budget of <paramref name="capacity"/> bytes.</summary>
    public MemoryBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(capacity, 0);
        Capacity = capacity;
    }

    /// <summary>The bytes that may be reserved at once.</summary>
    public long Capacity { get; }

    /// <summary>The bytes reserved now.</summary>
    public long InUse
    {
        get
        {
            lock (_lock)
            {
                return _inUse;
            }
        }
    }

    /// <summary>The most bytes ever reserved at once.</summary>
    public long Peak
    {
        get
        {
            lock (_lock)
            {
                return _peak;
            }
        }
    }

    /// <summary>An empty lease; dispose it when the bytes it covers are dropped.</summary>
    public MemoryLease Lease() => new(this);

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Takes <paramref name="bytes"/>, waiting while they do not fit; <paramref name="wait"/> false takes them at once.</summary>
    internal async ValueTask ReserveAsync(long bytes, bool wait, CancellationToken cancellationToken)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (!wait || (_waiters.Count == 0 && Fits(bytes)))
            {
                Take(bytes);
                return;
            }
            waiter = new Waiter(bytes);
            node = _waiters.AddLast(waiter);
        }
        using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (node.List is null)
                {
                    return; // granted already: the caller gets the bytes and gives them back through its lease
                }
                _waiters.Remove(node);
            }
            waiter.Granted.TrySetCanceled(cancellationToken);
            GrantWaiting(); // the head may have changed
        });
        // Cancelled while waiting: removed from the queue, nothing taken. Granted first: the lease holds the bytes and
        // its owner gives them back.
        await waiter.Granted.Task.ConfigureAwait(false);
    }

    internal void Release(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }
        lock (_lock)
        {
            _inUse -= bytes;
        }
        GrantWaiting();
    }

    // Alone, anything fits: a reservation larger than the budget waits for the others to finish, then goes.
    private bool Fits(long bytes) => _inUse == 0 || _inUse + bytes <= Capacity;

    private void Take(long bytes)
    {
        _inUse += bytes;
        _peak = Math.Max(_peak, _inUse);
    }

    private void GrantWaiting()
    {
        var granted = new List<Waiter>();
        lock (_lock)
        {
            while (_waiters.First is { } first && Fits(first.Value.Bytes))
            {
                _waiters.RemoveFirst();
                Take(first.Value.Bytes);
                granted.Add(first.Value);
            }
        }
        foreach (var waiter in granted)
        {
            waiter.Granted.TrySetResult();
        }
    }
}

namespace Chartseal.Fetch;

/// <summary>
/// The low-speed limit of one download attempt (<see cref="FetchPolicy.LowSpeedLimit"/> over
/// <see cref="FetchPolicy.LowSpeedTime"/>): a timer checks, at the end of each window, how many bytes arrived in it, and
/// cancels <see cref="Token"/> when they were too few. Paused while the fetcher itself waits (for room in a
/// <see cref="MemoryBudget"/>), so that only the server's pace counts.
/// </summary>
internal sealed class TransferWatchdog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _cancel;
    private readonly ITimer? _timer;
    private readonly long _minimum;
    private long _received;
    private bool _paused;
    private bool _disposed;

    public TransferWatchdog(CancellationToken outer, long bytesPerSecond, TimeSpan window)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(outer);
        if (bytesPerSecond > 0 && window > TimeSpan.Zero)
        {
            Window = window;
            _minimum = (long)Math.Ceiling(bytesPerSecond * window.TotalSeconds);
            _timer = TimeProvider.System.CreateTimer(_ => Tick(), null, window, window);
        }
    }

    /// <summary>Cancelled when the transfer is too slow (or the outer token is).</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The window checked.</summary>
    public TimeSpan Window { get; }

    /// <summary>Set when this watchdog cancelled the transfer: the bytes of the window that was too slow.</summary>
    public long? TooSlow { get; private set; }

    /// <summary>Counts bytes received.</summary>
    public void Count(int bytes) => Interlocked.Add(ref _received, bytes);

    /// <summary>Stops counting time (while the fetcher waits on something other than the server).</summary>
    public void Pause()
    {
        lock (_lock)
        {
            _paused = true;
        }
    }

    /// <summary>Counts time again, from a fresh window.</summary>
    public void Resume()
    {
        lock (_lock)
        {
            _paused = false;
            Interlocked.Exchange(ref _received, 0);
            _timer?.Change(Window, Window);
        }
    }

    private void Tick()
    {
        lock (_lock)
        {
            long received = Interlocked.Exchange(ref _received, 0);
            if (_disposed || _paused || received >= _minimum)
            {
                return;
            }
            TooSlow = received;
            _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _cancel.Cancel();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _timer?.Dispose();
        }
        _cancel.Dispose();
    }
}

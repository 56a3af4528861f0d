namespace Chartseal.IO;

/// <summary>
/// The one writer lock of a repository folder: a lock file held open without sharing (an advisory <c>flock</c> on
/// Linux). Every writer takes it — publish, delete, re-sign, the trust commands, the server's start-up clean-up — so
/// that each read-decide-write happens against material no other writer is changing.
/// </summary>
public static class RepositoryLock
{
    /// <summary>The lock file's name in the repository folder (a dot file: never served).</summary>
    public const string FileName = ".chartseal.lock";

    /// <summary>How long a writer waits for another before giving up.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Takes the lock, waiting while another writer holds it.</summary>
    /// <exception cref="ChartsealException">The lock file cannot be opened (no folder, no permission, disk error), or another writer held it for longer than <paramref name="timeout"/>.</exception>
    public static async Task<IAsyncDisposable> AcquireAsync(string directory, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        string path = Path.Combine(directory, FileName);
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        FileStream? held;
        while ((held = TryOpen(path, deadline, timeout)) is null)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return held;
    }

    /// <summary>Synchronous form of <see cref="AcquireAsync"/>, for short critical sections (a state file's read-compare-write).</summary>
    public static IDisposable Acquire(string directory, TimeSpan? timeout = null)
    {
        string path = Path.Combine(directory, FileName);
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        FileStream? held;
        while ((held = TryOpen(path, deadline, timeout)) is null)
        {
            Thread.Sleep(10);
        }
        return held;
    }

    // The held lock, or null while another writer has it.
    private static FileStream? TryOpen(string path, DateTime deadline, TimeSpan? timeout)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
        }
        catch (IOException e) when (IsHeldByAnother(e))
        {
            return DateTime.UtcNow <= deadline
                ? null
                : throw new ChartsealException(path, $"another writer has held the lock for more than {(timeout ?? DefaultTimeout).TotalSeconds:0} s", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new ChartsealException(Path.GetDirectoryName(path), "no such folder", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChartsealException(path, "cannot take the lock: " + e.Message, e);
        }
    }

    // Only contention is worth waiting for: EWOULDBLOCK from flock on Unix, a sharing violation on Windows.
    private static bool IsHeldByAnother(IOException e) =>
        e.GetType() == typeof(IOException) && e.HResult is 11 or 35 or unchecked((int)0x80070020);
}

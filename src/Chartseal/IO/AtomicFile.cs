namespace Chartseal.IO;

/// <summary>
/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary
/// file in the same directory, are flushed to disk, and the file is renamed into place.
/// A failure is a <see cref="ChartsealException"/> naming the destination (never the temporary file) and the
/// reason; the file-system exception is its inner exception (<see cref="StorageFull.Is"/> still recognises a full disk).
/// </summary>
public static class AtomicFile
{
    private const int Efbig = 27; // errno, as .NET puts it in HResult on Unix (StorageFull recognises it)

    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="contents"/>.</summary>
    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> contents, CancellationToken cancellationToken = default)
    {
        await WriteAsync(path, (stream, ct) => stream.WriteAsync(contents, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Synchronous form of <see cref="WriteAllBytesAsync"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents)
    {
        string temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (Failure(path, temp, e) is { } failure)
            {
                throw failure;
            }
            throw;
        }
    }

    /// <summary>
    /// Atomically writes <paramref name="path"/> readable only by its owner, for secret keys: the file is created
    /// with mode 0600 (never briefly wider). Unless <paramref name="overwrite"/>, an existing file is never
    /// replaced, not even one that appeared while this was writing.
    /// </summary>
    /// <exception cref="ChartsealException"><paramref name="path"/> exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static Task WritePrivateAsync(string path, ReadOnlyMemory<byte> contents, bool overwrite, CancellationToken cancellationToken = default) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(contents, ct), cancellationToken, UnixFileMode.UserRead | UnixFileMode.UserWrite, overwrite);

    /// <summary>Like <see cref="WriteAllBytesAsync"/>, but never replaces an existing <paramref name="path"/>.</summary>
    /// <exception cref="ChartsealException"><paramref name="path"/> exists, or it cannot be written.</exception>
    public static Task CreateAsync(string path, ReadOnlyMemory<byte> contents, CancellationToken cancellationToken = default) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(contents, ct), cancellationToken, mode: null, overwrite: false);

    /// <summary>Atomically writes <paramref name="path"/> with whatever <paramref name="write"/> puts in the stream.</summary>
    public static Task WriteAsync(string path, Func<Stream, CancellationToken, ValueTask> write, CancellationToken cancellationToken = default) =>
        WriteAsync(path, write, cancellationToken, mode: null, overwrite: true);

    private static async Task WriteAsync(string path, Func<Stream, CancellationToken, ValueTask> write, CancellationToken cancellationToken, UnixFileMode? mode, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(write);
        string temp = TempPathFor(path);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 81920,
                Options = FileOptions.Asynchronous,
            };
            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = unixMode;
            }
            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            // Without overwrite, .NET renames through link(2) + unlink(2) on Unix: a file created meanwhile is never replaced.
            File.Move(temp, path, overwrite);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (Failure(path, temp, e) is { } failure)
            {
                throw failure;
            }
            throw;
        }
    }

    // One line naming the file the caller asked for: .NET's messages name the temporary file, or (for a folder in the
    // way) say "already exists". Null for what is not a file-system failure (cancellation, a bug), rethrown as it is.
    private static ChartsealException? Failure(string path, string temp, Exception e)
    {
        string? reason = e switch
        {
            OperationCanceledException => null,
            _ when Directory.Exists(path) => "is a folder, not a file",
            // .NET reports a write past the file size limit (EFBIG) as an argument error.
            ArgumentOutOfRangeException { ParamName: "value" } => "the file is larger than the file system or the size limit (ulimit -f) allows",
            _ when StorageFull.Is(e) => "no space left on the device",
            DirectoryNotFoundException => "its folder does not exist",
            UnauthorizedAccessException => "permission denied",
            IOException when File.Exists(path) && e.Message.Contains("already exists", StringComparison.Ordinal) => "already exists",
            IOException => e.Message.Replace($" : '{temp}'", "", StringComparison.Ordinal).Replace(temp, path, StringComparison.Ordinal),
            _ => null,
        };
        if (reason is null)
        {
            return null;
        }
        return new ChartsealException(path, "cannot write: " + reason, e is ArgumentOutOfRangeException ? new IOException(reason, Efbig) : e);
    }

    /// <summary>A unique temporary name beside <paramref name="path"/>, hidden and marked as temporary.</summary>
    public static string TempPathFor(string path)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        return Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

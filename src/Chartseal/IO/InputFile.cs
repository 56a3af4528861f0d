namespace Chartseal.IO;

/// <summary>Reads user-named input files with a size cap and one-line errors naming the file.</summary>
public static class InputFile
{
    /// <summary>The default cap: archives are at most this large (Helm's limit for a chart).</summary>
    public const long DefaultMaxBytes = 100L * 1024 * 1024;

    /// <summary>Reads <paramref name="path"/>, refusing files over <paramref name="maxBytes"/>.</summary>
    /// <exception cref="ChartsealException">The file is missing, a folder, unreadable or too large.</exception>
    public static async Task<byte[]> ReadAsync(string path, long maxBytes = DefaultMaxBytes, CancellationToken cancellationToken = default) =>
        await ReadIfExistsAsync(path, maxBytes, truncate: false, cancellationToken).ConfigureAwait(false)
            ?? throw new ChartsealException(path, "no such file");

    /// <summary>
    /// Reads <paramref name="path"/> when it exists (null when it does not, or when no file can have that name: too long).
    /// Over <paramref name="maxBytes"/>: a one-line error, or with <paramref name="truncate"/> the first
    /// <paramref name="maxBytes"/> bytes (for a file whose size is itself a verdict, such as a <c>.prov</c> read up to its
    /// limit + 1).
    /// </summary>
    /// <exception cref="ChartsealException">The file is a folder, unreadable, or too large (without <paramref name="truncate"/>).</exception>
    public static Task<byte[]?> ReadIfExistsAsync(string path, long maxBytes, bool truncate = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<byte[]?>(cancellationToken);
        }
        // Read synchronously: for a local file the platform's "asynchronous" read is the same read on a thread-pool thread,
        // and starting the pool's threads costs a one-chart `chartseal verify` more than the read itself.
        try
        {
            return Task.FromResult(ReadIfExists(path, maxBytes, truncate));
        }
        catch (ChartsealException e)
        {
            return Task.FromException<byte[]?>(e);
        }
    }

    /// <summary>
    /// <see cref="ReadIfExistsAsync"/> for callers that are not asynchronous (the client's small state files): the same
    /// read, the same errors.
    /// </summary>
    /// <exception cref="ChartsealException">The file is a folder, unreadable, or too large (without <paramref name="truncate"/>).</exception>
    public static byte[]? ReadIfExists(string path, long maxBytes, bool truncate = false) => Read(path, maxBytes, truncate, out _);

    /// <summary>
    /// <see cref="ReadIfExists(string, long, bool)"/>, telling also whether the file can be read again:
    /// <paramref name="rereadable"/> is false for a pipe (a shell's process substitution, a FIFO), whose content is gone
    /// once read.
    /// </summary>
    /// <exception cref="ChartsealException">The file is a folder, unreadable, or too large.</exception>
    public static byte[]? ReadIfExists(string path, long maxBytes, out bool rereadable) => Read(path, maxBytes, truncate: false, out rereadable);

    private static byte[]? Read(string path, long maxBytes, bool truncate, out bool rereadable)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        rereadable = false;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            if (!stream.CanSeek)
            {
                return ReadUnseekable(stream, path, maxBytes, truncate);
            }
            rereadable = true;
            long length = stream.Length;
            if (length > maxBytes && !truncate)
            {
                throw new ChartsealException(path, $"is larger than the {maxBytes} byte limit");
            }
            byte[] data = new byte[Math.Min(length, maxBytes)];
            stream.ReadExactly(data);
            return data;
        }
        // A name longer than the file system allows is the name of no file (an index entry may carry any URL).
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            // Opening a folder fails the same way; asked only now, so that reading a file costs no extra stat.
            throw new ChartsealException(path, Directory.Exists(path) ? "is a folder, not a file" : "permission denied");
        }
        catch (EndOfStreamException)
        {
            throw new ChartsealException(path, "changed while it was read");
        }
        catch (IOException e)
        {
            throw new ChartsealException(path, "cannot be read: " + e.Message);
        }
    }

    // A pipe (a shell's process substitution, --keyring <(gpg --export-secret-keys KEY)) has no length: read up to one
    // byte over the cap to tell "exactly the cap" from "more".
    private static byte[] ReadUnseekable(FileStream stream, string path, long maxBytes, bool truncate)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        while (buffer.Length <= maxBytes)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length));
            if (read == 0)
            {
                return buffer.ToArray();
            }
            buffer.Write(chunk, 0, read);
        }
        if (!truncate)
        {
            throw new ChartsealException(path, $"is larger than the {maxBytes} byte limit");
        }
        buffer.SetLength(maxBytes);
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a text file the user wrote (a token list, an htpasswd file): UTF-8, with the byte order mark some editors
    /// put first dropped (it would otherwise become part of the first line: the first token would never match).
    /// </summary>
    /// <exception cref="ChartsealException">As for <see cref="ReadAsync"/>, or the file is not UTF-8.</exception>
    public static async Task<string> ReadTextAsync(string path, long maxBytes, CancellationToken cancellationToken = default)
    {
        byte[] bytes = await ReadAsync(path, maxBytes, cancellationToken).ConfigureAwait(false);
        ReadOnlySpan<byte> text = bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes;
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(text);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new ChartsealException(path, "is not UTF-8 text");
        }
    }
}

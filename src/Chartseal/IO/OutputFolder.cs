namespace Chartseal.IO;

/// <summary>Creates the folder a command writes into, with one-line errors naming it.</summary>
public static class OutputFolder
{
    /// <summary>Creates <paramref name="path"/> and its parents when missing.</summary>
    /// <exception cref="ChartsealException">A file is in the way, or the folder cannot be created.</exception>
    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // .NET says "The file '...' already exists" for a file in the way; say which way round it is.
            string reason = FileInTheWayReason(path) ?? "cannot create the folder: " + (e is UnauthorizedAccessException ? "permission denied" : e.Message);
            throw new ChartsealException(path, reason, e);
        }
    }

    /// <summary>
    /// Checks, creating nothing, that files can be written in <paramref name="path"/> once <see cref="Create"/> made it:
    /// no file in the way, and the folder (or, when it is missing, its nearest existing parent) writable as
    /// <see cref="WhyNotWritable"/> finds. For a command to refuse a bad destination before it asks for a passphrase or
    /// does the work.
    /// </summary>
    /// <exception cref="ChartsealException">A file is in the way, or the folder cannot be written or created (the same words as <see cref="Create"/>).</exception>
    public static void CheckWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (FileInTheWayReason(path) is { } blocked)
        {
            throw new ChartsealException(path, blocked);
        }
        string full = Path.GetFullPath(path);
        string existing = full;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }
        if (WhyNotWritable(existing) is { } why)
        {
            throw new ChartsealException(path, (existing == full ? "cannot write in the folder: " : "cannot create the folder: ") + why);
        }
    }

    /// <summary>
    /// Why files cannot be written in the existing folder <paramref name="path"/> (a read-only volume, no permission),
    /// or null when they can: asked by writing a hidden temporary file there, removed at once, since modes say nothing
    /// of read-only mounts and root.
    /// </summary>
    public static string? WhyNotWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var probe = new FileStream(Path.Combine(path, $".probe-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    // "is a file, not a folder" (path itself) or "cannot create the folder: PARENT is a file"; null when no file is in the way.
    private static string? FileInTheWayReason(string path) => FileInTheWay(path) switch
    {
        null => null,
        { } blocking when blocking == Path.GetFullPath(path) => "is a file, not a folder",
        { } blocking => $"cannot create the folder: {blocking} is a file",
    };

    private static string? FileInTheWay(string path)
    {
        for (string? dir = Path.GetFullPath(path); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir))
            {
                return dir;
            }
        }
        return null;
    }
}

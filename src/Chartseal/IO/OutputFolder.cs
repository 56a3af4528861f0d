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
            string? blocking = FileInTheWay(path);
            string reason = blocking is null ? "cannot create the folder: " + (e is UnauthorizedAccessException ? "permission denied" : e.Message)
                : blocking == Path.GetFullPath(path) ? "is a file, not a folder"
                : $"cannot create the folder: {blocking} is a file";
            throw new ChartsealException(path, reason, e);
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

using System.Formats.Tar;
using Chartseal.Compat;

namespace Chartseal.Charts;

/// <summary>Loads a chart from a folder the way <c>helm package</c> does.</summary>
public static class ChartDirectory
{
    /// <summary>Most files loaded from one chart folder (subchart folders included).</summary>
    public const int MaxFiles = 10_000;

    /// <summary>
    /// Loads the chart in <paramref name="dir"/>: files are walked depth first in byte order of their names,
    /// <c>.helmignore</c> (plus Helm's default rule) is honoured, a leading UTF-8 BOM is dropped from every file;
    /// then Helm's classification and validation apply and subcharts in <c>charts/</c> (folders and <c>.tgz</c>)
    /// are loaded recursively, ordered by name.
    /// </summary>
    /// <remarks>
    /// Symbolic links are followed as Helm's loader follows them: a link to a file or a folder, inside the
    /// chart folder or outside it (relative or absolute), is loaded under the link's own path with its
    /// target's contents, and listed in <see cref="LoadedChart.Links"/>. A link is resolved before
    /// <c>.helmignore</c> is applied to it, so a broken link fails the load even when ignored, as in Helm.
    /// </remarks>
    /// <exception cref="ChartsealException">
    /// The folder is missing; a symbolic link is broken (<c>error evaluating symlink …</c>) or loops; a file
    /// is not a regular file (device, FIFO, socket); a file is over 5 MiB; there are more than
    /// <see cref="MaxFiles"/> files; Chart.yaml is missing or invalid; a subchart cannot be loaded.
    /// </exception>
    public static LoadedChart Load(string dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        string root = Path.GetFullPath(dir);
        if (!Directory.Exists(root))
        {
            throw new ChartsealException(dir, File.Exists(root) ? "is a file, not a chart folder (the folder holding Chart.yaml)" : "no such chart folder");
        }
        var walker = new Walker(dir, RealPath(root, dir));
        var chart = ChartLoader.FromFiles(walker.Walk(), dir.TrimEnd('/', Path.DirectorySeparatorChar));
        chart.Links = walker.Links;
        return chart;
    }

    private sealed class Walker(string displayName, string realRoot)
    {
        private readonly List<ChartFile> _files = [];
        // The real folders being walked, to refuse a link back to one of them (Helm would descend until ELOOP).
        private readonly HashSet<string> _open = new(StringComparer.Ordinal) { realRoot };
        private HelmIgnore _rules = HelmIgnore.Default();

        public List<FollowedLink> Links { get; } = [];

        public List<ChartFile> Walk()
        {
            string ignoreFile = Path.Combine(realRoot, HelmIgnore.FileName);
            if (File.Exists(ignoreFile) || Directory.Exists(ignoreFile))
            {
                string real = Resolve(ignoreFile, HelmIgnore.FileName);
                _rules = HelmIgnore.Parse(ReadRegularFile(real, HelmIgnore.FileName), $"{displayName}/{HelmIgnore.FileName}");
            }
            WalkDirectory(realRoot, "");
            return _files;
        }

        private void WalkDirectory(string physicalDir, string prefix)
        {
            var names = Directory.EnumerateFileSystemEntries(physicalDir).Select(Path.GetFileName).OfType<string>().ToList();
            names.Sort(CompareUtf8);
            foreach (string name in names)
            {
                string relative = prefix + name;
                string physical = Path.Combine(physicalDir, name);
                string real = Resolve(physical, relative);
                bool isDirectory = Directory.Exists(real);
                if (_rules.Ignore(relative, isDirectory))
                {
                    continue;
                }
                if (real != physical)
                {
                    Links.Add(new FollowedLink(relative, real));
                }
                if (isDirectory)
                {
                    if (!_open.Add(real))
                    {
                        throw new ChartsealException(displayName, $"symbolic link loop at {relative}");
                    }
                    WalkDirectory(real, relative + "/");
                    _open.Remove(real);
                }
                else
                {
                    if (_files.Count >= MaxFiles)
                    {
                        throw new ChartsealException(displayName, $"chart has more than {MaxFiles} files");
                    }
                    _files.Add(new ChartFile(relative, ReadRegularFile(real, relative)));
                }
            }
        }

        // Follows a symbolic link wherever it points, as Helm's sympath.Walk does (filepath.EvalSymlinks).
        private string Resolve(string path, string relative)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not { } target)
            {
                return path;
            }
            string real = RealPath(path, displayName);
            if (!File.Exists(real) && !Directory.Exists(real))
            {
                throw new ChartsealException(displayName, $"error evaluating symlink {relative}: {target}: no such file or directory");
            }
            return real;
        }

        // Reads a regular file. Its type is taken from what TarWriter records for the path (the BCL exposes no
        // file type on Unix), so a FIFO or device is refused without ever being opened (opening a FIFO blocks).
        private byte[] ReadRegularFile(string real, string relative)
        {
            if (new FileInfo(real).Length > ChartYaml.MaxFileSize)
            {
                throw new ChartsealException(displayName, $"chart file \"{relative}\" is larger than the maximum file size {ChartYaml.MaxFileSize}");
            }
            try
            {
                using var buffer = new MemoryStream();
                using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
                {
                    writer.WriteEntry(real, "f");
                }
                buffer.Position = 0;
                using var reader = new TarReader(buffer);
                var entry = reader.GetNextEntry();
                if (entry is null || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    throw new ChartsealException(displayName, $"cannot load irregular file {relative} as it has file mode type bits set");
                }
                if (entry.Length > ChartYaml.MaxFileSize)
                {
                    throw new ChartsealException(displayName, $"chart file \"{relative}\" is larger than the maximum file size {ChartYaml.MaxFileSize}");
                }
                byte[] bytes = new byte[entry.Length];
                entry.DataStream?.ReadExactly(bytes);
                return bytes;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                throw new ChartsealException(displayName, $"cannot load file {relative}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>The path with every symbolic link resolved, component by component (like realpath(3)).</summary>
    internal static string RealPath(string path, string displayName)
    {
        string full = Path.GetFullPath(path);
        for (int hops = 0; hops < 40; hops++)
        {
            string root = Path.GetPathRoot(full) ?? "";
            string[] parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            string current = root;
            bool restarted = false;
            for (int i = 0; i < parts.Length && !restarted; i++)
            {
                string next = Path.Combine(current, parts[i]);
                string? link = new FileInfo(next).LinkTarget;
                if (link is null)
                {
                    current = next;
                    continue;
                }
                string target = Path.IsPathRooted(link) ? link : Path.Combine(current, link);
                full = Path.GetFullPath(Path.Combine([target, .. parts[(i + 1)..]]));
                restarted = true;
            }
            if (!restarted)
            {
                return current;
            }
        }
        throw new ChartsealException(displayName, $"too many levels of symbolic links at {path}");
    }

    // Go sorts directory entries by the bytes of their UTF-8 names, i.e. by code point.
    private static int CompareUtf8(string a, string b)
    {
        var x = a.EnumerateRunes();
        var y = b.EnumerateRunes();
        while (true)
        {
            bool hasX = x.MoveNext(), hasY = y.MoveNext();
            if (!hasX || !hasY)
            {
                return hasX.CompareTo(hasY);
            }
            int c = x.Current.Value.CompareTo(y.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }
}

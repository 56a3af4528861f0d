using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Chartseal.IO;

namespace Chartseal.Charts;

/// <summary>
/// Reads chart archives (<c>.tgz</c>) entirely in memory with strict safety checks, extracts them safely, and
/// compares two of them.
/// </summary>
public static class ChartArchive
{
    private static ReadOnlySpan<byte> GzipMagic => [0x1F, 0x8B, 0x08];

    /// <summary>Reads and checks a chart archive from <paramref name="archive"/> (read to its end, bounded).</summary>
    /// <inheritdoc cref="Read(ReadOnlyMemory{byte}, string, ArchiveLimits?)"/>
    public static ChartArchiveContents Read(Stream archive, string fileName, ArchiveLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        limits ??= ArchiveLimits.Default;
        // A gzip member cannot be much larger than what it expands to, so the same bound applies.
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = archive.Read(chunk)) > 0)
        {
            if (buffer.Length + read > limits.MaxDecompressedSize)
            {
                throw new UnsafeArchiveException(fileName, $"archive is larger than the maximum size {limits.MaxDecompressedSize}");
            }
            buffer.Write(chunk, 0, read);
        }
        return Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), fileName, limits);
    }

    /// <summary>
    /// Reads and checks a chart archive held in memory; nothing is written to disk.
    /// </summary>
    /// <param name="archive">The <c>.tgz</c> bytes.</param>
    /// <param name="fileName">Names the archive in errors.</param>
    /// <param name="limits">Size bounds; <see cref="ArchiveLimits.Default"/> when null.</param>
    /// <exception cref="UnsafeArchiveException">
    /// Not gzip (<c>does not appear to be a gzipped archive</c>); corrupt or truncated gzip or tar; a tar header,
    /// entry type or PAX record that Go's <c>archive/tar</c> (Helm's reader) could read differently from others
    /// (see <see cref="ChartTarReader"/>: sparse files, <c>GNU.sparse.*</c> and other unknown PAX records, STAR or
    /// V7 headers, mixed <c>/</c> and <c>\</c> separators, a regular file whose mode says folder); more than
    /// the decompressed-size limit (reading stops as soon as it is passed) or a file over the per-file limit;
    /// an absolute path, a <c>..</c> segment or a drive letter (backslashes count as separators); a link,
    /// device or FIFO entry; entries outside a single top folder; a duplicate or conflicting path; too many
    /// entries; no <c>&lt;top&gt;/Chart.yaml</c>, an invalid one (<c>not a valid chart: …</c>) or a name that
    /// differs from the top folder.
    /// </exception>
    public static ChartArchiveContents Read(ReadOnlyMemory<byte> archive, string fileName, ArchiveLimits? limits = null) =>
        Read(archive, fileName, limits, inflateInOneGo: true);

    /// <summary><see cref="Read(ReadOnlyMemory{byte}, string, ArchiveLimits?)"/>; tests compare both ways of inflating.</summary>
    internal static ChartArchiveContents Read(ReadOnlyMemory<byte> archive, string fileName, ArchiveLimits? limits, bool inflateInOneGo)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        limits ??= ArchiveLimits.Default;
        if (!archive.Span.StartsWith(GzipMagic))
        {
            throw new UnsafeArchiveException(fileName, "does not appear to be a gzipped archive");
        }

        var files = new List<ChartArchiveFile>();
        string? top = null;
        var filePaths = new HashSet<string>(StringComparer.Ordinal);
        var directoryPaths = new HashSet<string>(StringComparer.Ordinal);

        Stream tarStream = inflateInOneGo ? Inflate(archive, limits.MaxDecompressedSize) : new GZipStream(AsStream(archive), CompressionMode.Decompress);
        using var counted = new BoundedCrcStream(tarStream, limits.MaxDecompressedSize, fileName);
        try
        {
            var tar = new ChartTarReader(counted, fileName, limits.MaxEntries);
            while (tar.Next() is { } entry)
            {
                string[] segments = SplitEntryPath(entry.Name, fileName, entry.IsDirectory);
                if (top is null)
                {
                    top = segments[0];
                }
                else if (top != segments[0])
                {
                    throw new UnsafeArchiveException(fileName, $"archive has more than one top folder (\"{top}\" and \"{segments[0]}\")", entry.Name);
                }
                if (entry.IsDirectory)
                {
                    continue;
                }
                if (segments.Length == 1)
                {
                    throw new UnsafeArchiveException(fileName, "file is not inside the chart's top folder", entry.Name);
                }

                string path = string.Join('/', segments, 1, segments.Length - 1);
                CheckNoConflict(path, filePaths, directoryPaths, fileName, entry.Name);
                if (entry.Size > limits.MaxFileSize)
                {
                    throw new UnsafeArchiveException(fileName, $"file is {entry.Size} bytes, larger than the maximum file size {limits.MaxFileSize}", entry.Name);
                }
                byte[] bytes = new byte[entry.Size];
                tar.ReadData(bytes);
                files.Add(new ChartArchiveFile(path, bytes));
            }
            // Read to the end of the gzip member so that its CRC and length can be checked; only the zero
            // padding of the tar format may follow the end marker.
            Span<byte> rest = stackalloc byte[4096];
            for (int n; (n = counted.Read(rest)) > 0;)
            {
                if (rest[..n].ContainsAnyExcept((byte)0))
                {
                    throw new UnsafeArchiveException(fileName, "corrupt archive: data after the end of the tar archive");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            // GZipStream's errors: not deflate data, a bad block, a truncated stream.
            throw new UnsafeArchiveException(fileName, $"corrupt archive: {ex.Message}", inner: ex);
        }

        // GZipStream stops quietly at a truncated member; the trailer (CRC-32, size mod 2^32) catches that.
        if (!GzipTrailer.Matches(archive.Span, counted.Crc, counted.TotalRead))
        {
            throw new UnsafeArchiveException(fileName, "corrupt archive: the gzip data is truncated or its checksum does not match");
        }

        if (files.Count == 0)
        {
            throw new UnsafeArchiveException(fileName, "no files in chart archive");
        }
        var metadata = ReadMetadata(files, top!, fileName);
        return new ChartArchiveContents(fileName, metadata, files);
    }

    private static ChartMetadata ReadMetadata(List<ChartArchiveFile> files, string top, string fileName)
    {
        string chartYaml = top + "/Chart.yaml";
        var chartFile = files.Find(f => f.Path == "Chart.yaml")
            ?? throw new UnsafeArchiveException(fileName, $"not a valid chart: no Chart.yaml in the top folder \"{top}\"");
        try
        {
            var metadata = ChartYaml.Parse(chartFile.Bytes.Span, chartYaml);
            if (files.Find(f => f.Path == "requirements.yaml") is { } requirements)
            {
                ChartLoader.MergeRequirements(metadata, requirements.Bytes.Span, top + "/requirements.yaml");
            }
            ChartYaml.Validate(metadata, chartYaml);
            if (metadata.Name != top)
            {
                throw new UnsafeArchiveException(fileName, $"top folder \"{top}\" does not match the chart name \"{metadata.Name}\"", chartYaml);
            }
            return metadata;
        }
        catch (ChartsealException ex) when (ex is not UnsafeArchiveException)
        {
            throw new UnsafeArchiveException(fileName, $"not a valid chart: {ex.Reason}", ex.File ?? chartYaml, ex);
        }
    }

    /// <summary>
    /// Splits an entry name into safe segments: backslashes are separators (but may not be mixed with slashes), and absolute paths, drive letters,
    /// <c>..</c>, <c>.</c> and empty segments are refused (a directory may end with one <c>/</c>).
    /// </summary>
    internal static string[] SplitEntryPath(string name, string fileName, bool isDirectory)
    {
        // Helm splits a name on "\\" when it holds one, else on "/": "demo/x\\templates\\a.yaml" is
        // templates/a.yaml to Helm but x/templates/a.yaml to anyone splitting on both. Either one, never both.
        if (name.Contains('\\', StringComparison.Ordinal) && name.Contains('/', StringComparison.Ordinal))
        {
            throw new UnsafeArchiveException(fileName, "entry path mixes \"/\" and \"\\\" separators", name);
        }
        string normalized = name.Replace('\\', '/');
        if (isDirectory && normalized.EndsWith('/'))
        {
            normalized = normalized[..^1];
        }
        if (normalized.Length == 0)
        {
            throw new UnsafeArchiveException(fileName, "entry has an empty path", name);
        }
        if (normalized.StartsWith('/'))
        {
            throw new UnsafeArchiveException(fileName, "entry has an absolute path", name);
        }
        string[] segments = normalized.Split('/');
        foreach (string segment in segments)
        {
            if (segment == "..")
            {
                throw new UnsafeArchiveException(fileName, "entry path refers to a parent directory (\"..\")", name);
            }
            if (segment is "" or ".")
            {
                throw new UnsafeArchiveException(fileName, "entry path has an empty or \".\" segment", name);
            }
            if (segment.Length >= 2 && char.IsAsciiLetter(segment[0]) && segment[1] == ':')
            {
                throw new UnsafeArchiveException(fileName, "entry path contains a drive letter", name);
            }
            if (segment.AsSpan().ContainsAny(ControlCharacters))
            {
                throw new UnsafeArchiveException(fileName, "entry path contains control characters", name);
            }
        }
        return segments;
    }

    // Two files with one path, or a file where another entry needs a folder, cannot be extracted faithfully.
    private static void CheckNoConflict(string path, HashSet<string> files, HashSet<string> directories, string fileName, string entryName)
    {
        if (!files.Add(path))
        {
            throw new UnsafeArchiveException(fileName, "duplicate entry path", entryName);
        }
        if (directories.Contains(path))
        {
            throw new UnsafeArchiveException(fileName, "a file has the same path as a folder of another entry", entryName);
        }
        for (int slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            string parent = path[..slash];
            if (files.Contains(parent))
            {
                throw new UnsafeArchiveException(fileName, "a file has the same path as a folder of another entry", entryName);
            }
            directories.Add(parent);
        }
    }

    /// <summary>Archives whose tar is at most this large are inflated in one go (see <see cref="Inflate"/>).</summary>
    internal const int InflateInOneGoLimit = 1024 * 1024;

    /// <summary>
    /// The tar stream of a gzipped archive. A small archive is inflated into one pooled buffer first: for a chart of a
    /// few kilobytes that costs a third less than the tar reader's 512-byte reads through the gzip stream. A larger one
    /// (by the trailer's size field), or one that does not inflate cleanly within the limits, is read as a stream, so
    /// that its error, and where it is found, are those of reading the stream throughout.
    /// </summary>
    private static Stream Inflate(ReadOnlyMemory<byte> archive, long maxDecompressedSize)
    {
        int cap = (int)Math.Min(InflateInOneGoLimit, maxDecompressedSize);
        // The trailer's ISIZE (the length mod 2^32) is only a hint for the buffer: the data decides.
        long hint = archive.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(archive.Span[^4..]) : 0;
        if (hint <= cap)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(hint + 1, 4096));
            int length = 0;
            try
            {
                using var gzip = new GZipStream(AsStream(archive), CompressionMode.Decompress);
                while (length <= cap)
                {
                    if (length == buffer.Length)
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * length, cap + 1L));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    int n = gzip.Read(buffer, length, (int)Math.Min(buffer.Length, cap + 1L) - length);
                    if (n == 0)
                    {
                        return new PooledMemoryStream(buffer, length);
                    }
                    length += n;
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                // Read again below, as a stream, for the same error at the same place.
            }
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new GZipStream(AsStream(archive), CompressionMode.Decompress);
    }

    /// <summary>A read-only stream over a pooled buffer, which goes back to the pool on dispose.</summary>
    private sealed class PooledMemoryStream(byte[] buffer, int length) : MemoryStream(buffer, 0, length, writable: false)
    {
        private byte[]? _buffer = buffer;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing && Interlocked.Exchange(ref _buffer, null) is { } pooled)
            {
                ArrayPool<byte>.Shared.Return(pooled);
            }
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    /// <summary>
    /// Writes the archive's files below <paramref name="destinationDir"/>, which becomes the chart's root folder
    /// (pass <c>Path.Combine(untarDir, contents.ChartName)</c> for Helm's layout). The files are written into a
    /// fresh temporary folder beside it, which is renamed into place only when complete, so a failure leaves
    /// nothing behind. Every path is checked again and must stay inside the folder.
    /// </summary>
    /// <exception cref="ChartsealException"><paramref name="destinationDir"/> already exists, or a folder or file
    /// cannot be written (permission denied, a path longer than the file system allows, disk full...): one line
    /// naming the destination and the chart's file.</exception>
    /// <exception cref="UnsafeArchiveException">A file path is unsafe.</exception>
    public static async Task ExtractToAsync(ChartArchiveContents contents, string destinationDir, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(destinationDir);
        string destination = Path.GetFullPath(destinationDir).TrimEnd(Path.DirectorySeparatorChar);
        if (Directory.Exists(destination) || File.Exists(destination))
        {
            throw new ChartsealException(destination, "already exists; refusing to overwrite it");
        }
        string parent = Path.GetDirectoryName(destination) ?? throw new ChartsealException(destination, "cannot extract to a root folder");
        string? temp = null;
        string? current = null;
        try
        {
            Directory.CreateDirectory(parent);
            // Named independently of the chart, so that a long chart name does not make it too long.
            temp = Path.Combine(parent, $".chartseal-{Guid.NewGuid():N}.tmp");
            Directory.CreateDirectory(temp);
            foreach (var file in contents.Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                current = file.Path;
                string[] segments = SplitEntryPath(file.Path, contents.FileName, isDirectory: false);
                string target = Path.GetFullPath(Path.Combine([temp, .. segments]));
                if (!target.StartsWith(temp + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new UnsafeArchiveException(contents.FileName, "entry path escapes the destination folder", file.Path);
                }
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var stream = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
                await using (stream.ConfigureAwait(false))
                {
                    await stream.WriteAsync(file.Bytes, cancellationToken).ConfigureAwait(false);
                }
            }
            current = null;
            Directory.Move(temp, destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteTemporary(temp);
            string what = current is null ? $"cannot unpack {contents.FileName}" : $"cannot unpack \"{current}\" of {contents.FileName}";
            string why = e switch
            {
                PathTooLongException => "the path is longer than the file system allows",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message,
            };
            throw new ChartsealException(destination, $"{what}: {why}", e);
        }
        catch
        {
            DeleteTemporary(temp);
            throw;
        }
    }

    private static void DeleteTemporary(string? temp)
    {
        if (temp is not null)
        {
            TryDeleteDirectory(temp);
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Describes in one line the first file (in <paramref name="a"/>'s archive order, then <paramref name="b"/>'s)
    /// that is in only one archive or whose bytes differ; null when both hold the same paths with the same bytes.
    /// Entry order and tar/gzip framing are ignored.
    /// </summary>
    public static string? FindFirstDifference(ChartArchiveContents a, ChartArchiveContents b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var inB = b.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        foreach (var file in a.Files)
        {
            if (!inB.TryGetValue(file.Path, out var other))
            {
                return $"{file.Path}: only in {a.FileName}";
            }
            if (file.Sha256 != other.Sha256)
            {
                return $"{file.Path}: contents differ ({file.Size} bytes, sha256 {file.Sha256} in {a.FileName}; {other.Size} bytes, sha256 {other.Sha256} in {b.FileName})";
            }
        }
        var inA = a.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return b.Files.FirstOrDefault(f => !inA.Contains(f.Path)) is { } extra ? $"{extra.Path}: only in {b.FileName}" : null;
    }

    /// <summary>What <see cref="char.IsControl(char)"/> calls a control character: U+0000 to U+001F and U+007F to U+009F.</summary>
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(char.IsControl).ToArray());

    /// <summary>Counts and CRCs what is read, and fails as soon as more than the limit has come out.</summary>
    private sealed class BoundedCrcStream(Stream inner, long limit, string fileName) : ReadOnlyStream
    {
        private readonly System.IO.Hashing.Crc32 _crc = new();

        public long TotalRead { get; private set; }

        public uint Crc => _crc.GetCurrentHashAsUInt32();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            TotalRead += n;
            if (TotalRead > limit)
            {
                throw new UnsafeArchiveException(fileName, $"decompressed archive is larger than the maximum size {limit}");
            }
            _crc.Append(buffer[..n]);
            return n;
        }

        protected override long ReadSoFar => TotalRead;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

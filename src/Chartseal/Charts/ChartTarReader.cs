using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Chartseal.Charts;

/// <summary>
/// Reads the tar stream of a chart archive exactly as Go's <c>archive/tar</c> (which Helm uses) reads it, for the
/// subset of tar that chart packagers write, and refuses everything else as <see cref="UnsafeArchiveException"/>.
/// </summary>
/// <remarks>
/// <para>
/// The point is that what Chartseal checks (hashes, the rebuild gate, the metadata) is what Helm, GNU tar and
/// Python's <c>tarfile</c> unpack. Tar has many extensions that one reader honours and another ignores: a PAX
/// <c>GNU.sparse.name</c> record renames an entry for Go, GNU tar and Python but not for .NET's
/// <c>System.Formats.Tar</c>, the STAR format shortens the USTAR prefix for Go only, Python joins the GNU
/// access-time field as a name prefix, a global PAX header renames every later entry for Python and GNU tar
/// but for nobody else. So this reader knows the headers Go honours and accepts only what every reader reads
/// the same way:
/// </para>
/// <list type="bullet">
/// <item>USTAR/PAX headers (<c>ustar\0</c> <c>00</c>, nothing in the STAR trailer) and GNU headers
/// (<c>ustar </c> <c>" \0"</c>, the access/change-time, sparse and padding area all zero); valid checksum
/// (unsigned or signed, as Go and Python accept).</item>
/// <item>Entry types: regular files (<c>0</c>, <c>\0</c>, <c>7</c>), folders (<c>5</c>, no data), one PAX
/// extended header (<c>x</c>) or one GNU long name (<c>L</c>) before an entry, and global PAX headers
/// (<c>g</c>) whose records cannot rename or resize anything. Links, devices, FIFOs, sparse files and every
/// other type are refused.</item>
/// <item>PAX records, each once, non-empty, UTF-8, no NUL: <c>path</c> and <c>size</c> are honoured as Go
/// honours them; <c>mtime</c>, <c>atime</c>, <c>ctime</c>, <c>uid</c>, <c>gid</c>, <c>uname</c>,
/// <c>gname</c>, <c>comment</c> and <c>charset</c> are checked and ignored (they cannot change what is
/// unpacked). Any other key (<c>GNU.sparse.*</c>, <c>linkpath</c>, <c>hdrcharset</c>, <c>SCHILY.*</c>,
/// <c>LIBARCHIVE.*</c>, vendor keys) is refused.</item>
/// <item>Numeric fields: octal digits after optional spaces, ended by spaces or NULs (a leading NUL reads as
/// 0 for Python and GNU tar but is skipped by Go); base-256 only for ids, times and device numbers. A file
/// mode with file-type bits other than the entry's own is refused: Helm skips a regular file whose mode says
/// "directory".</item>
/// <item>Names are valid UTF-8 (Go keeps bytes, .NET would substitute U+FFFD).</item>
/// </list>
/// </remarks>
internal sealed class ChartTarReader(Stream tar, string fileName, int maxEntries)
{
    /// <summary>Largest PAX extended header or GNU long name data (Go's own bound is 1 MiB).</summary>
    internal const int MaxMetadataSize = 64 * 1024;

    private const int BlockSize = 512;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Records checked and ignored (they cannot change what Go or anyone else unpacks); path and size are honoured.
    private static readonly HashSet<string> IgnoredRecords = new(StringComparer.Ordinal)
    {
        "mtime", "atime", "ctime", "uid", "gid", "uname", "gname", "comment", "charset",
    };

    private readonly byte[] _block = new byte[BlockSize];
    private long _unread;
    private long _padding;
    private int _entries;

    /// <summary>
    /// The next file or folder; null at the end of the archive (an all-zero block, or the end of the data at a
    /// block boundary). Global PAX headers are checked and skipped, but count as entries.
    /// </summary>
    public ChartTarEntry? Next()
    {
        Skip(_unread + _padding);
        _unread = 0;
        _padding = 0;
        Dictionary<string, string>? pax = null;
        byte[]? longName = null;
        while (true)
        {
            if (!ReadHeaderBlock())
            {
                return pax is null && longName is null ? null : throw Corrupt("the archive ends after an extended header");
            }
            if (!_block.AsSpan().ContainsAnyExcept((byte)0))
            {
                return pax is null && longName is null ? null : throw Corrupt("the archive ends after an extended header");
            }
            var header = ParseHeader();
            bool pending = pax is not null || longName is not null;
            switch (header.Type)
            {
                case (byte)'x':
                    Check(!pending, "an extended header follows another one instead of its entry", ShownName(header, pax, longName));
                    pax = ReadPaxRecords(header.Size, global: false, ShownName(header, pax, longName));
                    continue;
                case (byte)'L':
                    Check(!pending, "a GNU long name follows an extended header instead of its entry", ShownName(header, pax, longName));
                    longName = ReadLongName(header.Size, ShownName(header, pax, longName));
                    continue;
                case (byte)'g':
                    Check(!pending, "a global header follows an extended header instead of its entry", ShownName(header, pax, longName));
                    CountEntry();
                    _ = ReadPaxRecords(header.Size, global: true, ShownName(header, pax, longName));
                    continue;
                default:
                    return Entry(header, pax, longName);
            }
        }
    }

    /// <summary>Reads the current entry's data (exactly its size) into <paramref name="destination"/>.</summary>
    public void ReadData(Span<byte> destination)
    {
        if (destination.Length != _unread)
        {
            throw new ArgumentException("the buffer must hold exactly the entry's data", nameof(destination));
        }
        ReadExactly(destination, "the archive ends inside a file");
        _unread = 0;
    }

    /// <summary>The entry's name for messages (invalid UTF-8 shows as U+FFFD): the long name, else the PAX path, else the header's.</summary>
    private static string ShownName(Header header, Dictionary<string, string>? pax, byte[]? longName) =>
        longName is not null ? Show(longName)
            : pax is not null && pax.TryGetValue("path", out string? path) ? path
            : Show(header.Name);

    private ChartTarEntry Entry(Header header, Dictionary<string, string>? pax, byte[]? longName)
    {
        CountEntry();
        byte type = header.Type;
        switch (type)
        {
            case (byte)'1' or (byte)'2':
                // Helm never writes links; refusing them all removes every link-based escape.
                throw new UnsafeArchiveException(fileName, $"link entries are not allowed (link to \"{Show(header.LinkName)}\")", ShownName(header, pax, longName));
            case (byte)'3':
                throw new UnsafeArchiveException(fileName, "CharacterDevice entries are not allowed", ShownName(header, pax, longName));
            case (byte)'4':
                throw new UnsafeArchiveException(fileName, "BlockDevice entries are not allowed", ShownName(header, pax, longName));
            case (byte)'6':
                throw new UnsafeArchiveException(fileName, "Fifo entries are not allowed", ShownName(header, pax, longName));
            case not ((byte)'0' or 0 or (byte)'7' or (byte)'5'):
                throw new UnsafeArchiveException(fileName, $"unsupported entry type {DescribeType(type)}", ShownName(header, pax, longName));
        }

        byte[] nameBytes = longName ?? header.Name;
        string? name = null;
        long size = header.Size;
        if (pax is not null)
        {
            if (pax.TryGetValue("path", out string? path))
            {
                name = path;
            }
            if (pax.TryGetValue("size", out string? paxSize))
            {
                size = long.Parse(paxSize, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        // Once decoded, the name is also what messages show.
        name ??= TryDecode(nameBytes) ?? throw new UnsafeArchiveException(fileName, "entry name is not valid UTF-8", ShownName(header, pax, longName));

        // Go (and Python) read an old-style regular file whose name ends in "/" as a folder.
        bool isDirectory = type == (byte)'5' || (type == 0 && name.EndsWith('/'));
        long typeBits = header.Mode & ~0x0FFFL; // 07777: permissions, setuid, setgid, sticky
        if (isDirectory)
        {
            // Go and Python skip no data after a folder header whatever its size says; other readers do.
            Check(size == 0 && header.Size == 0, "a folder entry carries data", name);
            Check(typeBits is 0 or 0x4000, "the file mode of a folder has other file-type bits", name); // 040000
        }
        else
        {
            // Helm skips a regular file whose mode says "directory" (hd.FileInfo().IsDir()); everyone else unpacks it.
            Check(typeBits is 0 or 0x8000, "the file mode of a regular file has file-type bits of another type", name); // 0100000
        }
        _unread = size;
        _padding = -size & (BlockSize - 1);
        return new ChartTarEntry(name, isDirectory, size);
    }

    private void CountEntry()
    {
        if (++_entries > maxEntries)
        {
            throw new UnsafeArchiveException(fileName, $"archive has more than {maxEntries} entries");
        }
    }

    private readonly record struct Header(byte Type, byte[] Name, byte[] LinkName, long Size, long Mode);

    private Header ParseHeader()
    {
        ReadOnlySpan<byte> b = _block;
        // Checksum: the sum of the header's bytes with the checksum field read as spaces, unsigned or signed.
        if (!TryParseOctal(b[148..156], out long stored))
        {
            throw Corrupt("invalid tar header");
        }
        (long unsigned, long signed) = Checksums(b);
        if (stored != unsigned && stored != signed)
        {
            throw Corrupt("invalid tar header");
        }

        ReadOnlySpan<byte> magic = b[257..263], version = b[263..265];
        bool ustar = magic.SequenceEqual("ustar\0"u8) && version.SequenceEqual("00"u8);
        bool gnu = magic.SequenceEqual("ustar "u8) && version.SequenceEqual(" \0"u8);
        byte[] name = CString(b[..100]);
        if (ustar)
        {
            // Go reads a header with "tar\0" at offset 508 as STAR (a 131-byte prefix); everyone else as USTAR (155).
            if (b[500..].ContainsAnyExcept((byte)0))
            {
                throw new UnsafeArchiveException(fileName, "the tar header has data after the USTAR prefix (star format)", Show(name));
            }
            byte[] prefix = CString(b[345..500]);
            if (prefix.Length > 0)
            {
                name = [.. prefix, (byte)'/', .. name];
            }
        }
        else if (gnu)
        {
            // Go reads access/change times here (or, when they do not parse, a prefix), Python always a prefix.
            if (b[345..].ContainsAnyExcept((byte)0))
            {
                throw new UnsafeArchiveException(fileName, "the GNU tar header uses its time, offset or sparse fields", Show(name));
            }
        }
        else
        {
            throw new UnsafeArchiveException(fileName, "unsupported tar header format (not USTAR, PAX or GNU)", Show(name));
        }

        long size = OctalField(b[124..136], "size", name);
        long mode = OctalField(b[100..108], "mode", name);
        NumericField(b[108..116], "uid", name);
        NumericField(b[116..124], "gid", name);
        NumericField(b[136..148], "mtime", name);
        NumericField(b[329..337], "devmajor", name);
        NumericField(b[337..345], "devminor", name);
        // The link target is only ever shown, in the refusal of a link entry.
        return new Header(b[156], name, b[156] is (byte)'1' or (byte)'2' ? CString(b[157..257]) : [], size, mode);
    }

    /// <summary>
    /// The header's checksums, its bytes summed as unsigned and as signed numbers with the checksum field read as
    /// eight spaces. Eight bytes at a time: four 16-bit sums of byte pairs, and the count of bytes over 127 (each of
    /// which is 256 less when signed).
    /// </summary>
    internal static (long Unsigned, long Signed) Checksums(ReadOnlySpan<byte> header)
    {
        const ulong LowBytes = 0x00FF00FF00FF00FF, HighBits = 0x8080808080808080;
        ulong pairs = 0;
        int high = 0;
        foreach (ulong word in MemoryMarshal.Cast<byte, ulong>(header[..BlockSize]))
        {
            pairs += (word & LowBytes) + ((word >> 8) & LowBytes); // at most 128 bytes of 255 per 16-bit lane: no carry
            high += BitOperations.PopCount(word & HighBits);
        }
        long sum = (long)((pairs & 0xFFFF) + ((pairs >> 16) & 0xFFFF) + ((pairs >> 32) & 0xFFFF) + (pairs >> 48));
        foreach (byte b in header[148..156])
        {
            sum -= b;
            high -= b >> 7;
        }
        long unsigned = sum + 8 * ' ';
        return (unsigned, unsigned - 256L * high);
    }

    // A NUL-terminated string (Go's parseString, Python's nts).
    private static byte[] CString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return (end < 0 ? field : field[..end]).ToArray();
    }

    private long OctalField(ReadOnlySpan<byte> field, string what, byte[] entry) =>
        TryParseOctal(field, out long value) ? value : throw new UnsafeArchiveException(fileName, $"corrupt archive: invalid {what} field in a tar header", Show(entry));

    private void NumericField(ReadOnlySpan<byte> field, string what, byte[] entry)
    {
        if ((field[0] & 0x80) != 0 ? !IsBase256(field) : !TryParseOctal(field, out _))
        {
            throw new UnsafeArchiveException(fileName, $"corrupt archive: invalid {what} field in a tar header", Show(entry));
        }
    }

    /// <summary>
    /// Optional leading spaces, octal digits, then only spaces or NULs: the form that Go, Python and GNU tar all
    /// read as the same number (no digits at all is 0).
    /// </summary>
    internal static bool TryParseOctal(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        int i = 0;
        while (i < field.Length && field[i] == ' ')
        {
            i++;
        }
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++)
        {
            if (value > (long.MaxValue >> 3))
            {
                return false;
            }
            value = (value << 3) | (long)(field[i] - '0');
        }
        return !field[i..].ContainsAnyExcept((byte)' ', (byte)0);
    }

    // Go's base-256 rule: the value (sign bit aside) must fit in 63 bits.
    private static bool IsBase256(ReadOnlySpan<byte> field)
    {
        byte invert = (field[0] & 0x40) != 0 ? (byte)0xFF : (byte)0;
        ulong x = 0;
        for (int i = 0; i < field.Length; i++)
        {
            byte c = (byte)(field[i] ^ invert);
            if (i == 0)
            {
                c &= 0x7F;
            }
            if ((x >> 56) > 0)
            {
                return false;
            }
            x = (x << 8) | c;
        }
        return (x >> 63) == 0;
    }

    private Dictionary<string, string> ReadPaxRecords(long size, bool global, string entry)
    {
        byte[] data = ReadMetadata(size, global ? "global extended header" : "extended header", entry);
        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        ReadOnlySpan<byte> rest = data;
        while (rest.Length > 0)
        {
            // "%d %s=%s\n": the length counts the whole record, its own digits included.
            int space = rest.IndexOf((byte)' ');
            Check(space is > 0 and <= 7 && rest[0] != '0' && !rest[..space].ContainsAnyExceptInRange((byte)'0', (byte)'9'),
                "corrupt archive: invalid record length in a PAX extended header", entry);
            int length = int.Parse(Encoding.ASCII.GetString(rest[..space]), System.Globalization.CultureInfo.InvariantCulture);
            Check(length >= space + 4 && length <= rest.Length && rest[length - 1] == '\n',
                "corrupt archive: invalid record in a PAX extended header", entry);
            ReadOnlySpan<byte> record = rest[(space + 1)..(length - 1)];
            rest = rest[length..];
            int equals = record.IndexOf((byte)'=');
            Check(equals > 0 && !record.Contains((byte)0), "corrupt archive: invalid record in a PAX extended header", entry);
            string key = Decode(record[..equals].ToArray(), "a PAX record key is not valid UTF-8", entry);
            string value = Decode(record[(equals + 1)..].ToArray(), $"the PAX record \"{key}\" is not valid UTF-8", entry);
            Check(value.Length > 0, $"the PAX record \"{key}\" is empty", entry);
            Check(records.TryAdd(key, value), $"the PAX record \"{key}\" appears twice", entry);
            bool allowed = IgnoredRecords.Contains(key) || (!global && key is "path" or "size");
            Check(allowed, $"unsupported PAX record \"{key}\"{(global ? " in a global header" : "")} (only path, size, times, owners, comment and charset are understood)", entry);
            Check(IsValidValue(key, value), $"the PAX record \"{key}\" has an invalid value", entry);
        }
        return records;
    }

    private static bool IsValidValue(string key, string value) => key switch
    {
        // Canonical decimal: no sign, no leading zero, no spaces or underscores (which some readers skip).
        "size" or "uid" or "gid" => value.Length <= 18 && IsDigits(value) && (value.Length == 1 || value[0] != '0'),
        "mtime" or "atime" or "ctime" => IsPaxTime(value),
        _ => true,
    };

    // Go's parsePAXTime: [-]seconds[.fraction].
    private static bool IsPaxTime(string value)
    {
        string seconds = value.StartsWith('-') ? value[1..] : value;
        int dot = seconds.IndexOf('.', StringComparison.Ordinal);
        string whole = dot < 0 ? seconds : seconds[..dot];
        return whole.Length is > 0 and <= 18 && IsDigits(whole) && (dot < 0 || IsDigits(seconds[(dot + 1)..]));
    }

    private static bool IsDigits(string s) => !s.AsSpan().ContainsAnyExceptInRange('0', '9');

    private byte[] ReadLongName(long size, string entry)
    {
        byte[] data = ReadMetadata(size, "GNU long name", entry);
        byte[] name = CString(data);
        // Go and Python stop at the first NUL; anything after it is not a name anyone reads.
        Check(name.Length > 0 && !data.AsSpan(name.Length).ContainsAnyExcept((byte)0), "corrupt archive: invalid GNU long name", entry);
        return name;
    }

    private byte[] ReadMetadata(long size, string what, string entry)
    {
        Check(size <= MaxMetadataSize, $"the {what} is larger than {MaxMetadataSize} bytes", entry);
        byte[] data = new byte[size];
        ReadExactly(data, "the archive ends inside an extended header");
        Skip(-size & (BlockSize - 1));
        return data;
    }

    private bool ReadHeaderBlock()
    {
        int read = 0;
        while (read < BlockSize)
        {
            int n = tar.Read(_block, read, BlockSize - read);
            if (n == 0)
            {
                return read == 0 ? false : throw Corrupt("the archive ends inside a tar header");
            }
            read += n;
        }
        return true;
    }

    private void ReadExactly(Span<byte> buffer, string truncated)
    {
        while (buffer.Length > 0)
        {
            int n = tar.Read(buffer);
            if (n == 0)
            {
                throw Corrupt(truncated);
            }
            buffer = buffer[n..];
        }
    }

    private void Skip(long count)
    {
        Span<byte> scratch = stackalloc byte[BlockSize];
        while (count > 0)
        {
            int chunk = (int)Math.Min(count, BlockSize);
            ReadExactly(scratch[..chunk], "the archive ends inside a file");
            count -= chunk;
        }
    }

    private string Decode(byte[] bytes, string error, string entry) =>
        TryDecode(bytes) ?? throw new UnsafeArchiveException(fileName, error, entry);

    /// <summary>The bytes as UTF-8, or null when they are not valid UTF-8.</summary>
    private static string? TryDecode(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    // For messages only: invalid UTF-8 shows as U+FFFD.
    private static string Show(byte[] name) => Encoding.UTF8.GetString(name);

    private static string DescribeType(byte type)
    {
        string shown = type is >= 0x21 and < 0x7F ? $"'{(char)type}'" : $"0x{type:X2}";
        return type switch
        {
            (byte)'S' => shown + " (GNU sparse file)",
            (byte)'K' => shown + " (GNU long link name)",
            (byte)'V' => shown + " (volume label)",
            (byte)'M' => shown + " (multi-volume continuation)",
            (byte)'D' => shown + " (GNU directory dump)",
            _ => shown,
        };
    }

    private void Check(bool condition, string detail, string entry)
    {
        if (!condition)
        {
            throw new UnsafeArchiveException(fileName, detail, entry);
        }
    }

    private UnsafeArchiveException Corrupt(string detail) =>
        new(fileName, detail.StartsWith("corrupt archive", StringComparison.Ordinal) ? detail : "corrupt archive: " + detail);
}

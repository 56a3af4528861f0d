using System.Globalization;
using System.Text;

namespace Chartseal.Compat;

/// <summary>
/// Writes regular-file tar entries exactly as Go's <c>archive/tar</c> writes the headers Helm's <c>Save</c> gives
/// it (name, mode, size, modification time; format left to the writer): USTAR when the path is ASCII and fits
/// the 100-byte name field, or splits at a <c>/</c> into the 155-byte prefix and the name; otherwise a PAX
/// extended header holding the <c>path</c> record, named <c>DIR/PaxHeaders.0/FILE</c>, before a PAX main
/// header whose name field is the path's ASCII characters cut to 100 bytes. Nothing depends on the machine or
/// the process (the .NET PAX writer puts the process id in the extended header's name), so the bytes are
/// reproducible.
/// </summary>
internal sealed class GoTarWriter(Stream output)
{
    private const int BlockSize = 512;
    private const int NameSize = 100;
    private const int PrefixSize = 155;

    /// <summary>The largest modification time a USTAR header holds (11 octal digits).</summary>
    public const long MaxModificationTime = 0x1FFFFFFFF;

    private static readonly byte[] Zeros = new byte[BlockSize * 2];

    /// <summary>Writes one regular file (mode <paramref name="mode"/>, uid and gid 0, no user or group names).</summary>
    /// <exception cref="ArgumentException">The path contains NUL or the time does not fit USTAR.</exception>
    public void WriteFile(string path, ReadOnlySpan<byte> data, long modificationTime, int mode = 0b110_100_100)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a tar entry path cannot contain NUL", nameof(path));
        }
        if (modificationTime is < 0 or > MaxModificationTime)
        {
            throw new ArgumentOutOfRangeException(nameof(modificationTime), "the time does not fit a USTAR header");
        }
        byte[] header = new byte[BlockSize];
        if (IsAscii(path) && (path.Length <= NameSize || SplitUstarPath(path) is not null))
        {
            (string prefix, string name) = path.Length <= NameSize ? ("", path) : SplitUstarPath(path)!.Value;
            FillHeader(header, name, mode, data.Length, modificationTime);
            FormatString(header.AsSpan(345, PrefixSize), prefix);
        }
        else
        {
            WritePaxHeader(path);
            FillHeader(header, ToAscii(path), mode, data.Length, modificationTime);
        }
        SetMagicAndChecksum(header);
        output.Write(header);
        output.Write(data);
        output.Write(Zeros.AsSpan(0, Padding(data.Length)));
    }

    /// <summary>Ends the archive with two zero blocks.</summary>
    public void Finish() => output.Write(Zeros);

    // Go's writeRawFile for the 'x' header: ASCII-only name cut to 100 bytes, zero mode, ids and time.
    private void WritePaxHeader(string path)
    {
        byte[] records = Encoding.UTF8.GetBytes(PaxRecord("path", path));
        int slash = path.LastIndexOf('/');
        string name = slash < 0 ? "PaxHeaders.0/" + path : path[..(slash + 1)] + "PaxHeaders.0/" + path[(slash + 1)..];
        name = ToAscii(name);
        if (name.Length > NameSize)
        {
            name = name[..NameSize];
        }
        name = name.TrimEnd('/');

        byte[] header = new byte[BlockSize];
        header[156] = (byte)'x';
        FormatString(header.AsSpan(0, NameSize), name);
        FormatOctal(header.AsSpan(100, 8), 0);
        FormatOctal(header.AsSpan(108, 8), 0);
        FormatOctal(header.AsSpan(116, 8), 0);
        FormatOctal(header.AsSpan(124, 12), records.Length);
        FormatOctal(header.AsSpan(136, 12), 0);
        SetMagicAndChecksum(header);
        output.Write(header);
        output.Write(records);
        output.Write(Zeros.AsSpan(0, Padding(records.Length)));
    }

    // Go's templateV7Plus: the V7 fields plus empty user/group names and zero device numbers.
    private static void FillHeader(byte[] header, string name, int mode, long size, long modificationTime)
    {
        header[156] = (byte)'0';
        FormatString(header.AsSpan(0, NameSize), name);
        FormatString(header.AsSpan(157, 100), "");
        FormatOctal(header.AsSpan(100, 8), mode);
        FormatOctal(header.AsSpan(108, 8), 0);
        FormatOctal(header.AsSpan(116, 8), 0);
        FormatOctal(header.AsSpan(124, 12), size);
        FormatOctal(header.AsSpan(136, 12), modificationTime);
        FormatString(header.AsSpan(265, 32), "");
        FormatString(header.AsSpan(297, 32), "");
        FormatOctal(header.AsSpan(329, 8), 0);
        FormatOctal(header.AsSpan(337, 8), 0);
    }

    // USTAR and PAX share the magic "ustar\0" and version "00"; the checksum is six octal digits, NUL, space,
    // summed over the header with the checksum field taken as spaces.
    private static void SetMagicAndChecksum(byte[] header)
    {
        "ustar\0"u8.CopyTo(header.AsSpan(257));
        "00"u8.CopyTo(header.AsSpan(263));
        header.AsSpan(148, 8).Fill((byte)' ');
        long sum = 0;
        foreach (byte b in header)
        {
            sum += b;
        }
        FormatOctal(header.AsSpan(148, 7), sum);
        header[155] = (byte)' ';
    }

    // Go's formatter.formatString: copy what fits, NUL-terminate when shorter; a path cut at a '/' loses that
    // trailing slash so that no reader takes the file for a folder.
    private static void FormatString(Span<byte> field, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        bytes.AsSpan(0, Math.Min(bytes.Length, field.Length)).CopyTo(field);
        if (bytes.Length < field.Length)
        {
            field[bytes.Length] = 0;
        }
        if (bytes.Length > field.Length && field[^1] == (byte)'/')
        {
            int n = bytes.AsSpan(0, field.Length - 1).TrimEnd((byte)'/').Length;
            field[n] = 0;
        }
    }

    // Go's formatter.formatOctal: zero-padded octal leaving room for a NUL.
    private static void FormatOctal(Span<byte> field, long value)
    {
        string digits = Convert.ToString(value, 8);
        FormatString(field, digits.PadLeft(field.Length - 1, '0'));
    }

    // Go's formatPAXRecord: "LEN key=value\n", LEN counting itself.
    private static string PaxRecord(string key, string value)
    {
        int size = Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + 3;
        size += size.ToString(CultureInfo.InvariantCulture).Length;
        string record = $"{size} {key}={value}\n";
        int actual = Encoding.UTF8.GetByteCount(record);
        return actual == size ? record : $"{actual} {key}={value}\n";
    }

    // Go's splitUSTARPath: the longest prefix (at most 155 bytes) ending before a '/', leaving a name of 1 to 100 bytes.
    private static (string Prefix, string Name)? SplitUstarPath(string path)
    {
        int length = path.Length;
        if (length <= NameSize || !IsAscii(path))
        {
            return null;
        }
        if (length > PrefixSize + 1)
        {
            length = PrefixSize + 1;
        }
        else if (path[length - 1] == '/')
        {
            length--;
        }
        int i = path.LastIndexOf('/', length - 1);
        int nameLength = path.Length - i - 1;
        if (i <= 0 || nameLength > NameSize || nameLength == 0 || i > PrefixSize)
        {
            return null;
        }
        return (path[..i], path[(i + 1)..]);
    }

    private static bool IsAscii(string value)
    {
        foreach (char c in value)
        {
            if (c is >= (char)0x80 or '\0')
            {
                return false;
            }
        }
        return true;
    }

    // Go's toASCII: keep the runes below 0x80 except NUL.
    private static string ToAscii(string value) => IsAscii(value) ? value : string.Concat(value.Where(c => c is < (char)0x80 and not '\0'));

    private static int Padding(long size) => (int)(-size & (BlockSize - 1));
}

using System.IO.Compression;
using System.Text;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Fuzz;

/// <summary>
/// Structure-aware mutations of a chart archive: the gzip is opened, the tar is split into header blocks and data,
/// and headers, PAX records, GNU long names, entry types, modes and file contents are changed the way a hostile
/// packager would, checksums recomputed (mostly), and the result gzipped again (mostly).
/// </summary>
internal sealed class TarMutations(Mutator bytes, Mutator yaml)
{
    private static readonly string[] Names =
    [
        "demo/Chart.yaml", "demo/values.yaml", "demo/templates/a.yaml", "demo/", "demo/sub/", "demo/../evil", "/etc/passwd", "demo\\x\\y", "demo/x\\y",
        "other/x", "demo/a/", "demo/./x", "demo//x", "C:/x", "demo/" + new string('n', 200), "demo/\u202e.yaml", "demo/\u001b[2J", "demo/é.txt",
        "Chart.yaml", "", "demo/charts/sub/Chart.yaml", "demo/requirements.yaml",
    ];

    private static readonly string[] PaxKeys =
    [
        "path", "size", "linkpath", "mtime", "atime", "ctime", "uid", "gid", "uname", "gname", "comment", "charset", "hdrcharset",
        "GNU.sparse.name", "GNU.sparse.major", "GNU.sparse.minor", "GNU.sparse.size", "GNU.sparse.realsize", "GNU.sparse.map", "GNU.sparse.offset",
        "GNU.sparse.numbytes", "SCHILY.xattr.user.x", "LIBARCHIVE.xattr.x", "", "a=b", "\u00e9",
    ];

    private static readonly string[] PaxValues =
    [
        "demo/templates/x.yaml", "demo/../x", "", "0", "1", "5", "-1", "+1", "01", "1_0", "99999999999999999999", "1.0", "1700000000.5", "\0",
        "BINARY", "é", "demo/x\\y", "demo/", "0,1", "1\n0\n1\n", "9223372036854775807",
    ];

    private static readonly byte[] Types = "0123456789xgLKSVMNDA\0"u8.ToArray();

    private static readonly (int Offset, int Length)[] Fields =
    [
        (0, 100), (100, 8), (108, 8), (116, 8), (124, 12), (136, 12), (148, 8), (156, 1), (157, 100), (257, 6), (263, 2), (265, 32), (297, 32),
        (329, 8), (337, 8), (345, 155), (345, 12), (357, 12), (386, 24), (482, 1), (483, 12), (500, 12), (508, 4),
    ];

    private Random Random => bytes.Random;

    public byte[] Mutate(byte[] tgz)
    {
        byte[]? tar = Gunzip(tgz);
        if (tar is null || Random.Next(10) == 0)
        {
            return bytes.Mutate(tgz);
        }
        var entries = Split(tar);
        int ops = 1 + Random.Next(3);
        bool raw = false;
        for (int i = 0; i < ops; i++)
        {
            raw |= MutateOnce(entries);
        }
        byte[] joined = Join(entries, fixChecksums: raw ? false : Random.Next(10) != 0);
        if (raw || Random.Next(8) == 0)
        {
            joined = bytes.Mutate(joined);
        }
        byte[] result = Random.Next(25) == 0 ? joined : RawTar.Gzip(joined);
        return Random.Next(12) == 0 ? bytes.Mutate(result) : result;
    }

    private sealed class TarEntry(byte[] header, byte[] data)
    {
        public byte[] Header { get; } = header;
        public byte[] Data { get; set; } = data;
    }

    // Returns true when the tar bytes should be mutated raw afterwards.
    private bool MutateOnce(List<TarEntry> entries)
    {
        if (entries.Count == 0)
        {
            entries.Add(new TarEntry(RawTar.HeaderBlock("demo/Chart.yaml", 0), []));
        }
        TarEntry entry = entries[Random.Next(entries.Count)];
        switch (Random.Next(10))
        {
            case 0:
                {
                    var (offset, length) = Fields[Random.Next(Fields.Length)];
                    byte[] field = bytes.Mutate(entry.Header.AsSpan(offset, length).ToArray());
                    Array.Resize(ref field, length);
                    field.CopyTo(entry.Header, offset);
                    break;
                }
            case 1:
                entry.Header[156] = Types[Random.Next(Types.Length)];
                break;
            case 2:
                {
                    var records = Enumerable.Range(0, 1 + Random.Next(4))
                        .Select(_ => (PaxKeys[Random.Next(PaxKeys.Length)], PaxValues[Random.Next(PaxValues.Length)]))
                        .ToArray();
                    byte[] data = RawTar.PaxRecords(records);
                    if (Random.Next(8) == 0)
                    {
                        data = bytes.Mutate(data);
                    }
                    char type = Random.Next(5) == 0 ? 'g' : 'x';
                    entries.Insert(entries.IndexOf(entry), new TarEntry(RawTar.HeaderBlock("PaxHeaders.0/x", data.Length, type), data));
                    break;
                }
            case 3:
                {
                    byte[] name = [.. Encoding.UTF8.GetBytes(Names[Random.Next(Names.Length)]), 0];
                    entries.Insert(entries.IndexOf(entry), new TarEntry(RawTar.HeaderBlock("././@LongLink", name.Length, 'L', RawTar.Gnu), name));
                    break;
                }
            case 4:
                {
                    // New contents: YAML-aware for text, and the size field follows (mostly).
                    entry.Data = IsText(entry.Data) ? yaml.Mutate(entry.Data) : bytes.Mutate(entry.Data);
                    if (Random.Next(8) != 0)
                    {
                        RawTar.Put(entry.Header, 124, Convert.ToString(entry.Data.Length, 8).PadLeft(11, '0') + "\0");
                    }
                    break;
                }
            case 5:
                if (Random.Next(2) == 0)
                {
                    entries.Remove(entry);
                }
                else
                {
                    entries.Insert(Random.Next(entries.Count + 1), new TarEntry((byte[])entry.Header.Clone(), entry.Data));
                }
                break;
            case 6:
                {
                    byte[] name = new byte[100];
                    byte[] chosen = Encoding.UTF8.GetBytes(Names[Random.Next(Names.Length)]);
                    chosen.AsSpan(0, Math.Min(100, chosen.Length)).CopyTo(name);
                    name.CopyTo(entry.Header, 0);
                    break;
                }
            case 7:
                RawTar.Put(entry.Header, 100, new[] { "0000644\0", "0040644\0", "0120777\0", "0100644\0", "0004755\0", "7777777\0", "0060644\0" }[Random.Next(7)]);
                break;
            case 8:
                if (Random.Next(2) == 0)
                {
                    RawTar.Gnu(entry.Header);
                }
                else
                {
                    RawTar.Put(entry.Header, 257, "ustar\000");
                }
                break;
            default:
                return true;
        }
        return false;
    }

    private static bool IsText(byte[] data) => data.Length > 0 && !data.AsSpan().ContainsAnyInRange((byte)0, (byte)8);

    private static byte[]? Gunzip(byte[] tgz)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(tgz), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.Length > 4 << 20 ? null : output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // Header blocks with their data, by the size field (lenient), up to the first zero block.
    private static List<TarEntry> Split(byte[] tar)
    {
        var entries = new List<TarEntry>();
        for (int offset = 0; offset + 512 <= tar.Length;)
        {
            byte[] header = tar.AsSpan(offset, 512).ToArray();
            if (!header.AsSpan().ContainsAnyExcept((byte)0))
            {
                break;
            }
            string size = Encoding.ASCII.GetString(header, 124, 12).Trim(' ', '\0');
            long length = 0;
            try
            {
                length = size.Length == 0 ? 0 : Convert.ToInt64(size, 8);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
            }
            length = Math.Clamp(length, 0, tar.Length - offset - 512);
            entries.Add(new TarEntry(header, tar.AsSpan(offset + 512, (int)length).ToArray()));
            offset += 512 + (int)((length + 511) / 512 * 512);
        }
        return entries;
    }

    private byte[] Join(List<TarEntry> entries, bool fixChecksums)
    {
        var output = new MemoryStream();
        foreach (var entry in entries)
        {
            if (fixChecksums)
            {
                RawTar.Checksum(entry.Header);
            }
            output.Write(entry.Header);
            output.Write(entry.Data);
            output.Write(new byte[-entry.Data.Length & 511]);
        }
        if (Random.Next(10) != 0)
        {
            output.Write(new byte[1024]);
        }
        return output.ToArray();
    }
}

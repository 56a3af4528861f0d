using System.IO.Compression;
using System.Text;

namespace Chartseal.Tests.Support;

/// <summary>
/// Writes tar streams header by header, so that tests can build what no library writer would: PAX records of any
/// kind, GNU sparse or STAR headers, odd numeric fields, modes with file-type bits.
/// </summary>
public sealed class RawTar
{
    private readonly MemoryStream _tar = new();

    /// <summary>The chart metadata most tests need.</summary>
    public const string ChartYaml = "apiVersion: v2\nname: demo\nversion: 1.0.0\n";

    /// <summary>A tar that starts with <c>demo/Chart.yaml</c>.</summary>
    public static RawTar Chart() => new RawTar().File("demo/Chart.yaml", ChartYaml);

    /// <summary>A USTAR regular file.</summary>
    public RawTar File(string name, string text, Action<byte[]>? edit = null) => File(name, Encoding.UTF8.GetBytes(text), edit);

    /// <summary>A USTAR regular file.</summary>
    public RawTar File(string name, byte[] data, Action<byte[]>? edit = null) => Header(name, data.Length, '0', edit).Data(data);

    /// <summary>One header block: USTAR unless <paramref name="edit"/> changes it; the checksum is computed last.</summary>
    public RawTar Header(string name, long size, char type, Action<byte[]>? edit = null)
    {
        _tar.Write(HeaderBlock(name, size, type, edit));
        return this;
    }

    /// <summary>Data padded to a whole block.</summary>
    public RawTar Data(byte[] data)
    {
        _tar.Write(data);
        _tar.Write(new byte[-data.Length & 511]);
        return this;
    }

    /// <summary>A PAX header of type <paramref name="type"/> (<c>x</c> or <c>g</c>) holding <paramref name="records"/>.</summary>
    public RawTar Pax(char type, params (string Key, string Value)[] records) => PaxData(type, PaxRecords(records));

    /// <summary>A PAX header of type <paramref name="type"/> whose data is <paramref name="data"/> as given.</summary>
    public RawTar PaxData(char type, byte[] data) => Header("PaxHeaders.0/entry", data.Length, type).Data(data);

    /// <summary>A GNU long-name header (<c>L</c>) in GNU format.</summary>
    public RawTar LongName(string name)
    {
        byte[] data = [.. Encoding.UTF8.GetBytes(name), 0];
        return Header("././@LongLink", data.Length, 'L', Gnu).Data(data);
    }

    /// <summary>Raw bytes (no padding).</summary>
    public RawTar Raw(byte[] bytes)
    {
        _tar.Write(bytes);
        return this;
    }

    /// <summary>The tar stream, with the two zero blocks that end it unless <paramref name="end"/> is false.</summary>
    public byte[] Tar(bool end = true) => end ? [.. _tar.ToArray(), .. new byte[1024]] : _tar.ToArray();

    /// <summary>The gzipped tar stream.</summary>
    public byte[] Tgz(bool end = true) => Gzip(Tar(end));

    /// <summary>Gzips <paramref name="data"/>.</summary>
    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>Turns a header into the GNU format (<c>ustar </c> <c>" \0"</c>).</summary>
    public static void Gnu(byte[] h)
    {
        Put(h, 257, "ustar ");
        Put(h, 263, " \0");
    }

    /// <summary>Writes ASCII <paramref name="text"/> at <paramref name="offset"/>.</summary>
    public static void Put(byte[] h, int offset, string text) => Encoding.ASCII.GetBytes(text).CopyTo(h, offset);

    /// <summary>PAX records: <c>"%d %s=%s\n"</c>, the length counting itself.</summary>
    public static byte[] PaxRecords(params (string Key, string Value)[] records)
    {
        var output = new MemoryStream();
        foreach (var (key, value) in records)
        {
            int body = Encoding.UTF8.GetByteCount($" {key}={value}\n");
            int length = body + 1;
            while (length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + body != length)
            {
                length++;
            }
            output.Write(Encoding.UTF8.GetBytes($"{length} {key}={value}\n"));
        }
        return output.ToArray();
    }

    /// <summary>A USTAR header block (mode 0644, owner 0, mtime 0), edited, then checksummed.</summary>
    public static byte[] HeaderBlock(string name, long size, char type = '0', Action<byte[]>? edit = null)
    {
        var h = new byte[512];
        Encoding.UTF8.GetBytes(name).AsSpan(0, Math.Min(100, Encoding.UTF8.GetByteCount(name))).CopyTo(h);
        Put(h, 100, "0000644\0");
        Put(h, 108, "0000000\0");
        Put(h, 116, "0000000\0");
        Put(h, 124, Convert.ToString(size, 8).PadLeft(11, '0') + "\0");
        Put(h, 136, "00000000000\0");
        h[156] = (byte)type;
        Put(h, 257, "ustar\0");
        Put(h, 263, "00");
        edit?.Invoke(h);
        Checksum(h);
        return h;
    }

    /// <summary>Recomputes the checksum field of a header block.</summary>
    public static void Checksum(byte[] h)
    {
        Put(h, 148, "        ");
        int sum = h.Sum(b => b);
        Put(h, 148, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
    }
}

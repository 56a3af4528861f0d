using System.IO.Compression;
using System.Text;

namespace Chartseal.Tests.Provenance;

/// <summary>Hostile archives shared by the library and CLI tests (linked into Chartseal.Cli.Tests).</summary>
public static class HostileArchives
{
    /// <summary>A chart archive whose Chart.yaml holds <paramref name="size"/> bytes (a YAML comment), streamed through gzip.</summary>
    public static byte[] HugeChartYamlTgz(long size)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(UstarHeader("demo/Chart.yaml", size));
            byte[] start = Encoding.ASCII.GetBytes("apiVersion: v2\nname: demo\nversion: 1.0.0\n#");
            gzip.Write(start);
            var fill = new byte[1 << 20];
            Array.Fill(fill, (byte)'a');
            for (long left = size - start.Length; left > 0; left -= fill.Length)
            {
                gzip.Write(fill, 0, (int)Math.Min(left, fill.Length));
            }
            gzip.Write(new byte[(512 - (int)(size % 512)) % 512]);
            gzip.Write(new byte[1024]);
        }
        return output.ToArray();
    }

    private static byte[] UstarHeader(string name, long size)
    {
        var h = new byte[512];
        void Put(int offset, string text) => Encoding.ASCII.GetBytes(text).CopyTo(h, offset);
        Put(0, name);
        Put(100, "0000644\0");
        Put(108, "0000000\0");
        Put(116, "0000000\0");
        Put(124, Convert.ToString(size, 8).PadLeft(11, '0') + "\0");
        Put(136, "00000000000\0");
        h[156] = (byte)'0';
        Put(257, "ustar\0");
        Put(263, "00");
        Put(148, "        ");
        int sum = h.Sum(b => b);
        Put(148, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
        return h;
    }
}

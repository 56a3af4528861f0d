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

    private static byte[] UstarHeader(string name, long size) => Charts.ChartFixtures.RawHeader(name, size);
}

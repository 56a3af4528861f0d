using System.IO.Compression;
using System.Text;
using Chartseal.Tests.Support;

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

    /// <summary>A Kubernetes object that a smuggled template renders.</summary>
    public const string Evil = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: evil\n";

    /// <summary>
    /// GNU sparse 1.0 in PAX records: the data of <c>files/blob.bin</c> starts with a sparse map, and
    /// <c>GNU.sparse.name</c> renames the entry for every reader that knows the format.
    /// </summary>
    public static byte[] GnuSparseNameSmuggling()
    {
        byte[] map = new byte[512];
        Encoding.ASCII.GetBytes($"1\n0\n{Evil.Length}\n").CopyTo(map, 0);
        byte[] blob = [.. map, .. Encoding.ASCII.GetBytes(Evil)];
        return RawTar.Chart()
            .Pax('x', ("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"), ("GNU.sparse.name", "demo/templates/evil.yaml"), ("GNU.sparse.realsize", Evil.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .File("demo/files/blob.bin", blob)
            .Tgz();
    }

    /// <summary>Helm splits a name on <c>\</c> when it holds one: <c>demo/x\templates\evil.yaml</c> is a template to Helm.</summary>
    public static byte[] MixedSeparatorSmuggling() =>
        RawTar.Chart().File("demo/x\\templates\\evil.yaml", Evil).Tgz();

    /// <summary>A regular file whose mode field says "directory" (040644): Helm skips it, everyone else unpacks it.</summary>
    public static byte[] DirectoryModeHidesAFile() =>
        RawTar.Chart()
            .File("demo/templates/deny.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n", h => RawTar.Put(h, 100, "0040644\0"))
            .Tgz();

    /// <summary>An old GNU sparse entry (type <c>S</c>): legal tar, which System.Formats.Tar threw NotSupportedException on.</summary>
    public static byte[] OldGnuSparseEntry() =>
        RawTar.Chart()
            .Header("demo/templates/s.yaml", Evil.Length, 'S', h =>
            {
                RawTar.Gnu(h);
                RawTar.Put(h, 386, "00000000000\0" + Convert.ToString(Evil.Length, 8).PadLeft(11, '0') + "\0");
                RawTar.Put(h, 483, Convert.ToString(Evil.Length, 8).PadLeft(11, '0') + "\0");
            })
            .Data(Encoding.ASCII.GetBytes(Evil))
            .Tgz();

    private static byte[] UstarHeader(string name, long size) => Charts.ChartFixtures.RawHeader(name, size);
}

using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Charts;

/// <summary>Builds chart folders and (hostile) archives for tests.</summary>
public static class ChartFixtures
{
    /// <summary>Writes files (relative path to text) below <paramref name="root"/>.</summary>
    public static string WriteChart(string root, params (string Path, string Text)[] files)
    {
        foreach (var (path, text) in files)
        {
            string full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        return root;
    }

    /// <summary>A minimal valid v2 chart named <paramref name="name"/>.</summary>
    public static string WriteSimpleChart(string root, string name = "demo", string version = "1.0.0") =>
        WriteChart(root,
            ("Chart.yaml", $"apiVersion: v2\nname: {name}\nversion: {version}\n"),
            ("values.yaml", "replicas: 1\n"),
            ("templates/deployment.yaml", "kind: Deployment\n"));

    /// <summary>Copies the hashtest vector folder so tests may add files to it.</summary>
    public static string CopyHashtest(TempDirectory temp)
    {
        string target = temp.File("hashtest");
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(TestPaths.Helm("hashtest")))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        return target;
    }

    public sealed record Entry(string Name, TarEntryType Type = TarEntryType.RegularFile, string Text = "", string LinkName = "");

    /// <summary>A gzipped tar built with System.Formats.Tar (GNU format, so any name and type is allowed).</summary>
    public static byte[] Tgz(params Entry[] entries)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                var entry = new GnuTarEntry(e.Type, e.Name);
                if (e.LinkName.Length > 0)
                {
                    entry.LinkName = e.LinkName;
                }
                if (e.Type is TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(e.Text));
                }
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    /// <summary>A valid chart archive plus <paramref name="extra"/> entries.</summary>
    public static byte[] ChartTgz(params Entry[] extra) =>
        Tgz([new Entry("demo/Chart.yaml", Text: "apiVersion: v2\nname: demo\nversion: 1.0.0\n"), .. extra]);

    /// <summary>
    /// A gzip bomb: <paramref name="files"/> files of <paramref name="fileSize"/> zero bytes, streamed through
    /// gzip without ever holding the tar in memory.
    /// </summary>
    public static byte[] ZeroFilesTgz(int files, int fileSize)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(RawHeader("demo/Chart.yaml", 41));
            gzip.Write(PadTo512("apiVersion: v2\nname: demo\nversion: 1.0.0\n"u8.ToArray()));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < files; i++)
            {
                gzip.Write(RawHeader($"demo/zeros{i}.bin", fileSize));
                for (int left = fileSize; left > 0; left -= zeros.Length)
                {
                    gzip.Write(zeros, 0, Math.Min(left, zeros.Length));
                }
            }
            gzip.Write(new byte[1024]);
        }
        return output.ToArray();
    }

    /// <summary>A tar header claiming <paramref name="size"/> bytes followed by no data (for size checks).</summary>
    public static byte[] HeaderOnlyTgz(string name, long size)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(RawHeader(name, size));
        }
        return output.ToArray();
    }

    private static byte[] PadTo512(byte[] data)
    {
        var padded = new byte[(data.Length + 511) / 512 * 512];
        data.CopyTo(padded, 0);
        return padded;
    }

    // A USTAR regular-file header written by hand, to stream huge entries.
    internal static byte[] RawHeader(string name, long size) => RawTar.HeaderBlock(name, size);
}

using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Chartseal.Provenance;
using Chartseal.Tests.Charts;
using static Chartseal.Tests.Provenance.ProvenanceKit;

namespace Chartseal.Tests.Provenance;

/// <summary>
/// Hostile archives and provenance files, validly signed where that matters (so the archive is really
/// read): each gives one clear rejection quickly, never an exception or a hang.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(15);

    /// <summary>Signs a body that names <paramref name="archive"/> with its true hash, so verification reaches the archive reader.</summary>
    private static byte[] SignFor(byte[] archive, string name) =>
        SignBody(ProvenanceBody.Build("apiVersion: v2\nname: demo\nversion: 1.0.0\n", name, Convert.ToHexStringLower(SHA256.HashData(archive))));

    private static ChartVerification.Rejected VerifyQuickly(byte[] archive, byte[] prov)
    {
        var clock = Stopwatch.StartNew();
        var result = Verify(archive, "demo-1.0.0.tgz", prov);
        clock.Stop();
        Assert.True(clock.Elapsed < Quickly, $"took {clock.Elapsed}");
        var r = Assert.IsType<ChartVerification.Rejected>(result);
        Assert.False(string.IsNullOrWhiteSpace(r.Message));
        Assert.DoesNotContain('\n', r.Message);
        return r;
    }

    [Fact]
    public void Verify_SignedArchiveNotGzip_UnsafeArchive()
    {
        byte[] archive = Encoding.UTF8.GetBytes("this is not a gzip file at all\n");
        var r = VerifyQuickly(archive, SignFor(archive, "demo-1.0.0.tgz"));
        Assert.Equal(RejectionReason.UnsafeArchive, r.Reason);
    }

    [Fact]
    public void Verify_SignedTruncatedGzip_UnsafeArchive()
    {
        byte[] full = ChartFixtures.ChartTgz(new ChartFixtures.Entry("demo/values.yaml", Text: new string('x', 10000)));
        byte[] archive = full[..(full.Length / 2)];
        var r = VerifyQuickly(archive, SignFor(archive, "demo-1.0.0.tgz"));
        Assert.Equal(RejectionReason.UnsafeArchive, r.Reason);
    }

    [Fact]
    public void Verify_SignedGzipBomb_UnsafeArchive()
    {
        byte[] archive = ChartFixtures.ZeroFilesTgz(files: 300, fileSize: 1 << 20);
        Assert.True(archive.Length < 300 * (1 << 20) / 50, $"compressed size {archive.Length}");
        var r = VerifyQuickly(archive, SignFor(archive, "demo-1.0.0.tgz"));
        Assert.Equal(RejectionReason.UnsafeArchive, r.Reason);
    }

    [Fact]
    public void Verify_SignedArchiveWith100MbChartYaml_UnsafeArchive()
    {
        byte[] archive = HugeChartYamlTgz(100 * 1024 * 1024);
        var r = VerifyQuickly(archive, SignFor(archive, "demo-1.0.0.tgz"));
        Assert.Equal(RejectionReason.UnsafeArchive, r.Reason);
    }

    [Fact]
    public void Verify_GarbageProvOfMaxSize_MalformedQuickly()
    {
        byte[] archive = Vector("hashtest-1.2.3.tgz");
        byte[] prov = RandomNumberGenerator.GetBytes(ChartVerifier.MaxProvenanceLength);
        Assert.Equal(RejectionReason.Malformed, VerifyQuickly(archive, prov).Reason);
        byte[] big = new byte[ChartVerifier.MaxProvenanceLength + 1];
        Assert.Equal(RejectionReason.Malformed, VerifyQuickly(archive, big).Reason);
    }

    [Fact]
    public void Verify_ProvWithHugeSignatureBlock_MalformedQuickly()
    {
        string text = Utf8(Vector("msgblock.yaml.asc"));
        int at = text.IndexOf("-----END PGP SIGNATURE-----", StringComparison.Ordinal);
        var junk = new StringBuilder();
        for (int i = 0; i < 10000; i++)
        {
            junk.Append(Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))).Append('\n');
        }
        byte[] prov = Encoding.UTF8.GetBytes(text[..at] + junk + text[at..]);
        Assert.Equal(RejectionReason.Malformed, VerifyQuickly(Vector("hashtest-1.2.3.tgz"), prov).Reason);
    }

    /// <summary>A chart archive whose Chart.yaml holds <paramref name="size"/> bytes (a YAML comment), streamed through gzip.</summary>
    internal static byte[] HugeChartYamlTgz(long size)
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

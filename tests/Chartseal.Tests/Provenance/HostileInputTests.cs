using System.Diagnostics;
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
        byte[] archive = HostileArchives.HugeChartYamlTgz(100 * 1024 * 1024);
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
        var random = new Random(1234);
        var line = new byte[48];
        for (int i = 0; i < 10000; i++)
        {
            random.NextBytes(line);
            junk.Append(Convert.ToBase64String(line)).Append('\n');
        }
        byte[] prov = Encoding.UTF8.GetBytes(text[..at] + junk + text[at..]);
        // Random packet bytes may decode as a packet of an unknown version: either reason is a clean refusal.
        Assert.Contains(VerifyQuickly(Vector("hashtest-1.2.3.tgz"), prov).Reason, new[] { RejectionReason.Malformed, RejectionReason.UnsupportedSignature });
    }
}

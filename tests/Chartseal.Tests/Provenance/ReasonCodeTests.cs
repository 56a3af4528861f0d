using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Chartseal.Charts;
using Chartseal.Provenance;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Provenance.ProvenanceKit;

namespace Chartseal.Tests.Provenance;

/// <summary>Each provenance rejection reason, produced from a real file.</summary>
public sealed class ReasonCodeTests
{
    private static readonly byte[] Hashtest = Vector("hashtest-1.2.3.tgz");

    private static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    [Fact]
    public void Verify_ArchiveAlteredAfterSigning_HashMismatch()
    {
        byte[] prov = SignArchive(Hashtest, "hashtest-1.2.3.tgz");
        byte[] altered = [.. Hashtest];
        altered[^10] ^= 0x01;
        AssertRejected(Verify(altered, "hashtest-1.2.3.tgz", prov), RejectionReason.HashMismatch);
    }

    [Fact]
    public void Verify_ArchiveRenamed_FileNotInProvenance()
    {
        byte[] prov = SignArchive(Hashtest, "hashtest-1.2.3.tgz");
        AssertRejected(Verify(Hashtest, "hashtest-1.2.4.tgz", prov), RejectionReason.FileNotInProvenance);
    }

    [Fact]
    public void Verify_SignedMetadataNamesOtherVersion_NameVersionMismatch()
    {
        string metadata = ChartYaml.Serialize(ChartArchive.Read(Hashtest, "hashtest-1.2.3.tgz").Metadata);
        string other = metadata.Replace("version: 1.2.3", "version: 1.2.4", StringComparison.Ordinal);
        Assert.NotEqual(metadata, other);
        byte[] prov = SignBody(ProvenanceBody.Build(other, "hashtest-1.2.3.tgz", HashtestSha));
        var result = Verify(Hashtest, "hashtest-1.2.3.tgz", prov);
        AssertRejected(result, RejectionReason.NameVersionMismatch);
        Assert.Equal(new ChartIdentity("hashtest", "1.2.3"), result.Chart);
    }

    [Fact]
    public void Verify_SignedMetadataNamesOtherChart_NameVersionMismatch()
    {
        byte[] prov = SignBody(ProvenanceBody.Build("apiVersion: v1\nname: other\nversion: 1.2.3\n", "hashtest-1.2.3.tgz", HashtestSha));
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", prov), RejectionReason.NameVersionMismatch);
    }

    public static TheoryData<string> UnsafeArchives => new() { "dotdot", "twotop", "symlink", "absolute" };

    [Theory]
    [MemberData(nameof(UnsafeArchives))]
    public void Verify_SignedUnsafeArchive_UnsafeArchive(string kind)
    {
        byte[] archive = kind switch
        {
            "dotdot" => ChartFixtures.ChartTgz(new ChartFixtures.Entry("demo/../evil.txt", Text: "x")),
            "twotop" => ChartFixtures.ChartTgz(new ChartFixtures.Entry("other/values.yaml", Text: "x: 1\n")),
            "symlink" => ChartFixtures.ChartTgz(new ChartFixtures.Entry("demo/link", TarEntryType.SymbolicLink, LinkName: "/etc/passwd")),
            _ => ChartFixtures.ChartTgz(new ChartFixtures.Entry("/demo/abs.txt", Text: "x")),
        };
        Assert.Throws<UnsafeArchiveException>(() => ChartSigning.BuildBody(archive, "demo-1.0.0.tgz"));
        byte[] prov = SignBody(ProvenanceBody.Build("apiVersion: v2\nname: demo\nversion: 1.0.0\n", "demo-1.0.0.tgz", Sha(archive)));
        AssertRejected(Verify(archive, "demo-1.0.0.tgz", prov), RejectionReason.UnsafeArchive);
    }

    [Fact]
    public void Verify_GarbageProv_Malformed()
    {
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", RandomNumberGenerator.GetBytes(4096)), RejectionReason.Malformed);
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", []), RejectionReason.Malformed);
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", Encoding.UTF8.GetBytes("not a provenance file\n")), RejectionReason.Malformed);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.9)]
    [InlineData(0.98)]
    public void Verify_TruncatedProv_Malformed(double fraction)
    {
        byte[] prov = Vector("msgblock.yaml.asc");
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", prov[..(int)(prov.Length * fraction)]), RejectionReason.Malformed);
    }

    [Fact]
    public void Verify_NoProvenance_MissingProvenance()
    {
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", null), RejectionReason.MissingProvenance);
    }

    [Fact]
    public async Task VerifyAsync_NoProvFile_MissingProvenance()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("hashtest-1.2.3.tgz"), Hashtest);
        var result = await ChartFileVerifier.VerifyAsync(temp.File("hashtest-1.2.3.tgz"), null, HelmPublic(), DateTime.UtcNow, TestContext.Current.CancellationToken);
        AssertRejected(result, RejectionReason.MissingProvenance);
    }

    [Fact]
    public void Verify_SignatureBodyEdited_BadSignature()
    {
        string prov = Utf8(SignArchive(Hashtest, "hashtest-1.2.3.tgz"));
        string edited = prov.Replace("description: Test chart versioning", "description: Test chart versionin9", StringComparison.Ordinal);
        Assert.NotEqual(prov, edited);
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", Encoding.UTF8.GetBytes(edited)), RejectionReason.BadSignature);
    }
}

/// <summary>Signature times outside the key's life.</summary>
public sealed class SignatureTimeTests
{
    private static readonly byte[] Hashtest = Vector("hashtest-1.2.3.tgz");

    [Fact]
    public void Verify_SignatureOlderThanKey_BadSignature()
    {
        // gpg: "public key ... is newer than the signature ... Time conflict"; go-crypto: signature is older than the key.
        DateTime created = HelmSigningKey().SecretKey.PublicKey.CreationTime.ToUniversalTime();
        byte[] prov = SignBody(Utf8(Vector("msgblock.yaml")), created.AddDays(-30));
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", prov), RejectionReason.BadSignature);
    }

    [Fact]
    public void Verify_SignatureFromTheFuture_BadSignature()
    {
        byte[] prov = SignBody(Utf8(Vector("msgblock.yaml")), DateTime.UtcNow.AddDays(2));
        AssertRejected(Verify(Hashtest, "hashtest-1.2.3.tgz", prov), RejectionReason.BadSignature);
    }
}

/// <summary>File-level verification edge cases.</summary>
public sealed class FileVerifierTests
{
    [Fact]
    public async Task VerifyAsync_ProvOverLimit_MalformedNotException()
    {
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        File.WriteAllBytes(temp.File("hashtest-1.2.3.tgz.prov"), new byte[ChartVerifier.MaxProvenanceLength + 4096]);
        var result = await ChartFileVerifier.VerifyAsync(temp.File("hashtest-1.2.3.tgz"), null, HelmPublic(), DateTime.UtcNow, TestContext.Current.CancellationToken);
        AssertRejected(result, RejectionReason.Malformed);
    }

    [Fact]
    public async Task VerifyAsync_ProvOption_UsesThatFile()
    {
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        var result = await ChartFileVerifier.VerifyAsync(temp.File("hashtest-1.2.3.tgz"), TestPaths.Helm("extra/helm4-format/hashtest-1.2.3.tgz.prov"), HelmPublic(), DateTime.UtcNow, TestContext.Current.CancellationToken);
        AssertVerified(result);
    }

    [Fact]
    public async Task VerifyAsync_ProvOptionNamingNoFile_ThrowsNamingIt_NotMissingProvenance()
    {
        // A mistyped --prov is the user's path, not an unsigned chart: one line naming it (exit 2), never missing-provenance.
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        File.Copy(TestPaths.Helm("extra/helm4-format/hashtest-1.2.3.tgz.prov"), temp.File("hashtest-1.2.3.tgz.prov"));

        var e = await Assert.ThrowsAsync<ChartsealException>(() => ChartFileVerifier.VerifyAsync(temp.File("hashtest-1.2.3.tgz"), temp.File("typo.prov"), HelmPublic(), DateTime.UtcNow, TestContext.Current.CancellationToken));

        Assert.Equal($"{temp.File("typo.prov")}: no such file (the provenance file given)", e.Message);
    }

    [Fact]
    public async Task VerifyAsync_MissingArchive_ThrowsNamingFile()
    {
        using var temp = new TempDirectory();
        var e = await Assert.ThrowsAsync<ChartsealException>(() => ChartFileVerifier.VerifyAsync(temp.File("gone-1.0.0.tgz"), null, HelmPublic(), DateTime.UtcNow, TestContext.Current.CancellationToken));
        Assert.Contains("gone-1.0.0.tgz", e.Message);
    }
}

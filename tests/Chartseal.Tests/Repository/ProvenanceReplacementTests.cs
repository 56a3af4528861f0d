#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Charts;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;

namespace Chartseal.Tests.Repository;

public sealed class ProvenanceReplacementTests
{
    private static readonly DateTime Now = AuditRepositoryFixture.Now;
    private const string Name = "demo-1.0.0.tgz";

    private static Task<PublishResult> Replace(AuditRepositoryFixture f, byte[] prov) =>
        ProvenanceReplacement.ReplaceAsync(f.Repo, f.Trust.Pin, prov, "upload.prov", f.Trust.Store, Now);

    private static (byte[] Archive, byte[] Prov, byte[] Index) Snapshot(AuditRepositoryFixture f) =>
        (File.ReadAllBytes(f.RepoFile(Name)), File.ReadAllBytes(f.RepoFile(Name + ".prov")), File.ReadAllBytes(f.RepoFile("index.yaml")));

    private static async Task<PublishResult.Rejected> AssertRefusedAsync(AuditRepositoryFixture f, byte[] prov, RejectionReason reason)
    {
        var before = Snapshot(f);
        var result = Assert.IsType<PublishResult.Rejected>(await Replace(f, prov));
        Assert.True(reason == result.Reason, result.Message);
        var after = Snapshot(f);
        Assert.Equal(before.Archive, after.Archive);
        Assert.Equal(before.Prov, after.Prov);
        Assert.Equal(before.Index, after.Index);
        return result;
    }

    [Fact]
    public async Task ReplaceAsync_SameArchiveTrustedNewSigner_ReplacesOnlyTheProv()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        var before = Snapshot(f);
        byte[] prov = f.Carol.Sign(before.Archive, Name, Now);

        var published = Assert.IsType<PublishResult.Published>(await Replace(f, prov));

        Assert.False(published.ProvenanceAdded);
        Assert.Equal(f.Carol.Fingerprint, published.Verdict.Verification.Signer.Fingerprint);
        Assert.Equal(prov, File.ReadAllBytes(f.RepoFile(Name + ".prov")));
        Assert.Equal(before.Archive, File.ReadAllBytes(f.RepoFile(Name)));
        Assert.Equal(before.Index, File.ReadAllBytes(f.RepoFile("index.yaml")));
    }

    [Fact]
    public async Task ReplaceAsync_ArchiveInASubfolder_ReplacesTheProvBesideIt()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        byte[] archive = File.ReadAllBytes(f.RepoFile(Name));
        Directory.CreateDirectory(f.RepoFile("charts"));
        File.Move(f.RepoFile(Name), f.RepoFile("charts/" + Name));
        File.Move(f.RepoFile(Name + ".prov"), f.RepoFile("charts/" + Name + ".prov"));
        var index = await ChartIndex.LoadAsync(f.RepoFile("index.yaml"));
        var entry = index.Find("demo", "1.0.0")!;
        index.Add(new IndexEntry { Metadata = entry.Metadata, Urls = ["charts/" + Name], Created = entry.Created, Digest = entry.Digest });
        await index.WriteAsync(f.RepoFile("index.yaml"));
        byte[] prov = f.Carol.Sign(archive, Name, Now);

        Assert.IsType<PublishResult.Published>(await Replace(f, prov));

        Assert.Equal(prov, File.ReadAllBytes(f.RepoFile("charts/" + Name + ".prov")));
        Assert.False(File.Exists(f.RepoFile(Name + ".prov")));
    }

    [Fact]
    public async Task ReplaceAsync_ProvForADifferentArchiveOfTheSameVersion_RejectsHashMismatch()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        string source = ChartFixtures.WriteSimpleChart(f.Trust.Temp.File("other"), "demo", "1.0.0");
        File.AppendAllText(Path.Combine(source, "values.yaml"), "other: true\n");
        var other = ChartPackager.Package(source);
        Assert.Equal(Name, other.FileName);

        await AssertRefusedAsync(f, f.Carol.Sign(other.Archive, Name, Now), RejectionReason.HashMismatch);
    }

    [Fact]
    public async Task ReplaceAsync_NewSignerNotInTheRepository_RejectsSignerNotTrusted()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        var mallory = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);

        await AssertRefusedAsync(f, mallory.Sign(File.ReadAllBytes(f.RepoFile(Name)), Name, Now), RejectionReason.SignerNotTrusted);
    }

    [Fact]
    public async Task ReplaceAsync_VersionNotInIndex_RejectsVersionNotFound()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        string source = ChartFixtures.WriteSimpleChart(f.Trust.Temp.File("next"), "demo", "2.0.0");
        var next = ChartPackager.Package(source);

        await AssertRefusedAsync(f, f.Carol.Sign(next.Archive, next.FileName, Now), RejectionReason.VersionNotFound);
        Assert.False(File.Exists(f.RepoFile(next.FileName + ".prov")));
    }

    [Fact]
    public async Task ReplaceAsync_StoredArchiveDisagreesWithIndex_RejectsDigestMismatch()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        string source = ChartFixtures.WriteSimpleChart(f.Trust.Temp.File("swap"), "demo", "1.0.0");
        File.AppendAllText(Path.Combine(source, "values.yaml"), "swapped: true\n");
        var swapped = ChartPackager.Package(source);
        File.WriteAllBytes(f.RepoFile(Name), swapped.Archive); // someone replaced the archive behind the index's back

        await AssertRefusedAsync(f, f.Carol.Sign(swapped.Archive, Name, Now), RejectionReason.DigestMismatch);
    }

    [Fact]
    public async Task ReplaceAsync_ArchiveSwappedAndIndexDigestRewritten_RejectsHashMismatchAgainstTheStoredProv()
    {
        // Someone with write access swapped the archive AND rewrote its index digest: only the stored .prov still
        // names the archive that was signed. A maintainer who signs the swapped copy must not get it blessed.
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        string source = ChartFixtures.WriteSimpleChart(f.Trust.Temp.File("swap"), "demo", "1.0.0");
        File.AppendAllText(Path.Combine(source, "values.yaml"), "swapped: true\n");
        var swapped = ChartPackager.Package(source);
        File.WriteAllBytes(f.RepoFile(Name), swapped.Archive);
        var index = await ChartIndex.LoadAsync(f.RepoFile("index.yaml"));
        var entry = index.Find("demo", "1.0.0")!;
        index.Add(new IndexEntry { Metadata = entry.Metadata, Urls = entry.Urls, Created = entry.Created, Digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(swapped.Archive)) });
        await index.WriteAsync(f.RepoFile("index.yaml"));

        var refused = await AssertRefusedAsync(f, f.Carol.Sign(swapped.Archive, Name, Now), RejectionReason.HashMismatch);

        Assert.Contains("current .prov", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplaceAsync_StoredProvMissing_TheIndexDigestVouchesAndTheProvIsWritten()
    {
        // The repair of a lost .prov: nothing names another archive, so the index digest is the reference.
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        byte[] archive = File.ReadAllBytes(f.RepoFile(Name));
        File.Delete(f.RepoFile(Name + ".prov"));
        byte[] prov = f.Carol.Sign(archive, Name, Now);

        var published = Assert.IsType<PublishResult.Published>(await Replace(f, prov));

        Assert.Equal(prov, File.ReadAllBytes(f.RepoFile(Name + ".prov")));
        Assert.True(published.ProvenanceAdded);
    }

    [Fact]
    public async Task ReplaceAsync_NotAProvenanceFile_RejectsMalformed()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);

        await AssertRefusedAsync(f, "not a signature\n"u8.ToArray(), RejectionReason.Malformed);
    }

    [Fact]
    public void CheckArchiveUnchanged_ArchiveRepackedAfterSigning_HashMismatch()
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        var key = new TestKey("Alice <alice@example.com>", TrustFixture.T0);
        var original = ChartPackager.Package(ChartFixtures.WriteSimpleChart(t.File("a"), "demo", "1.0.0"));
        string changedSource = ChartFixtures.WriteSimpleChart(t.File("b"), "demo", "1.0.0");
        File.AppendAllText(Path.Combine(changedSource, "values.yaml"), "changed: true\n");
        var changed = ChartPackager.Package(changedSource);
        byte[] prov = key.Sign(original.Archive, Name, Now);

        Assert.Null(ChartResigning.CheckArchiveUnchanged(original.Archive, Name, prov));
        Assert.Equal(RejectionReason.HashMismatch, ChartResigning.CheckArchiveUnchanged(changed.Archive, Name, prov)?.Reason);
        Assert.Equal(RejectionReason.MissingProvenance, ChartResigning.CheckArchiveUnchanged(original.Archive, Name, null)?.Reason);
        Assert.Equal(RejectionReason.FileNotInProvenance, ChartResigning.CheckArchiveUnchanged(original.Archive, "renamed-1.0.0.tgz", prov)?.Reason);
    }
}

#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Text;
using Chartseal.Tests.Support;
using Chartseal.Trust;
using Chartseal.Repository;
using Chartseal.Client;

namespace Chartseal.Tests.Trust;

public sealed class TrustedMaterialTests
{
    private static DateTime Now => TrustFixture.At(2);

    [Fact]
    public async Task Load_ValidMaterial_Accepts()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var result = TrustedMaterial.Load(await f.FilesAsync(), f.Pin, null, Now);
        var material = Assert.IsType<TrustResult.Accepted>(result).Material;
        Assert.Equal(2, material.Version);
        Assert.True(material.PublicKeys.ContainsPrimary(f.Alice.Fingerprint));
        Assert.True(material.PublicKeys.ContainsPrimary(f.Bob.Fingerprint));
        Assert.False(material.PublicKeys.ContainsPrimary(f.Root.Fingerprint));
    }

    [Fact]
    public async Task Load_NoManifest_RejectsUnsigned()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var files = await f.FilesAsync() with { Manifest = null };
        var result = TrustedMaterial.Load(files, f.Pin, null, Now);
        AssertRejected(RejectionReason.TrustUnsigned, result);
        // The usual causes, as trust on first use says them: a plain Helm repository or a mistyped URL.
        Assert.Equal("no trust.yaml.asc: the repository publishes no root-signed trust material (a plain Helm repository, or a mistyped URL; its maintainers create it with chartseal trust init)",
            ((TrustResult.Rejected)result).Message);
    }

    [Fact]
    public async Task Load_ManifestStrippedOfItsSignature_RejectsUnsigned()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var files = await f.FilesAsync();
        var material = await f.MaterialAsync(Now);
        var stripped = files with { Manifest = Encoding.UTF8.GetBytes(material.Manifest.Serialize()) };
        AssertRejected(RejectionReason.TrustUnsigned, TrustedMaterial.Load(stripped, f.Pin, null, Now));
    }

    [Fact]
    public async Task Load_ForgedMaterialSignedByUnknownRoot_RejectsBadSignature()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        // The attacker builds complete, self-consistent material with their own root (and root.pgp).
        var attacker = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);
        string forgedRepo = f.Temp.File("forged");
        await TrustRepository.InitAsync(forgedRepo, attacker.RootSigner(Now), TrustFixture.Validity, TrustFixture.At(1));
        var attackersMaintainer = new TestKey("Mallory's signer <mallory-signer@example.com>", TrustFixture.T0); // the root itself may not sign charts
        await TrustRepository.AddAsync(forgedRepo, attacker.RootSigner(Now), attackersMaintainer.Public, TrustFixture.Validity, TrustFixture.At(1));
        var forged = await new FolderRepositorySource(forgedRepo).ReadTrustFilesAsync();
        AssertRejected(RejectionReason.TrustBadSignature, TrustedMaterial.Load(forged, f.Pin, null, Now));
        // The line says what root.pgp holds and both explanations, never which one to believe.
        Assert.Equal($"the pinned root {f.Root.Fingerprint} is not in root.pgp, which holds {attacker.Fingerprint}: either the pin is mistyped " +
            "(ask the repository's maintainers for its root fingerprint) or this is not that repository's trust material",
            Assert.IsType<TrustResult.Rejected>(TrustedMaterial.Load(forged, f.Pin, null, Now)).Message);
        // ... and with the real root.pgp next to it, the signature is still not by the pinned root.
        var mixed = forged with { RootKeys = (await f.FilesAsync()).RootKeys };
        AssertRejected(RejectionReason.TrustBadSignature, TrustedMaterial.Load(mixed, f.Pin, null, Now));
    }

    [Fact]
    public async Task Load_SignedTextEdited_RejectsBadSignature()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var files = await f.FilesAsync();
        string text = Encoding.UTF8.GetString(files.Manifest!).Replace("version: 2", "version: 9", StringComparison.Ordinal);
        AssertRejected(RejectionReason.TrustBadSignature, TrustedMaterial.Load(files with { Manifest = Encoding.UTF8.GetBytes(text) }, f.Pin, null, Now));
    }

    [Fact]
    public async Task Load_PubkeysWithAttackerKeyAppended_RejectsMismatch()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var files = await f.FilesAsync();
        var mallory = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);
        byte[] tampered = [.. files.PublicKeys!, .. mallory.Public.ExportPublic()];
        AssertRejected(RejectionReason.TrustMismatch, TrustedMaterial.Load(files with { PublicKeys = tampered }, f.Pin, null, Now));
    }

    [Fact]
    public async Task Load_PubkeysWithGpgExportedKeyAppended_RejectsMismatch()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        using var gpg = new GpgHome();
        gpg.GenerateKey("Mallory <mallory@example.com>");
        string path = Path.Combine(f.Repo, TrustFiles.PublicKeysName);
        File.WriteAllBytes(path, [.. File.ReadAllBytes(path), .. gpg.ExportPublic("Mallory <mallory@example.com>")]);
        AssertRejected(RejectionReason.TrustMismatch, TrustedMaterial.Load(await f.FilesAsync(), f.Pin, null, Now));
    }

    [Fact]
    public async Task Load_RevokedKeyringEmptied_RejectsMismatch()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(Now), f.Bob.Fingerprint, null, null, TrustFixture.Validity, TrustFixture.At(1));
        var files = await f.FilesAsync();
        AssertRejected(RejectionReason.TrustMismatch, TrustedMaterial.Load(files with { Revoked = [] }, f.Pin, null, Now));
    }

    [Fact]
    public async Task Load_OlderVersionThanSeen_RejectsRollback()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var old = await f.FilesAsync();
        await TrustRepository.RenewAsync(f.Repo, f.Root.RootSigner(Now), TrustFixture.Validity, TrustFixture.At(1.5));
        var current = await f.MaterialAsync(Now);
        var seen = new SeenTrust(current.Version, current.ManifestSha256);
        AssertRejected(RejectionReason.TrustRollback, TrustedMaterial.Load(old, f.Pin, seen, Now));
        Assert.IsType<TrustResult.Accepted>(TrustedMaterial.Load(await f.FilesAsync(), f.Pin, seen, Now));
    }

    [Fact]
    public async Task Load_SameVersionDifferentContent_RejectsRollback()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var material = await f.MaterialAsync(Now);
        var seen = new SeenTrust(material.Version, new string('0', 64));
        AssertRejected(RejectionReason.TrustRollback, TrustedMaterial.Load(await f.FilesAsync(), f.Pin, seen, Now));
    }

    [Fact]
    public async Task Load_ExpiredManifest_RejectsExpired()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        DateTime later = TrustFixture.At(1) + TrustFixture.Validity + TimeSpan.FromSeconds(1);
        AssertRejected(RejectionReason.TrustExpired, TrustedMaterial.Load(await f.FilesAsync(), f.Pin, null, later));
    }

    [Fact]
    public async Task ManifestFile_VerifiedByGpgWithRootPublicKeyAlone_Passes()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(DateTime.UtcNow.AddMinutes(-1));
        using var gpg = new GpgHome();
        File.WriteAllText(gpg.File("root.asc"), f.Root.Generated.PublicKeyArmored);
        gpg.RunChecked("--import", gpg.File("root.asc"));
        GpgResult result = gpg.Run("--verify", Path.Combine(f.Repo, TrustFiles.ManifestName));
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains(f.Root.Fingerprint, result.StdErr.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_DuplicateField_Rejects()
    {
        string body = "apiVersion: chartseal/v1\nkind: TrustManifest\nversion: 2\nversion: 3\nexpires: 2030-01-01T00:00:00Z\nroot: " + new string('A', 40) +
            "\n\n...\nfiles:\n  pubkeys.pgp: sha256:00\n  revoked.pgp: sha256:00\n";
        Assert.Null(TrustManifest.TryParse(body, out string error));
        Assert.Contains("duplicate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_ThenTryParse_RoundTrips()
    {
        var manifest = new TrustManifest(7, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), new string('A', 40), new string('B', 40),
            new Dictionary<string, string> { ["pubkeys.pgp"] = "sha256:11", ["revoked.pgp"] = "sha256:22" });
        var parsed = TrustManifest.TryParse(manifest.Serialize(), out _);
        Assert.NotNull(parsed);
        Assert.Equal(manifest.Serialize(), parsed.Serialize());
    }

    internal static void AssertRejected(RejectionReason expected, TrustResult result)
    {
        var rejected = Assert.IsType<TrustResult.Rejected>(result);
        Assert.Equal(expected, rejected.Reason);
    }
}

public sealed class TrustedMaterialAdvanceTests
{
    [Fact]
    public async Task Advance_NewerThenReplayedOlder_AcceptsThenRejectsRollback()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        var v2Files = await f.FilesAsync();
        var v2 = await f.MaterialAsync(now);
        await TrustRepository.RemoveAsync(f.Repo, f.Root.RootSigner(now), [f.Bob.Fingerprint], TrustFixture.Validity, now);
        var v3 = Assert.IsType<TrustResult.Accepted>(v2.Advance(await f.FilesAsync(), now)).Material;
        Assert.Equal(3, v3.Version);
        Assert.Equal(2, v2.Version); // the old instance is unchanged
        TrustedMaterialTests.AssertRejected(RejectionReason.TrustRollback, v3.Advance(v2Files, now));
    }
}

public sealed class TrustedMaterialRootKeyTests
{
    [Fact]
    public async Task Load_RootKeyExpiredSinceSigning_RejectsBadSignature()
    {
        using var temp = new Support.TempDirectory();
        var root = new TestKey("Short Root <short-root@example.com>", TrustFixture.T0, TimeSpan.FromDays(1));
        DateTime signed = TrustFixture.At(1);
        await TrustRepository.InitAsync(temp.Path, root.RootSigner(signed), TrustFixture.Validity, signed);
        var files = await new FolderRepositorySource(temp.Path).ReadTrustFilesAsync();
        var pin = new PinnedRoot(root.Fingerprint);
        Assert.IsType<TrustResult.Accepted>(TrustedMaterial.Load(files, pin, null, TrustFixture.At(2)));
        TrustedMaterialTests.AssertRejected(RejectionReason.TrustBadSignature, TrustedMaterial.Load(files, pin, null, TrustFixture.At(48)));
    }

    [Fact]
    public async Task Load_RootCertificateMissingFromRootPgp_RejectsBadSignature()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var files = await f.FilesAsync() with { RootKeys = f.Alice.Public.ExportPublic() };
        TrustedMaterialTests.AssertRejected(RejectionReason.TrustBadSignature, TrustedMaterial.Load(files, f.Pin, null, TrustFixture.At(2)));
    }
}

using System.Text;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Provenance.ProvenanceKit;

namespace Chartseal.Tests.Provenance;

/// <summary>Our .prov files pass gpg and sq; gpg's clear-signatures over Helm bodies pass ours.</summary>
public sealed class GpgInteropTests
{
    public static TheoryData<string> Algorithms => new() { "rsa2048", "nistp256", "ed25519" };

    /// <summary>A chart whose body has UTF-8, lines starting with '-', and a 5 KB description.</summary>
    private static string HardChartYaml()
    {
        var description = new StringBuilder();
        while (description.Length < 5 * 1024)
        {
            description.Append("Ünïcödé 日本語 chart — a long description word ");
        }
        return "apiVersion: v2\n" +
            "name: interop\n" +
            "version: 1.0.0-rc.1+build.5\n" +
            $"description: \"{description.ToString().TrimEnd()}\"\n" +
            "keywords:\n- -dash-first\n- --double\n- '- quoted'\n- ünï\n" +
            "maintainers:\n- name: Zoë Ångström\n  email: zoe@example.com\n" +
            "home: https://example.com/çhart\n";
    }

    private static (byte[] Archive, string Name) HardChart(TempDirectory temp)
    {
        var packaged = Package(temp, HardChartYaml());
        string body = ChartSigning.BuildBody(packaged.Archive, packaged.Name);
        Assert.Contains("\n- -dash-first\n", body);
        Assert.Contains("日本語", body);
        Assert.True(body.Length > 5 * 1024);
        return packaged;
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Sign_GpgGeneratedKey_GpgAndSqVerify(string algo)
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string uid = $"Interop {algo} <interop-{algo}@example.com>";
        string fpr = gpg.GenerateKey(uid, algo);
        var secret = Keyring.Parse(gpg.ExportSecret(fpr), "gpg-secret");
        var key = SigningKeySelector.Select(secret, fpr, DateTime.UtcNow);
        var (archive, name) = HardChart(temp);

        byte[] prov = ChartSigning.Sign(archive, name, key, key.Unlock(null), DateTime.UtcNow);
        string provPath = temp.File(name + ".prov");
        File.WriteAllBytes(provPath, prov);

        GpgResult verify = gpg.Run("--status-fd", "1", "--verify", provPath);
        Assert.True(verify.ExitCode == 0, $"gpg --verify failed: {verify.StdErr}");
        Assert.Contains("[GNUPG:] GOODSIG", verify.StdOut);
        Assert.Contains($"[GNUPG:] VALIDSIG", verify.StdOut);

        File.WriteAllBytes(temp.File("cert.pgp"), gpg.ExportPublic(fpr));
        var sq = SqPeer.Run(temp.Path, "verify", "--signer-cert", temp.File("cert.pgp"), provPath);
        Assert.True(sq.ExitCode == 0, $"sq verify failed ({sq.ExitCode}): {sq.StdErr}");
        Assert.Equal(ChartSigning.BuildBody(archive, name), sq.StdOut);

        AssertVerified(Verify(archive, name, prov, Keyring.Parse(gpg.ExportPublic(fpr), "gpg-public")));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Verify_GpgClearSignedSha512Body_Verifies(string algo)
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string uid = $"Gpg signer {algo} <gpg-{algo}@example.com>";
        string fpr = gpg.GenerateKey(uid, algo);
        var (archive, name) = HardChart(temp);
        byte[] prov = GpgClearSign(gpg, temp, ChartSigning.BuildBody(archive, name), fpr, "SHA512");

        var result = Verify(archive, name, prov, Keyring.Parse(gpg.ExportPublic(fpr), "gpg-public"));
        AssertVerified(result);
        Assert.Equal(fpr, result.Signer!.Fingerprint);
        Assert.Equal([uid], result.Signer.UserIds);
        Assert.Equal(new ChartIdentity("interop", "1.0.0-rc.1+build.5"), result.Chart);
    }

    [Fact]
    public void Verify_SqClearSignedBody_Verifies()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Sq signer <sq@example.com>", "ed25519");
        File.WriteAllBytes(temp.File("key.pgp"), gpg.ExportSecret(fpr));
        var (archive, name) = HardChart(temp);
        File.WriteAllText(temp.File("body"), ChartSigning.BuildBody(archive, name), new UTF8Encoding(false));
        var sq = SqPeer.Run(temp.Path, "sign", "--cleartext-signature", "--signer-key", temp.File("key.pgp"), "--output", temp.File("body.asc"), temp.File("body"));
        Assert.True(sq.ExitCode == 0, $"sq sign failed: {sq.StdErr}");
        AssertVerified(Verify(archive, name, File.ReadAllBytes(temp.File("body.asc")), Keyring.Parse(gpg.ExportPublic(fpr), "gpg-public")));
    }

    [Fact]
    public void Verify_KeyExpiredSinceSigning_KeyExpired()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Expired <expired@example.com>", "ed25519", expire: "2d", extraArgs: ["--faked-system-time", "20200101T000000!"]);
        var (archive, name) = HardChart(temp);
        byte[] prov = GpgClearSign(gpg, temp, ChartSigning.BuildBody(archive, name), fpr, "SHA512", "--faked-system-time", "20200101T120000!");
        var ring = Keyring.Parse(gpg.ExportPublic(fpr), "gpg-public");

        AssertRejected(Verify(archive, name, prov, ring), RejectionReason.KeyExpired);
        // At a time the key was valid, the same files verify: the signature itself is good.
        AssertVerified(ChartVerifier.Verify(archive, name, prov, ring, new DateTime(2020, 1, 1, 13, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void Verify_KeyRevokedAfterSigning_KeyRevoked()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Revoked <revoked@example.com>", "ed25519");
        var (archive, name) = HardChart(temp);
        byte[] prov = GpgClearSign(gpg, temp, ChartSigning.BuildBody(archive, name), fpr, "SHA512");
        AssertVerified(Verify(archive, name, prov, Keyring.Parse(gpg.ExportPublic(fpr), "before")));

        gpg.Revoke(fpr);
        AssertRejected(Verify(archive, name, prov, Keyring.Parse(gpg.ExportPublic(fpr), "after")), RejectionReason.KeyRevoked);
    }

    [Fact]
    public void Verify_GpgSha1Signature_WeakHash()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Weak <weak@example.com>", "rsa2048");
        var (archive, name) = HardChart(temp);
        byte[] prov = GpgClearSign(gpg, temp, ChartSigning.BuildBody(archive, name), fpr, "SHA1", "--allow-weak-digest-algos");
        Assert.Contains("Hash: SHA1", Utf8(prov));
        AssertRejected(Verify(archive, name, prov, Keyring.Parse(gpg.ExportPublic(fpr), "gpg-public")), RejectionReason.WeakHash);
    }

    [Fact]
    public void Verify_SignedByOtherGpgKey_UnknownSigner()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Stranger <stranger@example.com>", "ed25519");
        var (archive, name) = HardChart(temp);
        byte[] prov = GpgClearSign(gpg, temp, ChartSigning.BuildBody(archive, name), fpr, "SHA512");
        AssertRejected(Verify(archive, name, prov, HelmPublic()), RejectionReason.UnknownSigner);
    }

    [Fact]
    public void SignAndVerify_SigningSubkey_ReportsPrimaryFingerprintAndSubkeyId()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Subkey <subkey@example.com>", "ed25519", usage: "cert");
        string sub = gpg.AddSubkey(fpr, "rsa2048", "sign");
        var (archive, name) = HardChart(temp);
        var ring = Keyring.Parse(gpg.ExportPublic(fpr), "gpg-public");

        byte[] theirs = GpgClearSign(gpg, temp, ChartSigning.BuildBody(archive, name), fpr, "SHA512");
        var result = Verify(archive, name, theirs, ring);
        AssertVerified(result);
        Assert.Equal(fpr, result.Signer!.Fingerprint);
        Assert.Equal(sub[^16..], result.Signer.KeyId);
        Assert.Equal(sub, result.Signer.SigningKeyFingerprint);

        var key = SigningKeySelector.Select(Keyring.Parse(gpg.ExportSecret(fpr), "gpg-secret"), "subkey@example.com", DateTime.UtcNow);
        Assert.Equal(sub, key.Fingerprint);
        byte[] ours = ChartSigning.Sign(archive, name, key, key.Unlock(null), DateTime.UtcNow);
        File.WriteAllBytes(temp.File("ours.prov"), ours);
        GpgResult verify = gpg.Run("--verify", temp.File("ours.prov"));
        Assert.True(verify.ExitCode == 0, verify.StdErr);
        AssertVerified(Verify(archive, name, ours, ring));
    }

    [Fact]
    public void Verify_SigningSubkeyExpiredPrimaryValid_KeyExpired()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string[] past = ["--faked-system-time", "20200101T000000!"];
        string fpr = gpg.GenerateKey("Old subkey <oldsub@example.com>", "ed25519", usage: "cert", extraArgs: past);
        gpg.RunChecked([.. past, "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", fpr, "ed25519", "sign", "2d"]);
        var (archive, name) = HardChart(temp);
        byte[] prov = GpgClearSign(gpg, temp, ChartSigning.BuildBody(archive, name), fpr, "SHA512", "--faked-system-time", "20200101T120000!");
        AssertRejected(Verify(archive, name, prov, Keyring.Parse(gpg.ExportPublic(fpr), "gpg-public")), RejectionReason.KeyExpired);
    }

    [Fact]
    public void SignAndVerify_SigningSubkeyRevokedOrExpiredPrimaryFine_OtherSubkeySignsAndItsOwnSignaturesAreRefused()
    {
        // Three signing subkeys: an old one that is fine, an expired one, and the newest, revoked after it signed. gpg signs
        // with the old one; so do we, and a .prov the revoked subkey made is refused, though the primary key is fine.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Subkeys <subkeys@example.com>", "ed25519", usage: "cert", extraArgs: ["--faked-system-time", "20200101T000000!"]);
        gpg.RunChecked("--faked-system-time", "20200102T000000!", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", fpr, "ed25519", "sign", "never");
        string fine = gpg.ColonFields(fpr).Where(f => f[0] == "fpr").Select(f => f[9]).Last();
        gpg.RunChecked("--faked-system-time", "20200103T000000!", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", fpr, "rsa2048", "sign", "30d");
        string revoked = gpg.AddSubkey(fpr, "ed25519", "sign");
        var (archive, name) = HardChart(temp);
        string body = ChartSigning.BuildBody(archive, name);
        byte[] byRevoked = GpgClearSign(gpg, temp, body, revoked + "!", "SHA512");
        gpg.RevokeSubkey(fpr, 3);

        byte[] byGpg = GpgClearSign(gpg, temp, body, fpr, "SHA512");
        var ring = Keyring.Parse(gpg.ExportPublic(fpr), "gpg-public");
        var gpgChoice = Verify(archive, name, byGpg, ring);
        AssertVerified(gpgChoice);
        Assert.Equal(fine, gpgChoice.Signer!.SigningKeyFingerprint);

        var key = SigningKeySelector.Select(Keyring.Parse(gpg.ExportSecret(fpr), "gpg-secret"), "subkeys@example.com", DateTime.UtcNow);
        Assert.Equal(fine, key.Fingerprint);
        var refused = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(Keyring.Parse(gpg.ExportSecret(fpr), "gpg-secret"), revoked + "!", DateTime.UtcNow));
        Assert.Contains("revoked", refused.Reason, StringComparison.Ordinal);

        AssertRejected(Verify(archive, name, byRevoked, ring), RejectionReason.KeyRevoked);
    }

    private static byte[] GpgClearSign(GpgHome gpg, TempDirectory temp, string body, string fpr, string digest, params string[] extra)
    {
        string bodyPath = temp.File("body-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(bodyPath, body, new UTF8Encoding(false));
        gpg.RunChecked([.. extra, "--pinentry-mode", "loopback", "--passphrase", "", "--digest-algo", digest, "-u", fpr, "--output", bodyPath + ".asc", "--clearsign", bodyPath]);
        return File.ReadAllBytes(bodyPath + ".asc");
    }
}

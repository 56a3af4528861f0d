using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Provenance.ProvenanceKit;

namespace Chartseal.Tests.Provenance;

/// <summary>Every Helm provenance vector gives the outcome its README documents.</summary>
public sealed class HelmConformanceTests
{
    private static readonly byte[] Hashtest = Vector("hashtest-1.2.3.tgz");

    [Fact]
    public void Verify_MsgblockAsc_Verifies()
    {
        var result = Verify(Hashtest, "hashtest-1.2.3.tgz", Vector("msgblock.yaml.asc"));
        AssertVerified(result);
        var v = (ChartVerification.Verified)result;
        Assert.Equal("hashtest-1.2.3.tgz", v.File);
        Assert.Equal(HashtestSha, v.Sha256);
        Assert.Equal(HelmFingerprint, v.Signer.Fingerprint);
        Assert.Equal(new ChartIdentity("hashtest", "1.2.3"), v.Chart);
    }

    [Fact]
    public void Verify_MsgblockTampered_BadSignature()
    {
        var result = Verify(Hashtest, "hashtest-1.2.3.tgz", Vector("msgblock.yaml.tampered"));
        AssertRejected(result, RejectionReason.BadSignature);
    }

    [Theory]
    [InlineData("hashtest-1.2.3.tgz.prov")]
    [InlineData("extra/helm4-format/hashtest-1.2.3.tgz.prov")]
    public void Verify_HashtestProvHelm3AndHelm4Framing_Verifies(string prov)
    {
        var result = Verify(Hashtest, "hashtest-1.2.3.tgz", Vector(prov));
        AssertVerified(result);
        Assert.Equal(new DateTime(2019, 4, 1), result.SignedAt!.Value.Date);
    }

    [Fact]
    public void Verify_Signtest_VerifiesWithHelmFingerprintAndHash()
    {
        var result = Verify(Vector("extra/downloader-testdata/signtest-0.1.0.tgz"), "signtest-0.1.0.tgz", Vector("extra/downloader-testdata/signtest-0.1.0.tgz.prov"));
        AssertVerified(result);
        Assert.Equal("e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55", result.Sha256);
        Assert.Equal(HelmFingerprint, result.Signer!.Fingerprint);
        Assert.Equal(["Helm Testing (This key should only be used for testing. DO NOT TRUST.) <helm-testing@helm.sh>"], result.Signer.UserIds);
    }

    [Fact]
    public void Verify_EmptyKeyring_UnknownSignerSaysTheKeyringHoldsNoKeys()
    {
        // gpg --export with a mistyped name writes an empty keyring (and exits 0): the refusal says so.
        var result = Verify(File.ReadAllBytes(TestPaths.Helm("hashtest-1.2.3.tgz")), "hashtest-1.2.3.tgz",
            File.ReadAllBytes(TestPaths.Helm("hashtest-1.2.3.tgz.prov")), Keyring.Parse(ReadOnlyMemory<byte>.Empty, "pubring.gpg"));

        AssertRejected(result, RejectionReason.UnknownSigner);
        Assert.EndsWith("(not in pubring.gpg, which holds no keys)", ((ChartVerification.Rejected)result).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_PasswordKeyAsKeyring_UnknownSigner()
    {
        var ring = Keyring.Load(TestPaths.Helm("helm-password-key.secret"));
        var result = Verify(Hashtest, "hashtest-1.2.3.tgz", Vector("hashtest-1.2.3.tgz.prov"), ring);
        AssertRejected(result, RejectionReason.UnknownSigner);
    }

    [Fact]
    public void Verify_MixedKeyring_VerifiesWithRsaSigner()
    {
        var ring = Keyring.Load(TestPaths.Helm("helm-mixed-keyring.pub"));
        Assert.True(ring.ContainsPrimary("4CBE754C25580C6C878DE711FB856812CE2FCB64"));
        AssertVerified(Verify(Hashtest, "hashtest-1.2.3.tgz", Vector("hashtest-1.2.3.tgz.prov"), ring));

        byte[] ours = SignArchive(Hashtest, "hashtest-1.2.3.tgz");
        var result = Verify(Hashtest, "hashtest-1.2.3.tgz", ours, ring);
        AssertVerified(result);
        Assert.Equal(HelmFingerprint, result.Signer!.Fingerprint);
    }

    [Fact]
    public void BuildBody_Hashtest_EqualsMsgblockYaml()
    {
        string expected = Utf8(Vector("msgblock.yaml"));
        var contents = ChartArchive.Read(Hashtest, "hashtest-1.2.3.tgz");
        Assert.Equal(expected, ProvenanceBody.Build(ChartYaml.Serialize(contents.Metadata), "hashtest-1.2.3.tgz", HashtestSha));
        Assert.Equal(expected, ChartSigning.BuildBody(Hashtest, "hashtest-1.2.3.tgz"));
    }

    [Fact]
    public void Sign_HashtestWithHelmTestKey_ContainsMsgblockVerbatimAndVerifies()
    {
        byte[] prov = SignArchive(Hashtest, "/some/dir/hashtest-1.2.3.tgz");
        string text = Utf8(prov);
        Assert.Contains(Utf8(Vector("msgblock.yaml")), text);
        Assert.StartsWith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n", text);
        AssertVerified(Verify(Hashtest, "hashtest-1.2.3.tgz", prov));
    }

    [Fact]
    public void ParseBody_Msgblock_HasOneFileEntry()
    {
        var body = ProvenanceBody.TryParse(Utf8(Vector("msgblock.yaml")), out string error);
        Assert.NotNull(body);
        Assert.Equal("", error);
        var entry = Assert.Single(body!.Files);
        Assert.Equal("hashtest-1.2.3.tgz", entry.Key);
        Assert.Equal("sha256:" + HashtestSha, entry.Value);
    }

    [Fact]
    public void Unlock_PasswordKeyWithSecret_SignsAndVerifies()
    {
        var ring = Keyring.Load(TestPaths.Helm("helm-password-key.secret"));
        var key = SigningKeySelector.Select(ring, "password key (fake) <fake@helm.sh>", DateTime.UtcNow);
        Assert.True(key.IsEncrypted);
        var priv = key.Unlock("secret");
        byte[] prov = ChartSigning.Sign(Hashtest, "hashtest-1.2.3.tgz", key, priv, DateTime.UtcNow.AddMinutes(-1));
        AssertVerified(Verify(Hashtest, "hashtest-1.2.3.tgz", prov, ring));
    }

    [Fact]
    public void Unlock_PasswordKeyWithWrongPassphrase_ThrowsOneLineNamingKey()
    {
        var ring = Keyring.Load(TestPaths.Helm("helm-password-key.secret"));
        var key = SigningKeySelector.Select(ring, "password key (fake) <fake@helm.sh>", DateTime.UtcNow);
        var e = Assert.Throws<ChartsealException>(() => key.Unlock("secrets_and_lies"));
        Assert.Contains("password key (fake) <fake@helm.sh>", e.Message);
        Assert.Contains("passphrase", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("helm-test-key.pub")]
    [InlineData("helm-test-key.secret")]
    public void LoadKeyring_HelmTestKey_OneEntityWithUid(string file)
    {
        var ring = Keyring.Load(TestPaths.Helm(file));
        var entity = Assert.Single(ring.PublicKeyRings);
        Assert.Contains("Helm Testing (This key should only be used for testing. DO NOT TRUST.) <helm-testing@helm.sh>", KeyInfo.UserIds(entity));
        Assert.True(ring.ContainsPrimary(HelmFingerprint));
    }
}

using Chartseal.Keys;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Tests.Keys;

public sealed class KeyInfoTests
{
    [Fact]
    public void Fingerprint_HelmTestKey_IsFortyUpperCaseHexDigits()
    {
        PgpPublicKey key = Keyring.Load(TestPaths.Helm("helm-test-key.pub")).PublicKeyRings[0].GetPublicKey();

        Assert.Equal(KeyringTests.HelmFingerprint, KeyInfo.Fingerprint(key));
        Assert.Equal("843BBF981FC18762", KeyInfo.KeyId(key));
        Assert.Equal("rsa2048", KeyInfo.AlgorithmName(key));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1469476254).UtcDateTime, KeyInfo.Created(key));
        Assert.Equal(DateTimeKind.Utc, KeyInfo.Created(key).Kind);
    }

    [Fact]
    public void PrimaryUserId_HelmTestKey_IsItsOnlyUserId()
    {
        PgpPublicKeyRing ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub")).PublicKeyRings[0];

        Assert.Equal(KeyringTests.HelmUserId, KeyInfo.PrimaryUserId(ring));
        Assert.Null(KeyInfo.ExpiresAt(ring.GetPublicKey(), ring));
    }

    [Fact]
    public void ExpiresAt_MixedKeyringEd25519Key_IsFromItsSelfSignature()
    {
        PgpPublicKeyRing ring = Keyring.Load(TestPaths.Helm("helm-mixed-keyring.pub")).PublicKeyRings[1];

        DateTime? expires = KeyInfo.ExpiresAt(ring.GetPublicKey(), ring);

        Assert.Equal(new DateTime(2028, 9, 18), expires?.Date);
        Assert.Equal("Helm Ed25519 Test <helm-ed25519@helm.sh>", KeyInfo.PrimaryUserId(ring));
    }

    [Fact]
    public void UserIds_UserIdWithoutSelfSignature_IsLeftOut()
    {
        // Anyone can append a user id packet to a certificate; only self-certified ones count.
        (PgpPublicKeyRing ring, _) = TestKeys.Simple("Real <real@example.com>");
        byte[] fakeUserId = [0xCD, 0x11, .. "Fake <ceo@corp.io>"u8.ToArray()[..17]];
        var extended = new PgpPublicKeyRing((byte[])[.. ring.GetEncoded(), .. fakeUserId]);

        Assert.Equal(2, extended.GetPublicKey().GetUserIds().Count());
        Assert.Equal(["Real <real@example.com>"], KeyInfo.UserIds(extended));
        Assert.Equal("Real <real@example.com>", KeyInfo.PrimaryUserId(extended));
    }

    [Fact]
    public void UserIds_SeveralUserIds_PrimaryFlagWins()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("First <first@example.com>", "ed25519");
        gpg.RunChecked("--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-uid", fingerprint, "Second <second@example.com>");
        gpg.RunChecked("--pinentry-mode", "loopback", "--passphrase", "", "--quick-set-primary-uid", fingerprint, "Second <second@example.com>");
        PgpPublicKeyRing ring = Keyring.Parse(gpg.ExportPublic(fingerprint), "k.gpg").PublicKeyRings[0];

        Assert.Equal(["First <first@example.com>", "Second <second@example.com>"], KeyInfo.UserIds(ring).Order());
        Assert.Equal("Second <second@example.com>", KeyInfo.PrimaryUserId(ring));
    }

    [Fact]
    public void UserIds_NonAsciiUserId_FoundVerifiedAndShownAsWritten()
    {
        // BouncyCastle decodes user ids as Latin-1 but looks them up as UTF-8: "José" crashed every key operation.
        (PgpPublicKeyRing ring, PgpSecretKeyRing secret) = TestKeys.Simple("José Müller \u202e <jose@example.com>");

        Assert.Equal(["José Müller \u202e <jose@example.com>"], KeyInfo.UserIds(ring));
        Assert.Equal("José Müller \u202e <jose@example.com>", KeyInfo.PrimaryUserId(ring));
        var keyring = Keyring.Parse(secret.GetEncoded(), "jose.sec");
        var key = SigningKeySelector.Select(keyring, "josé", TestKeys.Created.AddDays(1));
        Assert.Equal("José Müller \u202e <jose@example.com>", key.UserId);
    }

    [Fact]
    public void UserIds_NonAsciiUserIdMadeByGpg_SignsAndVerifies()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        // gpg reads arguments in its locale (LC_ALL=C here) unless told they are UTF-8.
        gpg.RunChecked("--utf8-strings", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "Zoë Ærøskøbing <zoe@example.com>", "ed25519", "default", "never");
        string fingerprint = gpg.Fingerprint("zoe@example.com");
        var secret = Keyring.Parse(gpg.ExportSecret(fingerprint), "zoe.sec");
        var publicKeys = Keyring.Parse(gpg.ExportPublic(fingerprint), "zoe.pub");
        byte[] archive = File.ReadAllBytes(TestPaths.Helm("hashtest-1.2.3.tgz"));
        DateTime now = DateTime.UtcNow.AddMinutes(1); // after the key's creation second
        var key = SigningKeySelector.Select(secret, "zoë", now);

        byte[] prov = Chartseal.Provenance.ChartSigning.Sign(archive, "hashtest-1.2.3.tgz", key, key.Unlock(null), now);
        var result = Chartseal.Provenance.ChartVerifier.Verify(archive, "hashtest-1.2.3.tgz", prov, publicKeys, now.AddMinutes(1));
        var verified = Assert.IsType<Chartseal.Provenance.ChartVerification.Verified>(result);

        Assert.Equal(["Zoë Ærøskøbing <zoe@example.com>"], verified.Signer.UserIds);
    }
}

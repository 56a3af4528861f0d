using System.Diagnostics;
using System.Text;
using Chartseal.Keys;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Utilities;
using Chartseal.OpenPgp;

namespace Chartseal.Tests.Keys;

public sealed class KeyValidityTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Check_HelmTestKeyPrimary_IsValidForever()
    {
        PgpPublicKeyRing ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub")).PublicKeyRings[0];

        KeyValidityResult result = KeyValidity.Check(ring.GetPublicKey(), ring, Now);

        Assert.Equal(KeyStatus.Valid, result.Status);
        Assert.Null(result.ExpiresAt);
        Assert.Null(result.Revocation);
    }

    [Fact]
    public void Check_HelmTestKeyEncryptionSubkey_IsNotForSigning()
    {
        PgpPublicKeyRing ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub")).PublicKeyRings[0];

        KeyValidityResult result = KeyValidity.Check(ring.GetPublicKeys().Last(), ring, Now);

        Assert.Equal(KeyStatus.NotForSigning, result.Status);
        Assert.Equal("subkey not flagged for signing (usage: encrypt)", result.Detail);
    }

    [Fact]
    public void Check_Ed25519KeyAfterItsExpiry_IsExpired()
    {
        PgpPublicKeyRing ring = Keyring.Load(TestPaths.Helm("helm-mixed-keyring.pub")).PublicKeyRings[1];
        DateTime expiry = KeyInfo.ExpiresAt(ring.GetPublicKey(), ring)!.Value;

        KeyValidityResult before = KeyValidity.Check(ring.GetPublicKey(), ring, expiry.AddSeconds(-1));
        KeyValidityResult after = KeyValidity.Check(ring.GetPublicKey(), ring, expiry);

        Assert.Equal(KeyStatus.Valid, before.Status);
        Assert.Equal(KeyStatus.Expired, after.Status);
        Assert.Equal(expiry, after.ExpiresAt);
        Assert.StartsWith("primary key expired 2028-09-18", after.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BeforeKeyCreation_IsNotYetValid()
    {
        PgpPublicKeyRing ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub")).PublicKeyRings[0];

        KeyValidityResult result = KeyValidity.Check(ring.GetPublicKey(), ring, new DateTime(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal(KeyStatus.NotYetValid, result.Status);
    }

    [Fact]
    public void Check_SigningSubkeyWithBackSignature_IsValid()
    {
        (PgpPublicKeyRing ring, _) = TestKeys.WithSigningSubkey(backSignature: true);

        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(ring.GetPublicKeys().Last(), ring, Now).Status);
        Assert.Equal(KeyStatus.NotForSigning, KeyValidity.Check(ring.GetPublicKey(), ring, Now).Status);
    }

    [Fact]
    public void Check_SigningSubkeyWithoutBackSignature_IsInvalidBinding()
    {
        // Without the back-signature anyone could bind someone else's signing key to their own certificate.
        (PgpPublicKeyRing ring, _) = TestKeys.WithSigningSubkey(backSignature: false);

        KeyValidityResult result = KeyValidity.Check(ring.GetPublicKeys().Last(), ring, Now);

        Assert.Equal(KeyStatus.InvalidBinding, result.Status);
        Assert.Contains("back-signature", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SubkeyOfExpiredPrimary_IsExpired()
    {
        (PgpPublicKeyRing ring, _) = TestKeys.WithSigningSubkey(primaryExpiry: 3600);

        KeyValidityResult result = KeyValidity.Check(ring.GetPublicKeys().Last(), ring, Now);

        Assert.Equal(KeyStatus.Expired, result.Status);
        Assert.Equal(TestKeys.Created.AddHours(1), result.ExpiresAt);
    }

    [Fact]
    public void Check_ExpiredSubkeyOfLivePrimary_IsExpired()
    {
        (PgpPublicKeyRing ring, _) = TestKeys.WithSigningSubkey(subkeyExpiry: 86400);

        KeyValidityResult result = KeyValidity.Check(ring.GetPublicKeys().Last(), ring, Now);

        Assert.Equal(KeyStatus.Expired, result.Status);
        Assert.Equal("subkey expired 2024-01-03 00:00:00Z", result.Detail);
    }

    [Fact]
    public void Check_SubkeyFromAnotherCertificate_IsUnknown()
    {
        (PgpPublicKeyRing a, _) = TestKeys.WithSigningSubkey();
        (PgpPublicKeyRing b, _) = TestKeys.WithSigningSubkey();

        Assert.Equal(KeyStatus.Unknown, KeyValidity.Check(a.GetPublicKeys().Last(), b, Now).Status);
        Assert.Equal(KeyStatus.Unknown, KeyValidity.Check(a.GetPublicKey(), b, Now).Status);
    }

    [Fact]
    public void Check_ForgedRevocationNamingTheKey_IsIgnored()
    {
        // HasRevocation() would say "revoked" here; only a verifying revocation counts.
        (PgpPublicKeyRing victim, _) = TestKeys.Simple("Victim <victim@example.com>");
        (_, PgpSecretKeyRing attacker) = TestKeys.Simple("Mallory <mallory@example.com>");
        PgpPublicKeyRing forged = TestKeys.WithForgedRevocation(victim, attacker);
        Assert.True(forged.GetPublicKey().HasRevocation());

        KeyValidityResult result = KeyValidity.Check(forged.GetPublicKey(), forged, Now);

        Assert.Equal(KeyStatus.Valid, result.Status);
    }

    [Fact]
    public void Check_UserIdAlteredAfterSigning_IsInvalidSelfSignature()
    {
        (PgpPublicKeyRing ring, _) = TestKeys.Simple("Alice <alice@example.com>");
        byte[] bytes = ring.GetEncoded();
        byte[] uid = Encoding.UTF8.GetBytes("Alice <alice@example.com>");
        int at = bytes.AsSpan().IndexOf(uid);
        bytes[at] = (byte)'M';
        var tampered = new PgpPublicKeyRing(bytes);

        KeyValidityResult result = KeyValidity.Check(tampered.GetPublicKey(), tampered, Now);

        Assert.Equal(KeyStatus.InvalidSelfSignature, result.Status);
        Assert.Empty(KeyInfo.UserIds(tampered));
        Assert.Null(KeyInfo.PrimaryUserId(tampered));
    }

    [Fact]
    public void Check_KeyWithoutKeyFlags_IsValidWhenAlgorithmCanSign()
    {
        // Old keys (and Helm's test key's era) may lack the key-flags subpacket; gpg infers usage.
        PgpKeyPair pair = TestKeys.Ed25519(TestKeys.Created);
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetSignatureCreationTime(false, TestKeys.Created);
        var generator = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, pair, "Old <old@example.com>",
            SymmetricKeyAlgorithmTag.Null, HashAlgorithmTag.Sha256, true, [], false, subpackets.Generate(), null, new Org.BouncyCastle.Security.SecureRandom());
        PgpPublicKeyRing ring = generator.GeneratePublicKeyRing();

        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(ring.GetPublicKey(), ring, Now).Status);
    }

    [Fact]
    public void Check_CalledTenThousandTimes_IsCheap()
    {
        PgpPublicKeyRing ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub")).PublicKeyRings[0];
        KeyValidity.Check(ring.GetPublicKey(), ring, Now);

        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 10_000; i++)
        {
            Assert.True(KeyValidity.Check(ring.GetPublicKey(), ring, Now.AddSeconds(i)).IsValid);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"10,000 checks took {watch.Elapsed}");
    }

    [Fact]
    public void RunWithoutRepeatedKeyValidation_SetsAndRestoresTheThreadProperty()
    {
        Properties.SetThreadProperty(Properties.RsaMaxMRTests, "7");
        try
        {
            string? inside = OpenPgpPerformance.RunWithoutRepeatedKeyValidation(() => Properties.GetThreadProperty(Properties.RsaMaxMRTests));

            Assert.Equal("0", inside);
            Assert.Equal("7", Properties.GetThreadProperty(Properties.RsaMaxMRTests));
        }
        finally
        {
            Properties.RemoveThreadProperty(Properties.RsaMaxMRTests);
        }
    }

    [Fact]
    public void Check_GpgKeyGeneratedInThePastWithOneYearExpiry_IsExpired()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Old <old@example.com>", "ed25519", expire: "1y", extraArgs: ["--faked-system-time", "20200101T000000"]);
        PgpPublicKeyRing ring = Keyring.Parse(gpg.ExportPublic(fingerprint), "old.gpg").PublicKeyRings[0];

        KeyValidityResult result = KeyValidity.Check(ring.GetPublicKey(), ring, Now);

        Assert.Equal(KeyStatus.Expired, result.Status);
        Assert.Equal(2020, result.ExpiresAt?.Year);
        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(ring.GetPublicKey(), ring, new DateTime(2020, 6, 1, 0, 0, 0, DateTimeKind.Utc)).Status);
    }

    [Fact]
    public void Check_GpgRevokedKey_IsRevokedWithReason()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Gone <gone@example.com>", "ed25519");
        gpg.AddSubkey(fingerprint, "ed25519", "sign");
        gpg.Revoke(fingerprint, "Key compromised in test");
        PgpPublicKeyRing ring = Keyring.Parse(gpg.ExportPublic(fingerprint), "gone.gpg").PublicKeyRings[0];

        KeyValidityResult primary = KeyValidity.Check(ring.GetPublicKey(), ring, DateTime.UtcNow);
        KeyValidityResult subkey = KeyValidity.Check(ring.GetPublicKeys().Last(), ring, DateTime.UtcNow);

        Assert.Equal(KeyStatus.Revoked, primary.Status);
        Assert.Equal(RevocationReasonTag.KeyCompromised, primary.Revocation?.Reason);
        Assert.Equal("Key compromised in test", primary.Revocation?.Description);
        Assert.Contains("reason KeyCompromised: Key compromised in test", primary.Detail, StringComparison.Ordinal);
        Assert.Equal(KeyStatus.Revoked, subkey.Status); // a primary key revocation revokes every subkey
    }

    [Fact]
    public void Check_GpgCertifyOnlyPrimaryWithSigningSubkey_SubkeyValidPrimaryNot()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Cert <cert@example.com>", "ed25519", usage: "cert");
        string subkeyFingerprint = gpg.AddSubkey(fingerprint, "ed25519", "sign");
        Keyring keyring = Keyring.Parse(gpg.ExportPublic(fingerprint), "cert.gpg");
        KeyMatch subkey = keyring.Find(0, Convert.FromHexString(subkeyFingerprint))!;

        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(subkey.Key, subkey.Ring, DateTime.UtcNow).Status);
        KeyValidityResult primary = KeyValidity.Check(subkey.Ring.GetPublicKey(), subkey.Ring, DateTime.UtcNow);
        Assert.Equal(KeyStatus.NotForSigning, primary.Status);
        Assert.Equal("primary key not flagged for signing (usage: certify)", primary.Detail);
    }

    [Theory]
    [InlineData("rsa2048", "rsa2048")]
    [InlineData("nistp256", "nistp256")]
    [InlineData("dsa2048", "dsa2048")]
    public void Check_GpgKeysOfEachAlgorithm_AreValid(string algorithm, string expectedName)
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey($"{algorithm} <{algorithm}@example.com>", algorithm);
        PgpPublicKeyRing ring = Keyring.Parse(gpg.ExportPublic(fingerprint), "k.gpg").PublicKeyRings[0];

        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(ring.GetPublicKey(), ring, DateTime.UtcNow).Status);
        Assert.Equal(expectedName, KeyInfo.AlgorithmName(ring.GetPublicKey()));
    }
}

using System.Text;
using Chartseal.Keys;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Tests.Keys;

public sealed class KeyGeneratorTests
{
    private static readonly DateTime Now = new(2026, 1, 15, 10, 30, 45, 123, DateTimeKind.Utc);

    [Theory]
    [InlineData(KeyAlgorithm.Ed25519)]
    [InlineData(KeyAlgorithm.Rsa3072)]
    public void Generate_PublicKey_ImportsIntoGpgWithSignCapability(KeyAlgorithm algorithm)
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        GeneratedKey key = KeyGenerator.Generate("Gen <gen@example.com>", algorithm, null, null, DateTime.UtcNow);
        using var gpg = new GpgHome();
        File.WriteAllText(gpg.File("pub.asc"), key.PublicKeyArmored);

        gpg.RunChecked("--import", gpg.File("pub.asc"));

        List<string[]> records = gpg.ColonFields(key.Fingerprint);
        Assert.Equal(key.Fingerprint, records.First(r => r[0] == "fpr")[9]);
        string[] pub = records.First(r => r[0] == "pub");
        Assert.Contains('s', pub[11]); // the primary key itself can sign
        Assert.Contains('S', pub[11]); // and so the key as a whole
        Assert.Equal("Gen <gen@example.com>", records.First(r => r[0] == "uid")[9]);
    }

    [Theory]
    [InlineData(KeyAlgorithm.Ed25519)]
    [InlineData(KeyAlgorithm.Rsa3072)]
    public void Generate_ProtectedSecretKey_GpgImportsItAndSignsWithThePassphrase(KeyAlgorithm algorithm)
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        const string passphrase = "correct hörse";
        GeneratedKey key = KeyGenerator.Generate("Gen <gen@example.com>", algorithm, TimeSpan.FromDays(365), passphrase, DateTime.UtcNow);
        using var gpg = new GpgHome();
        File.WriteAllText(gpg.File("sec.asc"), key.SecretKeyArmored);

        gpg.RunChecked("--pinentry-mode", "loopback", "--passphrase", passphrase, "--import", gpg.File("sec.asc"));
        GpgResult signed = gpg.RunWithInput("hello\n", "--pinentry-mode", "loopback", "--passphrase", passphrase,
            "--clearsign", "--digest-algo", "SHA512", "--local-user", key.Fingerprint);
        Assert.True(signed.ExitCode == 0, signed.StdErr);
        File.WriteAllText(gpg.File("msg.asc"), signed.StdOut);

        Assert.Equal(0, gpg.Run("--verify", gpg.File("msg.asc")).ExitCode);
        gpg.KillAgent(); // forget the cached passphrase
        GpgResult wrong = gpg.RunWithInput("hello\n", "--pinentry-mode", "loopback", "--passphrase", "wrong",
            "--clearsign", "--local-user", key.Fingerprint);
        Assert.NotEqual(0, wrong.ExitCode);
    }

    [Fact]
    public void Generate_WithPassphrase_UsesAes256AndIteratedSaltedSha256()
    {
        GeneratedKey key = KeyGenerator.Generate("Gen <gen@example.com>", KeyAlgorithm.Ed25519, null, "pässwörd€", Now);
        Keyring ring = Keyring.Parse(Encoding.ASCII.GetBytes(key.SecretKeyArmored), "gen.asc");

        foreach (PgpSecretKey secret in ring.SecretKeyRings[0].GetSecretKeys())
        {
            Assert.Equal(SymmetricKeyAlgorithmTag.Aes256, secret.KeyEncryptionAlgorithm);
            Assert.Equal(254, secret.S2kUsage);
            Assert.Equal(S2k.SaltedAndIterated, secret.S2k.Type);
            Assert.Equal(HashAlgorithmTag.Sha256, secret.S2k.HashAlgorithm);
        }
        SigningKey signing = SigningKeySelector.Select(ring, key.Fingerprint, Now);
        Assert.True(signing.IsEncrypted);
        Assert.NotNull(signing.Unlock("pässwörd€"));
        Assert.Equal("wrong passphrase for key \"Gen <gen@example.com>\"",
            Assert.Throws<ChartsealException>(() => signing.Unlock("passwörd")).Reason);
    }

    [Fact]
    public void Generate_WithoutPassphrase_IsUnprotected()
    {
        GeneratedKey key = KeyGenerator.Generate("Gen <gen@example.com>", KeyAlgorithm.Ed25519, null, "", Now);

        SigningKey signing = SigningKeySelector.Select(Keyring.Parse(Encoding.ASCII.GetBytes(key.SecretKeyArmored), "gen.asc"), "gen@", Now);

        Assert.False(signing.IsEncrypted);
        Assert.NotNull(signing.Unlock(null));
    }

    [Fact]
    public void Generate_Armor_HasGpgLayoutWithoutVersionHeader()
    {
        GeneratedKey key = KeyGenerator.Generate("Gen <gen@example.com>", KeyAlgorithm.Ed25519, null, null, Now);

        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n", key.PublicKeyArmored, StringComparison.Ordinal);
        Assert.EndsWith("\n-----END PGP PUBLIC KEY BLOCK-----\n", key.PublicKeyArmored, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n", key.SecretKeyArmored, StringComparison.Ordinal);
        foreach (string armored in new[] { key.PublicKeyArmored, key.SecretKeyArmored })
        {
            Assert.DoesNotContain("Version:", armored, StringComparison.Ordinal);
            Assert.DoesNotContain('\r', armored);
            Assert.All(armored.Split('\n'), line => Assert.True(line.Length <= 64 || line.StartsWith("-----", StringComparison.Ordinal)));
            Assert.Matches("\n=[A-Za-z0-9+/]{4}\n-----END", armored);
        }
    }

    [Fact]
    public void Generate_Ed25519_HasSelfSignatureWithPreferencesAndAnEncryptionSubkey()
    {
        GeneratedKey key = KeyGenerator.Generate("Gen <gen@example.com>", KeyAlgorithm.Ed25519, null, null, Now);
        PgpPublicKeyRing ring = Keyring.Parse(Encoding.ASCII.GetBytes(key.PublicKeyArmored), "gen.asc").PublicKeyRings[0];
        PgpPublicKey primary = ring.GetPublicKey();
        PgpSignatureSubpacketVector hashed = primary.GetSignaturesForId("Gen <gen@example.com>").Single().GetHashedSubPackets();

        Assert.Equal(key.Fingerprint, KeyInfo.Fingerprint(primary));
        Assert.Equal(PublicKeyAlgorithmTag.EdDsa_Legacy, primary.Algorithm);
        Assert.Equal(4, primary.Version);
        Assert.Equal(new DateTime(2026, 1, 15, 10, 30, 45, DateTimeKind.Utc), KeyInfo.Created(primary));
        Assert.Equal(PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign, hashed.GetKeyFlags());
        Assert.Equal([(int)HashAlgorithmTag.Sha512, (int)HashAlgorithmTag.Sha384, (int)HashAlgorithmTag.Sha256], hashed.GetPreferredHashAlgorithms());
        Assert.True(hashed.GetFeatures().SupportsModificationDetection);
        Assert.Equal(["ed25519", "cv25519"], ring.GetPublicKeys().Select(KeyInfo.AlgorithmName));
        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(primary, ring, Now).Status);
        Assert.Equal(KeyStatus.NotForSigning, KeyValidity.Check(ring.GetPublicKeys().Last(), ring, Now).Status);
    }

    [Fact]
    public void Generate_WithValidity_ExpiresAfterIt()
    {
        GeneratedKey key = KeyGenerator.Generate("Gen <gen@example.com>", KeyAlgorithm.Ed25519, Duration.Parse("90d"), null, Now);
        PgpPublicKeyRing ring = Keyring.Parse(Encoding.ASCII.GetBytes(key.PublicKeyArmored), "gen.asc").PublicKeyRings[0];
        DateTime created = new(2026, 1, 15, 10, 30, 45, DateTimeKind.Utc);

        Assert.Equal(created.AddDays(90), KeyInfo.ExpiresAt(ring.GetPublicKey(), ring));
        Assert.Equal(created.AddDays(90), KeyInfo.ExpiresAt(ring.GetPublicKeys().Last(), ring));
        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(ring.GetPublicKey(), ring, created.AddDays(89)).Status);
        Assert.Equal(KeyStatus.Expired, KeyValidity.Check(ring.GetPublicKey(), ring, created.AddDays(91)).Status);
    }

    [Fact]
    public void Generate_Rsa4096_IsValidRsaKeyOfThatSize()
    {
        GeneratedKey key = KeyGenerator.Generate("Big <big@example.com>", KeyAlgorithm.Rsa4096, null, null, Now);
        PgpPublicKeyRing ring = Keyring.Parse(Encoding.ASCII.GetBytes(key.PublicKeyArmored), "big.asc").PublicKeyRings[0];

        Assert.Equal("rsa4096", KeyInfo.AlgorithmName(ring.GetPublicKey()));
        Assert.Single(ring.GetPublicKeys());
        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(ring.GetPublicKey(), ring, Now).Status);
        SigningKey signing = SigningKeySelector.Select(Keyring.Parse(Encoding.ASCII.GetBytes(key.SecretKeyArmored), "big.asc"), "big", Now);
        Assert.NotNull(signing.Unlock(null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Generate_EmptyUserId_Throws(string userId)
    {
        Assert.Throws<ChartsealException>(() => KeyGenerator.Generate(userId, KeyAlgorithm.Ed25519, null, null, Now));
    }
}

using System.Text;
using Chartseal.Keys;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Tests.Keys;

public sealed class KeyringTests
{
    internal const string HelmFingerprint = "5E615389B53CA37F0EE60BD3843BBF981FC18762";
    internal const string HelmUserId = "Helm Testing (This key should only be used for testing. DO NOT TRUST.) <helm-testing@helm.sh>";
    internal const string HelmEncryptionSubkeyId = "09B0608CD125E546";
    internal const string Ed25519Fingerprint = "4CBE754C25580C6C878DE711FB856812CE2FCB64";
    internal const string PasswordKeyFingerprint = "E18D0BE258CB62933597C3527A891631B10DA2B1";

    [Fact]
    public void Load_HelmTestKeyPub_HoldsOneCertificateWithItsUserId()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub"));

        PgpPublicKeyRing certificate = Assert.Single(ring.PublicKeyRings);
        Assert.Equal(HelmFingerprint, KeyInfo.Fingerprint(certificate.GetPublicKey()));
        Assert.Equal([HelmUserId], KeyInfo.UserIds(certificate));
        Assert.Empty(ring.SecretKeyRings);
        Assert.Empty(ring.Skipped);
        Assert.Equal(TestPaths.Helm("helm-test-key.pub"), ring.SourceName);
    }

    [Fact]
    public async Task Load_EndlessPipe_StopsAtTheKeyringSizeCap()
    {
        // --keyring <(yes) or a producer that never stops: the read ends one byte past the cap, never holds more.
        Assert.SkipWhen(OperatingSystem.IsWindows(), "named pipes are POSIX");
        using var temp = new TempDirectory();
        string path = temp.File("endless");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, mkfifo.ExitCode);
        }
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            using var pipe = new FileStream(path, FileMode.Open, FileAccess.Write);
            byte[] chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("-----BEGIN PGP PUBLIC KEY BLOCK-----\n", 2000)));
            long written = 0;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    pipe.Write(chunk);
                    written += chunk.Length;
                }
            }
            catch (IOException)
            {
                // The reader stopped reading (broken pipe).
            }
            return written;
        });

        var error = Assert.Throws<ChartsealException>(() => Keyring.Load(path));
        await stop.CancelAsync();

        Assert.Equal($"is larger than the {Keyring.MaxFileSize} byte limit", error.Reason);
        long sent = await writer.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.InRange(sent, Keyring.MaxFileSize, Keyring.MaxFileSize + (2L << 20));
    }

    [Fact]
    public void Load_NamedPipe_ReadsTheKeys()
    {
        // --keyring <(gpg --export-secret-keys KEY) keeps the secret key off the disk; the shell hands over a pipe.
        Assert.SkipWhen(OperatingSystem.IsWindows(), "named pipes are POSIX");
        using var temp = new TempDirectory();
        using var pipe = new NamedPipe(temp.File("secring"), File.ReadAllBytes(TestPaths.Helm("helm-test-key.secret")));

        Keyring ring = Keyring.Load(pipe.Path);

        Assert.Equal(HelmFingerprint, KeyInfo.Fingerprint(Assert.Single(ring.SecretKeyRings).GetPublicKey()));
    }

    [Fact]
    public void Load_GnupgHomeOrItsPrivateKeyFile_SaysHowToExportTheSecretKey()
    {
        // gpg >= 2.1 keeps secret keys in private-keys-v1.d/*.key (the agent's own format), which is no keyring.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        gpg.GenerateKey("Agent <agent@example.com>", "ed25519", passphrase: "pw");
        string keyFile = Directory.GetFiles(gpg.File("private-keys-v1.d")).First();

        var fromFile = Assert.Throws<ChartsealException>(() => Keyring.Load(keyFile));
        var fromHome = Assert.Throws<ChartsealException>(() => Keyring.Load(gpg.Path));

        Assert.Equal(keyFile, fromFile.File);
        Assert.Equal("a GnuPG agent key file (private-keys-v1.d), not an OpenPGP keyring: export the key with "
            + "gpg --export-secret-keys, or sign with --gpg", fromFile.Reason);
        Assert.Equal("is a directory, not a keyring file (a GnuPG home: give its pubring.kbx to verify; to sign, export the key "
            + "with gpg --export-secret-keys, or sign with --gpg)", fromHome.Reason);
    }

    [Fact]
    public void Parse_SameSecretKeyTwice_IsOneKeyAndTheCopyWithTheSecretsIsKept()
    {
        // cat old-export.asc new-export.asc > keys.asc: the same secret key twice must not make --key "ambiguous"
        // between a fingerprint and itself; beside a --export-secret-subkeys copy (a stub primary), the full one is kept.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Twice <twice@example.com>", "ed25519");
        byte[] armored = gpg.ExportSecret(fingerprint, armor: true);
        byte[] full = gpg.ExportSecret(fingerprint);
        byte[] stub = gpg.RunChecked("--pinentry-mode", "loopback", "--passphrase", "", "--export-secret-subkeys", fingerprint).StdOutBytes;

        foreach (byte[] data in new[] { [.. armored, .. armored], [.. stub, .. full], (byte[])[.. full, .. stub] })
        {
            Keyring ring = Keyring.Parse(data, "keys.asc");

            PgpSecretKeyRing secret = Assert.Single(ring.SecretKeyRings);
            Assert.False(secret.GetSecretKey().IsPrivateKeyEmpty);
            Assert.Single(ring.PublicKeyRings);
            foreach (string id in new[] { "twice@example.com", "Twice", "Twice <twice@example.com>", fingerprint })
            {
                Assert.Equal(fingerprint, SigningKeySelector.Select(ring, id, DateTime.UtcNow).Fingerprint);
            }
        }
    }

    [Fact]
    public void Load_HelmTestKeySecret_HoldsSecretKeyAndItsPublicHalf()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

        PgpSecretKeyRing secret = Assert.Single(ring.SecretKeyRings);
        Assert.Equal(HelmFingerprint, KeyInfo.Fingerprint(secret.GetPublicKey()));
        PgpPublicKeyRing certificate = Assert.Single(ring.PublicKeyRings);
        Assert.Equal(HelmFingerprint, KeyInfo.Fingerprint(certificate.GetPublicKey()));
        Assert.Equal(2, certificate.GetPublicKeys().Count());
    }

    [Fact]
    public void Find_SecretKeyringUsedForVerification_FindsKeyBySignatureIssuer()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

        KeyMatch? match = ring.Find(Convert.ToInt64("843BBF981FC18762", 16), null);

        Assert.NotNull(match);
        Assert.Equal(HelmFingerprint, KeyInfo.Fingerprint(match.Key));
        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(match.Key, match.Ring, DateTime.UtcNow).Status);
    }

    [Fact]
    public void Load_MixedKeyring_HoldsRsaAndEd25519Certificates()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-mixed-keyring.pub"));

        Assert.Equal([HelmFingerprint, Ed25519Fingerprint], ring.PublicKeyRings.Select(r => KeyInfo.Fingerprint(r.GetPublicKey())));
        Assert.Equal("ed25519", KeyInfo.AlgorithmName(ring.PublicKeyRings[1].GetPublicKey()));
    }

    [Fact]
    public void Load_PasswordKeySecret_HoldsEncryptedSecretKey()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-password-key.secret"));

        PgpSecretKeyRing secret = Assert.Single(ring.SecretKeyRings);
        Assert.Equal(PasswordKeyFingerprint, KeyInfo.Fingerprint(secret.GetPublicKey()));
        Assert.NotEqual(0, secret.GetSecretKey().S2kUsage);
        Assert.False(ring.ContainsPrimary(HelmFingerprint));
    }

    [Fact]
    public void Parse_EmptyData_IsEmptyKeyring()
    {
        Keyring ring = Keyring.Parse(ReadOnlyMemory<byte>.Empty, "empty.gpg");

        Assert.Empty(ring.PublicKeyRings);
        Assert.Empty(ring.SecretKeyRings);
        Assert.Empty(ring.Skipped);
        Assert.Null(ring.Find(1234, null));
    }

    [Fact]
    public void Load_MissingFile_ThrowsNotFound()
    {
        using var temp = new TempDirectory();
        string path = temp.File("nope.gpg");

        var error = Assert.Throws<ChartsealException>(() => Keyring.Load(path));

        Assert.Equal(path, error.File);
        Assert.Equal("keyring file not found", error.Reason);
    }

    [Fact]
    public void Load_Directory_ThrowsIsADirectory()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<ChartsealException>(() => Keyring.Load(temp.Path));

        Assert.Contains("directory", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello, this is not a key\n")]
    [InlineData("{\"json\": true}")]
    public void Parse_Text_ThrowsNotAKeyring(string text)
    {
        var error = Assert.Throws<ChartsealException>(() => Keyring.Parse(Encoding.UTF8.GetBytes(text), "junk.txt"));

        Assert.StartsWith("not an OpenPGP keyring", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BinaryGarbage_ThrowsNoUsableKey()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

        var error = Assert.Throws<ChartsealException>(() => Keyring.Parse(png, "picture.png"));

        Assert.StartsWith("no usable OpenPGP key", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DetachedSignatureFile_ThrowsNoUsableKey()
    {
        // The signature block of a Helm .prov file is a signature packet, not a key.
        string prov = File.ReadAllText(TestPaths.Helm("hashtest-1.2.3.tgz.prov"));
        string signature = prov[prov.IndexOf("-----BEGIN PGP SIGNATURE-----", StringComparison.Ordinal)..];

        var error = Assert.Throws<ChartsealException>(() => Keyring.Parse(Encoding.ASCII.GetBytes(signature), "x.asc"));

        Assert.Contains("not a key block", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoConcatenatedArmorBlocks_ReadsBothKeys()
    {
        // `cat a.asc b.asc`: BouncyCastle's own decoder would stop after the first block.
        string a = Armor.Encode(Armor.PublicKeyBlock, File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub")));
        string b = Armor.Encode(Armor.PrivateKeyBlock, File.ReadAllBytes(TestPaths.Helm("helm-password-key.secret")));
        byte[] data = Encoding.ASCII.GetBytes("Some text before the keys\n" + a + "\n" + b.Replace("\n", "\r\n", StringComparison.Ordinal));

        Keyring ring = Keyring.Parse(data, "two.asc");

        Assert.Equal(2, ring.PublicKeyRings.Count);
        Assert.Single(ring.SecretKeyRings);
        Assert.True(ring.ContainsPrimary(HelmFingerprint));
        Assert.True(ring.ContainsPrimary(PasswordKeyFingerprint));
    }

    [Fact]
    public void Parse_ArmorBlockWithBadChecksum_SkipsOnlyThatBlock()
    {
        string good = Armor.Encode(Armor.PublicKeyBlock, File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub")));
        string bad = Armor.Encode(Armor.PublicKeyBlock, File.ReadAllBytes(TestPaths.Helm("helm-mixed-keyring.pub")));
        int crc = bad.IndexOf("\n=", StringComparison.Ordinal) + 2;
        bad = bad[..crc] + (bad[crc] == 'A' ? 'B' : 'A') + bad[(crc + 1)..];

        Keyring ring = Keyring.Parse(Encoding.ASCII.GetBytes(bad + good), "mixed.asc");

        Assert.Equal(HelmFingerprint, KeyInfo.Fingerprint(Assert.Single(ring.PublicKeyRings).GetPublicKey()));
        Assert.Contains("damaged armor", Assert.Single(ring.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_V6KeyBetweenV4Keys_SkipsOnlyTheV6Key()
    {
        byte[] v6Key = [0xC6, 0x0A, 6, 0x63, 0x87, 0x7F, 0xE3, 27, 0, 0, 0, 32];
        byte[] data = [.. File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub")), .. v6Key, .. File.ReadAllBytes(TestPaths.Helm("helm-password-key.secret"))];

        Keyring ring = Keyring.Parse(data, "mixed.gpg");

        Assert.Equal(2, ring.PublicKeyRings.Count);
        SkippedKey skipped = Assert.Single(ring.Skipped);
        Assert.Equal("OpenPGP v6 key (RFC 9580) is not supported", skipped.Reason);
        Assert.Equal("byte 1243", skipped.Location);
    }

    [Fact]
    public void Parse_OnlyV6Key_ThrowsNoUsableKey()
    {
        byte[] v6Key = [0xC6, 0x0A, 6, 0x63, 0x87, 0x7F, 0xE3, 27, 0, 0, 0, 32];

        var error = Assert.Throws<ChartsealException>(() => Keyring.Parse(v6Key, "v6.gpg"));

        Assert.Contains("v6", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SubkeyWithUnknownAlgorithm_DropsOnlyTheSubkey()
    {
        byte[] pub = File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub"));
        byte[] oddSubkey = [0xCE, 0x08, 4, 0x60, 0, 0, 0, 99, 1, 2];
        byte[] oddBinding = [0xC2, 0x03, 4, 0x18, 99];

        Keyring ring = Keyring.Parse((byte[])[.. pub, .. oddSubkey, .. oddBinding], "odd.gpg");

        PgpPublicKeyRing certificate = Assert.Single(ring.PublicKeyRings);
        Assert.Equal(2, certificate.GetPublicKeys().Count());
        Assert.Equal("unsupported public-key algorithm 99", Assert.Single(ring.Skipped).Reason);
    }

    [Fact]
    public void Parse_DamagedKeyBeforeGoodOne_SkipsTheDamagedKey()
    {
        // A v4 RSA key packet whose modulus MPI claims more bits than the packet holds.
        byte[] damaged = [0xC6, 0x09, 4, 0x60, 0, 0, 0, 1, 0x08, 0x00, 0xFF];
        byte[] data = [.. damaged, .. File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub"))];

        Keyring ring = Keyring.Parse(data, "damaged.gpg");

        Assert.Single(ring.PublicKeyRings);
        Assert.StartsWith("unreadable key", Assert.Single(ring.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedFile_KeepsTheKeysBeforeTheDamage()
    {
        byte[] pub = File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub"));
        byte[] mixed = File.ReadAllBytes(TestPaths.Helm("helm-mixed-keyring.pub"));
        byte[] data = [.. pub, .. mixed.AsSpan(0, 10)];

        Keyring ring = Keyring.Parse(data, "truncated.gpg");

        Assert.Single(ring.PublicKeyRings);
        Assert.Contains("unreadable OpenPGP packet header", Assert.Single(ring.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PublicAndSecretCopiesOfOneKey_MergesThemIntoOneCertificate()
    {
        byte[] data = [.. File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub")), .. File.ReadAllBytes(TestPaths.Helm("helm-test-key.secret"))];

        Keyring ring = Keyring.Parse(data, "both.gpg");

        Assert.Single(ring.PublicKeyRings);
        Assert.Single(ring.SecretKeyRings);
    }

    [Fact]
    public void Find_ByFingerprintKeyIdAndSubkey_ReturnsKeyAndCertificate()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-mixed-keyring.pub"));
        PgpPublicKeyRing helm = ring.PublicKeyRings[0];
        PgpPublicKey subkey = helm.GetPublicKeys().Last();

        Assert.Same(helm, ring.Find(0, Convert.FromHexString(HelmFingerprint))?.Ring);
        Assert.Same(subkey, ring.Find(Convert.ToInt64(HelmEncryptionSubkeyId, 16), null)?.Key);
        Assert.Same(ring.PublicKeyRings[1], ring.Find(Convert.ToInt64("FB856812CE2FCB64", 16), null)?.Ring);
        Assert.Single(ring.FindAll(subkey.KeyId));
    }

    [Fact]
    public void Find_FingerprintNotInKeyring_ReturnsNullEvenIfKeyIdMatches()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub"));
        byte[] otherFingerprint = Convert.FromHexString(PasswordKeyFingerprint);

        Assert.Null(ring.Find(Convert.ToInt64("843BBF981FC18762", 16), otherFingerprint));
    }

    [Theory]
    [InlineData("5E615389B53CA37F0EE60BD3843BBF981FC18762")]
    [InlineData("5e615389b53ca37f0ee60bd3843bbf981fc18762")]
    [InlineData("0x5E615389B53CA37F0EE60BD3843BBF981FC18762")]
    [InlineData("5E61 5389 B53C A37F 0EE6  0BD3 843B BF98 1FC1 8762")]
    public void ContainsPrimary_FingerprintInAnyNotation_IsTrue(string fingerprint)
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub"));

        Assert.True(ring.ContainsPrimary(fingerprint));
    }

    [Fact]
    public void ContainsPrimary_SubkeyFingerprint_IsFalse()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub"));
        string subkey = KeyInfo.Fingerprint(ring.PublicKeyRings[0].GetPublicKeys().Last());

        Assert.False(ring.ContainsPrimary(subkey));
    }

    [Fact]
    public void ExportPublic_SecretKeyring_IsBinaryPublicKeyringWithSameKeys()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

        byte[] exported = ring.ExportPublic();

        Assert.Equal(File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub")), exported);
    }

    [Fact]
    public void Merge_TwoKeyrings_HoldsAllCertificatesOnce()
    {
        Keyring a = Keyring.Load(TestPaths.Helm("helm-mixed-keyring.pub"));
        Keyring b = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

        Keyring merged = Keyring.Merge("merged", [a, b]);

        Assert.Equal(2, merged.PublicKeyRings.Count);
        Assert.Single(merged.SecretKeyRings);
        Assert.Equal("merged", merged.SourceName);
        Assert.Equal(HelmFingerprint, SigningKeySelector.Select(merged, "helm-test", DateTime.UtcNow).Fingerprint);
    }

    [Fact]
    public void Load_GpgKeybox_ReadsEveryKey()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string alice = gpg.GenerateKey("Alice <alice@example.com>", "ed25519");
        string bob = gpg.GenerateKey("Bob <bob@example.com>", "nistp256");

        Keyring ring = Keyring.Load(gpg.File("pubring.kbx"));

        Assert.Equal([alice, bob], ring.PublicKeyRings.Select(r => KeyInfo.Fingerprint(r.GetPublicKey())));
        Assert.Empty(ring.Skipped);
    }

    [Fact]
    public void Parse_KeyboxWithEphemeralBlob_SkipsThatKey()
    {
        // gpg marks keys it fetched for one operation (auto-key-retrieve) as ephemeral: not part of the keyring.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string alice = gpg.GenerateKey("Alice <alice@example.com>", "ed25519");
        gpg.GenerateKey("Bob <bob@example.com>", "ed25519");
        byte[] keybox = File.ReadAllBytes(gpg.File("pubring.kbx"));
        int blob = 0;
        for (int openPgpBlobs = 0; ; blob += System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(keybox.AsSpan(blob)))
        {
            if (keybox[blob + 4] == 2 && ++openPgpBlobs == 2)
            {
                break;
            }
        }
        keybox[blob + 7] |= 0x02;

        Keyring ring = Keyring.Parse(keybox, "pubring.kbx");

        Assert.Equal(alice, KeyInfo.Fingerprint(Assert.Single(ring.PublicKeyRings).GetPublicKey()));
    }

    [Fact]
    public void Parse_KeyboxWithBadBlobLength_ThrowsDamagedKeybox()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        gpg.GenerateKey("Alice <alice@example.com>", "ed25519");
        byte[] keybox = File.ReadAllBytes(gpg.File("pubring.kbx"));
        int second = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(keybox);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(keybox.AsSpan(second), keybox.Length * 2);

        var error = Assert.Throws<ChartsealException>(() => Keyring.Parse(keybox, "pubring.kbx"));

        Assert.StartsWith("damaged GnuPG keybox", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyFollowedByItsRevocationCertificate_KeyIsRevoked()
    {
        // gpg writes a revocation certificate for every new key (openpgp-revocs.d, armor line
        // defused with a leading colon); appended to a keyring it must take effect.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Alice <alice@example.com>", "ed25519");
        string certificate = File.ReadAllText(gpg.File($"openpgp-revocs.d/{fingerprint}.rev")).Replace(":-----BEGIN", "-----BEGIN", StringComparison.Ordinal);
        byte[] data = [.. gpg.ExportPublic(fingerprint, armor: true), .. Encoding.ASCII.GetBytes(certificate)];

        Keyring ring = Keyring.Parse(data, "alice.asc");

        PgpPublicKeyRing alice = Assert.Single(ring.PublicKeyRings);
        Assert.Empty(ring.Skipped);
        KeyValidityResult validity = KeyValidity.Check(alice.GetPublicKey(), alice, DateTime.UtcNow);
        Assert.Equal(KeyStatus.Revoked, validity.Status);
        Assert.Equal(Org.BouncyCastle.Bcpg.RevocationReasonTag.NoReason, validity.Revocation?.Reason);

        // The same in binary: the revocation packet directly follows the key's last subkey.
        byte[] binary = [.. gpg.ExportPublic(fingerprint), .. Armor.Decode(Armor.Split(Encoding.ASCII.GetBytes(certificate))[0])];
        PgpPublicKeyRing fromBinary = Keyring.Parse(binary, "alice.gpg").PublicKeyRings[0];
        Assert.Equal(KeyStatus.Revoked, KeyValidity.Check(fromBinary.GetPublicKey(), fromBinary, DateTime.UtcNow).Status);
    }

    [Fact]
    public void Parse_SqKeyFollowedByItsArmoredRevocationCertificate_KeyIsRevoked()
    {
        // sq key generate writes KEY.rev beside the key, armored as a PGP SIGNATURE (gpg uses PUBLIC KEY BLOCK): appended
        // to a keyring it must take effect too, else a revoked key verifies and signs.
        Assert.SkipUnless(SqPeer.IsAvailable, "sq is not installed");
        using var temp = new TempDirectory();
        SqPeer.RunChecked(temp.Path, "key", "generate", "--userid", "Sq Revoked <sqrev@example.com>", "--cipher-suite", "rsa3k", "--export", temp.File("key.pgp"));
        string certificate = SqPeer.RunChecked(temp.Path, "key", "extract-cert", temp.File("key.pgp")).StdOut;
        string revocation = File.ReadAllText(temp.File("key.pgp.rev"));
        Assert.StartsWith("-----BEGIN PGP SIGNATURE-----", revocation, StringComparison.Ordinal);

        foreach (string keyring in new[] { certificate + revocation, File.ReadAllText(temp.File("key.pgp")) + revocation })
        {
            Keyring ring = Keyring.Parse(Encoding.ASCII.GetBytes(keyring), "sq.asc");

            PgpPublicKeyRing key = Assert.Single(ring.PublicKeyRings);
            Assert.Empty(ring.Skipped);
            Assert.Equal(KeyStatus.Revoked, KeyValidity.Check(key.GetPublicKey(), key, DateTime.UtcNow).Status);
            if (ring.SecretKeyRings.Count > 0)
            {
                var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "sqrev@example.com", DateTime.UtcNow));
                Assert.Contains("revoked", error.Reason, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Parse_RevocationCertificateOfAnotherKey_IsSkipped()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Alice <alice@example.com>", "ed25519");
        string certificate = File.ReadAllText(gpg.File($"openpgp-revocs.d/{fingerprint}.rev")).Replace(":-----BEGIN", "-----BEGIN", StringComparison.Ordinal);
        byte[] revocation = Armor.Decode(Armor.Split(Encoding.ASCII.GetBytes(certificate))[0]);

        var error = Assert.Throws<ChartsealException>(() => Keyring.Parse(revocation, "rev.gpg"));
        Keyring ring = Keyring.Parse((byte[])[.. File.ReadAllBytes(TestPaths.Helm("helm-test-key.pub")), .. revocation], "mixed.gpg");

        Assert.Contains("not in the keyring", error.Reason, StringComparison.Ordinal);
        Assert.Single(ring.PublicKeyRings);
        Assert.Contains("not in the keyring", Assert.Single(ring.Skipped).Reason, StringComparison.Ordinal);
        Assert.Equal(KeyStatus.Valid, KeyValidity.Check(ring.PublicKeyRings[0].GetPublicKey(), ring.PublicKeyRings[0], DateTime.UtcNow).Status);
    }

    [Fact]
    public void Load_EmptyGpgKeybox_IsEmptyKeyring()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string alice = gpg.GenerateKey("Alice <alice@example.com>", "ed25519");
        gpg.RunChecked("--yes", "--delete-secret-and-public-key", alice);

        Keyring ring = Keyring.Load(gpg.File("pubring.kbx"));

        Assert.Empty(ring.PublicKeyRings);
    }

    [Fact]
    public void Parse_GpgArmoredSecretExportOfSeveralKeys_ReadsAllSecretKeys()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        gpg.GenerateKey("Alice <alice@example.com>", "ed25519");
        gpg.GenerateKey("Bob <bob@example.com>", "nistp256");

        Keyring ring = Keyring.Parse(gpg.RunChecked("--armor", "--pinentry-mode", "loopback", "--passphrase", "", "--export-secret-keys").StdOutBytes, "all.asc");

        Assert.Equal(2, ring.SecretKeyRings.Count);
        Assert.Equal(2, ring.PublicKeyRings.Count);
    }

    [Fact]
    public void ExportPublic_ImportedByGpg_ShowsTheSameKeys()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-mixed-keyring.pub"));
        File.WriteAllBytes(gpg.File("export.gpg"), ring.ExportPublic());

        gpg.RunChecked("--import", gpg.File("export.gpg"));

        var fingerprints = gpg.ColonFields().Where(f => f[0] == "fpr").Select(f => f[9]).ToList();
        Assert.Contains(HelmFingerprint, fingerprints);
        Assert.Contains(Ed25519Fingerprint, fingerprints);
    }
}

using Chartseal.Keys;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Tests.Keys;

public sealed class SigningKeySelectorTests
{
    private const string PasswordKeyUserId = "password key (fake) <fake@helm.sh>";
    private static readonly DateTime Now = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("helm-test")] // Helm's documented usage: a substring of the e-mail
    [InlineData("HELM-TESTING@helm.sh")]
    [InlineData(KeyringTests.HelmUserId)]
    [InlineData(KeyringTests.HelmFingerprint)]
    [InlineData("0x843bbf981fc18762")]
    [InlineData("843BBF981FC18762")]
    public void Select_HelmTestKeyByAnyId_PicksUnencryptedPrimary(string id)
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

        SigningKey key = SigningKeySelector.Select(ring, id, Now);

        Assert.Equal(KeyringTests.HelmFingerprint, key.Fingerprint);
        Assert.Equal(KeyringTests.HelmFingerprint, key.PrimaryFingerprint);
        Assert.True(key.SecretKey.IsMasterKey);
        Assert.False(key.IsEncrypted);
        Assert.Equal(KeyringTests.HelmUserId, key.UserId);
        Assert.NotNull(key.Unlock(null));
    }

    [Fact]
    public void Select_FingerprintAsGpgFingerprintPrintsIt_WithSpaces_PicksTheKey()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));
        // gpg --fingerprint: ten groups of four, two spaces in the middle.
        string spaced = string.Join(" ", KeyringTests.HelmFingerprint.Chunk(4).Select(c => new string(c))).Insert(24, " ");

        SigningKey key = SigningKeySelector.Select(ring, spaced, Now);

        Assert.Equal(KeyringTests.HelmFingerprint, key.PrimaryFingerprint);
    }

    [Fact]
    public void Select_EncryptionSubkeyId_PicksTheCertificatesSigningKey()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

        SigningKey key = SigningKeySelector.Select(ring, KeyringTests.HelmEncryptionSubkeyId, Now);

        Assert.Equal(KeyringTests.HelmFingerprint, key.Fingerprint);
    }

    [Fact]
    public void Select_PublicKeyringOnly_ThrowsNoSecretKeys()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.pub"));

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "helm-test", Now));

        Assert.Equal(TestPaths.Helm("helm-test-key.pub"), error.File);
        Assert.Contains("no secret keys", error.Reason, StringComparison.Ordinal);
        Assert.Contains("gpg --export-secret-keys", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_EmptyKeyring_SaysItHoldsNoKeysAtAll()
    {
        // gpg --export-secret-keys with a mistyped name writes an empty file (and exits 0): not "only public keys".
        Keyring ring = Keyring.Parse(ReadOnlyMemory<byte>.Empty, "secring.gpg");

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "helm-test", Now));

        Assert.Equal("secring.gpg", error.File);
        Assert.Equal("holds no keys at all (gpg --export-secret-keys writes an empty file when no key matches its name)", error.Reason);
    }

    [Fact]
    public void Select_NoMatchingKey_Throws()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "nobody@example.com", Now));

        Assert.Equal("no secret key matches \"nobody@example.com\"", error.Reason);
    }

    [Fact]
    public void Select_KeyPresentOnlyAsPublicKey_SaysSo()
    {
        byte[] data = [.. File.ReadAllBytes(TestPaths.Helm("helm-test-key.secret")), .. File.ReadAllBytes(TestPaths.Helm("helm-mixed-keyring.pub"))];
        Keyring ring = Keyring.Parse(data, "ring.gpg");

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "helm-ed25519", Now));

        Assert.Contains("only as a public key", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_SubstringOfSeveralKeys_ThrowsNamingThem()
    {
        var alice = TestKeys.Simple("Alice <alice@example.com>");
        var alicia = TestKeys.Simple("Alicia <alicia@example.com>");
        Keyring ring = Keyring.Parse((byte[])[.. alice.Secret.GetEncoded(), .. alicia.Secret.GetEncoded()], "two.gpg");

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "Ali", Now));

        Assert.Equal($"more than one key matches \"Ali\": \"Alice <alice@example.com>\" ({KeyInfo.Fingerprint(alice.Secret.GetPublicKey())}), "
            + $"\"Alicia <alicia@example.com>\" ({KeyInfo.Fingerprint(alicia.Secret.GetPublicKey())}); give a fingerprint or a longer id", error.Reason);
    }

    [Fact]
    public void Select_ShortKeyId_IsRefusedSayingWhyAndWhatToGive()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "1FC18762", Now));

        Assert.Equal("no secret key matches \"1FC18762\" (a short 8-digit key id is not accepted: they collide easily; give the 16-digit key id or the fingerprint)", error.Reason);
    }

    [Fact]
    public void Select_ExactUserIdAlsoContainedInAnother_PicksTheExactMatch()
    {
        var alice = TestKeys.Simple("Alice <alice@example.com>");
        var longer = TestKeys.Simple("Alice <alice@example.com> (work)");
        Keyring ring = Keyring.Parse((byte[])[.. longer.Secret.GetEncoded(), .. alice.Secret.GetEncoded()], "two.gpg");

        SigningKey key = SigningKeySelector.Select(ring, "Alice <alice@example.com>", Now);

        Assert.Equal(KeyInfo.Fingerprint(alice.Public.GetPublicKey()), key.PrimaryFingerprint);
    }

    [Fact]
    public void Select_ExactUserIdOnAnExpiredAndACurrentKey_PicksTheOneThatCanSign()
    {
        // A rotated key: gpg --export-secret-keys exports the old, expired key under the same user id, first.
        var old = TestKeys.Simple("Release <release@example.com>", expiry: 3600);
        var current = TestKeys.Simple("Release <release@example.com>");
        Keyring ring = Keyring.Parse((byte[])[.. old.Secret.GetEncoded(), .. current.Secret.GetEncoded()], "rotated.gpg");

        SigningKey key = SigningKeySelector.Select(ring, "Release <release@example.com>", Now);

        Assert.Equal(KeyInfo.Fingerprint(current.Public.GetPublicKey()), key.PrimaryFingerprint);
    }

    [Fact]
    public void Select_ExactUserIdOnTwoKeysThatCanSign_RefusesNamingTheirFingerprints()
    {
        var first = TestKeys.Simple("Release <release@example.com>");
        var second = TestKeys.Simple("Release <release@example.com>");
        Keyring ring = Keyring.Parse((byte[])[.. first.Secret.GetEncoded(), .. second.Secret.GetEncoded()], "two.gpg");

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "Release <release@example.com>", Now));
        var primaryError = Assert.Throws<ChartsealException>(() => SigningKeySelector.SelectPrimary(ring, "Release <release@example.com>"));

        foreach (var e in new[] { error, primaryError })
        {
            Assert.Equal("two.gpg", e.File);
            Assert.Contains("more than one key has the user id \"Release <release@example.com>\"", e.Reason, StringComparison.Ordinal);
            Assert.Contains(KeyInfo.Fingerprint(first.Public.GetPublicKey()), e.Reason, StringComparison.Ordinal);
            Assert.Contains(KeyInfo.Fingerprint(second.Public.GetPublicKey()), e.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Select_GpgRotatedKeyByEmail_PicksTheOneThatCanSignNotAnotherAddressContainingIt()
    {
        // The usual --key is an e-mail address. After a rotation gpg --export-secret-keys holds the old, expired key
        // under the same address, and another address may contain it (mary-jane@ contains jane@): gpg -u <jane@...>
        // signs with the valid key; a substring match called all three ambiguous.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string old = gpg.GenerateKey("Jane <jane@example.com>", "ed25519", expire: "1y", extraArgs: ["--faked-system-time", "20200101T000000"]);
        string mary = gpg.GenerateKey("Mary-Jane <mary-jane@example.com>", "ed25519");
        gpg.GenerateKey("Jane <jane@example.com>", "rsa3072", extraArgs: ["--yes"]);
        List<string[]> records = gpg.ColonFields();
        string current = records.Where((f, i) => f[0] == "fpr" && records[i - 1][0] == "pub").Select(f => f[9]).Single(f => f != old && f != mary);
        Keyring ring = Keyring.Parse(gpg.ExportSecret("example.com"), "secring.gpg");

        foreach (string id in new[] { "jane@example.com", "<jane@example.com>", "JANE@Example.com" })
        {
            SigningKey key = SigningKeySelector.Select(ring, id, DateTime.UtcNow);
            Assert.Equal(current, key.PrimaryFingerprint);
            Assert.Equal("Jane <jane@example.com>", key.UserId);
        }
        Assert.Equal(mary, SigningKeySelector.Select(ring, "mary-jane@example.com", DateTime.UtcNow).PrimaryFingerprint);

        // Only the expired key has the address: it is named, with why it cannot sign (not "more than one key matches").
        Keyring before = Keyring.Parse((byte[])[.. gpg.ExportSecret(old), .. gpg.ExportSecret(mary)], "before.gpg");
        var expired = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(before, "jane@example.com", DateTime.UtcNow));
        Assert.StartsWith("no usable signing key for \"Jane <jane@example.com>\": primary key", expired.Reason, StringComparison.Ordinal);
        Assert.Contains("expired", expired.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_EmailOfTwoKeysThatCanSign_RefusesNamingTheirFingerprints()
    {
        var first = TestKeys.Simple("Release <release@example.com>");
        var second = TestKeys.Simple("Release team <release@example.com>");
        Keyring ring = Keyring.Parse((byte[])[.. first.Secret.GetEncoded(), .. second.Secret.GetEncoded()], "two.gpg");

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "release@example.com", Now));

        Assert.Equal($"more than one key has the e-mail address <release@example.com>: {KeyInfo.Fingerprint(first.Public.GetPublicKey())}, "
            + $"{KeyInfo.Fingerprint(second.Public.GetPublicKey())} (2 of them can sign); give a fingerprint", error.Reason);
    }

    [Fact]
    public void Select_GpgTwoSigningSubkeys_NewestSignsAsInGpgAndFingerprintWithBangPicksThatSubkey()
    {
        // An RSA signing subkey for Helm 3's users and a newer Ed25519 one: without a suffix the newest valid subkey signs
        // (gpg's rule, also when a subkey is named); gpg's FPR! means exactly that key.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string primary = gpg.GenerateKey("Two <two@example.com>", "ed25519", usage: "cert", extraArgs: ["--faked-system-time", "20250101T000000"]);
        gpg.RunChecked("--faked-system-time", "20250102T000000", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", primary, "rsa2048", "sign", "never");
        string rsa = gpg.ColonFields(primary).Where(f => f[0] == "fpr").Select(f => f[9]).Last();
        string ed = gpg.AddSubkey(primary, "ed25519", "sign");
        Keyring ring = Keyring.Parse(gpg.ExportSecret(primary), "two.gpg");
        File.WriteAllText(gpg.File("body"), "body\n");
        string GpgSigner(string id) => gpg.RunChecked("--status-fd", "1", "--pinentry-mode", "loopback", "--passphrase", "", "--yes", "-u", id,
            "--output", gpg.File("body.asc"), "--clearsign", gpg.File("body")).StdOut.Split('\n').Single(l => l.StartsWith("[GNUPG:] SIG_CREATED ", StringComparison.Ordinal)).Split(' ')[^1];

        foreach (string id in new[] { primary, rsa, "two@example.com" })
        {
            Assert.Equal(ed, GpgSigner(id));
            Assert.Equal(ed, SigningKeySelector.Select(ring, id, DateTime.UtcNow).Fingerprint);
        }
        foreach (string id in new[] { rsa + "!", "0x" + rsa[^16..] + "!", ed + "!" })
        {
            Assert.Equal(GpgSigner(id), SigningKeySelector.Select(ring, id, DateTime.UtcNow).Fingerprint);
        }
        Assert.Equal(rsa, SigningKeySelector.Select(ring, rsa + "!", DateTime.UtcNow).Fingerprint);
        Assert.Equal(primary, SigningKeySelector.Select(ring, rsa + "!", DateTime.UtcNow).PrimaryFingerprint);

        var certifyOnly = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, primary + "!", DateTime.UtcNow));
        Assert.StartsWith($"no usable signing key for \"Two <two@example.com>\": primary key {primary[^16..]} (ed25519): ", certifyOnly.Reason, StringComparison.Ordinal);
        var notHex = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "two@example.com!", DateTime.UtcNow));
        Assert.Equal("--key \"two@example.com!\": the ! suffix (exactly this key, as in gpg) goes with a fingerprint or a 16-digit key id", notHex.Reason);

        // The same names for the primary key (a revocation certificate's): FPR! of the primary key itself, not of a subkey.
        Assert.Equal(primary, SigningKeySelector.SelectPrimary(ring, primary + "!").Fingerprint);
        Assert.Equal(primary, SigningKeySelector.SelectPrimary(ring, rsa).Fingerprint);
        var subkey = Assert.Throws<ChartsealException>(() => SigningKeySelector.SelectPrimary(ring, rsa + "!"));
        Assert.Equal($"--key \"{rsa}!\" names a subkey: this is made by the primary key, {primary}", subkey.Reason);
    }

    [Fact]
    public void Select_CertifyOnlyPrimary_PicksSigningSubkey()
    {
        var (_, secret) = TestKeys.WithSigningSubkey();
        Keyring ring = Keyring.Parse(secret.GetEncoded(), "sub.gpg");

        SigningKey key = SigningKeySelector.Select(ring, "sub@example.com", Now);

        Assert.False(key.SecretKey.IsMasterKey);
        Assert.Equal(KeyInfo.Fingerprint(secret.GetSecretKeys().Last().PublicKey), key.Fingerprint);
        Assert.NotEqual(key.PrimaryFingerprint, key.Fingerprint);
    }

    [Fact]
    public void Select_SigningSubkeyWithoutBackSignature_ThrowsListingEachCandidate()
    {
        var (_, secret) = TestKeys.WithSigningSubkey(backSignature: false);
        Keyring ring = Keyring.Parse(secret.GetEncoded(), "sub.gpg");

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "sub@example.com", Now));

        Assert.StartsWith("no usable signing key for \"Sub Key <sub@example.com>\": primary key ", error.Reason, StringComparison.Ordinal);
        Assert.Contains("not flagged for signing (usage: certify)", error.Reason, StringComparison.Ordinal);
        Assert.Contains("signing subkey has no valid back-signature (0x19)", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_PasswordKey_IsEncryptedAndUnlocksWithItsPassphrase()
    {
        Keyring ring = Keyring.Load(TestPaths.Helm("helm-password-key.secret"));

        SigningKey key = SigningKeySelector.Select(ring, PasswordKeyUserId, Now);

        Assert.True(key.IsEncrypted);
        Assert.Equal(PasswordKeyUserId, key.UserId);
        Assert.NotNull(key.Unlock("secret"));
    }

    [Fact]
    public void Unlock_WrongPassphrase_ThrowsWrongPassphrase()
    {
        SigningKey key = SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-password-key.secret")), PasswordKeyUserId, Now);

        var error = Assert.Throws<ChartsealException>(() => key.Unlock("secrets_and_lies"));

        Assert.Equal(TestPaths.Helm("helm-password-key.secret"), error.File);
        Assert.Equal("wrong passphrase for key \"password key (fake) <fake@helm.sh>\"", error.Reason);
    }

    [Theory]
    [InlineData("HELM_KEY_PASSPHRASE")]
    [InlineData("CHARTSEAL_KEY_PASSPHRASE")]
    public void Unlock_WrongPassphraseFromTheEnvironment_SaysWhichVariableGaveIt(string variable)
    {
        // A stale HELM_KEY_PASSPHRASE (set for another key, or by CI) is easy to forget: the error names it.
        SigningKey key = SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-password-key.secret")), PasswordKeyUserId, Now);
        var environment = new PassphraseEnvironment(name => name == variable ? "secrets_and_lies" : null, () => TextReader.Null, false, null);

        var error = Assert.Throws<ChartsealException>(() => key.UnlockWith(new PassphraseSource(null, environment)));

        Assert.Equal($"wrong passphrase for key \"password key (fake) <fake@helm.sh>\" (read from {variable})", error.Reason);
        Assert.NotNull(SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-test-key.secret")), "helm-test", Now).UnlockWith(new PassphraseSource(null, environment)));
    }

    [Fact]
    public void Unlock_WrongPassphraseFromAFile_NamesTheFile()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pass"), "secrets_and_lies\n");
        SigningKey key = SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-password-key.secret")), PasswordKeyUserId, Now);
        var environment = new PassphraseEnvironment(name => name == "HELM_KEY_PASSPHRASE" ? "secret" : null, () => TextReader.Null, false, null);

        var error = Assert.Throws<ChartsealException>(() => key.UnlockWith(new PassphraseSource(temp.File("pass"), environment)));

        Assert.Equal($"wrong passphrase for key \"password key (fake) <fake@helm.sh>\" (read from {temp.File("pass")})", error.Reason);
        File.WriteAllText(temp.File("pass"), "secret\n");
        Assert.NotNull(key.UnlockWith(new PassphraseSource(temp.File("pass"), environment)));
    }

    [Fact]
    public void Unlock_NoPassphraseForProtectedKey_ExplainsHowToGiveOne()
    {
        SigningKey key = SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-password-key.secret")), PasswordKeyUserId, Now);

        var error = Assert.Throws<ChartsealException>(() => key.Unlock(null));

        Assert.Contains("is protected by a passphrase", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnlockWith_NoWayToAskForThePassphrase_NamesTheKeyring()
    {
        SigningKey key = SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-password-key.secret")), PasswordKeyUserId, Now);
        var environment = new PassphraseEnvironment(_ => null, () => TextReader.Null, true, null);

        var error = Assert.Throws<ChartsealException>(() => key.UnlockWith(new PassphraseSource(null, environment)));

        Assert.Equal(key.SourceName, error.File);
        Assert.StartsWith(key.SourceName + ": key \"password key (fake) <fake@helm.sh>\" is protected by a passphrase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unlock_UnlockedKey_SignsVerifiably()
    {
        SigningKey key = SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-password-key.secret")), "fake@helm.sh", Now);
        PgpPrivateKey privateKey = key.Unlock("secret");

        var generator = new PgpSignatureGenerator(key.SecretKey.PublicKey.Algorithm, HashAlgorithmTag.Sha512);
        generator.InitSign(PgpSignature.CanonicalTextDocument, privateKey);
        generator.Update("hello"u8.ToArray());
        PgpSignature signature = generator.Generate();
        signature.InitVerify(key.PublicRing.GetPublicKey(key.SecretKey.KeyId));
        signature.Update("hello"u8.ToArray());

        Assert.True(signature.Verify());
    }

    [Fact]
    public void Select_GpgExpiredKey_ThrowsWithExpiryReason()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Old <old@example.com>", "ed25519", expire: "1y", extraArgs: ["--faked-system-time", "20200101T000000"]);
        Keyring ring = Keyring.Parse(gpg.ExportSecret(fingerprint), "old.gpg");

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, "old@example.com", Now));

        Assert.Contains("primary key expired 2020-12-31", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_GpgRevokedKey_ThrowsWithRevocationReason()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Gone <gone@example.com>", "ed25519");
        byte[] secret = gpg.ExportSecret(fingerprint);
        gpg.Revoke(fingerprint);
        // The secret export predates the revocation; the public copy beside it carries it.
        Keyring ring = Keyring.Parse((byte[])[.. secret, .. gpg.ExportPublic(fingerprint)], "gone.gpg");

        var error = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(ring, fingerprint, DateTime.UtcNow));

        Assert.Contains("revoked", error.Reason, StringComparison.Ordinal);
        Assert.Contains("KeyCompromised", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_GpgCertifyOnlyPrimaryWithSigningSubkey_PicksSubkey()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Cert <cert@example.com>", "rsa2048", usage: "cert");
        string subkey = gpg.AddSubkey(fingerprint, "ed25519", "sign");
        Keyring ring = Keyring.Parse(gpg.ExportSecret(fingerprint, armor: true), "cert.asc");

        SigningKey key = SigningKeySelector.Select(ring, "cert@example.com", DateTime.UtcNow);

        Assert.Equal(subkey, key.Fingerprint);
        Assert.Equal(fingerprint, key.PrimaryFingerprint);
        Assert.NotNull(key.Unlock(null));
    }

    [Fact]
    public void Select_GpgSecretSubkeysExport_SkipsPrimaryStubAndPicksSubkey()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Laptop <laptop@example.com>", "ed25519");
        string subkey = gpg.AddSubkey(fingerprint, "ed25519", "sign");
        byte[] exported = gpg.RunChecked("--pinentry-mode", "loopback", "--passphrase", "", "--export-secret-subkeys", fingerprint).StdOutBytes;
        Keyring ring = Keyring.Parse(exported, "laptop.gpg");

        SigningKey key = SigningKeySelector.Select(ring, fingerprint, DateTime.UtcNow);

        Assert.True(ring.SecretKeyRings[0].GetSecretKey().IsPrivateKeyEmpty);
        Assert.Equal(subkey, key.Fingerprint);
    }

    [Fact]
    public void Select_OnlyStubsCanSign_SaysToSignThroughGpg()
    {
        // The signing key lives on a smartcard (or only in gpg-agent): the export holds a stub in its place.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Card <card@example.com>", "ed25519");
        string encryption = gpg.AddSubkey(fingerprint, "cv25519", "encr");
        byte[] exported = gpg.RunChecked("--pinentry-mode", "loopback", "--passphrase", "", "--export-secret-subkeys", encryption + "!").StdOutBytes;

        var e = Assert.Throws<ChartsealException>(() => SigningKeySelector.Select(Keyring.Parse(exported, "card.gpg"), fingerprint, DateTime.UtcNow));

        Assert.Contains("no secret key material (a GnuPG stub)", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(a key on a smartcard, or whose secret only gpg holds: sign with --gpg)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_SequoiaKeyWithDirectKeySignature_PicksItsSigningSubkey()
    {
        // sq puts the primary key's flags in a direct-key signature (0x1F) and signs with a subkey.
        Assert.SkipUnless(File.Exists("/usr/bin/sq"), "sq is not installed");
        using var temp = new TempDirectory();
        using (var sq = System.Diagnostics.Process.Start("/usr/bin/sq", ["key", "generate", "--userid", "Sq <sq@example.com>", "--export", temp.File("key.pgp")]))
        {
            sq.WaitForExit();
            Assert.Equal(0, sq.ExitCode);
        }
        Keyring ring = Keyring.Load(temp.File("key.pgp"));

        SigningKey key = SigningKeySelector.Select(ring, "sq@example.com", DateTime.UtcNow);

        Assert.False(key.SecretKey.IsMasterKey);
        Assert.Equal("Sq <sq@example.com>", key.UserId);
        Assert.Equal(KeyStatus.NotForSigning, KeyValidity.Check(key.PublicRing.GetPublicKey(), key.PublicRing, DateTime.UtcNow).Status);
        Assert.NotNull(key.Unlock(null));
    }

    [Fact]
    public void Unlock_GpgKeyWithNonAsciiPassphrase_Unlocks()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        const string passphrase = "pässwörd€";
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Umlaut <umlaut@example.com>", "ed25519", passphrase);
        Keyring ring = Keyring.Parse(gpg.ExportSecret(fingerprint, passphrase), "umlaut.gpg");
        SigningKey key = SigningKeySelector.Select(ring, "umlaut", DateTime.UtcNow);

        Assert.True(key.IsEncrypted);
        Assert.NotNull(key.Unlock(passphrase));
        Assert.Throws<ChartsealException>(() => key.Unlock("passwort"));
    }
}

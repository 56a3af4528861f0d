using System.Text.Json;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary><c>package --sign</c>, <c>sign</c>, <c>key generate</c> and <c>--gpg</c>, checked by verifying the output.</summary>
public sealed class SignCommandTests
{
    private const string HelmUid = "Helm Testing (This key should only be used for testing. DO NOT TRUST.) <helm-testing@helm.sh>";
    private const string PasswordUid = "password key (fake) <fake@helm.sh>";

    private static string HashtestDir(TempDirectory temp) => ChartFixtures.CopyHashtest(temp);

    [Fact]
    public void PackageSign_HelmTestKey_VerifyJsonHasDocumentedFields()
    {
        using var temp = new TempDirectory();
        string chart = HashtestDir(temp);
        var pkg = Cli.Run(temp.Path, "package", chart, "--destination", temp.File("out"), "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret"));
        Assert.True(pkg.ExitCode == 0, pkg.ToString());
        string archive = temp.File("out/hashtest-1.2.3.tgz");
        Assert.True(File.Exists(archive + ".prov"), pkg.ToString());
        Assert.Contains("\nversion: 1.2.3\n\n...\nfiles:\n  hashtest-1.2.3.tgz: sha256:", File.ReadAllText(archive + ".prov"));

        var r = Cli.Run(temp.Path, "verify", archive, "--keyring", TestPaths.Helm("helm-test-key.pub"), "--output", "json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal("chartseal.verify-result/v1", root.GetProperty("schema").GetString());
        Assert.True(root.GetProperty("valid").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("reason").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("message").ValueKind);
        Assert.Equal("hashtest-1.2.3.tgz", root.GetProperty("file").GetString());
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(archive)));
        Assert.Equal(sha, root.GetProperty("sha256").GetString());
        Assert.Equal("hashtest", root.GetProperty("chart").GetProperty("name").GetString());
        Assert.Equal("1.2.3", root.GetProperty("chart").GetProperty("version").GetString());
        var signer = root.GetProperty("signer");
        Assert.Equal("5E615389B53CA37F0EE60BD3843BBF981FC18762", signer.GetProperty("fingerprint").GetString());
        Assert.Equal("843BBF981FC18762", signer.GetProperty("keyId").GetString());
        Assert.Equal([HelmUid], signer.GetProperty("userIds").EnumerateArray().Select(e => e.GetString()));
        var signedAt = DateTime.Parse(root.GetProperty("signedAt").GetString()!, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.True(Math.Abs((signedAt - DateTime.UtcNow).TotalMinutes) < 10, $"signedAt {signedAt}");
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public void Sign_ExistingHashtestArchive_ProvContainsMsgblockVerbatim()
    {
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        var r = Cli.Run(temp.Path, "sign", "hashtest-1.2.3.tgz", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(File.ReadAllText(TestPaths.Helm("msgblock.yaml")), File.ReadAllText(temp.File("hashtest-1.2.3.tgz.prov")));
        var v = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", TestPaths.Helm("helm-mixed-keyring.pub"));
        Assert.True(v.ExitCode == 0, v.ToString());
    }

    [Fact]
    public void PackageSign_PasswordKeyWithSecret_Verifies()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pass"), "secret\n");
        var pkg = Cli.Run(temp.Path, "package", HashtestDir(temp), "--sign", "--key", PasswordUid, "--keyring", TestPaths.Helm("helm-password-key.secret"), "--passphrase-file", temp.File("pass"));
        Assert.True(pkg.ExitCode == 0, pkg.ToString());
        var v = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", TestPaths.Helm("helm-password-key.secret"));
        Assert.True(v.ExitCode == 0, v.ToString());
        Assert.Contains("Signed by: " + PasswordUid, v.StdOut);
    }

    [Fact]
    public void PackageSign_PasswordKeyWrongPassphrase_Exit2OneLineNamingKey()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pass"), "secrets_and_lies\n");
        var pkg = Cli.Run(temp.Path, "package", HashtestDir(temp), "--sign", "--key", PasswordUid, "--keyring", TestPaths.Helm("helm-password-key.secret"), "--passphrase-file", temp.File("pass"));
        Assert.True(pkg.ExitCode == 2, pkg.ToString());
        string line = Assert.Single(pkg.StdErrLines);
        Assert.Contains(PasswordUid, line);
        Assert.Contains("passphrase", line);
        Assert.False(File.Exists(temp.File("hashtest-1.2.3.tgz.prov")));
        Assert.False(File.Exists(temp.File("hashtest-1.2.3.tgz")), "a failed signed package must not leave an unsigned archive");
    }

    [Fact]
    public void Sign_KeyringAndPassphraseFromPipes_SignsAndVerifiesFromAPipe()
    {
        // chartseal sign X --keyring <(gpg --export-secret-keys KEY) --passphrase-file <(pass show KEY): the shell hands
        // over pipes, which cannot seek; the keyring must read as a file does (it was "internal error", exit 70).
        Assert.SkipWhen(OperatingSystem.IsWindows(), "named pipes are POSIX");
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        using (var keyring = new NamedPipe(temp.File("secring"), File.ReadAllBytes(TestPaths.Helm("helm-password-key.secret"))))
        using (var passphrase = new NamedPipe(temp.File("pass"), "secret\n"u8.ToArray()))
        {
            var r = Cli.Run(temp.Path, "sign", "hashtest-1.2.3.tgz", "--key", "fake@helm.sh", "--keyring", keyring.Path, "--passphrase-file", passphrase.Path);
            Assert.True(r.ExitCode == 0, r.ToString());
        }
        using (var keyring = new NamedPipe(temp.File("pubring"), File.ReadAllBytes(TestPaths.Helm("helm-password-key.secret"))))
        {
            var v = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", keyring.Path);
            Assert.True(v.ExitCode == 0, v.ToString());
            Assert.Contains("Signed by: " + PasswordUid, v.StdOut);
        }
    }

    [Fact]
    public void PackageSign_WrongPassphraseIntoANewFolder_LeavesNoFolderBehind()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pass"), "secrets_and_lies\n");
        var pkg = Cli.Run(temp.Path, "package", HashtestDir(temp), "-d", temp.File("dist/release"), "--sign", "--key", PasswordUid,
            "--keyring", TestPaths.Helm("helm-password-key.secret"), "--passphrase-file", temp.File("pass"));
        Assert.True(pkg.ExitCode == 2, pkg.ToString());
        Assert.Contains("wrong passphrase", Assert.Single(pkg.StdErrLines));
        Assert.False(Directory.Exists(temp.File("dist")), "a failed signed package writes nothing, not even its destination folder");
    }

    [Fact]
    public void Sign_TheProvCannotBeWritten_RefusedBeforeThePassphraseIsAsked()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "script(1) gives the command a terminal");
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        Directory.CreateDirectory(temp.File("hashtest-1.2.3.tgz.prov")); // something the .prov cannot replace

        // On a terminal the passphrase would be asked; typed here, it is never read.
        var r = Cli.RunOnTerminal(temp.Path, "secret\r", "sign", "hashtest-1.2.3.tgz", "--key", "fake@helm.sh", "--keyring", TestPaths.Helm("helm-password-key.secret"));

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.DoesNotContain("Passphrase", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("chartseal: hashtest-1.2.3.tgz.prov: cannot write: is a folder, not a file", r.StdOut, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.File("hashtest-1.2.3.tgz.prov")));
    }

    [Fact]
    public void Sign_WrongHelmKeyPassphrase_Exit2OneLineNamingTheVariableNothingWritten()
    {
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        var env = new Dictionary<string, string> { ["HELM_KEY_PASSPHRASE"] = "secrets_and_lies" };
        var r = Cli.Run(temp.Path, env, "sign", "hashtest-1.2.3.tgz", "--key", "fake@helm.sh", "--keyring", TestPaths.Helm("helm-password-key.secret"));
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal($"chartseal: {TestPaths.Helm("helm-password-key.secret")}: wrong passphrase for key \"{PasswordUid}\" (read from HELM_KEY_PASSPHRASE)", Assert.Single(r.StdErrLines));
        Assert.False(File.Exists(temp.File("hashtest-1.2.3.tgz.prov")));

        env["HELM_KEY_PASSPHRASE"] = "secret";
        Cli.AssertOk(Cli.Run(temp.Path, env, "sign", "hashtest-1.2.3.tgz", "--key", "fake@helm.sh", "--keyring", TestPaths.Helm("helm-password-key.secret")));
    }

    [Fact]
    public void KeyGenerate_PackageSignVerify_RoundTrip()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("maintainer");
        var gen = Cli.Run(temp.Path, "key", "generate", "--name", "Jane Maintainer <jane@example.com>", "--out", prefix);
        Assert.True(gen.ExitCode == 0, gen.ToString());
        string chart = ChartFixtures.WriteSimpleChart(temp.File("demo"));
        var pkg = Cli.Run(temp.Path, "package", chart, "--sign", "--key", "jane@example.com", "--keyring", prefix + ".sec.asc");
        Assert.True(pkg.ExitCode == 0, pkg.ToString());
        var v = Cli.Run(temp.Path, "verify", "demo-1.0.0.tgz", "--keyring", prefix + ".pub.asc");
        Assert.True(v.ExitCode == 0, v.ToString());
        Assert.Contains("Signed by: Jane Maintainer <jane@example.com>", v.StdOut);

        var other = Cli.Run(temp.Path, "verify", "demo-1.0.0.tgz", "--keyring", TestPaths.Helm("helm-test-key.pub"));
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("unknown-signer", other.StdErr);
    }

    [Fact]
    public void PackageSign_GpgAgent_GpgAndChartsealVerify()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Gpg Maintainer <gpgm@example.com>", "ed25519");
        string chart = ChartFixtures.WriteSimpleChart(temp.File("demo"));
        var env = new Dictionary<string, string> { ["GNUPGHOME"] = gpg.Path };
        var pkg = Cli.Run(temp.Path, env, "package", chart, "--sign", "--gpg", "--key", "gpgm@example.com");
        Assert.True(pkg.ExitCode == 0, pkg.ToString());
        string prov = temp.File("demo-1.0.0.tgz.prov");
        var gv = gpg.Run("--verify", prov);
        Assert.True(gv.ExitCode == 0, "gpg --verify: " + gv.StdErr);
        File.WriteAllBytes(temp.File("ring.pgp"), gpg.ExportPublic(fpr));
        var v = Cli.Run(temp.Path, "verify", "demo-1.0.0.tgz", "--keyring", temp.File("ring.pgp"));
        Assert.True(v.ExitCode == 0, v.ToString());
        Assert.Contains("Using Key With Fingerprint: " + fpr, v.StdOut);
    }

    [Fact]
    public void SignGpg_ProtectedKeyWithChartsealKeyPassphrase_SignsInLoopbackMode()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string fpr = gpg.GenerateKey("Locked <locked@example.com>", "ed25519", passphrase: "s3cret");
        gpg.KillAgent(); // forget the cached passphrase: only the loopback one can unlock the key
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        var env = new Dictionary<string, string> { ["GNUPGHOME"] = gpg.Path, ["GPG_TTY"] = "", ["CHARTSEAL_KEY_PASSPHRASE"] = "s3cret" };

        var sign = Cli.Run(temp.Path, env, "sign", "hashtest-1.2.3.tgz", "--key", "locked@example.com", "--gpg");

        Assert.True(sign.ExitCode == 0, sign.ToString());
        File.WriteAllBytes(temp.File("ring.pgp"), gpg.ExportPublic(fpr));
        var v = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", temp.File("ring.pgp"));
        Assert.True(v.ExitCode == 0, v.ToString());
    }

    [Fact]
    public void SignGpg_ProtectedKeyWithoutPassphraseOrTerminal_Exit2OneLineSayingHowToGiveIt()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        gpg.GenerateKey("Locked <locked@example.com>", "ed25519", passphrase: "s3cret");
        gpg.KillAgent();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        var env = new Dictionary<string, string> { ["GNUPGHOME"] = gpg.Path, ["GPG_TTY"] = "" };

        var sign = Cli.Run(temp.Path, env, "sign", "hashtest-1.2.3.tgz", "--key", "locked@example.com", "--gpg");

        Assert.Equal(2, sign.ExitCode);
        string line = Assert.Single(sign.StdErrLines);
        Assert.Contains("gpg sign with key \"locked@example.com\" failed: signing failed: Inappropriate ioctl for device", line);
        Assert.Contains("CHARTSEAL_KEY_PASSPHRASE", line);
        Assert.False(File.Exists(temp.File("hashtest-1.2.3.tgz.prov")));
    }

    [Theory]
    [InlineData("--keyring")]
    [InlineData("--passphrase-file")]
    public void SignGpg_WithAKeyringOrPassphraseFile_Exit2InsteadOfIgnoringIt(string option)
    {
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        File.WriteAllText(temp.File("file"), "x\n");

        var sign = Cli.Run(temp.Path, "sign", "hashtest-1.2.3.tgz", "--key", "helm-test", "--gpg", option, temp.File("file"));

        Assert.Equal(2, sign.ExitCode);
        Assert.Equal($"chartseal: --gpg signs with gpg's own keys and agent: {option} is not used with it", Assert.Single(sign.StdErrLines));
        Assert.False(File.Exists(temp.File("hashtest-1.2.3.tgz.prov")));
    }

    [Fact]
    public void PackageSign_NoKey_Exit2OneLine()
    {
        using var temp = new TempDirectory();
        var pkg = Cli.Run(temp.Path, "package", HashtestDir(temp), "--sign", "--keyring", TestPaths.Helm("helm-test-key.secret"));
        Assert.Equal(2, pkg.ExitCode);
        Assert.Contains("--key", Assert.Single(pkg.StdErrLines));
    }

    [Fact]
    public void Verify_SecretKeyringAsVerifyKeyring_Exit0LikeHelm()
    {
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.3.tgz"));
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz.prov"), temp.File("hashtest-1.2.3.tgz.prov"));
        var v = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", TestPaths.Helm("helm-test-key.secret"));
        Assert.True(v.ExitCode == 0, v.ToString());
        Assert.Contains("Chart Hash Verified: sha256:c6841b3a895f1444a6738b5d04564a57e860ce42f8519c3be807fb6d9bee7888", v.StdOut);
    }

    [Fact]
    public void PackageSign_ThenArchiveEdited_VerifyExit1HashMismatch()
    {
        using var temp = new TempDirectory();
        var pkg = Cli.Run(temp.Path, "package", HashtestDir(temp), "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret"));
        Assert.True(pkg.ExitCode == 0, pkg.ToString());
        File.AppendAllText(temp.File("hashtest-1.2.3.tgz"), "x");
        var v = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", TestPaths.Helm("helm-test-key.pub"));
        Assert.Equal(1, v.ExitCode);
        Assert.Contains("hash-mismatch", Assert.Single(v.StdErrLines));
        Assert.Equal("", v.StdOut);
    }
}

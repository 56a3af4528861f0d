using Chartseal.Keys;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;

namespace Chartseal.Cli.Tests;

#pragma warning disable CA1416 // file modes: the CLI tests run on Linux

/// <summary><c>key generate</c> never loses a key, and <c>key revocation-cert</c> makes a certificate gpg and chartseal honour.</summary>
public sealed class KeyCommandTests
{
    [Fact]
    public void Generate_refuses_to_replace_an_existing_key_unless_forced()
    {
        using var t = new TempDirectory();
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root"));
        byte[] secret = File.ReadAllBytes(t.File("root.sec.asc"));
        byte[] certificate = File.ReadAllBytes(t.File("root.pub.asc"));

        var again = Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root");
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("root.sec.asc: already exists", Assert.Single(again.StdErrLines), StringComparison.Ordinal);
        Assert.Equal(secret, File.ReadAllBytes(t.File("root.sec.asc")));
        Assert.Equal(certificate, File.ReadAllBytes(t.File("root.pub.asc")));

        // Only the public half left behind: still refused, nothing written.
        File.Delete(t.File("root.sec.asc"));
        var half = Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root");
        Assert.True(half.ExitCode == 2, half.ToString());
        Assert.False(File.Exists(t.File("root.sec.asc")));

        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root", "--force"));
        Assert.NotEqual(certificate, File.ReadAllBytes(t.File("root.pub.asc")));
        Assert.Empty(Directory.GetFiles(t.Path, ".*.tmp"));
    }

    [Fact]
    public void Fingerprint_of_a_file_without_keys_is_an_error_not_silence()
    {
        using var t = new TempDirectory();
        File.WriteAllBytes(t.File("empty.asc"), []);

        var result = Cli.Run(t.Path, "key", "fingerprint", "empty.asc");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("chartseal: empty.asc: holds no OpenPGP key", Assert.Single(result.StdErrLines));
        Assert.Empty(result.StdOut);
    }

    [Fact]
    public void Generate_writes_the_secret_key_readable_by_its_owner_only()
    {
        using var t = new TempDirectory();
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(t.File("jane.sec.asc")));
        Assert.True(File.GetUnixFileMode(t.File("jane.pub.asc")).HasFlag(UnixFileMode.OtherRead), "the certificate is public");

        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane", "--force"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(t.File("jane.sec.asc")));
    }

    [Fact]
    public void Revocation_certificate_revokes_the_key_for_chartseal_and_for_gpg()
    {
        using var t = new TempDirectory();
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane", "--algorithm", "rsa3072"));
        var made = Cli.Run(t.Path, "key", "revocation-cert", "--key", "jane@example.com", "--keyring", "jane.sec.asc",
            "--reason", "compromised", "--description", "laptop stolen", "--out", "jane-revocation.asc");
        Cli.AssertOk(made);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(t.File("jane-revocation.asc")));

        // chartseal's keyring reader attaches the stand-alone certificate to the key: revoked, with the reason.
        byte[] combined = [.. File.ReadAllBytes(t.File("jane.pub.asc")), .. File.ReadAllBytes(t.File("jane-revocation.asc"))];
        var ring = Keyring.Parse(combined, "jane+revocation").PublicKeyRings.Single();
        var validity = KeyValidity.Check(ring.GetPublicKey(), ring, DateTime.UtcNow);
        Assert.Equal(KeyStatus.Revoked, validity.Status);
        Assert.Equal(RevocationReasonTag.KeyCompromised, validity.Revocation!.Reason);
        Assert.Equal("laptop stolen", validity.Revocation.Description);

        // gpg imports it as a revocation of that key.
        using var gpg = new GpgHome();
        gpg.RunChecked("--import", t.File("jane.pub.asc"));
        gpg.RunChecked("--import", t.File("jane-revocation.asc"));
        string[] pub = gpg.ColonFields("jane@example.com").First(f => f[0] == "pub");
        Assert.Equal("r", pub[1]);

        // Never replaced by accident.
        var again = Cli.Run(t.Path, "key", "revocation-cert", "--key", "jane@example.com", "--keyring", "jane.sec.asc", "--out", "jane-revocation.asc");
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("already exists", Assert.Single(again.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_with_an_empty_passphrase_line_refuses_rather_than_leave_the_key_unprotected()
    {
        using var t = new TempDirectory();
        File.WriteAllText(t.File("pass"), "\n");

        var r = Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane", "--passphrase-file", "pass");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.StartsWith("chartseal: pass: the first line is empty", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(t.File("jane.sec.asc")));
        Assert.False(File.Exists(t.File("jane.pub.asc")));
    }

    [Fact]
    public void Revocation_certificate_with_a_wrong_passphrase_is_one_line_and_writes_nothing()
    {
        using var t = new TempDirectory();
        File.WriteAllText(t.File("pass"), "right\n");
        File.WriteAllText(t.File("wrong"), "wrong\n");
        Cli.AssertOk(Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane", "--passphrase-file", "pass"));
        var r = Cli.Run(t.Path, "key", "revocation-cert", "--key", "jane", "--keyring", "jane.sec.asc", "--passphrase-file", "wrong", "--out", "rev.asc");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("wrong passphrase", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(t.File("rev.asc")));
    }

    [Fact]
    public void Fingerprint_prints_each_primary_fingerprint_alone_on_its_line()
    {
        using var t = new TempDirectory();
        var jane = Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane");
        Cli.AssertOk(jane);
        string generated = jane.StdOut.Split('\n')[0].Replace("Generated key ", "", StringComparison.Ordinal).Trim();

        var r = Cli.Run(t.Path, "key", "fingerprint", "jane.pub.asc", "jane.sec.asc", TestPaths.Helm("helm-test-key.pub"));

        Cli.AssertOk(r);
        Assert.Equal($"{generated}\n{generated}\n5E615389B53CA37F0EE60BD3843BBF981FC18762\n", r.StdOut);
        var missing = Cli.Run(t.Path, "key", "fingerprint", "nope.asc");
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("nope.asc", Assert.Single(missing.StdErrLines), StringComparison.Ordinal);
    }
}

using System.CommandLine;
using System.Text;
using Chartseal.IO;
using Chartseal.Keys;

namespace Chartseal.Cli.Commands;

/// <summary><c>key generate</c>: OpenPGP keys for maintainers who do not use GnuPG.</summary>
internal static class KeyCommands
{
    public static Command Key()
    {
        var key = new Command("key", "Manage signing keys.");
        key.Subcommands.Add(Generate());
        key.Subcommands.Add(RevocationCert());
        key.Subcommands.Add(Fingerprint());
        return key;
    }

    private static Command Generate()
    {
        var name = new Option<string>("--name") { Description = "User id, e.g. \"Jane Doe <jane@example.com>\"", Required = true };
        var output = new Option<string>("--out") { Description = "Prefix of the files written: PREFIX.pub.asc and PREFIX.sec.asc", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "ed25519, rsa3072 or rsa4096", DefaultValueFactory = _ => "ed25519" };
        algorithm.AcceptOnlyFromAmong("ed25519", "rsa3072", "rsa4096");
        var expires = new Option<string>("--expires") { Description = "Validity, e.g. 2y, 90d, 12w, 6m (months, as gpg counts them); 0 = never", DefaultValueFactory = _ => "2y" };
        var passphraseFile = new Option<string?>("--passphrase-file") { Description = "Protect the secret key with the first line of this file (- = stdin)" };
        var force = new Option<bool>("--force") { Description = "Replace existing key files with the same prefix (the old secret key is lost)" };
        var command = new Command("generate", "Generate an OpenPGP signing key (GnuPG-compatible). Existing key files are never replaced unless --force.")
        {
            name, output, algorithm, expires, passphraseFile, force,
        };
        command.SetAction(async (p, ct) =>
        {
            var alg = p.GetValue(algorithm) switch
            {
                "rsa3072" => KeyAlgorithm.Rsa3072,
                "rsa4096" => KeyAlgorithm.Rsa4096,
                _ => KeyAlgorithm.Ed25519,
            };
            TimeSpan? validity = Duration.Parse(p.GetValue(expires)!);
            string? passphrase = new PassphraseSource(p.GetValue(passphraseFile)).GetNewKeyPassphrase();
            string prefix = p.GetValue(output)!;
            string secretPath = prefix + ".sec.asc", publicPath = prefix + ".pub.asc";
            bool overwrite = p.GetValue(force);
            if (!overwrite && new[] { secretPath, publicPath }.FirstOrDefault(File.Exists) is { } existing)
            {
                throw new ChartsealException(existing, "already exists; a key is never replaced by accident (choose another --out, or --force to replace it)");
            }
            var generated = KeyGenerator.Generate(p.GetValue(name)!, alg, validity, passphrase, DateTime.UtcNow);
            // The secret key is readable by its owner only (0600), like gpg's private-keys-v1.d.
            await WriteNew(secretPath, Encoding.ASCII.GetBytes(generated.SecretKeyArmored), overwrite, ct);
            await WriteNew(publicPath, Encoding.ASCII.GetBytes(generated.PublicKeyArmored), overwrite, ct, secret: false);
            Console.WriteLine($"Generated key {generated.Fingerprint}");
            Console.WriteLine($"  public: {prefix}.pub.asc");
            Console.WriteLine($"  secret: {prefix}.sec.asc (keep it private)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RevocationCert()
    {
        var key = new Option<string>("--key") { Description = "The key to revoke: " + SigningKeySelector.HowToName, Required = true };
        var keyring = new Option<string>("--keyring") { Description = "The key's secret keyring (binary or armored)", Required = true };
        var passphraseFile = new Option<string?>("--passphrase-file") { Description = "File whose first line is the key's passphrase; - reads standard input" };
        var reason = new Option<string>("--reason") { Description = "compromised, superseded, retired or unspecified", DefaultValueFactory = _ => "compromised" };
        reason.AcceptOnlyFromAmong("compromised", "superseded", "retired", "unspecified");
        var description = new Option<string>("--description") { Description = "One line for people, stored in the certificate", DefaultValueFactory = _ => "" };
        var output = new Option<string>("--out") { Description = "The file to write (armored); never replaced unless --force", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace an existing file" };
        var command = new Command("revocation-cert",
            "Make a revocation certificate for a key (as gpg --gen-revoke does), to keep apart and use with trust revoke --revocation-cert.")
        {
            key, keyring, passphraseFile, reason, description, output, force,
        };
        command.SetAction(async (p, ct) =>
        {
            var primary = SigningKeySelector.SelectPrimary(Keyring.Load(p.GetValue(keyring)!), p.GetValue(key)!);
            var tag = p.GetValue(reason) switch
            {
                "superseded" => Org.BouncyCastle.Bcpg.RevocationReasonTag.KeySuperseded,
                "retired" => Org.BouncyCastle.Bcpg.RevocationReasonTag.KeyRetired,
                "unspecified" => Org.BouncyCastle.Bcpg.RevocationReasonTag.NoReason,
                _ => Org.BouncyCastle.Bcpg.RevocationReasonTag.KeyCompromised,
            };
            string certificate = RevocationCertificate.Create(primary, primary.UnlockWith(new PassphraseSource(p.GetValue(passphraseFile))), tag, p.GetValue(description)!, DateTime.UtcNow);
            string path = p.GetValue(output)!;
            await WriteNew(path, Encoding.ASCII.GetBytes(certificate), p.GetValue(force), ct);
            Console.WriteLine($"Revocation certificate for {primary.PrimaryFingerprint} ({TerminalText.Escape(primary.UserId)}): {TerminalText.Escape(path)}");
            Console.WriteLine("  Anyone holding it can revoke the key: keep it as safe as the key.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Fingerprint()
    {
        var files = new Argument<string[]>("KEYFILE") { Description = "Key files (public or secret, binary or armored, or a GnuPG keybox)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("fingerprint", "Print the primary fingerprint of every key in the files, one per line (for --root-fingerprint and trust revoke).") { files };
        command.SetAction(p =>
        {
            foreach (string file in p.GetValue(files)!)
            {
                Keyring keyring = Keyring.Load(file);
                if (keyring.PublicKeyRings.Count == 0)
                {
                    throw new ChartsealException(file, "holds no OpenPGP key");
                }
                foreach (var ring in keyring.PublicKeyRings)
                {
                    Console.WriteLine(KeyInfo.Fingerprint(ring.GetPublicKey()));
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes a key file (0600 unless <paramref name="secret"/> is false) that must not exist unless <paramref name="overwrite"/>.</summary>
    private static async Task WriteNew(string path, byte[] contents, bool overwrite, CancellationToken ct, bool secret = true)
    {
        try
        {
            if (secret)
            {
                await AtomicFile.WritePrivateAsync(path, contents, overwrite, ct);
            }
            else if (overwrite)
            {
                await AtomicFile.WriteAllBytesAsync(path, contents, ct);
            }
            else
            {
                await AtomicFile.CreateAsync(path, contents, ct);
            }
        }
        catch (ChartsealException) when (!overwrite && File.Exists(path))
        {
            throw new ChartsealException(path, "already exists; a key is never replaced by accident (use --force to replace it)");
        }
    }
}

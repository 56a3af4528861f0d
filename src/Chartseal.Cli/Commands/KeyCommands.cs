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
        return key;
    }

    private static Command Generate()
    {
        var name = new Option<string>("--name") { Description = "User id, e.g. \"Jane Doe <jane@example.com>\"", Required = true };
        var output = new Option<string>("--out") { Description = "Prefix of the files written: PREFIX.pub.asc and PREFIX.sec.asc", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "ed25519, rsa3072 or rsa4096", DefaultValueFactory = _ => "ed25519" };
        algorithm.AcceptOnlyFromAmong("ed25519", "rsa3072", "rsa4096");
        var expires = new Option<string>("--expires") { Description = "Validity, e.g. 2y, 90d, 12w, 6m; 0 = never", DefaultValueFactory = _ => "2y" };
        var passphraseFile = new Option<string?>("--passphrase-file") { Description = "Protect the secret key with the first line of this file (- = stdin)" };
        var command = new Command("generate", "Generate an OpenPGP signing key (GnuPG-compatible).") { name, output, algorithm, expires, passphraseFile };
        command.SetAction(async (p, ct) =>
        {
            var alg = p.GetValue(algorithm) switch
            {
                "rsa3072" => KeyAlgorithm.Rsa3072,
                "rsa4096" => KeyAlgorithm.Rsa4096,
                _ => KeyAlgorithm.Ed25519,
            };
            TimeSpan? validity = Duration.Parse(p.GetValue(expires)!);
            string? passphrase = p.GetValue(passphraseFile) is { } file
                ? new PassphraseSource(file).GetPassphrase(p.GetValue(name)!)
                : null;
            var generated = KeyGenerator.Generate(p.GetValue(name)!, alg, validity, passphrase, DateTime.UtcNow);
            string prefix = p.GetValue(output)!;
            await AtomicFile.WriteAllBytesAsync(prefix + ".sec.asc", Encoding.ASCII.GetBytes(generated.SecretKeyArmored), ct);
            await AtomicFile.WriteAllBytesAsync(prefix + ".pub.asc", Encoding.ASCII.GetBytes(generated.PublicKeyArmored), ct);
            Console.WriteLine($"Generated key {generated.Fingerprint}");
            Console.WriteLine($"  public: {prefix}.pub.asc");
            Console.WriteLine($"  secret: {prefix}.sec.asc (keep it private)");
            return ExitCodes.Ok;
        });
        return command;
    }
}

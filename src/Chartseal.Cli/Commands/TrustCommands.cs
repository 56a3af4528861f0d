using System.CommandLine;
using System.Text.Json;
using Chartseal.Keys;
using Chartseal.Trust;
using Chartseal.Repository;
using Chartseal.Client;
using Chartseal.Fetch;
using Chartseal.IO;

namespace Chartseal.Cli.Commands;

/// <summary><c>trust init|add|remove|revoke|renew|rotate-root|show</c>: a repository's trust material.</summary>
internal static class TrustCommands
{
    public static Command Trust()
    {
        var trust = new Command("trust", "Manage a chart repository's trust material (pubkeys.pgp, revoked.pgp, trust.yaml.asc).");
        trust.Subcommands.Add(Init());
        trust.Subcommands.Add(Add());
        trust.Subcommands.Add(Remove());
        trust.Subcommands.Add(Revoke());
        trust.Subcommands.Add(Renew());
        trust.Subcommands.Add(RotateRoot());
        trust.Subcommands.Add(Show());
        return trust;
    }

    /// <summary>The root key options shared by every mutating command.</summary>
    private sealed class RootOptions
    {
        public readonly Argument<string> Repo = new("REPO_DIR") { Description = "The repository folder" };
        public readonly Option<string> Key = new("--root-key") { Description = "User id, fingerprint or key id of the root key", Required = true };
        public readonly Option<string> Keyring = new("--root-keyring") { Description = "Secret keyring holding the root key", Required = true };
        public readonly Option<string?> PassphraseFile = new("--passphrase-file") { Description = "File whose first line is the root key's passphrase; - reads standard input" };
        public readonly Option<string> Expires = new("--expires") { Description = "How long the signed manifest is valid, e.g. 90d, 12w", DefaultValueFactory = _ => "90d" };

        public Command Command(string name, string description, params Symbol[] extra)
        {
            var command = new Command(name, description) { Repo, Key, Keyring, PassphraseFile, Expires };
            foreach (Symbol symbol in extra)
            {
                switch (symbol)
                {
                    case Argument a:
                        command.Arguments.Add(a);
                        break;
                    case Option o:
                        command.Options.Add(o);
                        break;
                }
            }
            return command;
        }

        public RootSigner Signer(ParseResult p, DateTime now) => Unlock(p.GetValue(Keyring)!, p.GetValue(Key)!, p.GetValue(PassphraseFile), now);

        public TimeSpan Validity(ParseResult p) =>
            Duration.Parse(p.GetValue(Expires)!) ?? throw new ChartsealException(null, "--expires must be finite: trust material that never expires cannot defend against a freeze");
    }

    private static RootSigner Unlock(string keyringPath, string keyName, string? passphraseFile, DateTime now)
    {
        var key = SigningKeySelector.Select(Keyring.Load(keyringPath), keyName, now);
        string? passphrase = key.IsEncrypted ? new PassphraseSource(passphraseFile).GetPassphrase(key.UserId) : null;
        return new RootSigner(key, key.Unlock(passphrase));
    }

    private static int Done(string repo, TrustManifest manifest, string what)
    {
        Console.WriteLine($"{what}: {repo} trust version {manifest.Version}, expires {TrustManifest.FormatTime(manifest.Expires)}, root {manifest.Root}");
        return ExitCodes.Ok;
    }

    private static Command Init()
    {
        var o = new RootOptions();
        var command = o.Command("init", "Create pubkeys.pgp, revoked.pgp, root.pgp and the root-signed trust.yaml.asc.");
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var signer = o.Signer(p, now);
            var manifest = await TrustRepository.InitAsync(p.GetValue(o.Repo)!, signer, o.Validity(p), now, ct);
            Done(p.GetValue(o.Repo)!, manifest, "Initialised");
            Console.WriteLine($"Root fingerprint (pin this): {signer.Fingerprint}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Add()
    {
        var o = new RootOptions();
        var files = new Argument<string[]>("KEYFILE") { Description = "Public keys of maintainers (binary or armored)", Arity = ArgumentArity.OneOrMore };
        var command = o.Command("add", "Trust maintainers' keys for signing charts.", files);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var keys = Keyring.Merge(string.Join(", ", p.GetValue(files)!), p.GetValue(files)!.Select(Keyring.Load));
            var manifest = await TrustRepository.AddAsync(p.GetValue(o.Repo)!, o.Signer(p, now), keys, o.Validity(p), now, ct);
            foreach (var ring in keys.PublicKeyRings)
            {
                Console.WriteLine($"Added {KeyInfo.Fingerprint(ring.GetPublicKey())} {TerminalText.Escape(KeyInfo.PrimaryUserId(ring))}");
            }
            return Done(p.GetValue(o.Repo)!, manifest, "Updated");
        });
        return command;
    }

    private static Command Remove()
    {
        var o = new RootOptions();
        var fprs = new Argument<string[]>("FINGERPRINT") { Description = "Primary key fingerprints to remove", Arity = ArgumentArity.OneOrMore };
        var command = o.Command("remove", "Stop trusting maintainers' keys (for keys that are not compromised; see revoke).", fprs);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var manifest = await TrustRepository.RemoveAsync(p.GetValue(o.Repo)!, o.Signer(p, now), p.GetValue(fprs)!, o.Validity(p), now, ct);
            return Done(p.GetValue(o.Repo)!, manifest, "Updated");
        });
        return command;
    }

    private static Command Revoke()
    {
        var o = new RootOptions();
        var fpr = new Argument<string>("FINGERPRINT") { Description = "Primary key fingerprint to revoke" };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the output only)" };
        var cert = new Option<string?>("--revocation-cert") { Description = "The key's revocation certificate (gpg --gen-revoke), stored in revoked.pgp" };
        var keyFile = new Option<string?>("--key-file") { Description = "The key's certificate, when it is no longer in pubkeys.pgp" };
        var command = o.Command("revoke", "Never trust a key again: charts it signed are rejected with signer-revoked.", fpr, reason, cert, keyFile);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            byte[]? revocation = p.GetValue(cert) is { } c ? await IO.InputFile.ReadAsync(c, TrustFiles.MaxFileSize, ct) : null;
            Keyring? certificate = p.GetValue(keyFile) is { } k ? Keyring.Load(k) : null;
            var manifest = await TrustRepository.RevokeAsync(p.GetValue(o.Repo)!, o.Signer(p, now), p.GetValue(fpr)!, certificate, revocation, o.Validity(p), now, ct);
            Console.WriteLine($"Revoked {p.GetValue(fpr)}{(p.GetValue(reason) is { } r ? ": " + r : "")}");
            return Done(p.GetValue(o.Repo)!, manifest, "Updated");
        });
        return command;
    }

    private static Command Renew()
    {
        var o = new RootOptions();
        var command = o.Command("renew", "Re-sign the trust material with a new expiry.");
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var manifest = await TrustRepository.RenewAsync(p.GetValue(o.Repo)!, o.Signer(p, now), o.Validity(p), now, ct);
            return Done(p.GetValue(o.Repo)!, manifest, "Renewed");
        });
        return command;
    }

    private static Command RotateRoot()
    {
        var o = new RootOptions();
        var newKey = new Option<string>("--new-root-key") { Description = "User id, fingerprint or key id of the new root key (public part is enough)", Required = true };
        var newKeyring = new Option<string?>("--new-root-keyring") { Description = "Keyring holding the new root key (default: --root-keyring)" };
        var command = o.Command("rotate-root", "Hand the repository over to a new root key, signed by the current root.", newKey, newKeyring);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var ring = Keyring.Load(p.GetValue(newKeyring) ?? p.GetValue(o.Keyring)!);
            string id = p.GetValue(newKey)!;
            var match = ring.PublicKeyRings.Where(r => r.GetPublicKey() is var k && (KeyInfo.Fingerprint(k) == id.ToUpperInvariant() || KeyInfo.UserIds(r).Any(u => u.Contains(id, StringComparison.OrdinalIgnoreCase)))).ToList();
            if (match.Count != 1)
            {
                throw new ChartsealException(ring.SourceName, $"{(match.Count == 0 ? "no" : "more than one")} key matches \"{id}\"");
            }
            var manifest = await TrustRepository.RotateRootAsync(p.GetValue(o.Repo)!, o.Signer(p, now), match[0], o.Validity(p), now, ct);
            Console.WriteLine($"Next root: {manifest.NextRoot} (clients that accept version {manifest.Version} pin it; sign later changes with it)");
            return Done(p.GetValue(o.Repo)!, manifest, "Rotated");
        });
        return command;
    }

    private static Command Show()
    {
        var repo = new Argument<string>("REPO_DIR|URL") { Description = "The repository folder, or its http(s) URL" };
        var insecureHttp = TransportOption.Create();
        var output = OutputOption.Create();
        var command = new Command("show", "Print the repository's verified trust material (checked against its own declared root).") { repo, insecureHttp, output };
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var source = RepositorySource.Open(p.GetValue(repo)!, new FetchPolicy(p.GetValue(insecureHttp)));
            var material = await TrustRepository.ReadCurrentAsync(source, now, ct);
            if (p.GetValue(output) == "json")
            {
                using var stdout = Console.OpenStandardOutput();
                using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartObject();
                    json.WriteString("schema", "chartseal.trust-show/v1");
                    json.WriteNumber("version", material.Version);
                    json.WriteString("expires", TrustManifest.FormatTime(material.Manifest.Expires));
                    json.WriteBoolean("expired", material.Manifest.Expires <= now);
                    json.WriteString("root", material.SignedBy);
                    if (material.Manifest.NextRoot is { } next)
                    {
                        json.WriteString("nextRoot", next);
                    }
                    else
                    {
                        json.WriteNull("nextRoot");
                    }
                    WriteKeys(json, "keys", material.PublicKeys);
                    WriteKeys(json, "revoked", material.Revoked);
                    json.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
                return ExitCodes.Ok;
            }
            Console.WriteLine($"Version: {material.Version}");
            Console.WriteLine($"Expires: {TrustManifest.FormatTime(material.Manifest.Expires)}{(material.Manifest.Expires <= now ? " (EXPIRED)" : "")}");
            Console.WriteLine($"Root: {material.SignedBy}");
            if (material.Manifest.NextRoot is { } n)
            {
                Console.WriteLine($"Next root: {n}");
            }
            foreach (var ring in material.PublicKeys.PublicKeyRings)
            {
                Console.WriteLine($"Trusted: {KeyInfo.Fingerprint(ring.GetPublicKey())} {TerminalText.Escape(KeyInfo.PrimaryUserId(ring))}");
            }
            foreach (var ring in material.Revoked.PublicKeyRings)
            {
                Console.WriteLine($"Revoked: {KeyInfo.Fingerprint(ring.GetPublicKey())} {TerminalText.Escape(KeyInfo.PrimaryUserId(ring))}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteKeys(Utf8JsonWriter json, string name, Keyring keys)
    {
        json.WriteStartArray(name);
        foreach (var ring in keys.PublicKeyRings)
        {
            json.WriteStartObject();
            json.WriteString("fingerprint", KeyInfo.Fingerprint(ring.GetPublicKey()));
            json.WriteString("userId", KeyInfo.PrimaryUserId(ring));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}

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
        var trust = new Command("trust", "Manage a chart repository's trust material (pubkeys.pgp, revoked.pgp, trust.yaml.asc), in a folder or in an OCI registry namespace.");
        trust.Subcommands.Add(Init());
        trust.Subcommands.Add(Add());
        trust.Subcommands.Add(Remove());
        trust.Subcommands.Add(Revoke());
        trust.Subcommands.Add(Renew());
        trust.Subcommands.Add(RotateRoot());
        trust.Subcommands.Add(IndexKey());
        trust.Subcommands.Add(Show());
        return trust;
    }

    /// <summary>The root key options shared by every mutating command.</summary>
    private sealed class RootOptions
    {
        public readonly Argument<string> Repo = new("REPO_DIR|oci://HOST/NS") { Description = "The repository folder, or a registry namespace (its trust artifact is read, changed here and pushed back)" };
        public readonly Option<string> Key = new("--root-key") { Description = "The root key: " + SigningKeySelector.HowToName, Required = true };
        public readonly Option<string> Keyring = new("--root-keyring") { Description = "Secret keyring holding the root key", Required = true };
        public readonly Option<string?> PassphraseFile = new("--passphrase-file") { Description = "File whose first line is the root key's passphrase; - reads standard input" };
        public readonly Option<string?> Expires = new("--expires") { Description = "How long the signed manifest is valid, e.g. 90d, 12w (default: init 90d; a change keeps the lifetime the repository has)" };
        public readonly Option<bool> AllowRollback = new("--allow-rollback") { Description = "DANGER: sign although the trust files are older than a version this root already signed (they were rolled back)" };

        public readonly RegistryOptions Registry = new(writes: true);

        /// <summary>What the signers of this command remember having signed (one store: a rotation's two roots record together).</summary>
        public readonly SignedVersionStore Memory = SignedVersionStore.Default();

        /// <summary>Runs a trust change on the folder, or on the namespace's trust artifact (pulled, changed here, pushed back).</summary>
        public async Task<TrustManifest> ChangeAsync(ParseResult p, bool creating, Func<string, CancellationToken, Task<TrustManifest>> change, CancellationToken ct) =>
            await OciTrustRepository.ChangeAtAsync(p.GetValue(Repo)!, await Registry.BuildForAsync(p, p.GetValue(Repo)!, null, ct), creating, change, Memory, ct);

        /// <summary>Where the signer's memory records this repository: the folder, or the registry namespace (not its working copy).</summary>
        public string? RememberedAs(ParseResult p) => OciTrustRepository.RememberedAs(p.GetValue(Repo)!);

        public Command Command(string name, string description, params Symbol[] extra)
        {
            var command = new Command(name, description) { Repo, Key, Keyring, PassphraseFile, Expires, AllowRollback };
            Registry.AddTo(command);
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

        // The signer remembers (in CHARTSEAL_HOME) the highest version it signed per repository, and refuses a rollback.
        public RootSigner Signer(ParseResult p, DateTime now) =>
            Unlock(p.GetValue(Keyring)!, p.GetValue(Key)!, p.GetValue(PassphraseFile), now) with { Memory = Memory, AllowRollback = p.GetValue(AllowRollback), RememberedAs = RememberedAs(p) };

        /// <summary>The --expires given, or null (keep the repository's lifetime).</summary>
        public TimeSpan? Validity(ParseResult p) => p.GetValue(Expires) is { } expires ? Finite(expires) : null;

        /// <summary>The --expires given, or the default for a new repository.</summary>
        public TimeSpan InitialValidity(ParseResult p) => p.GetValue(Expires) is { } expires ? Finite(expires) : TrustRepository.DefaultValidity;

        private static TimeSpan Finite(string expires) =>
            Duration.Parse(expires) ?? throw new ChartsealException(null, "--expires must be finite: trust material that never expires cannot defend against a freeze");
    }

    private static RootSigner Unlock(string keyringPath, string keyName, string? passphraseFile, DateTime now)
    {
        var key = SigningKeySelector.Select(Keyring.Load(keyringPath), keyName, now);
        return new RootSigner(key, key.UnlockWith(new PassphraseSource(passphraseFile)));
    }

    private static int Done(string repo, TrustManifest manifest, string what)
    {
        Console.WriteLine($"{what}: {TerminalText.Escape(repo)} trust version {manifest.Version}, expires {TrustManifest.FormatTime(manifest.Expires)}, root {manifest.Root}");
        if (manifest.HasIndexKeys)
        {
            // A snapshot names the trust version it was made with: until one names this version, clients and audit refuse
            // the index (index-trust-mismatch, or index-unsigned for the first one), so say so where the change is made.
            string signer = OciRepositorySource.IsOciLocation(repo) ? "" : "; a chartseal serve --index-key of this folder signs one within 5 seconds";
            Console.WriteLine($"Note: the repository signs its index: clients refuse it until a snapshot is signed with trust version {manifest.Version} "
                + $"(chartseal index sign {TerminalText.Escape(repo)} --key ...{signer})");
        }
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
            var manifest = await o.ChangeAsync(p, creating: true, (dir, token) => TrustRepository.InitAsync(dir, signer, o.InitialValidity(p), now, token), ct);
            Done(p.GetValue(o.Repo)!, manifest, "Initialised");
            Console.WriteLine($"Root fingerprint (pin this): {signer.Fingerprint}");
            string recordedAs = o.RememberedAs(p) ?? FolderRepositorySource.LocationOf(p.GetValue(o.Repo)!);
            foreach (var (other, version) in o.Memory.SignedElsewhere(signer.Fingerprint, recordedAs))
            {
                Console.Error.WriteLine("chartseal: warning: " + TerminalText.Escape(
                    $"root {signer.Fingerprint} already signs the trust material of {other} (version {version} signed here): clients remember one trust version "
                    + "per root, so a client of both refuses the one at the lower version (trust-rollback); give each repository its own root key"));
            }
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
            var signer = o.Signer(p, now);
            var manifest = await o.ChangeAsync(p, creating: false, (dir, token) => TrustRepository.AddAsync(dir, signer, keys, o.Validity(p), now, token), ct);
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
            var signer = o.Signer(p, now);
            var manifest = await o.ChangeAsync(p, creating: false, (dir, token) => TrustRepository.RemoveAsync(dir, signer, p.GetValue(fprs)!, o.Validity(p), now, token), ct);
            foreach (string fingerprint in p.GetValue(fprs)!)
            {
                Console.WriteLine($"Removed {new PinnedRoot(fingerprint).Fingerprint}");
            }
            return Done(p.GetValue(o.Repo)!, manifest, "Updated");
        });
        return command;
    }

    private static Command Revoke()
    {
        var o = new RootOptions();
        var fpr = new Argument<string>("FINGERPRINT") { Description = "Primary key fingerprint to revoke" };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the output only)" };
        var cert = new Option<string?>("--revocation-cert") { Description = "The key's revocation certificate (chartseal key revocation-cert, or gpg --gen-revoke), stored in revoked.pgp" };
        // Not --key-file: that is the TLS client key every registry command takes (RegistryOptions), which would take the value.
        var keyFile = new Option<string?>("--public-key") { Description = "The key's certificate (public key file), when it is no longer in pubkeys.pgp" };
        var command = o.Command("revoke", "Never trust a key again: charts it signed are rejected with signer-revoked.", fpr, reason, cert, keyFile);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            byte[]? revocation = p.GetValue(cert) is { } c ? await IO.InputFile.ReadAsync(c, TrustFiles.MaxFileSize, ct) : null;
            Keyring? certificate = p.GetValue(keyFile) is { } k ? Keyring.Load(k) : null;
            var signer = o.Signer(p, now);
            var manifest = await o.ChangeAsync(p, creating: false, (dir, token) => TrustRepository.RevokeAsync(dir, signer, p.GetValue(fpr)!, certificate, revocation, p.GetValue(cert) ?? "revocation certificate", o.Validity(p), now, token), ct);
            Console.WriteLine($"Revoked {new PinnedRoot(p.GetValue(fpr)!).Fingerprint}{(p.GetValue(reason) is { } r ? ": " + TerminalText.Escape(r) : "")}");
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
            var signer = o.Signer(p, now);
            var manifest = await o.ChangeAsync(p, creating: false, (dir, token) => TrustRepository.RenewAsync(dir, signer, o.Validity(p), now, token), ct);
            return Done(p.GetValue(o.Repo)!, manifest, "Renewed");
        });
        return command;
    }

    private static Command RotateRoot()
    {
        var o = new RootOptions();
        var newKey = new Option<string>("--new-root-key") { Description = "The new root key, which co-signs the hand-over: " + SigningKeySelector.HowToName, Required = true };
        var newKeyring = new Option<string?>("--new-root-keyring") { Description = "Secret keyring holding the new root key (default: --root-keyring)" };
        var newPassphrase = new Option<string?>("--new-root-passphrase-file") { Description = "File whose first line is the new root key's passphrase; - reads standard input" };
        var command = o.Command("rotate-root", "Hand the repository over to a new root key: the current and the new root both sign the hand-over.", newKey, newKeyring, newPassphrase);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var newRoot = Unlock(p.GetValue(newKeyring) ?? p.GetValue(o.Keyring)!, p.GetValue(newKey)!, p.GetValue(newPassphrase), now) with { Memory = o.Memory, RememberedAs = o.RememberedAs(p) };
            var signer = o.Signer(p, now);
            var manifest = await o.ChangeAsync(p, creating: false, (dir, token) => TrustRepository.RotateRootAsync(dir, signer, newRoot, o.Validity(p), now, token), ct);
            Console.WriteLine($"Next root: {manifest.NextRoot} (clients that accept version {manifest.Version} pin it, and so can new users; sign later changes with it)");
            return Done(p.GetValue(o.Repo)!, manifest, "Rotated");
        });
        return command;
    }

    private static Command IndexKey()
    {
        var command = new Command("index-key", "Delegate index snapshots to index keys: keys that sign the repository's index and nothing else.");
        command.Subcommands.Add(IndexKeyAdd());
        command.Subcommands.Add(IndexKeyRemove());
        return command;
    }

    private static Command IndexKeyAdd()
    {
        var o = new RootOptions();
        var files = new Argument<string[]>("KEYFILE") { Description = "Public keys of the index keys (binary or armored)", Arity = ArgumentArity.OneOrMore };
        var maxLifetime = new Option<string?>("--max-lifetime") { Description = "The longest a snapshot may live from its signature, e.g. 7d, 36h (default: the repository's, else 7d): caps what a stolen index key can freeze" };
        var command = o.Command("add", "Trust keys to sign index snapshots; from then on clients refuse the index without a fresh one.", files, maxLifetime);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var keys = Keyring.Merge(string.Join(", ", p.GetValue(files)!), p.GetValue(files)!.Select(Keyring.Load));
            TimeSpan? max = p.GetValue(maxLifetime) is { } m
                ? Duration.Parse(m) ?? throw new ChartsealException(null, "--max-lifetime must be finite")
                : null;
            var signer = o.Signer(p, now);
            var manifest = await o.ChangeAsync(p, creating: false, (dir, token) => TrustRepository.AddIndexKeyAsync(dir, signer, keys, max, o.Validity(p), now, token), ct);
            foreach (var ring in keys.PublicKeyRings)
            {
                Console.WriteLine($"Index key {KeyInfo.Fingerprint(ring.GetPublicKey())} {TerminalText.Escape(KeyInfo.PrimaryUserId(ring))} (snapshots live at most {Duration.ForPeople(manifest.SnapshotMaxLifetime ?? TrustManifest.DefaultSnapshotMaxLifetime)})");
            }
            return Done(p.GetValue(o.Repo)!, manifest, "Updated");
        });
        return command;
    }

    private static Command IndexKeyRemove()
    {
        var o = new RootOptions();
        var fprs = new Argument<string[]>("FINGERPRINT") { Description = "Primary key fingerprints of the index keys to remove", Arity = ArgumentArity.OneOrMore };
        var command = o.Command("remove", "Stop trusting index keys (a compromised or retired one); clients follow the new key without re-pinning.", fprs);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            var signer = o.Signer(p, now);
            var manifest = await o.ChangeAsync(p, creating: false, (dir, token) => TrustRepository.RemoveIndexKeyAsync(dir, signer, p.GetValue(fprs)!, o.Validity(p), now, token), ct);
            if (!manifest.HasIndexKeys)
            {
                Console.WriteLine("No index key is left: the repository's index is no longer signed");
            }
            return Done(p.GetValue(o.Repo)!, manifest, "Updated");
        });
        return command;
    }

    private static Command Show()
    {
        var repo = new Argument<string>("REPO_DIR|URL|oci://HOST/NS") { Description = "The repository folder, its http(s) URL, or a registry namespace" };
        var registry = new RegistryOptions();
        var timeout = TimeoutOption.Create();
        var output = OutputOption.Create();
        var command = new Command("show", "Print the repository's verified trust material (checked against its own declared root).") { repo, timeout, output };
        registry.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            using var source = await registry.OpenAsync(p, p.GetValue(repo)!, TimeoutOption.Start(p, timeout), ct);
            var material = await TrustRepository.ReadCurrentAsync(source, now, ct);
            if (p.GetValue(output) == "json")
            {
                // The one JSON writer of the CLI: the encoder and terminal escaping of every other report.
                VerdictOutput.WriteJsonObject(json =>
                {
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
                    if (material.IndexKeys is { } indexKeys)
                    {
                        WriteKeys(json, "indexKeys", indexKeys);
                        json.WriteNumber("snapshotMaxLifetimeSeconds", (long)material.SnapshotMaxLifetime.TotalSeconds);
                    }
                });
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
            foreach (var ring in material.IndexKeys?.PublicKeyRings ?? [])
            {
                Console.WriteLine($"Index key: {KeyInfo.Fingerprint(ring.GetPublicKey())} {TerminalText.Escape(KeyInfo.PrimaryUserId(ring))}");
            }
            if (material.RequiresSnapshot)
            {
                Console.WriteLine($"Snapshots: required, at most {Duration.ForPeople(material.SnapshotMaxLifetime)} each");
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

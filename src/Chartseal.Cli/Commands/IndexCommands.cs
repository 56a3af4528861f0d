using System.CommandLine;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.Repository;
using Chartseal.Trust;

namespace Chartseal.Cli.Commands;

/// <summary><c>index sign</c>: the repository's signed index snapshot, for static repositories signed in CI.</summary>
internal static class IndexCommands
{
    public static Command Index()
    {
        var index = new Command("index", "Sign a repository's index: the snapshot that makes clients refuse a trimmed, replayed or frozen index.yaml.");
        index.Subcommands.Add(Sign());
        return index;
    }

    /// <summary>The index key options of a command that also signs the snapshot (publish: <c>--index-key</c>, ...).</summary>
    internal sealed class IndexKeyOptions(string prefix)
    {
        public readonly Option<string?> Key = new($"--{prefix}key") { Description = "An index key of the repository (trust index-key add): " + SigningKeySelector.HowToName };
        public readonly Option<string?> Keyring = new($"--{prefix}keyring") { Description = "Secret keyring holding the index key" };
        public readonly Option<string?> PassphraseFile = new($"--{prefix}passphrase-file") { Description = "File whose first line is the index key's passphrase; - reads standard input" };
        public readonly Option<string?> Expires = new($"--{prefix}expires") { Description = "How long the snapshot is valid, e.g. 1d, 12h, 30min (default 1d; at most the trust manifest's snapshotMaxLifetime)" };

        public void AddTo(Command command)
        {
            command.Options.Add(Key);
            command.Options.Add(Keyring);
            command.Options.Add(PassphraseFile);
            command.Options.Add(Expires);
        }

        public bool Given(ParseResult p) => p.GetValue(Key) is not null;

        /// <summary>Signs the snapshot of a folder, or of a registry namespace (<c>oci://HOST/NS</c>, reached with <paramref name="registry"/>), and prints one line about it.</summary>
        public async Task<IndexSnapshot> SignAsync(ParseResult p, string repository, RegistryOptions? registry, CancellationToken ct)
        {
            DateTime now = DateTime.UtcNow;
            string keyring = p.GetValue(Keyring) ?? throw new ChartsealException(null, $"{Keyring.Name} is required with {Key.Name}");
            var signer = IndexSigner.Unlock(keyring, p.GetValue(Key)!, new PassphraseSource(p.GetValue(PassphraseFile)), now);
            TimeSpan lifetime = p.GetValue(Expires) is { } e
                ? Duration.Parse(e) ?? throw new ChartsealException(null, $"{Expires.Name} must be finite: a snapshot that never expires cannot defend against a freeze")
                : IndexSigner.DefaultLifetime;
            IndexSnapshot snapshot;
            string covered;
            IReadOnlyList<RefusedTag> refused = [];
            if (Client.OciRepositorySource.IsOciLocation(repository))
            {
                using var source = new Client.OciRepositorySource(Client.OciRepositorySource.ParseNamespace(repository), registry is null ? new Oci.OciRegistryOptions() : await registry.BuildForAsync(p, repository, null, ct));
                var signed = await IndexSnapshotWriter.SignAsync(source, signer, lifetime, now, ct);
                snapshot = signed.Snapshot;
                covered = $"{Client.OciIndexSnapshot.ReferenceIn(source.Namespace)} ({IndexSnapshot.TagsFileName}: {Plural.Count(signed.Signed, "chart tag")}, {snapshot.IndexSize} bytes)";
                refused = signed.Refused;
                if (!signed.Settled)
                {
                    Console.Error.WriteLine($"chartseal: note: {TerminalText.Escape(Client.OciIndexSnapshot.ReferenceIn(source.Namespace).ToString())}: the registry's tags still changed after {IndexSnapshotWriter.MaxSigningAttempts} signings (other jobs pushing or signing): the snapshot may lack the newest tags; run chartseal index sign again once they are done");
                }
            }
            else
            {
                snapshot = await IndexSnapshotWriter.SignAsync(repository, signer, lifetime, now, ct);
                covered = $"{IndexSnapshot.ContentAddressedIndexName(snapshot.IndexSha256)} ({snapshot.IndexSize} bytes)";
            }
            Console.WriteLine($"Signed {IndexSnapshot.FileName} version {snapshot.Version} for {covered}, trust version {snapshot.TrustVersion}, expires {TrustManifest.FormatTime(snapshot.Expires)}, by index key {signer.Fingerprint}");
            PrintRefused(refused);
            if (snapshot.Expires < now.AddSeconds(-1) + lifetime)
            {
                // Clients check the key when they read the snapshot: it cannot outlive the key.
                Console.Error.WriteLine($"Note: the index key expires {TrustManifest.FormatTime(snapshot.Expires)}, before the {Duration.ForPeople(lifetime)} asked; extend it (gpg --quick-set-expire), export it and have the root add it again (chartseal trust index-key add), or clients will refuse the repository then");
            }
            return snapshot;
        }
    }

    // The tags a registry holds that were not signed as it holds them: one line each (what the gate said), then the count and
    // names. The snapshot is signed all the same (exit 0): a pusher must not be able to stop that; audit names them until deleted.
    private static void PrintRefused(IReadOnlyList<RefusedTag> refused)
    {
        foreach (var tag in refused)
        {
            string what = tag.KeptDigest is { } kept
                ? $"kept at the manifest signed before ({kept}), not the one the tag holds now ({tag.Digest})"
                : "left out of the signed tags";
            Console.Error.WriteLine($"chartseal: {TerminalText.Escape(tag.Reference)}: {what}: {tag.Refusal.Name}: {TerminalText.Escape(tag.Refusal.Message)}");
        }
        if (refused.Count > 0)
        {
            string names = string.Join(", ", refused.Select(t => t.Reference[(t.Reference.LastIndexOf('/') + 1)..]));
            Console.Error.WriteLine($"chartseal: {Plural.Count(refused.Count, "tag")} the registry holds {(refused.Count == 1 ? "is" : "are")} not signed as it holds {(refused.Count == 1 ? "it" : "them")} ({TerminalText.Escape(names)}): the gate refuses {(refused.Count == 1 ? "its chart" : "their charts")}; "
                + "re-sign the versions you published (chartseal push --resign-only), delete the others from the registry (Helm has no delete) and check who can push to it");
        }
    }

    private static Command Sign()
    {
        var repo = new Argument<string>("REPO_DIR|oci://HOST/NS") { Description = "The repository folder (its index.yaml and trust material), or a registry namespace (its chart tags)" };
        var key = new IndexKeyOptions("");
        var registry = new RegistryOptions(writes: true);
        var command = new Command("sign", "Sign the repository's index snapshot with an index key: a folder's index.yaml (published under its content-addressed name), or a registry namespace's tags and their manifest digests.") { repo };
        key.AddTo(command);
        registry.AddTo(command);
        key.Key.Required = true;
        key.Keyring.Required = true;
        command.SetAction(async (p, ct) =>
        {
            await key.SignAsync(p, p.GetValue(repo)!, registry, ct);
            return ExitCodes.Ok;
        });
        return command;
    }
}

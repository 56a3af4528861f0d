using System.CommandLine;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Oci;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Trust;

namespace Chartseal.Cli.Commands;

/// <summary><c>push CHART.tgz oci://HOST/NS</c>: the publish gate of a registry namespace.</summary>
internal static class PushCommands
{
    public static Command Push()
    {
        var chart = new Argument<string>("CHART.tgz") { Description = "The signed chart archive (its .prov beside it)" };
        var target = new Argument<string>("oci://HOST/NS") { Description = "The registry namespace; the chart goes to NS/NAME:VERSION, where helm push puts it" };
        var rootFingerprint = new Option<string?>("--root-fingerprint") { Description = "The namespace's pinned root key fingerprint (default: the pin of the repository added for this namespace with repo add)" };
        var prov = new Option<string?>("--prov") { Description = "Provenance file (default: CHART.tgz.prov)" };
        var rebuildFrom = new Option<string?>("--rebuild-from") { Description = "Rebuild from this chart source folder and require it to be the signed archive" };
        var force = new Option<bool>("--force") { Description = "Replace a version the namespace already holds" };
        var resignOnly = new Option<bool>("--resign-only") { Description = "Only replace the provenance layer of a pushed version: same chart layer, new trusted signer" };
        var registry = new RegistryOptions(writes: true);
        var command = new Command("push", "Verify a signed chart against the namespace's trust material (and its source), then push it and its .prov to an OCI registry as helm push does.")
        {
            chart, target, rootFingerprint, prov, rebuildFrom, force, resignOnly,
        };
        registry.AddTo(command);
        var indexKey = new IndexCommands.IndexKeyOptions("index-");
        indexKey.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(resignOnly) && (r.GetValue(force) || r.GetValue(rebuildFrom) is not null))
            {
                r.AddError("--resign-only cannot be combined with --force or --rebuild-from");
            }
        });
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow; // one clock reading for the whole operation
            string path = p.GetValue(chart)!;
            string location = p.GetValue(target)!;
            if (!OciRepositorySource.IsOciLocation(location))
            {
                throw new ChartsealException(location, "push takes a registry namespace, oci://HOST/NS (publish --repo writes a repository folder)");
            }
            OciReference @namespace = OciRepositorySource.ParseNamespace(location);
            PinnedRoot root = await PinnedRootAsync(p.GetValue(rootFingerprint), @namespace, ct);
            using var source = new OciRepositorySource(@namespace, await registry.BuildForAsync(p, @namespace.ToString(), null, ct));
            if (p.GetValue(resignOnly))
            {
                string provPath = p.GetValue(prov) ?? path + ".prov";
                // Up to one byte over the limit, as at every door: an oversized .prov is then refused as malformed.
                byte[] bytes = await InputFile.ReadIfExistsAsync(provPath, ChartVerifier.MaxProvenanceLength + 1L, truncate: true, ct)
                    ?? throw new ChartsealException(provPath, "no such file");
                var replaced = await OciChartPublisher.ReplaceProvenanceAsync(source, bytes, provPath, root, TrustStateStore.Default(), now, ct);
                if (replaced is PublishResult.Rejected refused)
                {
                    Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{provPath}: {refused.Refusal}"));
                    return ExitCodes.Rejected;
                }
                var done = (PublishResult.Published)replaced;
                Console.WriteLine($"Replaced the provenance of {done.Entry.Urls[0]} (chart layer unchanged)");
                PrintSigner(done);
                // The version's manifest has a new digest: a signed tag map still names the old manifest (the old signature).
                await SignTagsAsync(p, done, indexKey, location, registry, "clients read the new provenance", ct);
                return ExitCodes.Ok;
            }
            var (archive, provenance) = await ChartFileVerifier.ReadAsync(path, p.GetValue(prov), ct);
            var options = new OciPushOptions(root, p.GetValue(rebuildFrom), ChartPackager.SourceDateEpochFromEnvironment(), p.GetValue(force),
                new DateTimeOffset(File.GetLastWriteTime(path))); // Helm writes the archive's modification time as "created"
            var result = await OciChartPublisher.PushAsync(source, new ChartUpload(Path.GetFileName(path), archive, provenance), options, TrustStateStore.Default(), now, ct);
            if (result is PublishResult.Rejected r)
            {
                string hint = r.Reason == RejectionReason.VersionExists ? " (--force replaces it; --resign-only replaces only its .prov)" : "";
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{path}: {r.Reason.Name()}: {r.Message}") + hint);
                return ExitCodes.Rejected;
            }
            var published = (PublishResult.Published)result;
            Console.WriteLine($"Pushed: {published.Entry.Urls[0]}");
            PrintSigner(published);
            if (published.Verdict.Rebuild is { } rebuild)
            {
                Console.WriteLine($"Rebuild gate passed: rebuilt from {TerminalText.Escape(rebuild.Source)}, {(rebuild.IdenticalBytes ? "identical archive" : "same files and contents")}");
            }
            await SignTagsAsync(p, published, indexKey, location, registry, "clients see this version", ct);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>After a push: signs the namespace's tag map with <c>--index-key</c>, else says when the namespace needs it signed again.</summary>
    private static async Task SignTagsAsync(ParseResult p, PublishResult.Published published, IndexCommands.IndexKeyOptions indexKey, string location,
        RegistryOptions registry, string untilSigned, CancellationToken ct)
    {
        if (indexKey.Given(p))
        {
            await indexKey.SignAsync(p, location, registry, ct);
        }
        else if (published.Verdict.Material?.RequiresSnapshot == true)
        {
            Console.WriteLine($"Note: the namespace signs its tags; {untilSigned} once its snapshot is signed again (chartseal index sign {location} --key ... or --index-key here)");
        }
    }

    private static void PrintSigner(PublishResult.Published published)
    {
        var signer = published.Verdict.Verification.Signer;
        Console.WriteLine($"Signed by: {TerminalText.Escape(signer.UserIds.FirstOrDefault() ?? signer.Fingerprint)} ({signer.Fingerprint}), trust version {published.Verdict.Material!.Version}");
    }

    /// <summary>The pin given, else the pin of the configured repository for this namespace.</summary>
    private static async Task<PinnedRoot> PinnedRootAsync(string? fingerprint, OciReference @namespace, CancellationToken ct)
    {
        if (fingerprint is not null)
        {
            return new PinnedRoot(fingerprint);
        }
        var config = await RepositoryConfigFile.LoadAsync(ClientHome.Default().ConfigFile, ct);
        return config.FindNamespace(@namespace)?.Root
            ?? throw new ChartsealException(OciRepositorySource.CanonicalLocation(@namespace), "no root pinned for this namespace: give --root-fingerprint FPR (or add the namespace with chartseal repo add)");
    }
}

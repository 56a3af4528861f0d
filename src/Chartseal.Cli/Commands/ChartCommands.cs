using System.CommandLine;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Trust;
using Chartseal.Fetch;
using Chartseal.Gate;

namespace Chartseal.Cli.Commands;

/// <summary><c>package</c>, <c>sign</c> and <c>verify</c>: thin wrappers over the library.</summary>
internal static class ChartCommands
{
    public static Command Package()
    {
        var dir = new Argument<string>("CHART_DIR") { Description = "Folder holding Chart.yaml" };
        var dest = new Option<string>("--destination", "-d") { Description = "Where to write the archive", DefaultValueFactory = _ => "." };
        var version = new Option<string?>("--version") { Description = "Set the chart version (SemVer 2)" };
        var appVersion = new Option<string?>("--app-version") { Description = "Set the appVersion (any text, as in Helm: latest, RELEASE.2023-01-01T00-00-00Z)" };
        var sign = new Option<bool>("--sign") { Description = "Also write a .prov provenance file" };
        var dependencyUpdate = new Option<bool>("--dependency-update", "-u")
        {
            Description = "Update dependencies from Chart.yaml into charts/ first (https:// repositories and file:// folders), as helm package -u; an in-sync Chart.lock keeps its versions",
        };
        var insecureHttp = TransportOption.Create("With -u, allow plain http:// dependency repositories");
        var timeout = TimeoutOption.Create();
        var signing = new SigningOptions();
        var command = new Command("package", "Package a chart folder into a deterministic NAME-VERSION.tgz, optionally signed.")
        {
            dir, dest, version, appVersion, dependencyUpdate, insecureHttp, timeout, sign,
        };
        signing.AddTo(command);
        HelmFlags.RefuseTransport(command, plainHttp: null);
        command.Validators.Add(r =>
        {
            if (r.GetValue(insecureHttp) && !r.GetValue(dependencyUpdate))
            {
                r.AddError("--insecure-http goes with --dependency-update");
            }
        });
        command.SetAction(async (p, ct) =>
        {
            bool doSign = p.GetValue(sign);
            string destination = p.GetValue(dest)!;
            // A destination that cannot be written is refused first, not after the passphrase was typed (or -u downloaded).
            OutputFolder.CheckWritable(destination);
            var sourceDateEpoch = ChartPackager.SourceDateEpochFromEnvironment();
            if (p.GetValue(dependencyUpdate))
            {
                await DependencyUpdater.UpdateAsync(p.GetValue(dir)!, new DependencyUpdateOptions
                {
                    AllowInsecureHttp = p.GetValue(insecureHttp),
                    Repositories = (await RepositoryConfigFile.LoadAsync(ClientHome.Default().ConfigFile, ct)).Repositories,
                    Deadline = TimeoutOption.Start(p, timeout),
                    ModificationTime = sourceDateEpoch,
                }, DateTimeOffset.UtcNow, ct);
            }
            var packaged = ChartPackager.Package(p.GetValue(dir)!, new PackageOptions
            {
                Version = p.GetValue(version),
                AppVersion = p.GetValue(appVersion),
                ModificationTime = sourceDateEpoch,
            });
            foreach (var link in packaged.Links)
            {
                // Helm logs the same: a link can pull in files from anywhere.
                Console.Error.WriteLine("chartseal: note: " + TerminalText.Escape($"{link.Path} is a symbolic link to {link.Target}; its contents were packaged"));
            }
            string archivePath = Path.Combine(destination, packaged.FileName);
            byte[]? prov = doSign ? await signing.SignAsync(p, packaged.Archive, archivePath, ct) : null;
            // Only once there is something to write: a failed signature (wrong passphrase) leaves no new folder behind.
            OutputFolder.Create(destination);
            await AtomicFile.WriteAllBytesAsync(archivePath, packaged.Archive, ct);
            string? provPath = null;
            if (prov is not null)
            {
                try
                {
                    provPath = await ChartSigning.WriteProvenanceAsync(archivePath, prov, ct);
                }
                catch
                {
                    // A signed release is the pair: never leave the new archive beside no (or an older) .prov.
                    File.Delete(archivePath);
                    throw;
                }
            }
            Console.WriteLine($"Successfully packaged chart and saved it to: {archivePath}");
            if (provPath is not null)
            {
                Console.WriteLine($"Signed it: {provPath}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Sign()
    {
        var chart = new Argument<string>("CHART.tgz") { Description = "The chart archive to sign" };
        var signing = new SigningOptions();
        var command = new Command("sign", "Write CHART.tgz.prov for an existing chart archive.") { chart };
        signing.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            string path = p.GetValue(chart)!;
            byte[] archive = await InputFile.ReadAsync(path, cancellationToken: ct);
            ChartSigning.CheckProvenanceWritable(path);
            byte[] prov = await signing.SignAsync(p, archive, path, ct);
            string provPath = await ChartSigning.WriteProvenanceAsync(path, prov, ct);
            Console.WriteLine($"Signed {path}: {provPath}");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Verify()
    {
        var chart = new Argument<string>("CHART.tgz") { Description = "The chart archive to verify" };
        var keyring = new Option<string?>("--keyring") { Description = "Keyring holding the signers' public keys (binary, armored or .kbx); with --repo, the signer must also be in it" };
        var trust = new RepositoryTrustOptions("Repository folder, http(s) URL or oci://HOST/NS namespace (with --root-fingerprint), or the NAME of a repository added with repo add, whose root-signed trust material decides which keys are trusted");
        var prov = new Option<string?>("--prov") { Description = "Provenance file (default: CHART.tgz.prov)" };
        var rebuildFrom = new Option<string?>("--rebuild-from") { Description = "CI gate: rebuild the package from this chart source folder and require it to be the signed archive" };
        var output = OutputOption.Create();
        var command = new Command("verify", "Verify that a chart archive matches its provenance file and was signed by a trusted key (a keyring, or a repository's trust material).")
        {
            chart, keyring, trust.Repo, trust.RootFingerprint, prov, rebuildFrom, trust.InsecureHttp, trust.Timeout, output,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(keyring) is null && result.GetValue(trust.Repo) is null)
            {
                result.AddError("one of --keyring or --repo is required");
            }
        });
        trust.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow; // one clock reading for the whole operation
            string path = p.GetValue(chart)!;
            string format = p.GetValue(output)!;
            var (archive, provenance) = await ChartFileVerifier.ReadAsync(path, p.GetValue(prov), ct);
            var expectations = p.GetValue(rebuildFrom) is { } source
                ? new GateExpectations(Rebuild: new RebuildSource(source, ChartPackager.SourceDateEpochFromEnvironment()))
                : GateExpectations.None;
            Keyring? local = p.GetValue(keyring) is { } keyringPath ? Keyring.Load(keyringPath) : null;

            // What the chart is judged against: a repository's trust material (refreshed now, or the configured
            // repository's cache, offline), or only the keyring (signature only, as helm verify).
            TrustBasis basis;
            if (trust.Given(p))
            {
                var (material, manifest) = await trust.LoadAsync(p, now, ct);
                if (material is TrustResult.Rejected rejected)
                {
                    var kind = local is null ? TrustKind.Repository : TrustKind.RepositoryAndLocalKeyring;
                    return VerdictOutput.Print(Verdict.TrustRefused(Path.GetFileName(path), kind, rejected.Refusal), format, manifest);
                }
                basis = new TrustBasis.Repository(((TrustResult.Accepted)material).Material, local);
            }
            else
            {
                basis = new TrustBasis.SignatureOnly(local!);
            }
            var verdict = TrustGate.Judge(Path.GetFileName(path), archive, provenance, basis, expectations, now);
            return VerdictOutput.Print(verdict, format, path);
        });
        return command;
    }

    public static Command Publish()
    {
        var chart = new Argument<string>("CHART.tgz") { Description = "The signed chart archive (its .prov beside it)" };
        var repo = new Option<string>("--repo") { Description = "The repository folder", Required = true };
        var rootFingerprint = new Option<string>("--root-fingerprint") { Description = "The repository's pinned root key fingerprint", Required = true };
        var prov = new Option<string?>("--prov") { Description = "Provenance file (default: CHART.tgz.prov)" };
        var rebuildFrom = new Option<string?>("--rebuild-from") { Description = "Rebuild from this chart source folder and require it to be the signed archive" };
        var force = new Option<bool>("--force") { Description = "Replace an existing chart name and version" };
        var resignOnly = new Option<bool>("--resign-only") { Description = "Only replace the .prov of a published version: same archive, new trusted signer; archive and index.yaml unchanged" };
        var command = new Command("publish", "Verify a signed chart against the repository's trust material (and its source), then add it and update index.yaml atomically.")
        {
            chart, repo, rootFingerprint, prov, rebuildFrom, force, resignOnly,
        };
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
            if (p.GetValue(resignOnly))
            {
                int resigned = await AuditCommands.PublishResignOnlyAsync(p.GetValue(chart)!, p.GetValue(prov), p.GetValue(repo)!, new PinnedRoot(p.GetValue(rootFingerprint)!), ct);
                if (resigned == ExitCodes.Ok && indexKey.Given(p))
                {
                    // index.yaml did not change, so its snapshot still holds; asked for, a fresh one costs nothing and
                    // keeps a CI job that always passes --index-key the same for both kinds of publish.
                    await indexKey.SignAsync(p, p.GetValue(repo)!, null, ct);
                }
                return resigned;
            }
            var request = new PublishRequest(p.GetValue(chart)!, p.GetValue(prov), p.GetValue(repo)!, new PinnedRoot(p.GetValue(rootFingerprint)!),
                p.GetValue(rebuildFrom), ChartPackager.SourceDateEpochFromEnvironment(), p.GetValue(force));
            var result = await ChartPublisher.PublishAsync(request, TrustStateStore.Default(), DateTime.UtcNow, ct);
            if (result is PublishResult.Rejected r)
            {
                string hint = r.Reason == RejectionReason.VersionExists ? " (--force replaces it; --resign-only replaces only its .prov)" : "";
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{request.ArchivePath}: {r.Reason.Name()}: {r.Message}") + hint);
                return ExitCodes.Rejected;
            }
            var published = (PublishResult.Published)result;
            var signer = published.Verdict.Verification.Signer;
            Console.WriteLine(TerminalText.Escape($"Published {published.Entry.Metadata.Name} {published.Entry.Metadata.Version} to {request.RepositoryDir}"));
            Console.WriteLine($"Signed by: {TerminalText.Escape(signer.UserIds.FirstOrDefault() ?? signer.Fingerprint)} ({signer.Fingerprint}), trust version {published.Verdict.Material!.Version}");
            if (published.Verdict.Rebuild is { } rebuild)
            {
                Console.WriteLine($"Rebuild gate passed: rebuilt from {TerminalText.Escape(rebuild.Source)}, {(rebuild.IdenticalBytes ? "identical archive" : "same files and contents")}");
            }
            if (indexKey.Given(p))
            {
                await indexKey.SignAsync(p, request.RepositoryDir, null, ct);
            }
            else if (published.Verdict.Material?.RequiresSnapshot == true)
            {
                Console.WriteLine($"Note: the repository signs its index; clients see this version once its snapshot is signed again (chartseal index sign {TerminalText.Escape(request.RepositoryDir)} --key ... or --index-key here)");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

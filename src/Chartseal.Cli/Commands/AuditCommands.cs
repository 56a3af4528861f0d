using System.CommandLine;
using System.Diagnostics;
using Chartseal.IO;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.Fetch;
using Chartseal.Gate;

namespace Chartseal.Cli.Commands;

/// <summary>Key-compromise response: <c>audit</c> a whole repository, <c>resign</c> a chart, and <c>publish --resign-only</c>.</summary>
internal static class AuditCommands
{
    public static Command Audit()
    {
        var repo = new Argument<string>("REPO") { Description = "Repository folder, http(s) URL (index.yaml, charts, trust material), or registry namespace oci://HOST/NS" };
        var rootFingerprint = new Option<string>("--root-fingerprint") { Description = "The repository's pinned root key fingerprint", Required = true };
        var signer = new Option<string?>("--signer") { Description = "List only the chart versions this key (primary or subkey fingerprint) signed, trusted or not" };
        var output = OutputOption.Create();
        var charts = new Option<string[]>("--chart")
        {
            Description = "For oci:// namespaces: also audit this chart (repeatable); charts are otherwise found through the namespace's chart list and the registry's catalog",
            Arity = ArgumentArity.OneOrMore,
        };
        var insecureHttp = TransportOption.Create("Allow a plain http:// repository URL, or plain HTTP to an oci:// registry");
        var registry = new RegistryOptions(insecureHttp);
        var timeout = TimeoutOption.Create();
        var command = new Command("audit", "Verify every chart version in a repository (its index.yaml, or every tag of every chart of a registry namespace) against its current trust material; exit 1 when any is not trusted.")
        {
            repo, rootFingerprint, signer, charts, insecureHttp, timeout, output,
        };
        registry.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(charts) is { Length: > 0 } && r.GetValue(repo) is { } location && !OciRepositorySource.IsOciLocation(location))
            {
                r.AddError("--chart is for oci:// namespaces (a repository's index.yaml lists its charts)");
            }
        });
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow; // one clock reading for the whole audit
            string location = p.GetValue(repo)!;
            string? signerFilter = p.GetValue(signer) is { } s ? new PinnedRoot(s).Fingerprint : null;
            bool json = p.GetValue(output) == "json";
            var deadline = TimeoutOption.Start(p, timeout);
            using var source = OciRepositorySource.IsOciLocation(location)
                ? new OciRepositorySource(OciRepositorySource.ParseNamespace(location), await registry.BuildForAsync(p, location, deadline, ct), p.GetValue(charts))
                : await registry.OpenAsync(p, location, deadline, ct);
            var enumeration = () => (source as OciRepositorySource)?.Enumeration;
            using var progress = ProgressLine.ForStandardError(source.IsRemote ? deadline : null);
            var result = await RepositoryAudit.AuditAsync(source, new PinnedRoot(p.GetValue(rootFingerprint)!), TrustStateStore.Default(), now,
                new AuditOptions(signerFilter, Progress: progress.Report), ct);
            progress.Clear();

            if (json)
            {
                VerdictOutput.WriteJson(buffer => AuditOutput.WriteJson(result, location, signerFilter, enumeration(), buffer));
            }
            if (result is AuditResult.Rejected rejected)
            {
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{rejected.File}: {rejected.Refusal}"));
                return ExitCodes.Rejected;
            }
            var audit = (AuditResult.Completed)result;
            if (!json)
            {
                AuditOutput.PrintTable(audit, location, signerFilter, enumeration(), Console.Out);
            }
            int untrusted = audit.Rows.Count(r => !r.IsTrusted);
            if (untrusted > 0)
            {
                string signedBy = signerFilter is null ? "" : $" signed by {signerFilter}";
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape(location)
                    + $": {untrusted} of {Plural.Count(audit.Rows.Count, "chart version")}{signedBy} {(untrusted == 1 ? "is" : "are")} not trusted");
                return ExitCodes.Rejected;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Resign()
    {
        var chart = new Argument<string>("CHART.tgz") { Description = "The chart archive whose .prov to replace (the archive is never changed)" };
        var signing = new SigningOptions();
        var trust = new RepositoryTrustOptions("Check the new signature against this repository's trust material before writing it, as publish --resign-only and push --resign-only will: "
            + "a folder, http(s) URL or oci://HOST/NS (with --root-fingerprint), or the NAME of a repository added with repo add. Without it any signing key is taken");
        var command = new Command("resign", "Replace CHART.tgz.prov with a signature by another key, after checking the archive still matches the old .prov.") { chart };
        signing.AddTo(command);
        command.Options.Add(trust.Repo);
        command.Options.Add(trust.RootFingerprint);
        command.Options.Add(trust.InsecureHttp);
        command.Options.Add(trust.Timeout);
        trust.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow;
            string path = p.GetValue(chart)!;
            var (archive, oldProv) = await ChartFileVerifier.ReadAsync(path, null, ct);
            if (ChartResigning.CheckArchiveUnchanged(archive, path, oldProv) is { } refusal)
            {
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{path}: {refusal}"));
                return ExitCodes.Rejected;
            }
            // Without a repository, resign is a local tool (the trust decision is publish's or push's); with one, the new
            // signature is judged now, by the same gate, so a wrong key is found before the old .prov is replaced. The
            // trust material is read first: an unreachable or refused repository costs no passphrase.
            TrustedMaterial? material = null;
            if (trust.Given(p))
            {
                var (loaded, manifest) = await trust.LoadAsync(p, now, ct);
                if (loaded is TrustResult.Rejected rejected)
                {
                    Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{manifest}: {rejected.Refusal}"));
                    return ExitCodes.Rejected;
                }
                material = ((TrustResult.Accepted)loaded).Material;
            }
            ChartSigning.CheckProvenanceWritable(path);
            byte[] prov = await signing.SignAsync(p, archive, path, ct);
            // Judged at the time of the signature, not of the trust check: a passphrase may take a while to type.
            if (material is not null && TrustGate.Judge(Path.GetFileName(path), archive, prov, new TrustBasis.Repository(material), GateExpectations.None, DateTime.UtcNow) is Verdict.Refused refused)
            {
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{path}: {refused.Refusal}") + "; the .prov was not replaced");
                return ExitCodes.Rejected;
            }
            string provPath = await ChartSigning.WriteProvenanceAsync(path, prov, ct);
            static string Issuer(byte[]? bytes) => ProvenanceIssuer.Read(bytes) is [var first, ..] ? first.Fingerprint ?? first.KeyId : "unknown";
            Console.WriteLine($"Re-signed {path}: {provPath} (was signed by {Issuer(oldProv)}, now by {Issuer(prov)}; archive unchanged)");
            if (material is not null)
            {
                Console.WriteLine($"Trusted by repository: trust version {material.Version}, root {material.SignedBy}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>publish --resign-only</c>: hands the new .prov to <see cref="ProvenanceReplacement.ReplaceAsync"/>.</summary>
    public static async Task<int> PublishResignOnlyAsync(string archivePath, string? provPath, string repositoryDir, PinnedRoot root, CancellationToken ct)
    {
        string path = provPath ?? archivePath + ".prov";
        // Up to one byte over the limit, as at every door: an oversized .prov is then refused as malformed.
        byte[] prov = await InputFile.ReadIfExistsAsync(path, ChartVerifier.MaxProvenanceLength + 1L, truncate: true, ct)
            ?? throw new ChartsealException(path, "no such file");
        var result = await ProvenanceReplacement.ReplaceAsync(repositoryDir, root, prov, path, TrustStateStore.Default(), DateTime.UtcNow, ct);
        if (result is PublishResult.Rejected r)
        {
            Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{path}: {r.Refusal}"));
            return ExitCodes.Rejected;
        }
        var published = (PublishResult.Published)result;
        var signer = published.Verdict.Verification.Signer;
        string chart = $"{published.Entry.Metadata.Name} {published.Entry.Metadata.Version} in {repositoryDir}";
        Console.WriteLine(TerminalText.Escape(published.ProvenanceAdded
            ? $"Added the provenance of {chart}, which had none (archive and index.yaml unchanged)"
            : $"Replaced the provenance of {chart} (archive and index.yaml unchanged)"));
        Console.WriteLine($"Signed by: {TerminalText.Escape(signer.UserIds.FirstOrDefault() ?? signer.Fingerprint)} ({signer.Fingerprint}), trust version {published.Verdict.Material!.Version}");
        return ExitCodes.Ok;
    }

    /// <summary>"audit: 1234/10000 chart versions" on standard error, redrawn at most ten times a second, only on a terminal.</summary>
    private sealed class ProgressLine : IDisposable
    {
        private readonly bool _enabled;
        private readonly FetchDeadline? _deadline;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _lock = new();
        private long _lastDraw = -1000;
        private bool _drawn;

        private ProgressLine(bool enabled, FetchDeadline? deadline) => (_enabled, _deadline) = (enabled, deadline);

        public static ProgressLine ForStandardError(FetchDeadline? deadline) => new(!Console.IsErrorRedirected, deadline);

        public void Report(int done, int total)
        {
            if (!_enabled)
            {
                return;
            }
            lock (_lock)
            {
                long elapsed = _clock.ElapsedMilliseconds;
                if (elapsed - _lastDraw < 100 && done != total)
                {
                    return;
                }
                _lastDraw = elapsed;
                _drawn = true;
                string left = _deadline is { } d ? $", {DownloadProgressPrinter.TimeLeft(d.Remaining)} left" : "";
                Console.Error.Write(total > 0 ? $"\r\x1b[Kaudit: {done}/{total} chart versions{left}" : $"\r\x1b[Kaudit: {done} chart versions (reading index.yaml){left}");
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                if (_drawn)
                {
                    Console.Error.Write("\r\x1b[K");
                    _drawn = false;
                }
            }
        }

        public void Dispose() => Clear();
    }
}

using System.CommandLine;
using System.Diagnostics;
using Chartseal.IO;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.Fetch;

namespace Chartseal.Cli.Commands;

/// <summary>Key-compromise response: <c>audit</c> a whole repository, <c>resign</c> a chart, and <c>publish --resign-only</c>.</summary>
internal static class AuditCommands
{
    public static Command Audit()
    {
        var repo = new Argument<string>("REPO") { Description = "Repository folder or http(s) URL (index.yaml, charts, trust material)" };
        var rootFingerprint = new Option<string>("--root-fingerprint") { Description = "The repository's pinned root key fingerprint", Required = true };
        var signer = new Option<string?>("--signer") { Description = "List only the chart versions this key (primary or subkey fingerprint) signed, trusted or not" };
        var output = OutputOption.Create();
        var insecureHttp = TransportOption.Create("Allow a plain http:// repository URL");
        var command = new Command("audit", "Verify every chart version in a repository's index.yaml against its current trust material; exit 1 when any is not trusted.")
        {
            repo, rootFingerprint, signer, insecureHttp, output,
        };
        command.SetAction(async (p, ct) =>
        {
            DateTime now = DateTime.UtcNow; // one clock reading for the whole audit
            string location = p.GetValue(repo)!;
            string? signerFilter = p.GetValue(signer) is { } s ? new PinnedRoot(s).Fingerprint : null;
            bool json = p.GetValue(output) == "json";
            var source = RepositorySource.Open(location, new FetchPolicy(p.GetValue(insecureHttp)));
            using var progress = ProgressLine.ForStandardError();
            var result = await RepositoryAudit.AuditAsync(source, new PinnedRoot(p.GetValue(rootFingerprint)!), TrustStateStore.Default(), now,
                new AuditOptions(signerFilter, Progress: progress.Report), ct);
            progress.Clear();

            if (json)
            {
                VerdictOutput.WriteJson(buffer => AuditOutput.WriteJson(result, location, signerFilter, buffer));
            }
            if (result is AuditResult.Rejected rejected)
            {
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{source.AddressOf(TrustFiles.ManifestName)}: {rejected.Refusal}"));
                return ExitCodes.Rejected;
            }
            var audit = (AuditResult.Completed)result;
            if (!json)
            {
                AuditOutput.PrintTable(audit, location, Console.Out);
            }
            int untrusted = audit.Rows.Count(r => !r.IsTrusted);
            if (untrusted > 0)
            {
                Console.Error.WriteLine($"chartseal: {location}: {untrusted} of {audit.Rows.Count} chart versions are not trusted");
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
        var command = new Command("resign", "Replace CHART.tgz.prov with a signature by another key, after checking the archive still matches the old .prov.") { chart };
        signing.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            string path = p.GetValue(chart)!;
            var (archive, oldProv) = await ChartFileVerifier.ReadAsync(path, null, ct);
            if (ChartResigning.CheckArchiveUnchanged(archive, path, oldProv) is { } refusal)
            {
                Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{path}: {refusal}"));
                return ExitCodes.Rejected;
            }
            byte[] prov = await signing.SignAsync(p, archive, path, ct);
            string provPath = await ChartSigning.WriteProvenanceAsync(path, prov, ct);
            static string Issuer(byte[]? bytes) => ProvenanceIssuer.Read(bytes) is [var first, ..] ? first.Fingerprint ?? first.KeyId : "unknown";
            Console.WriteLine($"Re-signed {path}: {provPath} (was signed by {Issuer(oldProv)}, now by {Issuer(prov)}; archive unchanged)");
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
        Console.WriteLine(TerminalText.Escape($"Replaced the provenance of {published.Entry.Metadata.Name} {published.Entry.Metadata.Version} in {repositoryDir} (archive and index.yaml unchanged)"));
        Console.WriteLine($"Signed by: {TerminalText.Escape(signer.UserIds.FirstOrDefault() ?? signer.Fingerprint)} ({signer.Fingerprint}), trust version {published.Verdict.Material!.Version}");
        return ExitCodes.Ok;
    }

    /// <summary>"audit: 1234/10000 chart versions" on standard error, redrawn at most ten times a second, only on a terminal.</summary>
    private sealed class ProgressLine : IDisposable
    {
        private readonly bool _enabled;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _lock = new();
        private long _lastDraw = -1000;
        private bool _drawn;

        private ProgressLine(bool enabled) => _enabled = enabled;

        public static ProgressLine ForStandardError() => new(!Console.IsErrorRedirected);

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
                Console.Error.Write(total > 0 ? $"\raudit: {done}/{total} chart versions" : $"\raudit: {done} chart versions (reading index.yaml)");
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

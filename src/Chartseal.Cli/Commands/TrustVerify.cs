using System.Text.Json;
using Chartseal.Client;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Cli.Commands;

/// <summary><c>verify --repo</c>: trust material → chart verification with only the repository's keys → the decision.</summary>
internal static class TrustVerify
{
    public const string Schema = "chartseal.verify-result/v1";

    /// <summary><c>verify --repo DIR|URL --root-fingerprint FPR</c>: the trust material is read and checked now.</summary>
    public static async Task<int> RunAsync(string chartPath, string? provPath, string repoDir, string rootFingerprint, string? localKeyringPath, string format, CancellationToken ct)
    {
        DateTime now = DateTime.UtcNow; // one clock reading for the whole operation
        var pin = new PinnedRoot(rootFingerprint);
        Keyring? local = localKeyringPath is null ? null : Keyring.Load(localKeyringPath);
        TrustResult trust = await TrustClient.RefreshAsync(repoDir, pin, TrustStateStore.Default(), now, ct);
        return await DecideAndPrintAsync(chartPath, provPath, trust, Path.Combine(repoDir, TrustFiles.ManifestName), local, format, now, ct);
    }

    /// <summary><c>verify --repo NAME</c>: the configured repository's cached trust material, checked again now, offline.</summary>
    public static async Task<int> RunWithConfiguredAsync(string chartPath, string? provPath, ConfiguredRepository repository, ClientHome home, string? localKeyringPath, string format, CancellationToken ct)
    {
        DateTime now = DateTime.UtcNow;
        Keyring? local = localKeyringPath is null ? null : Keyring.Load(localKeyringPath);
        TrustResult trust = await RepositoryClient.LoadCachedTrustAsync(home, repository, now, ct);
        string manifest = Path.Combine(home.CacheFor(repository.Name), TrustFiles.ManifestName);
        return await DecideAndPrintAsync(chartPath, provPath, trust, manifest, local, format, now, ct);
    }

    private static async Task<int> DecideAndPrintAsync(string chartPath, string? provPath, TrustResult trust, string manifestFile, Keyring? local, string format, DateTime now, CancellationToken ct)
    {
        if (trust is TrustResult.Rejected t)
        {
            return Print(manifestFile, Path.GetFileName(chartPath), t.Reason, t.Message, null, null, format);
        }
        var material = ((TrustResult.Accepted)trust).Material;
        ChartVerification verification = await ChartFileVerifier.VerifyAsync(chartPath, provPath, material.VerificationKeyring, now, ct);
        TrustDecision decision = TrustDecision.Decide(verification, material, local);
        return decision is TrustDecision.Rejected r
            ? Print(chartPath, chartPath, r.Reason, r.Message, verification, material, format)
            : Print(chartPath, chartPath, null, "trusted", verification, material, format);
    }

    /// <summary>
    /// Prints a trust outcome: Helm's lines and the trust line when trusted (text), or one JSON object; a rejection is
    /// one stderr line naming <paramref name="refusedFile"/>. Returns the exit code.
    /// </summary>
    /// <param name="refusedFile">The file a rejection names (the archive, or the trust manifest).</param>
    /// <param name="chartFile">The chart's file name for the JSON <c>file</c> field when there is no verification.</param>
    /// <param name="reason">Null when trusted.</param>
    /// <param name="message">The rejection message (or "trusted").</param>
    /// <param name="verification">The chart's verification, when it got that far.</param>
    /// <param name="material">The trust material, when accepted.</param>
    /// <param name="format">text or json.</param>
    /// <param name="extraJson">More JSON fields (e.g. where a pulled chart was saved).</param>
    public static int Print(string refusedFile, string chartFile, RejectionReason? reason, string message, ChartVerification? verification, TrustedMaterial? material, string format, Action<Utf8JsonWriter>? extraJson = null)
    {
        if (format == "json")
        {
            VerificationOutput.WriteJsonObject(w =>
            {
                w.WriteString("schema", Schema);
                w.WriteBoolean("valid", reason is null);
                if (reason is { } rejected)
                {
                    w.WriteString("reason", rejected.Name());
                    w.WriteString("code", rejected.Code());
                    w.WriteString("message", message);
                }
                else
                {
                    w.WriteNull("reason");
                    w.WriteNull("code");
                    w.WriteString("message", "trusted");
                }
                if (verification is null)
                {
                    w.WriteString("file", Path.GetFileName(chartFile));
                    w.WriteNull("trustVersion");
                }
                else
                {
                    VerificationOutput.WriteEvidence(w, verification);
                    if (material is null)
                    {
                        w.WriteNull("trustVersion");
                    }
                    else
                    {
                        w.WriteNumber("trustVersion", material.Version);
                        w.WriteString("trustRoot", material.SignedBy);
                    }
                }
                extraJson?.Invoke(w);
            });
        }
        else if (reason is null && verification is ChartVerification.Verified verified && material is not null)
        {
            VerificationOutput.PrintHelmLines(verified);
            Console.WriteLine($"Trusted by repository: trust version {material.Version}, root {material.SignedBy}");
        }
        if (reason is { } r)
        {
            Console.Error.WriteLine($"chartseal: {refusedFile}: {r.Name()}: {message}");
            return ExitCodes.Rejected;
        }
        return ExitCodes.Ok;
    }
}

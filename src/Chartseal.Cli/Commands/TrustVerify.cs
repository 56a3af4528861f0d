using System.Text.Json;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Cli.Commands;

/// <summary><c>verify --repo</c>: trust material → chart verification with only the repository's keys → the decision.</summary>
internal static class TrustVerify
{
    public const string Schema = "chartseal.verify-result/v1";

    public static async Task<int> RunAsync(string chartPath, string? provPath, string repoDir, string rootFingerprint, string? localKeyringPath, string format, CancellationToken ct)
    {
        DateTime now = DateTime.UtcNow; // one clock reading for the whole operation
        var pin = new PinnedRoot(rootFingerprint);
        Keyring? local = localKeyringPath is null ? null : Keyring.Load(localKeyringPath);
        TrustResult trust = await TrustClient.RefreshAsync(repoDir, pin, TrustStateStore.Default(), now, ct);
        if (trust is TrustResult.Rejected t)
        {
            if (format == "json")
            {
                WriteJson(w =>
                {
                    w.WriteBoolean("valid", false);
                    w.WriteString("reason", t.Reason.Name());
                    w.WriteString("code", t.Reason.Code());
                    w.WriteString("message", t.Message);
                    w.WriteString("file", Path.GetFileName(chartPath));
                    w.WriteNull("trustVersion");
                });
            }
            Console.Error.WriteLine($"chartseal: {Path.Combine(repoDir, TrustFiles.ManifestName)}: {t.Reason.Name()}: {t.Message}");
            return ExitCodes.Rejected;
        }
        var material = ((TrustResult.Accepted)trust).Material;
        ChartVerification verification = await ChartFileVerifier.VerifyAsync(chartPath, provPath, material.VerificationKeyring, now, ct);
        TrustDecision decision = TrustDecision.Decide(verification, material, local);

        if (format == "json")
        {
            WriteJson(w =>
            {
                w.WriteBoolean("valid", decision is TrustDecision.Trusted);
                if (decision is TrustDecision.Rejected r)
                {
                    w.WriteString("reason", r.Reason.Name());
                    w.WriteString("code", r.Reason.Code());
                    w.WriteString("message", r.Message);
                }
                else
                {
                    w.WriteNull("reason");
                    w.WriteNull("code");
                    w.WriteString("message", "trusted");
                }
                VerificationOutput.WriteEvidence(w, verification);
                w.WriteNumber("trustVersion", material.Version);
                w.WriteString("trustRoot", material.SignedBy);
            });
        }
        else if (decision is TrustDecision.Trusted trusted)
        {
            VerificationOutput.PrintHelmLines(trusted.Verification);
            Console.WriteLine($"Trusted by repository: trust version {material.Version}, root {material.SignedBy}");
        }
        if (decision is TrustDecision.Rejected rejected)
        {
            Console.Error.WriteLine($"chartseal: {chartPath}: {rejected.Reason.Name()}: {rejected.Message}");
            return ExitCodes.Rejected;
        }
        return ExitCodes.Ok;
    }

    private static void WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("schema", Schema);
            body(json);
            json.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }
}

using System.Globalization;
using System.Text.Json;
using Chartseal.Repository;

namespace Chartseal.Cli;

/// <summary>Prints an audit as a table for people or as one JSON object (<c>chartseal.audit-result/v1</c>) for machines.</summary>
internal static class AuditOutput
{
    public const string Schema = "chartseal.audit-result/v1";

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Each outcome and how many rows have it: <c>trusted</c> first, then reasons by code.</summary>
    public static IReadOnlyList<(string Outcome, int Count)> Summary(IReadOnlyList<AuditRow> rows) =>
        rows.GroupBy(r => r.Reason)
            .OrderBy(g => g.Key is null ? "" : g.Key.Value.Code(), StringComparer.Ordinal)
            .Select(g => (g.Key is null ? "trusted" : g.Key.Value.Name(), g.Count()))
            .ToList();

    public static void PrintTable(AuditResult.Completed audit, string repository, TextWriter output)
    {
        string[] header = ["NAME", "VERSION", "SIGNER", "USER ID", "SIGNED", "DECISION"];
        var lines = audit.Rows.Select(r => new[]
        {
            r.Name,
            r.Version,
            r.SignerFingerprint ?? "-",
            r.Signer?.UserIds.FirstOrDefault() ?? (r.Issuer is null ? "-" : "(unknown key)"),
            r.SignedAt is { } at ? Time(at) : "-",
            Decision(r),
        }).ToList();
        int[] widths = header.Select((h, i) => lines.Select(l => l[i].Length).Append(h.Length).Max()).ToArray();
        void Write(string[] cells) => output.WriteLine(string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))));
        Write(header);
        lines.ForEach(Write);
        output.WriteLine();
        string summary = string.Join(", ", Summary(audit.Rows).Select(s => $"{s.Count} {s.Outcome}"));
        output.WriteLine($"{audit.Rows.Count} chart versions in {repository} (trust version {audit.TrustVersion}, root {audit.TrustRoot}): {(summary.Length == 0 ? "none" : summary)}");
    }

    private static string Decision(AuditRow row)
    {
        if (row.Reason is not { } reason)
        {
            return "trusted";
        }
        string decision = $"{reason.Name()} ({reason.Code()})";
        return row.Revocation is { } revocation
            ? $"{decision}: {revocation.Reason}{(revocation.Description.Length > 0 ? ": " + revocation.Description : "")}"
            : decision;
    }

    public static void WriteJson(AuditResult.Completed audit, string repository, string? signerFilter, Stream stdout)
    {
        using var json = new Utf8JsonWriter(stdout, JsonOptions);
        json.WriteStartObject();
        json.WriteString("schema", Schema);
        json.WriteString("repository", repository);
        json.WriteBoolean("allTrusted", audit.AllTrusted);
        json.WriteNumber("trustVersion", audit.TrustVersion);
        json.WriteString("trustRoot", audit.TrustRoot);
        VerificationOutput.WriteOptional(json, "signer", signerFilter);
        json.WriteStartObject("summary");
        json.WriteNumber("total", audit.Rows.Count);
        foreach (var (outcome, count) in Summary(audit.Rows))
        {
            json.WriteNumber(outcome, count);
        }
        json.WriteEndObject();
        json.WriteStartArray("charts");
        foreach (AuditRow row in audit.Rows)
        {
            WriteRow(json, row);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The trust material was refused: the same shape, no charts.</summary>
    public static void WriteTrustRejectionJson(AuditResult.Rejected rejected, string repository, Stream stdout)
    {
        using var json = new Utf8JsonWriter(stdout, JsonOptions);
        json.WriteStartObject();
        json.WriteString("schema", Schema);
        json.WriteString("repository", repository);
        json.WriteBoolean("allTrusted", false);
        json.WriteString("reason", rejected.Reason.Name());
        json.WriteString("code", rejected.Reason.Code());
        json.WriteString("message", rejected.Message);
        json.WriteNull("trustVersion");
        json.WriteStartArray("charts");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter json, AuditRow row)
    {
        json.WriteStartObject();
        json.WriteString("name", row.Name);
        json.WriteString("version", row.Version);
        json.WriteString("archive", row.Archive);
        json.WriteBoolean("trusted", row.IsTrusted);
        VerificationOutput.WriteOptional(json, "reason", row.Reason?.Name());
        VerificationOutput.WriteOptional(json, "code", row.Reason?.Code());
        json.WriteString("message", row.Message);
        VerificationOutput.WriteOptional(json, "sha256", row.Sha256);
        VerificationOutput.WriteSigner(json, row.Signer);
        if (row.Issuer is { } issuer)
        {
            json.WriteStartObject("issuer");
            json.WriteString("keyId", issuer.KeyId);
            VerificationOutput.WriteOptional(json, "fingerprint", issuer.Fingerprint);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("issuer");
        }
        VerificationOutput.WriteOptional(json, "signedAt", row.SignedAt is { } at ? Time(at) : null);
        if (row.Revocation is { } revocation)
        {
            json.WriteStartObject("revocation");
            json.WriteString("reason", revocation.Reason.ToString());
            json.WriteString("description", revocation.Description);
            json.WriteString("revokedAt", Time(revocation.RevokedAt));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("revocation");
        }
        json.WriteEndObject();
    }

    private static string Time(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

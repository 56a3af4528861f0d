using System.Text.Json;
using Chartseal.Client;
using Chartseal.Repository;
using Chartseal.Gate;
using Chartseal.IO;

namespace Chartseal.Cli;

/// <summary>Prints an audit as a table for people or as one JSON object (<c>chartseal.audit-result/v1</c>) for machines.</summary>
internal static class AuditOutput
{
    public const string Schema = "chartseal.audit-result/v1";

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Each outcome and how many rows have it: <c>trusted</c> first, then reasons by code.</summary>
    public static IReadOnlyList<(string Outcome, int Count)> Summary(IReadOnlyList<AuditRow> rows) => AuditRow.Outcomes(rows);

    public static void PrintTable(AuditResult.Completed audit, string repository, string? signerFilter, OciChartEnumeration? enumeration, TextWriter output)
    {
        string[] header = ["NAME", "VERSION", "SIGNER", "USER ID", "SIGNED", "DECISION"];
        // Every cell may come from the index, a key's user id or a revocation reason: escaped before measuring.
        var lines = audit.Rows.Select(r => Array.ConvertAll(new[]
        {
            r.Name,
            r.Version,
            r.SignerFingerprint ?? "-",
            r.Signer?.UserIds.FirstOrDefault() ?? (r.Issuer is null ? "-" : "(unknown key)"),
            r.SignedAt is { } at ? VerdictJson.Time(at) : "-",
            Decision(r),
        }, TerminalText.Escape)).ToList();
        int[] widths = header.Select((h, i) => lines.Select(l => l[i].Length).Append(h.Length).Max()).ToArray();
        void Write(string[] cells) => output.WriteLine(string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))));
        Write(header);
        lines.ForEach(Write);
        output.WriteLine();
        string summary = string.Join(", ", Summary(audit.Rows).Select(s => $"{s.Count} {s.Outcome}"));
        // With --signer, how many of the repository's versions that key signed: "0 chart versions" alone would read as an empty repository.
        string count = signerFilter is null
            ? $"{Plural.Count(audit.Rows.Count, "chart version")} in {TerminalText.Escape(repository)}"
            : $"{audit.Rows.Count} of {Plural.Count(audit.Audited, "chart version")} in {TerminalText.Escape(repository)} signed by {signerFilter}";
        output.WriteLine($"{count} (trust version {audit.TrustVersion}, root {audit.TrustRoot}): {(summary.Length == 0 ? "none" : summary)}");
        if (enumeration is not null)
        {
            // A registry has no index: say which charts were looked at, and how they were found (names from the registry: escaped).
            output.WriteLine($"Charts: {TerminalText.Escape(enumeration.Describe())}");
        }
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

    /// <summary>
    /// The one writer of <c>chartseal.audit-result/v1</c>: every field is present whatever the result; when the trust material
    /// was refused, <c>reason</c>/<c>code</c>/<c>message</c> say why and there are no charts.
    /// </summary>
    public static void WriteJson(AuditResult result, string repository, string? signerFilter, OciChartEnumeration? enumeration, Stream stdout)
    {
        var audit = result as AuditResult.Completed;
        var rejected = result as AuditResult.Rejected;
        var refused = rejected?.Refusal;
        IReadOnlyList<AuditRow> rows = audit?.Rows ?? [];
        using var json = new Utf8JsonWriter(stdout, JsonOptions);
        json.WriteStartObject();
        json.WriteString("schema", Schema);
        json.WriteString("repository", repository);
        json.WriteBoolean("allTrusted", audit?.AllTrusted ?? false);
        VerdictJson.WriteOptional(json, "reason", refused?.Name);
        VerdictJson.WriteOptional(json, "code", refused?.Code);
        VerdictJson.WriteOptional(json, "message", refused?.Message);
        // Known whenever the trust material was accepted, also when the index snapshot was refused after it.
        if ((audit?.TrustVersion ?? rejected?.TrustVersion) is { } trustVersion)
        {
            json.WriteNumber("trustVersion", trustVersion);
        }
        else
        {
            json.WriteNull("trustVersion");
        }
        VerdictJson.WriteOptional(json, "trustRoot", audit?.TrustRoot ?? rejected?.TrustRoot);
        VerdictJson.WriteOptional(json, "signer", signerFilter);
        if (audit is null)
        {
            json.WriteNull("audited");
        }
        else
        {
            json.WriteNumber("audited", audit.Audited);
        }
        json.WriteStartObject("summary");
        json.WriteNumber("total", rows.Count);
        foreach (var (outcome, count) in Summary(rows))
        {
            json.WriteNumber(outcome, count);
        }
        json.WriteEndObject();
        if (enumeration is null)
        {
            json.WriteNull("enumeration");
        }
        else
        {
            // How a registry namespace's charts were found (it has no index.yaml).
            json.WriteStartObject("enumeration");
            json.WriteStartArray("charts");
            foreach (string chart in enumeration.Charts)
            {
                json.WriteStringValue(chart);
            }
            json.WriteEndArray();
            json.WriteNumber("named", enumeration.Named);
            WriteCount(json, "chartList", enumeration.ChartList);
            WriteCount(json, "catalog", enumeration.Catalog);
            VerdictJson.WriteOptional(json, "catalogProblem", enumeration.CatalogProblem);
            json.WriteBoolean("signedTagMap", enumeration.SignedTagMap);
            if (enumeration.Unlisted is { } unlisted)
            {
                // The chart tags the registry holds outside the signed tag map (each is also a row).
                json.WriteStartArray("unlisted");
                foreach (string reference in unlisted)
                {
                    json.WriteStringValue(reference);
                }
                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("unlisted");
            }
            json.WriteEndObject();
        }
        json.WriteStartArray("charts");
        for (int i = 0; i < rows.Count; i++)
        {
            WriteRow(json, rows[i]);
            if (i % 256 == 255)
            {
                json.Flush(); // on to stdout, rather than the whole document in the writer's buffer
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteCount(Utf8JsonWriter json, string name, int? count)
    {
        if (count is { } n)
        {
            json.WriteNumber(name, n);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteRow(Utf8JsonWriter json, AuditRow row)
    {
        json.WriteStartObject();
        json.WriteString("name", row.Name);
        json.WriteString("version", row.Version);
        json.WriteString("archive", row.Archive);
        json.WriteBoolean("trusted", row.IsTrusted);
        VerdictJson.WriteOptional(json, "reason", row.Reason?.Name());
        VerdictJson.WriteOptional(json, "code", row.Reason?.Code());
        json.WriteString("message", row.Message);
        VerdictJson.WriteOptional(json, "sha256", row.Sha256);
        VerdictJson.WriteSigner(json, row.Signer);
        VerdictJson.WriteIssuer(json, row.Issuer);
        VerdictJson.WriteOptional(json, "signedAt", row.SignedAt is { } at ? VerdictJson.Time(at) : null);
        VerdictJson.WriteRevocation(json, row.Revocation);
        json.WriteEndObject();
    }

}

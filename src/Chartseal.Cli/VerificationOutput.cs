using System.Text.Json;
using Chartseal.Provenance;

namespace Chartseal.Cli;

/// <summary>Prints a verification result as Helm's three lines or as one JSON object, and maps it to an exit code.</summary>
internal static class VerificationOutput
{
    public const string Schema = "chartseal.verify-result/v1";

    public static int Print(ChartVerification result, string format, string path)
    {
        if (format == "json")
        {
            using var stdout = Console.OpenStandardOutput();
            using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                Write(json, result);
            }
            stdout.WriteByte((byte)'\n');
        }
        else if (result is ChartVerification.Verified v)
        {
            PrintHelmLines(v);
        }

        if (result is ChartVerification.Rejected r)
        {
            Console.Error.WriteLine($"chartseal: {path}: {r.Reason.Name()}: {r.Message}");
            return ExitCodes.Rejected;
        }
        return ExitCodes.Ok;
    }

    /// <summary>Helm's three lines for a verified chart (one "Signed by" per user id).</summary>
    public static void PrintHelmLines(ChartVerification.Verified verified)
    {
        foreach (string uid in verified.Signer.UserIds)
        {
            Console.WriteLine($"Signed by: {uid}");
        }
        Console.WriteLine($"Using Key With Fingerprint: {verified.Signer.Fingerprint}");
        Console.WriteLine($"Chart Hash Verified: sha256:{verified.Sha256}");
    }

    /// <summary>A rejection decided before any signature was read (e.g. rebuild-mismatch).</summary>
    public static int PrintRejection(string path, RejectionReason reason, string message, string format)
    {
        if (format == "json")
        {
            using var stdout = Console.OpenStandardOutput();
            using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("schema", Schema);
                json.WriteBoolean("valid", false);
                json.WriteString("reason", reason.Name());
                json.WriteString("message", message);
                json.WriteString("file", Path.GetFileName(path));
                json.WriteEndObject();
            }
            stdout.WriteByte((byte)'\n');
        }
        Console.Error.WriteLine($"chartseal: {path}: {reason.Name()}: {message}");
        return ExitCodes.Rejected;
    }

    /// <summary>Writes one indented JSON object (the fields <paramref name="body"/> writes) and a newline to stdout.</summary>
    public static void WriteJsonObject(Action<Utf8JsonWriter> body)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }

    /// <summary>The documented JSON shape (docs/user-guide.md).</summary>
    public static void Write(Utf8JsonWriter json, ChartVerification result)
    {
        json.WriteStartObject();
        json.WriteString("schema", Schema);
        json.WriteBoolean("valid", result.IsVerified);
        if (result is ChartVerification.Rejected r)
        {
            json.WriteString("reason", r.Reason.Name());
            json.WriteString("message", r.Message);
        }
        else
        {
            json.WriteNull("reason");
            json.WriteString("message", "verified");
        }
        WriteEvidence(json, result);
        json.WriteEndObject();
    }

    /// <summary>What was verified: file, sha256, chart, signer, signedAt (shared by every verify output).</summary>
    public static void WriteEvidence(Utf8JsonWriter json, ChartVerification result)
    {
        json.WriteString("file", result.File);
        WriteOptional(json, "sha256", result.Sha256);
        if (result.Chart is { } chart)
        {
            json.WriteStartObject("chart");
            json.WriteString("name", chart.Name);
            json.WriteString("version", chart.Version);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("chart");
        }
        WriteSigner(json, result.Signer);
        WriteOptional(json, "signedAt", result.SignedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary><c>"signer": {fingerprint, keyId, signingKeyFingerprint, userIds}</c>, or null.</summary>
    public static void WriteSigner(Utf8JsonWriter json, SignerInfo? signer)
    {
        if (signer is null)
        {
            json.WriteNull("signer");
            return;
        }
        json.WriteStartObject("signer");
        json.WriteString("fingerprint", signer.Fingerprint);
        json.WriteString("keyId", signer.KeyId);
        json.WriteString("signingKeyFingerprint", signer.SigningKeyFingerprint);
        json.WriteStartArray("userIds");
        foreach (string uid in signer.UserIds)
        {
            json.WriteStringValue(uid);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A string property, or null.</summary>
    public static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chartseal.Keys;
using Chartseal.Provenance;

namespace Chartseal.Gate;

/// <summary>
/// The one writer of the <c>chartseal.verify-result/v1</c> JSON (<c>verify</c>, <c>pull</c>, <c>install</c>): every
/// field is present whatever the result, and <c>trust.kind</c> says what was checked (<c>repository</c>,
/// <c>repository+keyring</c>, or <c>signature-only</c> for <c>verify --keyring</c>). <c>valid</c> is true when the chart
/// passed the gate under that kind of trust. Documented in docs/user-guide.md.
/// </summary>
public static class VerdictJson
{
    /// <summary>The schema name.</summary>
    public const string Schema = "chartseal.verify-result/v1";

    /// <summary>Options for documents written to a terminal or file: indented, non-ASCII text unescaped.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one result object for <paramref name="verdict"/>, then the door's own fields (<paramref name="extra"/>).</summary>
    public static void Write(Utf8JsonWriter json, Verdict verdict, Action<Utf8JsonWriter>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(verdict);
        json.WriteStartObject();
        json.WriteString("schema", Schema);
        json.WriteBoolean("valid", verdict.IsTrusted);

        json.WriteStartObject("trust");
        json.WriteString("kind", verdict.Kind.Name());
        if (verdict.Material is { } material)
        {
            json.WriteNumber("version", material.Version);
            json.WriteString("root", material.SignedBy);
            json.WriteString("expires", Time(material.Manifest.Expires));
        }
        else
        {
            json.WriteNull("version");
            json.WriteNull("root");
            json.WriteNull("expires");
        }
        json.WriteEndObject();

        if (verdict is Verdict.Refused refused)
        {
            json.WriteString("reason", refused.Refusal.Name);
            json.WriteString("code", refused.Refusal.Code);
            json.WriteString("message", refused.Refusal.Message);
        }
        else
        {
            json.WriteNull("reason");
            json.WriteNull("code");
            json.WriteString("message", verdict.Kind == TrustKind.SignatureOnly ? "signature verified (signature only: no repository vouched for the key)" : "trusted");
        }

        var evidence = verdict.Evidence;
        json.WriteString("file", verdict.File);
        WriteOptional(json, "sha256", evidence?.Sha256);
        if (evidence?.Chart is { } chart)
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
        WriteSigner(json, evidence?.Signer);
        WriteOptional(json, "signedAt", evidence?.SignedAt is { } at ? Time(at) : null);

        json.WriteStartArray("notes");
        if ((evidence as ChartVerification.Verified)?.KeyExpiredSince is { } expired)
        {
            json.WriteStringValue(KeyExpiredNote(expired));
        }
        json.WriteEndArray();

        json.WriteStartObject("rebuild");
        json.WriteBoolean("checked", verdict.Rebuild is not null);
        WriteOptional(json, "source", verdict.Rebuild?.Source);
        if (verdict.Rebuild?.Matched is { } matched)
        {
            json.WriteBoolean("matched", matched);
            json.WriteBoolean("identicalBytes", verdict.Rebuild.IdenticalBytes);
        }
        else
        {
            json.WriteNull("matched");
            json.WriteNull("identicalBytes");
        }
        json.WriteEndObject();

        extra?.Invoke(json);
        json.WriteEndObject();
    }

    /// <summary>The note for a chart signed while its key was valid, by a key the repository still lists, that has expired since.</summary>
    public static string KeyExpiredNote(DateTime expired) =>
        $"key expired since signing ({Time(expired)}), still vouched for by the repository";

    /// <summary><c>"signer": {fingerprint, keyId, signingKeyFingerprint, userIds}</c>, or null (shared by every JSON that names a signer).</summary>
    public static void WriteSigner(Utf8JsonWriter json, SignerInfo? signer)
    {
        ArgumentNullException.ThrowIfNull(json);
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

    /// <summary><c>"issuer": {keyId, fingerprint}</c>, the key a signature names as its maker (unverified), or null.</summary>
    public static void WriteIssuer(Utf8JsonWriter json, SignatureIssuer? issuer)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (issuer is null)
        {
            json.WriteNull("issuer");
            return;
        }
        json.WriteStartObject("issuer");
        json.WriteString("keyId", issuer.KeyId);
        WriteOptional(json, "fingerprint", issuer.Fingerprint);
        json.WriteEndObject();
    }

    /// <summary>
    /// <c>"revocation": {reason, description, revokedAt}</c>, or null. <paramref name="description"/> replaces the
    /// revocation's own text when the caller bounds it (the page cuts untrusted text).
    /// </summary>
    public static void WriteRevocation(Utf8JsonWriter json, RevocationInfo? revocation, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (revocation is null)
        {
            json.WriteNull("revocation");
            return;
        }
        json.WriteStartObject("revocation");
        json.WriteString("reason", revocation.Reason.ToString());
        json.WriteString("description", description ?? revocation.Description);
        json.WriteString("revokedAt", Time(revocation.RevokedAt));
        json.WriteEndObject();
    }

    /// <summary>A string property, or null.</summary>
    public static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>A UTC time as written in every JSON document: <c>2026-01-02T03:04:05Z</c>.</summary>
    public static string Time(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

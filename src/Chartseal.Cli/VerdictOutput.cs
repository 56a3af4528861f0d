using System.Buffers;
using System.Text.Json;
using Chartseal.Compat;
using Chartseal.Gate;
using Chartseal.IO;

namespace Chartseal.Cli;

/// <summary>Prints a gate verdict: Helm's three lines (and what else was checked) or one JSON object; a refusal is one stderr line.</summary>
internal static class VerdictOutput
{
    /// <summary>Prints <paramref name="verdict"/> and returns the exit code (0 trusted, 1 refused).</summary>
    /// <param name="verdict">The gate's verdict.</param>
    /// <param name="format">text, table or json.</param>
    /// <param name="refusedFile">The file a refusal names: the archive, or the trust manifest when the trust material was refused.</param>
    /// <param name="extraJson">The door's own JSON fields (e.g. where a pulled chart was saved).</param>
    /// <param name="text">Where the text form goes (default stdout; install sends it to stderr when stdout is helm's).</param>
    public static int Print(Verdict verdict, string format, string refusedFile, Action<Utf8JsonWriter>? extraJson = null, TextWriter? text = null)
    {
        text ??= Console.Out;
        if (format == "json")
        {
            WriteJsonDocument(json => VerdictJson.Write(json, verdict, extraJson));
        }
        else if (verdict is Verdict.Trusted trusted)
        {
            // Helm's three lines (one "Signed by" per user id), exactly as helm verify prints them.
            foreach (string uid in trusted.Verification.Signer.UserIds)
            {
                text.WriteLine($"Signed by: {TerminalText.Escape(uid)}");
            }
            text.WriteLine($"Using Key With Fingerprint: {trusted.Verification.Signer.Fingerprint}");
            text.WriteLine($"Chart Hash Verified: sha256:{trusted.Verification.Sha256}");
            if (trusted.Material is { } material)
            {
                text.WriteLine($"Trusted by repository: trust version {material.Version}, root {material.SignedBy}");
            }
            if (trusted.Verification.KeyExpiredSince is { } expired)
            {
                text.WriteLine("Note: " + VerdictJson.KeyExpiredNote(expired));
            }
            if (trusted.Rebuild is { } rebuild)
            {
                text.WriteLine($"Rebuild gate passed: rebuilt from {TerminalText.Escape(rebuild.Source)}, {(rebuild.IdenticalBytes ? "identical archive" : "same files and contents")}");
            }
        }
        if (verdict is Verdict.Refused refused)
        {
            Console.Error.WriteLine("chartseal: " + TerminalText.Escape($"{refusedFile}: {refused.Refusal}"));
            return ExitCodes.Rejected;
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes one JSON document (what <paramref name="write"/> writes) and a newline to stdout, with the bidirectional
    /// controls the writer leaves raw escaped (<see cref="TerminalJsonStream"/>).
    /// </summary>
    public static void WriteJsonDocument(Action<Utf8JsonWriter> write) => WriteJson(buffer =>
    {
        using var json = new Utf8JsonWriter(buffer, VerdictJson.WriterOptions);
        write(json);
    });

    /// <summary>Writes what <paramref name="write"/> writes, escaped for a terminal as it comes, then a newline, to stdout.</summary>
    public static void WriteJson(Action<Stream> write)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var escaped = new TerminalJsonStream(stdout))
        {
            write(escaped);
        }
        stdout.WriteByte((byte)'\n');
    }

    /// <summary>
    /// Writes one object (the fields <paramref name="body"/> writes) to stdout as JSON, or with <paramref name="format"/>
    /// <c>yaml</c> as Helm's <c>-o yaml</c> writes the same document (<see cref="GoJsonToYaml"/>), escaped for a terminal.
    /// </summary>
    public static void WriteObject(string format, Action<Utf8JsonWriter> body)
    {
        if (format != "yaml")
        {
            WriteJsonObject(body);
            return;
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        Console.Out.Write(GoJsonToYaml.Convert(buffer.WrittenSpan, terminalSafe: true));
    }

    /// <summary>Writes one JSON object (the fields <paramref name="body"/> writes) and a newline to stdout.</summary>
    public static void WriteJsonObject(Action<Utf8JsonWriter> body) => WriteJsonDocument(json =>
    {
        json.WriteStartObject();
        body(json);
        json.WriteEndObject();
    });
}

using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Chartseal.Server;

/// <summary>JSON responses, written with <see cref="Utf8JsonWriter"/> (no reflection: the CLI is NativeAOT).</summary>
internal static class ApiJson
{
    // Served as application/json, never inside HTML: messages keep their quotes and apostrophes readable.
    internal static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            write(json);
        }
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>An error: <c>{"error": REASON, "message": …}</c>, REASON being a rejection reason's name or an HTTP-level one.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string error, string message) =>
        WriteAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteString("message", message);
            json.WriteEndObject();
        });
}

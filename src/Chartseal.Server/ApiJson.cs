using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Chartseal.Server;

/// <summary>JSON responses, written with <see cref="Utf8JsonWriter"/> (no reflection: the CLI is NativeAOT).</summary>
internal static class ApiJson
{
    // Served as application/json, never inside HTML: messages keep their quotes and apostrophes readable.
    internal static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes a JSON answer; <paramref name="cancellationToken"/> defaults to the request's.</summary>
    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write, CancellationToken? cancellationToken = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            write(json);
        }
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken ?? context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A JSON body already written (held per index version).</summary>
    public static async Task WriteBytesAsync(HttpContext context, int status, byte[] json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// An error: <c>{"error": REASON, "message": …}</c>, REASON being a rejection reason's name or an HTTP-level one.
    /// <paramref name="cancellationToken"/> defaults to the request's (a request timeout's answer needs another: the
    /// request's token is the one that fired).
    /// </summary>
    public static Task ErrorAsync(HttpContext context, int status, string error, string message, CancellationToken? cancellationToken = null) =>
        WriteAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteString("message", message);
            json.WriteEndObject();
        }, cancellationToken);

    /// <summary>The JSON error for a response that has a status but no body (set by routing or a middleware).</summary>
    public static Task ErrorForStatusAsync(HttpContext context)
    {
        int status = context.Response.StatusCode;
        string path = context.Request.PathBase.Add(context.Request.Path).ToString();
        (string error, string message) = status switch
        {
            StatusCodes.Status404NotFound => ("not-found", $"{path} is not in this repository"),
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", $"{context.Request.Method} is not allowed on {path}"),
            StatusCodes.Status400BadRequest => ("malformed", "the request is malformed"),
            StatusCodes.Status413PayloadTooLarge => ("too-large", "the request body is too large"),
            _ => ("http-" + status, $"the request to {path} failed with HTTP status {status}"),
        };
        return ErrorAsync(context, status, error, message);
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Chartseal.Server;

/// <summary>The open read side: index.yaml with ETag revalidation and gzip.</summary>
internal static class ReadEndpoints
{
    public static async Task IndexAsync(HttpContext context, IndexFile index)
    {
        var snapshot = await index.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        var response = context.Response;
        bool gzip = AcceptsGzip(context.Request);
        string etag = gzip ? snapshot.GzipETag : snapshot.ETag;
        response.Headers.ETag = etag;
        response.Headers.Vary = "Accept-Encoding";
        response.Headers.CacheControl = "no-cache";
        // Either representation's tag matches: both name the same index.
        if (IfNoneMatch(context.Request, snapshot.ETag, snapshot.GzipETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        await WriteYamlAsync(context, gzip ? snapshot.GzipBytes : snapshot.Bytes, gzip).ConfigureAwait(false);
    }

    /// <summary>Answers with a YAML body (already gzip-compressed when <paramref name="gzip"/>), or only its headers for HEAD.</summary>
    internal static async Task WriteYamlAsync(HttpContext context, byte[] body, bool gzip)
    {
        var response = context.Response;
        response.ContentType = "application/x-yaml";
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether the request's <c>If-None-Match</c> names one of <paramref name="etags"/> (weak comparison, as RFC 9110
    /// 13.1.2 asks for it) or is <c>*</c>: the answer is then 304 Not Modified. Every file the server tags with its own
    /// ETag checks it here.
    /// </summary>
    internal static bool IfNoneMatch(HttpRequest request, params ReadOnlySpan<string> etags)
    {
        string ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        if (string.IsNullOrEmpty(ifNoneMatch))
        {
            return false;
        }
        foreach (string raw in ifNoneMatch.Split(','))
        {
            string tag = raw.Trim();
            if (tag.StartsWith("W/", StringComparison.Ordinal))
            {
                tag = tag[2..];
            }
            if (tag == "*" || etags.Contains(tag))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether the request accepts a gzip-encoded answer.</summary>
    internal static bool AcceptsGzip(HttpRequest request)
    {
        string? header = request.Headers.AcceptEncoding;
        if (string.IsNullOrEmpty(header) || !header.Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return StringWithQualityHeaderValue.TryParseList(header.Split(','), out var values)
            && values.Any(v => (v.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || v.Value == "*") && v.Quality is not 0);
    }
}

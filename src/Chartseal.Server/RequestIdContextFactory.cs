using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Chartseal.Server;

/// <summary>
/// Gives every request its id before anything is logged for it: the client's <c>X-Request-Id</c> when it is sane (1
/// to 128 ASCII letters, digits, <c>-</c>, <c>_</c>, <c>.</c>, <c>:</c>), else a new random one. The id becomes the
/// request's <see cref="HttpContext.TraceIdentifier"/>, which ASP.NET Core's request log scope carries as
/// <c>RequestId</c> on every log line of the request (it is read when the request starts, so a middleware would be too
/// late), and it is echoed in the response's <c>X-Request-Id</c> header.
/// </summary>
internal sealed class RequestIdContextFactory(IServiceProvider services) : IHttpContextFactory
{
    /// <summary>The request and response header.</summary>
    public const string Header = "X-Request-Id";

    /// <summary>The longest id taken from a client.</summary>
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    private readonly DefaultHttpContextFactory _inner = new(services);

    public HttpContext Create(IFeatureCollection featureCollection)
    {
        var context = _inner.Create(featureCollection);
        context.TraceIdentifier = Sane(context.Request.Headers[Header]) ?? NewId();
        // Set when the response starts, so that an error handler clearing the response keeps it.
        context.Response.OnStarting(static state =>
        {
            var c = (HttpContext)state;
            c.Response.Headers[Header] = c.TraceIdentifier;
            return Task.CompletedTask;
        }, context);
        return context;
    }

    public void Dispose(HttpContext httpContext) => _inner.Dispose(httpContext);

    /// <summary>The client's id when it is one value of 1 to <see cref="MaxLength"/> allowed characters; else null.</summary>
    internal static string? Sane(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && values[0] is { Length: > 0 and <= MaxLength } id && !id.AsSpan().ContainsAnyExcept(Allowed) ? id : null;

    /// <summary>A new id: 16 random hex digits.</summary>
    internal static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}

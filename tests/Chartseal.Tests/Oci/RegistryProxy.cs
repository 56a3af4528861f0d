using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Oci;

/// <summary>One request a <see cref="RegistryProxy"/> saw.</summary>
public sealed record ProxiedRequest(string Method, string PathAndQuery, string? Authorization);

/// <summary>
/// A loopback HTTP proxy in front of a real registry, for answers a registry would not give on its own: it forwards
/// every request (headers and body, status and headers back; an upload's Location points back at the proxy) unless
/// <see cref="Intercept"/> answers it itself.
/// </summary>
public sealed class RegistryProxy : IDisposable
{
    private static readonly HttpClient Upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Date", "Server",
    };

    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly string _upstream;

    public RegistryProxy(string upstreamHost)
    {
        _upstream = "http://" + upstreamHost;
        (_listener, int port) = LoopbackListener.Start();
        Host = $"127.0.0.1:{port}";
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(() => HandleAsync(context));
            }
        });
    }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; }

    /// <summary>Answers a request itself and returns true, or returns false to have it forwarded.</summary>
    public Func<HttpListenerContext, Task<bool>>? Intercept { get; set; }

    /// <summary>Every request, in order of arrival.</summary>
    public ConcurrentQueue<ProxiedRequest> Requests { get; } = new();

    /// <summary>Fetches <paramref name="pathAndQuery"/> from the registry with the request's Authorization header.</summary>
    public async Task<HttpResponseMessage> FetchAsync(HttpListenerRequest request, string pathAndQuery)
    {
        using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), _upstream + pathAndQuery);
        foreach (string name in new[] { "Authorization", "Accept" })
        {
            if (request.Headers[name] is { } value)
            {
                forward.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (request.HasEntityBody || request.HttpMethod is "POST" or "PUT" or "PATCH")
        {
            using var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body);
            forward.Content = new ByteArrayContent(body.ToArray());
            if (request.ContentType is { } type)
            {
                forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }
        var response = await Upstream.SendAsync(forward);
        // The registry names itself in an upload's Location: the client must come back here, to the registry it talks to.
        if (response.Headers.Location is { IsAbsoluteUri: true } location && location.AbsoluteUri.StartsWith(_upstream + "/", StringComparison.Ordinal))
        {
            response.Headers.Location = new Uri("http://" + Host + location.AbsoluteUri[_upstream.Length..]);
        }
        return response;
    }

    /// <summary>Sends <paramref name="status"/>, <paramref name="headers"/> and <paramref name="body"/> to the client.</summary>
    public static void Reply(HttpListenerContext context, int status, IEnumerable<KeyValuePair<string, string>> headers, byte[] body)
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.ContentType = value;
            }
            else if (!HopByHop.Contains(name))
            {
                context.Response.Headers.Add(name, value);
            }
        }
        context.Response.ContentLength64 = body.Length;
        context.Response.OutputStream.Write(body);
        context.Response.Close();
    }

    /// <summary>The headers of an upstream answer, content headers included.</summary>
    public static IEnumerable<KeyValuePair<string, string>> HeadersOf(HttpResponseMessage response) =>
        response.Headers.Concat(response.Content.Headers).Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value)));

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            Requests.Enqueue(new ProxiedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, context.Request.Headers["Authorization"]));
            if (Intercept is { } intercept && await intercept(context))
            {
                return;
            }
            using HttpResponseMessage response = await FetchAsync(context.Request, context.Request.Url!.PathAndQuery);
            Reply(context, (int)response.StatusCode, HeadersOf(response), await response.Content.ReadAsByteArrayAsync());
        }
        catch (Exception e) when (e is HttpListenerException or IOException or HttpRequestException or ObjectDisposedException)
        {
            // the client or the registry went away
        }
    }

    public void Dispose()
    {
        if (_listener.IsListening)
        {
            // Close alone: Stop then Close unregisters twice, and the second time the managed listener binds the port
            // again to unregister it, failing when another test now holds that port.
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Chartseal.Tests.Support;

/// <summary>One request a <see cref="FolderServer"/> answered.</summary>
public sealed record ServedRequest(string Path, string? IfNoneMatch, int Status)
{
    /// <summary>The request's Authorization header, or null when it had none.</summary>
    public string? Authorization { get; init; }
}

/// <summary>
/// A minimal static file server for tests: serves a folder's files on a loopback port (under <c>/repo/</c>), with a
/// strong ETag per file and 304 answers to a matching If-None-Match; injected status codes answer the next requests.
/// </summary>
public sealed class FolderServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;

    public FolderServer(string folder)
    {
        (_listener, int port) = LoopbackListener.Start();
        Url = $"http://127.0.0.1:{port}/repo";
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
                Answer(context, folder);
            }
        });
    }

    /// <summary>The repository URL (no trailing slash).</summary>
    public string Url { get; }

    /// <summary>Status codes to answer the next requests with, instead of serving the file.</summary>
    public ConcurrentQueue<int> InjectedStatuses { get; } = new();

    /// <summary>Whole answers (status, headers, body) for the next requests, before <see cref="InjectedStatuses"/>: redirects, hostile encodings.</summary>
    public ConcurrentQueue<(int Status, Dictionary<string, string> Headers, byte[]? Body)> InjectedAnswers { get; } = new();

    /// <summary>The answer for a file the folder does not hold: 404, or 403 as S3 gives it when listing is not allowed.</summary>
    public int MissingStatus { get; set; } = 404;

    /// <summary>Every request answered, in order.</summary>
    public ConcurrentQueue<ServedRequest> Requests { get; } = new();

    private void Answer(HttpListenerContext context, string folder)
    {
        string name = Uri.UnescapeDataString(Path.GetFileName(context.Request.Url!.AbsolutePath));
        string? ifNoneMatch = context.Request.Headers["If-None-Match"];
        string path = Path.Combine(folder, name);
        byte[]? body = null;
        int status = MissingStatus;
        if (InjectedAnswers.TryDequeue(out var answer))
        {
            status = answer.Status;
            body = answer.Body;
            foreach (var (header, value) in answer.Headers)
            {
                context.Response.Headers[header] = value;
            }
        }
        else if (InjectedStatuses.TryDequeue(out int injected))
        {
            status = injected;
        }
        else if (File.Exists(path))
        {
            body = File.ReadAllBytes(path);
            string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..16] + "\"";
            context.Response.Headers["ETag"] = etag;
            status = ifNoneMatch == etag ? 304 : 200;
        }
        context.Response.StatusCode = status;
        Requests.Enqueue(new ServedRequest(name, ifNoneMatch, status) { Authorization = context.Request.Headers["Authorization"] }); // recorded before the client can see the answer
        if (status is >= 200 and < 300 && body is not null)
        {
            context.Response.ContentLength64 = body.Length;
            context.Response.OutputStream.Write(body);
        }
        context.Response.Close();
    }

    public void Dispose()
    {
        if (!_listener.IsListening)
        {
            return;
        }
        // Close alone: Stop then Close unregisters twice, and the second time the managed listener binds the port
        // again to unregister it, failing when another test now holds that port.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

using System.Net;
using System.Net.Sockets;

namespace Chartseal.Tests.Support;

/// <summary>Serves a folder on a loopback port until disposed.</summary>
internal sealed class FolderServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public FolderServer(string folder)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        Url = $"http://127.0.0.1:{port}/repo";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
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
                string path = Path.Combine(folder, Uri.UnescapeDataString(Path.GetFileName(context.Request.Url!.AbsolutePath)));
                if (File.Exists(path))
                {
                    byte[] body = await File.ReadAllBytesAsync(path);
                    await context.Response.OutputStream.WriteAsync(body);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
                context.Response.Close();
            }
        });
    }

    public string Url { get; }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

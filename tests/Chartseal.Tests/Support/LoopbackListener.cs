using System.Net;
using System.Net.Sockets;

namespace Chartseal.Tests.Support;

/// <summary>
/// Starts an <see cref="HttpListener"/> on a free loopback port. HttpListener cannot bind port 0, so a port is found by
/// binding a socket to port 0 and closing it; another test may take that port in between, so it tries again.
/// </summary>
public static class LoopbackListener
{
    /// <summary>A started listener for <c>http://127.0.0.1:PORT/</c>, and its port.</summary>
    public static (HttpListener Listener, int Port) Start()
    {
        for (int attempt = 1; ; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                // The port was taken meanwhile: another one.
                ((IDisposable)listener).Dispose();
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chartseal.Tests.Support;

/// <summary>
/// A hostile HTTP/1.1 server on a loopback <see cref="TcpListener"/>: serves a folder's files under <c>/repo/</c>, except
/// the names in <see cref="Drip"/>, whose headers go out at once (with the real Content-Length) and whose bytes then
/// follow one every <see cref="Interval"/>; the names in <see cref="Silent"/>, which are accepted and never answered;
/// and the names in <see cref="Encoded"/>, answered with those bytes and a <c>Content-Encoding</c> header.
/// </summary>
public sealed class HostileServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _loop;
    private readonly string _folder;

    public HostileServer(string folder)
    {
        _folder = folder;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/repo";
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The repository URL (no trailing slash).</summary>
    public string Url { get; }

    /// <summary>File names whose bytes are dripped.</summary>
    public ConcurrentDictionary<string, bool> Drip { get; } = new(StringComparer.Ordinal);

    /// <summary>File names that are never answered.</summary>
    public ConcurrentDictionary<string, bool> Silent { get; } = new(StringComparer.Ordinal);

    /// <summary>Answers sent as they are, with the given <c>Content-Encoding</c> (e.g. gzip bombs).</summary>
    public ConcurrentDictionary<string, (byte[] Body, string Encoding)> Encoded { get; } = new(StringComparer.Ordinal);

    /// <summary>The pause between two dripped bytes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The file names asked for, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _clients.Add(client);
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            string? path = await ReadRequestPathAsync(stream);
            if (path is null)
            {
                return;
            }
            string name = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
            Requests.Enqueue(name);
            if (Silent.ContainsKey(name))
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            if (Encoded.TryGetValue(name, out var encoded))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {encoded.Body.Length}\r\nContent-Encoding: {encoded.Encoding}\r\nConnection: close\r\n\r\n"), _stop.Token);
                await stream.WriteAsync(encoded.Body, _stop.Token);
                return;
            }
            string file = Path.Combine(_folder, name);
            if (name.Length == 0 || !File.Exists(file))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                return;
            }
            byte[] body = await File.ReadAllBytesAsync(file, _stop.Token);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
            if (!Drip.ContainsKey(name))
            {
                await stream.WriteAsync(body, _stop.Token);
                return;
            }
            foreach (byte b in body)
            {
                await stream.WriteAsync(new[] { b }, _stop.Token);
                await stream.FlushAsync(_stop.Token);
                await Task.Delay(Interval, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client gave up, or the server stops.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task<string?> ReadRequestPathAsync(NetworkStream stream)
    {
        var header = new StringBuilder();
        byte[] one = new byte[1];
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0 || header.Length > 16384)
            {
                return null;
            }
            header.Append((char)one[0]);
        }
        string[] requestLine = header.ToString().Split("\r\n")[0].Split(' ');
        return requestLine.Length >= 2 ? requestLine[1] : null;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Chartseal.Tests.Support;

/// <summary>
/// A bare TLS server on 127.0.0.1 (an OS-assigned port), for tests of a TLS setup without a web server: each
/// connection's handshake takes the options <c>options()</c> returns, then one HTTP request is answered with
/// <c>200 served</c>. Handshakes that fail are recorded with their exception.
/// </summary>
public sealed class TlsTestServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<SslServerAuthenticationOptions> _options;
    private readonly Task _loop;
    private int _handshakes;

    public TlsTestServer(Func<SslServerAuthenticationOptions> options)
    {
        _options = options;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient connection;
                try
                {
                    connection = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(() => AnswerAsync(connection));
            }
        });
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>How many handshakes were begun.</summary>
    public int Handshakes => Volatile.Read(ref _handshakes);

    /// <summary>The handshakes that failed on the server's side (a refused client certificate), in order.</summary>
    public ConcurrentQueue<Exception> Failures { get; } = new();

    /// <summary>
    /// Connects with <paramref name="options"/> (its target host 127.0.0.1 unless set), sends a request and returns the
    /// answer's body, or throws what the client saw (a TLS 1.3 server refuses a client's certificate after the handshake:
    /// the client then sees the connection end).
    /// </summary>
    public async Task<string> GetAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.TargetHost ??= "127.0.0.1";
        using var connection = new TcpClient();
        await connection.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        await using var ssl = new SslStream(connection.GetStream());
        await ssl.AuthenticateAsClientAsync(options, cancellationToken);
        await ssl.WriteAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken);
        using var reader = new StreamReader(ssl, Encoding.ASCII);
        string answer = await reader.ReadToEndAsync(cancellationToken);
        return answer.Length == 0 ? throw new IOException("the server ended the connection without an answer") : answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    private async Task AnswerAsync(TcpClient connection)
    {
        using (connection)
        await using (var ssl = new SslStream(connection.GetStream()))
        {
            Interlocked.Increment(ref _handshakes);
            try
            {
                await ssl.AuthenticateAsServerAsync(_options());
            }
            catch (Exception e) when (e is IOException or AuthenticationException)
            {
                Failures.Enqueue(e);
                return;
            }
            try
            {
                var request = new StringBuilder();
                var buffer = new byte[1024];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int read = await ssl.ReadAsync(buffer);
                    if (read == 0)
                    {
                        return;
                    }
                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                await ssl.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nserved"u8.ToArray());
            }
            catch (Exception e) when (e is IOException or AuthenticationException)
            {
                // The client went away (or refused the server only now).
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Chartseal.Tests.Support;

/// <summary>
/// A registry token service (the "token" auth of the CNCF distribution registry) on a loopback port. It answers
/// <c>GET /token?service=…&amp;scope=…</c> as Docker Hub does: with the right Basic credentials it grants every scope
/// asked for; anonymously it grants nothing (an empty access list); wrong credentials get 401. It also takes the OAuth2
/// refresh-token POST (<c>grant_type=refresh_token</c>) with <see cref="RefreshToken"/>. Tokens are RS256 JWTs whose
/// <c>x5c</c> header carries a self-signed certificate, which the registry trusts as its <c>rootcertbundle</c>.
/// </summary>
public sealed class RegistryTokenService : IDisposable
{
    /// <summary>The service name the registry is configured with (the JWT audience).</summary>
    public const string Service = "chartseal-test-registry";

    /// <summary>The issuer the registry trusts.</summary>
    public const string Issuer = "chartseal-test-issuer";

    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly string _user;
    private readonly string _password;

    public RegistryTokenService(string user, string password)
    {
        _user = user;
        _password = password;
        var request = new CertificateRequest("CN=Chartseal test token issuer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        int port;
        (_listener, port) = LoopbackListener.Start();
        Realm = $"http://127.0.0.1:{port}/token";
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
                try
                {
                    Answer(context);
                }
                catch (Exception e) when (e is HttpListenerException or IOException)
                {
                    // the client went away
                }
            }
        });
    }

    /// <summary>The realm URL the registry sends clients to.</summary>
    public string Realm { get; }

    /// <summary>The certificate of the signing key, PEM (the registry's rootcertbundle).</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>The refresh token (Docker's <c>identitytoken</c>) accepted by the POST form.</summary>
    public string RefreshToken { get; } = "refresh-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Each token request: <c>GET user scope…</c>, <c>GET anonymous …</c> or <c>POST refresh …</c>.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The <c>expires_in</c> of issued tokens.</summary>
    public int LifetimeSeconds { get; set; } = 300;

    private void Answer(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        if (request.Url!.AbsolutePath != "/token")
        {
            Reply(context, 404, """{"error":"not found"}""");
            return;
        }
        string[] scopes;
        string? subject;
        if (request.HttpMethod == "POST")
        {
            string body = new StreamReader(request.InputStream, Encoding.UTF8).ReadToEnd();
            var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
            scopes = form.GetValueOrDefault("scope", "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool valid = form.GetValueOrDefault("grant_type") == "refresh_token" && form.GetValueOrDefault("refresh_token") == RefreshToken
                && form.GetValueOrDefault("service") == Service;
            Requests.Enqueue($"POST {(valid ? "refresh" : "invalid")} {string.Join(' ', scopes)}");
            if (!valid)
            {
                Reply(context, 401, """{"error":"invalid refresh token"}""");
                return;
            }
            subject = _user;
        }
        else
        {
            scopes = request.QueryString.GetValues("scope") ?? [];
            string? authorization = request.Headers["Authorization"];
            subject = null;
            if (authorization is not null)
            {
                string decoded = authorization.StartsWith("Basic ", StringComparison.Ordinal)
                    ? Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..])) : "";
                if (decoded != $"{_user}:{_password}")
                {
                    Requests.Enqueue($"GET refused {string.Join(' ', scopes)}");
                    Reply(context, 401, """{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}""");
                    return;
                }
                subject = _user;
            }
            Requests.Enqueue($"GET {subject ?? "anonymous"} {string.Join(' ', scopes)}");
            if (request.QueryString["service"] != Service)
            {
                Reply(context, 400, """{"error":"unknown service"}""");
                return;
            }
        }
        string token = Issue(subject, subject is null ? [] : scopes);
        Reply(context, 200, $$"""{"token":"{{token}}","access_token":"{{token}}","expires_in":{{LifetimeSeconds}}}""");
    }

    /// <summary>An RS256 JWT in the form distribution 2.8 verifies (registry/auth/token/token.go).</summary>
    private string Issue(string? subject, string[] scopes)
    {
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteString("typ", "JWT");
            json.WriteString("alg", "RS256");
            json.WriteStartArray("x5c");
            json.WriteStringValue(Convert.ToBase64String(_certificate.RawData));
            json.WriteEndArray();
            json.WriteEndObject();
        }
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new MemoryStream();
        using (var json = new Utf8JsonWriter(claims))
        {
            json.WriteStartObject();
            json.WriteString("iss", Issuer);
            json.WriteString("sub", subject ?? "");
            json.WriteString("aud", Service);
            json.WriteNumber("exp", now + LifetimeSeconds);
            json.WriteNumber("nbf", now - 10);
            json.WriteNumber("iat", now);
            json.WriteString("jti", Guid.NewGuid().ToString("N"));
            json.WriteStartArray("access");
            foreach (string scope in scopes)
            {
                int first = scope.IndexOf(':', StringComparison.Ordinal), last = scope.LastIndexOf(':');
                if (first < 0 || last <= first)
                {
                    continue;
                }
                json.WriteStartObject();
                json.WriteString("type", scope[..first]);
                json.WriteString("name", scope[(first + 1)..last]);
                json.WriteStartArray("actions");
                foreach (string action in scope[(last + 1)..].Split(','))
                {
                    json.WriteStringValue(action);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        string signingInput = Base64Url(header.ToArray()) + "." + Base64Url(claims.ToArray());
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static void Reply(HttpListenerContext context, int status, string json)
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = body.Length;
        context.Response.OutputStream.Write(body);
        context.Response.Close();
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
        _certificate.Dispose();
        _key.Dispose();
    }
}

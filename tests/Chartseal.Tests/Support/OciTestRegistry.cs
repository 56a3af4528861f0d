using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Chartseal.Fetch;
using Chartseal.Oci;

namespace Chartseal.Tests.Support;

/// <summary>How an <see cref="OciTestRegistry"/> authenticates.</summary>
public enum RegistryAuth
{
    /// <summary>Anyone may pull and push.</summary>
    None,

    /// <summary>HTTP Basic against an htpasswd file (bcrypt).</summary>
    Basic,

    /// <summary>The registry token flow, with tokens from a <see cref="RegistryTokenService"/>.</summary>
    Token,
}

/// <summary>
/// The real CNCF distribution registry (<c>docker-registry</c> 2.8, Debian package docker-registry; <c>.ci/run</c>
/// installs it) on 127.0.0.1 with an OS-assigned port and filesystem storage in a temporary folder, deleted on
/// dispose. With <see cref="RegistryAuth.Basic"/> it checks an htpasswd file made by <c>htpasswd -Bbn</c>; with
/// <see cref="RegistryAuth.Token"/> it trusts the JWTs of a <see cref="RegistryTokenService"/> started with it; with
/// <c>tls</c> it serves HTTPS with a certificate for 127.0.0.1 issued by a throw-away CA (<see cref="CaFile"/>), and with
/// <c>mutualTls</c> it also requires a client certificate issued by another throw-away CA (<c>http.tls.clientcas</c>),
/// one of which is written for the tests (<see cref="ClientCertFile"/>, <see cref="ClientKeyFile"/>).
/// Deletes are enabled unless asked otherwise. A missing binary fails the test with one line saying how to install it.
/// </summary>
public class OciTestRegistry : IDisposable
{
    private const string Binary = "/usr/bin/docker-registry";
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private X509Certificate2? _probeCertificate;

    /// <summary>Starts a registry and waits until <c>/v2/</c> answers.</summary>
    public OciTestRegistry(RegistryAuth auth = RegistryAuth.None, bool tls = false, bool deleteEnabled = true, bool mutualTls = false)
    {
        string binary = Environment.GetEnvironmentVariable("CHARTSEAL_REGISTRY") is { Length: > 0 } b ? b : Binary;
        if (!File.Exists(binary))
        {
            Assert.Fail($"the CNCF registry is not at {binary}: install the Debian package docker-registry (.ci/run does), or set CHARTSEAL_REGISTRY");
        }
        Auth = auth;
        Root = Directory.CreateTempSubdirectory("chartseal-registry-").FullName;
        Password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        string authSection = auth switch
        {
            RegistryAuth.Basic => BasicAuthSection(),
            RegistryAuth.Token => TokenAuthSection(),
            _ => "",
        };
        string tlsSection = tls || mutualTls ? TlsSection(mutualTls) : "";
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort();
            string config = Path.Combine(Root, "config.yml");
            File.WriteAllText(config, $"""
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: {StorageRoot}
                  delete:
                    enabled: {(deleteEnabled ? "true" : "false")}
                  maintenance:
                    uploadpurging:
                      enabled: false
                http:
                  addr: 127.0.0.1:{Port}
                  secret: {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}
                {tlsSection}
                {authSection}
                """);
            _process = Start(binary, config);
            if (WaitUntilUp())
            {
                return;
            }
            Stop();
            if (attempt == 5 || !Log.Contains("address already in use", StringComparison.Ordinal))
            {
                Assert.Fail($"the registry did not start:\n{Log}");
            }
        }
    }

    /// <summary>How the registry authenticates.</summary>
    public RegistryAuth Auth { get; }

    /// <summary>The temporary folder (config, htpasswd, certificates, storage).</summary>
    public string Root { get; }

    /// <summary>The storage root of the filesystem driver.</summary>
    public string StorageRoot => Path.Combine(Root, "data");

    /// <summary>The port.</summary>
    public int Port { get; private set; }

    /// <summary><c>127.0.0.1:PORT</c>, the registry part of references.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>The user the registry (or its token service) accepts.</summary>
    public string User => "chartseal";

    /// <summary>That user's password (random per registry).</summary>
    public string Password { get; }

    /// <summary>The PEM file of the CA that issued the registry's certificate, when it serves HTTPS.</summary>
    public string? CaFile { get; private set; }

    /// <summary>A PEM client certificate the registry accepts, when it requires mutual TLS.</summary>
    public string? ClientCertFile { get; private set; }

    /// <summary>The PEM private key of <see cref="ClientCertFile"/>.</summary>
    public string? ClientKeyFile { get; private set; }

    /// <summary>The TLS settings of a client of this registry: its CA, and its client certificate when it requires one.</summary>
    public TlsSettings ClientTls => new() { CaFile = CaFile, CertFile = ClientCertFile, KeyFile = ClientKeyFile };

    /// <summary>The token service, for <see cref="RegistryAuth.Token"/>.</summary>
    public RegistryTokenService? TokenService { get; private set; }

    /// <summary>What the registry printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary><c>oci://HOST/PATH</c> on this registry.</summary>
    public OciReference Reference(string path) => OciReference.Parse($"oci://{Host}/{path}");

    /// <summary>Where the filesystem driver keeps the bytes of blob <paramref name="digest"/>.</summary>
    public string BlobDataPath(string digest)
    {
        string hex = digest["sha256:".Length..];
        return Path.Combine(StorageRoot, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    /// <summary>A Docker-format config file (as <c>helm registry login</c> writes it) holding this registry's user, at <paramref name="path"/>.</summary>
    public string WriteRegistryConfig(string path, string? password = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{password ?? Password}"));
        File.WriteAllText(path, "{\"auths\":{\"" + Host + "\":{\"auth\":\"" + auth + "\"}}}");
        return path;
    }

    /// <summary>Client options for this registry: plain HTTP (or its CA for HTTPS; no client certificate), no credentials unless given.</summary>
    public OciRegistryOptions ClientOptions(RegistryCredentials? credentials = null) => new()
    {
        PlainHttp = CaFile is null,
        Tls = new TlsSettings { CaFile = CaFile },
        Credentials = credentials ?? RegistryCredentials.None,
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Credentials with this registry's user.</summary>
    public RegistryCredentials UserCredentials => RegistryCredentials.None.WithUser(User, Password);

    public void Dispose()
    {
        Stop();
        TokenService?.Dispose();
        _probeCertificate?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        GC.SuppressFinalize(this);
    }

    private string BasicAuthSection()
    {
        var htpasswd = new ProcessStartInfo("htpasswd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-Bbn", User, Password })
        {
            htpasswd.ArgumentList.Add(arg);
        }
        using Process run = Process.Start(htpasswd) ?? throw new InvalidOperationException("htpasswd did not start");
        string line = run.StandardOutput.ReadToEnd();
        run.WaitForExit();
        Assert.True(run.ExitCode == 0, "htpasswd -Bbn failed (install apache2-utils): " + run.StandardError.ReadToEnd());
        string file = Path.Combine(Root, "htpasswd");
        File.WriteAllText(file, line.Trim() + "\n");
        return $"""
            auth:
              htpasswd:
                realm: chartseal-test
                path: {file}
            """;
    }

    private string TokenAuthSection()
    {
        TokenService = new RegistryTokenService(User, Password);
        string bundle = Path.Combine(Root, "token-root.pem");
        File.WriteAllText(bundle, TokenService.CertificatePem);
        return $"""
            auth:
              token:
                realm: {TokenService.Realm}
                service: {RegistryTokenService.Service}
                issuer: {RegistryTokenService.Issuer}
                rootcertbundle: {bundle}
            """;
    }

    private string TlsSection(bool mutual)
    {
        using var ca = new TestCertificateAuthority("Chartseal test registry CA");
        using X509Certificate2 server = ca.IssueLoopbackServer();
        CaFile = Path.Combine(Root, "ca.pem");
        File.WriteAllText(CaFile, ca.Pem);
        string certificate = Path.Combine(Root, "server.pem"), key = Path.Combine(Root, "server-key.pem");
        File.WriteAllText(certificate, server.ExportCertificatePem() + "\n" + ca.Pem);
        using RSA serverKey = server.GetRSAPrivateKey()!;
        File.WriteAllText(key, serverKey.ExportPkcs8PrivateKeyPem());
        if (!mutual)
        {
            return $"""
                  tls:
                    certificate: {certificate}
                    key: {key}
                """;
        }
        // The clients' CA, a certificate of it for the readiness probe, and one for the tests.
        using var clients = new TestCertificateAuthority("Chartseal test registry client CA");
        string clientCa = Path.Combine(Root, "client-ca.pem");
        File.WriteAllText(clientCa, clients.Pem);
        using (X509Certificate2 probe = clients.IssueClient("probe"))
        {
            _probeCertificate = X509CertificateLoader.LoadPkcs12(probe.Export(X509ContentType.Pkcs12), null);
        }
        using (X509Certificate2 client = clients.IssueClient("chartseal-test-client"))
        {
            ClientCertFile = Path.Combine(Root, "client.pem");
            ClientKeyFile = Path.Combine(Root, "client-key.pem");
            TestCertificateAuthority.WritePem(client, ClientCertFile, ClientKeyFile);
        }
        return $"""
              tls:
                certificate: {certificate}
                key: {key}
                clientcas:
                  - {clientCa}
            """;
    }

    private Process Start(string binary, string config)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>Polls <c>GET /v2/</c> until the registry itself answers (its API version header), or it exits.</summary>
    private bool WaitUntilUp()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        if (_probeCertificate is not null)
        {
            handler.ClientCertificates.Add(_probeCertificate);
        }
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var url = new Uri($"{(CaFile is null ? "http" : "https")}://{Host}/v2/");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                return false;
            }
            try
            {
                using HttpResponseMessage response = client.GetAsync(url).GetAwaiter().GetResult();
                if (response.Headers.TryGetValues("Docker-Distribution-Api-Version", out var versions) && versions.Contains("registry/2.0"))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            Thread.Sleep(20);
        }
        return false;
    }

    private void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using YamlDotNet.RepresentationModel;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// The Helm chart that deploys Chartseal's own server (deploy/helm/chartseal-server): it passes the real
/// <c>helm lint --strict</c>, renders with <c>helm template</c> what the server needs (probes, volume, secret, metrics
/// annotations, settings it knows), a server started with the rendered environment works, and its package is signed by
/// <c>chartseal package --sign</c> and verified by <c>chartseal verify</c> and the real <c>helm verify</c>.
/// </summary>
public sealed class DeployChartTests(HelmSigningKeys keys) : IClassFixture<HelmSigningKeys>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Chart => Path.Combine(TestPaths.RepoRoot, "deploy", "helm", "chartseal-server");

    // Values as an operator would write them: tokens, a Basic user, a context path, a pinned root.
    private const string OperatorValues = """
        rootFingerprint: 8C9D670255E64D77FF20F9A77F8DD2B4D267D971
        config:
          context-path: charts
          disable-delete: true
          max-upload-size: 1048576
        auth:
          uploadTokens: [tok-a, tok-b]
          basicAuth:
            user: ci
            password: s3cret
        persistence:
          size: 2Gi
          storageClass: fast
        """;

    // A values file written for ChartMuseum's chart: env.open and env.secret with ChartMuseum's names.
    private const string ChartMuseumValues = """
        env:
          open:
            STORAGE: local
            DISABLE_API: false
            DISABLE_DELETE: true
            ALLOW_OVERWRITE: false
            AUTH_ANONYMOUS_GET: true
            CONTEXT_PATH: /helm
            MAX_UPLOAD_SIZE: 20971520
            DEBUG: false
            LOG_JSON: true
          secret:
            BASIC_AUTH_USER: museum
            BASIC_AUTH_PASS: old-password
        """;

    private static string ValuesFile(TempDirectory temp, string name, string yaml)
    {
        string path = temp.File(name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static List<YamlMappingNode> Render(TempDirectory temp, params string[] args)
    {
        var result = HelmPeer.V4.RunChecked(temp.Path, ["template", "rel", Chart, "--namespace", "repos", .. args]);
        var stream = new YamlStream();
        stream.Load(new StringReader(result.StdOut));
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    private static YamlMappingNode Kind(List<YamlMappingNode> documents, string kind) =>
        Assert.Single(documents, d => Text(d, "kind") == kind);

    private static YamlNode? At(YamlNode node, params object[] path)
    {
        YamlNode? current = node;
        foreach (object step in path)
        {
            current = (current, step) switch
            {
                (YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var next) ? next : null,
                (YamlSequenceNode seq, int index) => index < seq.Children.Count ? seq.Children[index] : null,
                _ => null,
            };
        }
        return current;
    }

    private static string? Text(YamlNode node, params object[] path) => (At(node, path) as YamlScalarNode)?.Value;

    private static YamlMappingNode Container(YamlMappingNode deployment) =>
        (YamlMappingNode)At(deployment, "spec", "template", "spec", "containers", 0)!;

    // The container's variables: name -> literal value, or "secret:NAME/KEY" for a secret reference.
    private static Dictionary<string, string> Env(YamlMappingNode container) =>
        ((YamlSequenceNode)At(container, "env")!).Children.Cast<YamlMappingNode>().ToDictionary(
            e => Text(e, "name")!,
            e => Text(e, "value") ?? $"secret:{Text(e, "valueFrom", "secretKeyRef", "name")}/{Text(e, "valueFrom", "secretKeyRef", "key")}");

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void DeployChart_HelmLintStrict_PassesWithDefaultOperatorAndChartMuseumValues(string helmVersion)
    {
        var helm = HelmPeer.Of(helmVersion);
        using var temp = new TempDirectory();

        helm.RunChecked(temp.Path, "lint", "--strict", Chart);
        helm.RunChecked(temp.Path, "lint", "--strict", Chart, "-f", ValuesFile(temp, "operator.yaml", OperatorValues));
        helm.RunChecked(temp.Path, "lint", "--strict", Chart, "-f", ValuesFile(temp, "chartmuseum.yaml", ChartMuseumValues));
        helm.RunChecked(temp.Path, "lint", "--strict", Chart, "--set", "tls.existingSecret=charts-tls", "--set", "tls.clientCaKey=ca.crt");
    }

    [Fact]
    public void DeployChart_Template_Tls_FromACertManagerSecret_HttpsProbes_AndWithMutualTlsTcpProbes()
    {
        using var temp = new TempDirectory();

        var https = Kind(Render(temp, "--set", "tls.existingSecret=charts-tls", "--set", "config.context-path=/charts"), "Deployment");
        var container = Container(https);
        var env = Env(container);
        Assert.Equal("https://0.0.0.0:8080", env["CHARTSEAL_SERVE_LISTEN"]);
        Assert.Equal("/etc/chartseal-tls/tls.crt", env["CHARTSEAL_SERVE_TLS_CERT"]);
        Assert.Equal("/etc/chartseal-tls/tls.key", env["CHARTSEAL_SERVE_TLS_KEY"]);
        Assert.DoesNotContain("CHARTSEAL_SERVE_TLS_CA_CERT", env.Keys);
        Assert.Equal("HTTPS", Text(container, "livenessProbe", "httpGet", "scheme"));
        Assert.Equal("/charts/ready", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("HTTPS", Text(container, "readinessProbe", "httpGet", "scheme"));
        Assert.Equal("https", Text(https, "spec", "template", "metadata", "annotations", "prometheus.io/scheme"));
        // The whole Secret is mounted (no subPath): a renewal reaches the pod.
        var mount = ((YamlSequenceNode)At(container, "volumeMounts")!).Children.Single(m => Text(m, "name") == "tls");
        Assert.Equal("/etc/chartseal-tls", Text(mount, "mountPath"));
        Assert.Null(At(mount, "subPath"));
        var volume = ((YamlSequenceNode)At(https, "spec", "template", "spec", "volumes")!).Children.Single(v => Text(v, "name") == "tls");
        Assert.Equal("charts-tls", Text(volume, "secret", "secretName"));

        var mutual = Container(Kind(Render(temp, "--set", "tls.existingSecret=charts-tls", "--set", "tls.clientCaKey=ca.crt"), "Deployment"));
        Assert.Equal("/etc/chartseal-tls/ca.crt", Env(mutual)["CHARTSEAL_SERVE_TLS_CA_CERT"]);
        Assert.Equal("http", Text(mutual, "livenessProbe", "tcpSocket", "port"));
        Assert.Equal("http", Text(mutual, "readinessProbe", "tcpSocket", "port"));
        Assert.Null(At(mutual, "readinessProbe", "httpGet"));

        // Plain http by default; what the chart cannot honour is refused by it, not by a pod that never turns ready.
        Assert.Equal("http://0.0.0.0:8080", Env(Container(Kind(Render(temp), "Deployment")))["CHARTSEAL_SERVE_LISTEN"]);
        foreach (var (set, expected) in new[]
        {
            ("env.open.TLS_CERT=/certs/tls.crt", "env.open.TLS_CERT names a file the chart does not mount: set tls.existingSecret"),
            ("config.tls-key=/certs/tls.key", "config.tls-key is set by the chart: use tls.existingSecret"),
            ("tls.clientCaKey=ca.crt", "tls.clientCaKey needs tls.existingSecret"),
        })
        {
            var refused = HelmPeer.V4.Run(temp.Path, "template", "rel", Chart, "--set", set);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains(expected, refused.StdErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DeployChart_Template_ProbesVolumeSecretMetricsAnnotationsAndAHardenedPod()
    {
        using var temp = new TempDirectory();

        var documents = Render(temp, "-f", ValuesFile(temp, "operator.yaml", OperatorValues));

        var deployment = Kind(documents, "Deployment");
        var container = Container(deployment);
        Assert.Equal("/charts/health", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/charts/ready", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("http", Text(container, "readinessProbe", "httpGet", "port"));
        Assert.Equal("8080", Text(container, "ports", 0, "containerPort"));
        Assert.Equal("1", Text(deployment, "spec", "replicas"));
        Assert.Equal("Recreate", Text(deployment, "spec", "strategy", "type"));
        var annotations = At(deployment, "spec", "template", "metadata", "annotations")!;
        Assert.Equal("true", Text(annotations, "prometheus.io/scrape"));
        Assert.Equal("8080", Text(annotations, "prometheus.io/port"));
        Assert.Equal("/charts/metrics", Text(annotations, "prometheus.io/path"));
        Assert.Matches("^[0-9a-f]{64}$", Text(annotations, "checksum/secret"));

        var env = Env(container);
        Assert.Equal("http://0.0.0.0:8080", env["CHARTSEAL_SERVE_LISTEN"]);
        Assert.Equal("/var/lib/chartseal/repo", env["CHARTSEAL_SERVE_REPO_DIR"]);
        Assert.Equal("/var/lib/chartseal/home", env["CHARTSEAL_HOME"]);
        Assert.Equal("8C9D670255E64D77FF20F9A77F8DD2B4D267D971", env["CHARTSEAL_SERVE_ROOT_FINGERPRINT"]);
        Assert.Equal("charts", env["CHARTSEAL_SERVE_CONTEXT_PATH"]);
        Assert.Equal("true", env["CHARTSEAL_SERVE_DISABLE_DELETE"]);
        Assert.Equal("1048576", env["CHARTSEAL_SERVE_MAX_UPLOAD_SIZE"]); // not 1.048576e+06
        Assert.Equal("/etc/chartseal/upload-tokens", env["CHARTSEAL_SERVE_UPLOAD_TOKEN_FILE"]);
        Assert.Equal("secret:rel-chartseal-server/basic-auth-pass", env["CHARTSEAL_SERVE_BASIC_AUTH_PASS"]);

        // The pod: not root, no privilege escalation, no capabilities, read-only root file system (a /tmp of its own).
        Assert.Equal("true", Text(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
        Assert.Equal("false", Text(deployment, "spec", "template", "spec", "automountServiceAccountToken"));
        Assert.Equal("false", Text(container, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal("true", Text(container, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("ALL", Text(container, "securityContext", "capabilities", "drop", 0));
        var mounts = ((YamlSequenceNode)At(container, "volumeMounts")!).Children.ToDictionary(m => Text(m, "name")!, m => Text(m, "mountPath"));
        Assert.Equal("/var/lib/chartseal", mounts["data"]);
        Assert.Equal("/tmp", mounts["tmp"]);
        Assert.Equal("/etc/chartseal", mounts["credentials"]);

        var claim = Kind(documents, "PersistentVolumeClaim");
        Assert.Equal("2Gi", Text(claim, "spec", "resources", "requests", "storage"));
        Assert.Equal("fast", Text(claim, "spec", "storageClassName"));
        Assert.Equal("keep", Text(claim, "metadata", "annotations", "helm.sh/resource-policy"));
        Assert.Equal("rel-chartseal-server", Text(deployment, "spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName"));

        var secret = Kind(documents, "Secret");
        string Decoded(string key) => Encoding.UTF8.GetString(Convert.FromBase64String(Text(secret, "data", key)!));
        Assert.Equal("tok-a\ntok-b\n", Decoded("upload-tokens"));
        Assert.Equal("ci", Decoded("basic-auth-user"));
        Assert.Equal("s3cret", Decoded("basic-auth-pass"));
        Assert.Equal("http", Text(Kind(documents, "Service"), "spec", "ports", 0, "targetPort"));
    }

    [Fact]
    public void DeployChart_Template_ChartMuseumValuesBecomeTheirVariables()
    {
        using var temp = new TempDirectory();

        var documents = Render(temp, "-f", ValuesFile(temp, "chartmuseum.yaml", ChartMuseumValues));

        var env = Env(Container(Kind(documents, "Deployment")));
        Assert.Equal("true", env["DISABLE_DELETE"]);
        Assert.Equal("/helm", env["CONTEXT_PATH"]);
        Assert.Equal("20971520", env["MAX_UPLOAD_SIZE"]);
        Assert.Equal("secret:rel-chartseal-server/BASIC_AUTH_PASS", env["BASIC_AUTH_PASS"]);
        Assert.DoesNotContain("CHARTSEAL_SERVE_CONTEXT_PATH", env.Keys); // nothing of ours overrides theirs
        Assert.Equal("old-password", Encoding.UTF8.GetString(Convert.FromBase64String(Text(Kind(documents, "Secret"), "data", "BASIC_AUTH_PASS")!)));
    }

    [Fact]
    public void DeployChart_Template_Variants()
    {
        using var temp = new TempDirectory();

        // No volume of its own: an existing claim, or none at all.
        var existing = Render(temp, "--set", "persistence.existingClaim=charts-data");
        Assert.DoesNotContain(existing, d => Text(d, "kind") == "PersistentVolumeClaim");
        Assert.Equal("charts-data", Text(Kind(existing, "Deployment"), "spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName"));
        var ephemeral = Render(temp, "--set", "persistence.enabled=false");
        Assert.NotNull(At(Kind(ephemeral, "Deployment"), "spec", "template", "spec", "volumes", 0, "emptyDir"));

        // Metrics off: no scrape annotations. No credentials: no Secret and no token file.
        var quiet = Render(temp, "--set", "config.disable-metrics=true");
        var annotations = (YamlMappingNode)At(Kind(quiet, "Deployment"), "spec", "template", "metadata", "annotations")!;
        Assert.DoesNotContain(annotations.Children.Keys, k => ((YamlScalarNode)k).Value!.StartsWith("prometheus.io", StringComparison.Ordinal));
        Assert.DoesNotContain(quiet, d => Text(d, "kind") == "Secret");
        Assert.DoesNotContain("CHARTSEAL_SERVE_UPLOAD_TOKEN_FILE", Env(Container(Kind(quiet, "Deployment"))).Keys);
        Assert.Equal("/metrics", Text(Kind(Render(temp), "Deployment"), "spec", "template", "metadata", "annotations", "prometheus.io/path"));

        // A Secret of the operator's own: referenced, not written.
        var own = Render(temp, "--set", "auth.existingSecret=chartseal-credentials");
        Assert.DoesNotContain(own, d => Text(d, "kind") == "Secret");
        var env = Env(Container(Kind(own, "Deployment")));
        Assert.Equal("secret:chartseal-credentials/basic-auth-user", env["CHARTSEAL_SERVE_BASIC_AUTH_USER"]);
        Assert.Equal("chartseal-credentials", Text(Kind(own, "Deployment"), "spec", "template", "spec", "volumes", 2, "secret", "secretName"));

        // A user without a password is refused by the chart, not by a crashing pod.
        var refused = HelmPeer.V4.Run(temp.Path, "template", "rel", Chart, "--set", "auth.basicAuth.user=ci");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("auth.basicAuth.password is required", refused.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void DeployChart_EverySettingItPasses_IsOneTheServerKnows()
    {
        using var temp = new TempDirectory();
        string help = Cli.Run(temp.Path, "serve", "--help").StdOut;
        var values = ValuesFile(temp, "all.yaml", """
            rootFingerprint: 8C9D670255E64D77FF20F9A77F8DD2B4D267D971
            config:
              context-path: /charts
              max-upload-size: 20971520
              writes-per-minute: 60
              allow-overwrite: true
              disable-delete: true
              disable-api: false
              disable-metrics: false
              debug: true
              allow-anonymous-upload: false
            auth:
              uploadTokens: [t]
              basicAuth: {user: u, password: p}
            tls:
              existingSecret: charts-tls
              clientCaKey: ca.crt
            """);

        var env = Env(Container(Kind(Render(temp, "-f", values), "Deployment")));

        var ours = env.Keys.Where(k => k.StartsWith("CHARTSEAL_SERVE_", StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count >= 17, string.Join(", ", ours));
        foreach (string name in ours)
        {
            Assert.Contains("$" + name, help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DeployChart_TheRenderedEnvironment_StartsAServerThatIsReadyAndTakesAnUploadWithTheValuesToken()
    {
        Cli.EnsureBuilt();
        using var f = new TrustFixture();
        DateTime now = DateTime.UtcNow;
        await f.InitWithTwoMaintainersAsync(now);
        using var temp = new TempDirectory();
        var documents = Render(temp, "--set", $"rootFingerprint={f.Root.Fingerprint}", "--set", "config.context-path=/charts",
            "--set", "auth.uploadTokens[0]=deploy-token", "--set", "config.debug=true");
        var secret = Kind(documents, "Secret");
        var env = Env(Container(Kind(documents, "Deployment")));

        // The pod's file system, laid out below a temporary folder: the volume (with the repository) and the secret.
        string root = temp.File("pod");
        Directory.CreateDirectory(Path.Combine(root, "var/lib/chartseal"));
        Directory.Move(f.Repo, Path.Combine(root, "var/lib/chartseal/repo"));
        Directory.CreateDirectory(Path.Combine(root, "etc/chartseal"));
        await File.WriteAllBytesAsync(Path.Combine(root, "etc/chartseal/upload-tokens"), Convert.FromBase64String(Text(secret, "data", "upload-tokens")!), Ct);
        int port = Cli.FreePort();
        var process = env.ToDictionary(e => e.Key, e => e.Value.StartsWith("/var/lib/chartseal", StringComparison.Ordinal) || e.Value.StartsWith("/etc/chartseal", StringComparison.Ordinal) ? root + e.Value : e.Value);
        process["CHARTSEAL_SERVE_LISTEN"] = $"http://127.0.0.1:{port}"; // the pod's 0.0.0.0:8080, on loopback here
        var server = Cli.Start(temp.Path, process, "serve");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var repo = new Uri($"http://127.0.0.1:{port}/charts/");
        var probe = new Uri($"http://127.0.0.1:{port}{Text(Container(Kind(documents, "Deployment")), "readinessProbe", "httpGet", "path")}");
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            HttpStatusCode? ready = null;
            while (ready != HttpStatusCode.OK && DateTime.UtcNow < deadline && !server.HasExited)
            {
                try
                {
                    using var response = await http.GetAsync(probe, Ct);
                    ready = response.StatusCode;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(50, Ct);
            }
            if (ready != HttpStatusCode.OK)
            {
                string err = Path.Combine(temp.Path, "server.err");
                Assert.Fail($"{probe}: {ready}; server.err: {(File.Exists(err) ? File.ReadAllText(err) : "(none)")}");
            }

            var chart = ChartPackager.Package(ChartFixtures.WriteSimpleChart(temp.File("src"), "mysql", "1.2.3"));
            var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(chart.Archive), "chart", chart.FileName },
                { new ByteArrayContent(f.Alice.Sign(chart.Archive, chart.FileName, now)), "prov", chart.FileName + ".prov" },
            };
            using var upload = new HttpRequestMessage(HttpMethod.Post, new Uri(repo, "api/charts")) { Content = form };
            upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "deploy-token");
            using var answer = await http.SendAsync(upload, Ct);
            Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
            Assert.True(File.Exists(Path.Combine(root, "var/lib/chartseal/repo/mysql-1.2.3.tgz")));
            // The trust state went to the volume too (CHARTSEAL_HOME), so it outlives the pod.
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(root, "var/lib/chartseal/home/trust-state")));
            string scrapePath = Text(Kind(documents, "Deployment"), "spec", "template", "metadata", "annotations", "prometheus.io/path")!;
            Assert.Equal("/charts/metrics", scrapePath);
            var metrics = PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}{scrapePath}"), Ct));
            Assert.Equal(1, metrics.Sum("chartseal_uploads_total", ("outcome", "published")));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task DeployChart_TheRenderedTlsEnvironment_ServesHttpsWithTheSecretsCertificate_TheProbeAnswers()
    {
        Cli.EnsureBuilt();
        using var temp = new TempDirectory();
        var documents = Render(temp, "--set", "tls.existingSecret=charts-tls");
        var container = Container(Kind(documents, "Deployment"));
        var env = Env(container);

        // The pod's file system below a temporary folder: the Secret as cert-manager writes it, mounted where the chart says.
        string root = temp.File("pod");
        Directory.CreateDirectory(Path.Combine(root, "var/lib/chartseal/repo"));
        string mounted = Directory.CreateDirectory(Path.Combine(root, "etc/chartseal-tls")).FullName;
        using var ca = new TestCertificateAuthority("cert-manager test issuer");
        using (var certificate = ca.IssueLoopbackServer(ec: true))
        {
            TestCertificateAuthority.WritePem(certificate, Path.Combine(mounted, "tls.crt"), Path.Combine(mounted, "tls.key"));
        }
        int port = Cli.FreePort();
        var process = env.ToDictionary(e => e.Key, e => e.Value.StartsWith("/var/lib/chartseal", StringComparison.Ordinal) || e.Value.StartsWith("/etc/chartseal", StringComparison.Ordinal) ? root + e.Value : e.Value);
        Assert.StartsWith("https://", process["CHARTSEAL_SERVE_LISTEN"], StringComparison.Ordinal);
        process["CHARTSEAL_SERVE_LISTEN"] = $"https://127.0.0.1:{port}"; // the pod's 0.0.0.0:8080, on loopback here
        var server = Cli.Start(temp.Path, process, "serve");
        using var http = ca.TrustingClient();
        var probe = new Uri($"https://127.0.0.1:{port}{Text(container, "livenessProbe", "httpGet", "path")}");
        Assert.Equal("HTTPS", Text(container, "livenessProbe", "httpGet", "scheme"));
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            HttpStatusCode? alive = null;
            while (alive != HttpStatusCode.OK && DateTime.UtcNow < deadline && !server.HasExited)
            {
                try
                {
                    using var response = await http.GetAsync(probe, Ct);
                    alive = response.StatusCode;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(50, Ct);
            }
            string err = Path.Combine(temp.Path, "server.err");
            Assert.True(alive == HttpStatusCode.OK, $"{probe}: {alive}; server.err: {(File.Exists(err) ? File.ReadAllText(err) : "(none)")}");
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(Ct);
        }
    }

    [Theory]
    [MemberData(nameof(HelmSigningKeys.HelmAndKeyType), MemberType = typeof(HelmSigningKeys))]
    public void DeployChart_PackagedAndSignedByChartseal_VerifiedByChartsealAndHelm(string helmVersion, string keyType)
    {
        var helm = HelmPeer.Of(helmVersion);
        var key = keys.Of(keyType);
        using var temp = new TempDirectory();
        string output = temp.File("out");

        Cli.AssertOk(Cli.Run(temp.Path, "package", Chart, "--sign", "--key", key.Email, "--keyring", key.ArmoredSecret, "--destination", output));

        string version = File.ReadLines(Path.Combine(Chart, "Chart.yaml")).Single(l => l.StartsWith("version:", StringComparison.Ordinal))["version:".Length..].Trim();
        string archive = Path.Combine(output, $"chartseal-server-{version}.tgz");
        var ours = Cli.Run(temp.Path, "verify", archive, "--keyring", key.ArmoredPublic);
        Cli.AssertOk(ours);
        var theirs = helm.RunChecked(temp.Path, "verify", archive, "--keyring", key.PublicKeyring);
        Assert.Equal(theirs.StdOut, ours.StdOut);
        Assert.Contains($"Using Key With Fingerprint: {key.Fingerprint}", theirs.StdOut, StringComparison.Ordinal);
        // The package itself is a chart Helm accepts.
        helm.RunChecked(temp.Path, "lint", "--strict", archive);
    }
}

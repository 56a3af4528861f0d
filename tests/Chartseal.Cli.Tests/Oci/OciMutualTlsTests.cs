using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Oci;

/// <summary>
/// A namespace on the real registry behind mutual TLS (its own CA, <c>http.tls.clientcas</c>) with HTTP Basic auth, as a
/// Harbor or distribution registry that requires client certificates: Chartseal's doors take Helm's
/// <c>--ca-file</c>, <c>--cert-file</c>/<c>--key-file</c> and <c>--insecure-skip-tls-verify</c> for it, <c>repo add</c>
/// records them, and the real Helm 4 reaches the same registry with the same flags.
/// </summary>
public sealed class OciMutualTlsTests(OciMutualTlsTests.Registry f) : IClassFixture<OciMutualTlsTests.Registry>
{
    public sealed class Registry() : OciCliFixture(RegistryAuth.Basic, mutualTls: true);

    private string[] Ca => ["--ca-file", f.Registry.CaFile!];

    private string[] Certificate => ["--cert-file", f.Registry.ClientCertFile!, "--key-file", f.Registry.ClientKeyFile!];

    private string[] User => ["--username", f.Registry.User, "--password", f.Registry.Password];

    /// <summary>No credentials but the ones a test writes: Helm's registry config in the test's folder (Helm's and Chartseal's).</summary>
    private static Dictionary<string, string> Isolated(TempDirectory t) => new()
    {
        ["HOME"] = t.Path,
        ["HELM_REGISTRY_CONFIG"] = t.File("helm-registry.json"),
        ["DOCKER_CONFIG"] = t.File("docker"),
    };

    private static string Line(CliResult r, int exitCode)
    {
        Assert.True(r.ExitCode == exitCode, r.ToString());
        return Assert.Single(r.StdErrLines);
    }

    [Fact]
    public void With_the_client_certificate_chartseal_pushes_adds_pulls_and_audits_and_without_it_says_so_in_one_line()
    {
        using var t = new TempDirectory();
        var env = Isolated(t);
        string ns = f.NewNamespace();
        Cli.AssertOk(Cli.Run(t.Path, env, ["trust", "init", ns, .. f.RootKey, .. Ca, .. Certificate, .. User]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["trust", "add", ns, f.Public("jane"), .. f.RootKey, .. Ca, .. Certificate, .. User]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["push", f.Package(t, "0.1.0", "jane"), ns, "--root-fingerprint", f.Root, .. Ca, .. Certificate, .. User]));

        // No certificate: the registry's refusal, told for what it is, naming the registry and the flags.
        string none = Line(Cli.Run(t.Path, env, ["trust", "show", ns, .. Ca, .. User]), 2);
        Assert.StartsWith($"chartseal: oci://{f.Registry.Host}/", none, StringComparison.Ordinal);
        Assert.EndsWith(": the server asks for a TLS client certificate (mutual TLS) and none was given: give one with --cert-file CERT --key-file KEY (PEM), which repo add records for the namespace", none, StringComparison.Ordinal);

        // Another CA than the registry's: the client refuses the registry's certificate, and says which CA file it checked.
        using var stranger = new TestCertificateAuthority("Someone else's CA");
        File.WriteAllText(t.File("other-ca.pem"), stranger.Pem);
        string wrongCa = Line(Cli.Run(t.Path, env, ["trust", "show", ns, "--ca-file", t.File("other-ca.pem"), .. Certificate, .. User]), 2);
        Assert.Contains($"TLS handshake with {f.Registry.Host} failed: ", wrongCa, StringComparison.Ordinal);
        Assert.EndsWith($"(its certificate does not chain to a CA of {t.File("other-ca.pem")}, or it speaks plain HTTP (--plain-http))", wrongCa, StringComparison.Ordinal);

        // Not checking the registry's certificate (no CA given): the client certificate still opens it.
        var skipped = Cli.Run(t.Path, env, ["trust", "show", ns, "--insecure-skip-tls-verify", .. Certificate, .. User]);
        Cli.AssertOk(skipped);
        Assert.Contains("jane <jane@example.com>", skipped.StdOut, StringComparison.Ordinal);

        // A certificate or key file that cannot be read: one line naming it, exit 2, before anything is sent.
        Assert.Equal($"chartseal: {t.File("missing.pem")}: --cert-file: no such file",
            Line(Cli.Run(t.Path, env, ["trust", "show", ns, .. Ca, "--cert-file", t.File("missing.pem"), "--key-file", f.Registry.ClientKeyFile!, .. User]), 2));
        File.WriteAllText(t.File("empty-key.pem"), "no key here\n");
        Assert.StartsWith($"chartseal: {t.File("empty-key.pem")}: --key-file: ",
            Line(Cli.Run(t.Path, env, ["audit", ns, "--root-fingerprint", f.Root, .. Ca, "--cert-file", f.Registry.ClientCertFile!, "--key-file", t.File("empty-key.pem"), .. User]), 2), StringComparison.Ordinal);
        Assert.StartsWith("chartseal: --cert-file and --key-file go together",
            Line(Cli.Run(t.Path, env, ["push", "x.tgz", ns, .. Ca, "--cert-file", f.Registry.ClientCertFile!]), 2), StringComparison.Ordinal);

        // repo add records the certificate for the namespace (credentials from helm registry login's file); pull and
        // verify --repo NAME use it. Without it, nothing is recorded.
        f.Registry.WriteRegistryConfig(t.File("helm-registry.json"));
        Assert.Contains("the server asks for a TLS client certificate (mutual TLS) and none was given",
            Line(Cli.Run(t.Path, env, ["repo", "add", "anonymous", ns, "--root-fingerprint", f.Root, .. Ca]), 2), StringComparison.Ordinal);
        Cli.AssertOk(Cli.Run(t.Path, env, ["repo", "add", "team", ns, "--root-fingerprint", f.Root, .. Ca, .. Certificate]));
        var listed = Assert.Single(OciCliFixture.Json(Cli.Run(t.Path, env, "repo", "list", "-o", "json")).GetProperty("repositories").EnumerateArray());
        Assert.Equal(f.Registry.ClientCertFile, listed.GetProperty("certFile").GetString());
        Assert.Equal(f.Registry.ClientKeyFile, listed.GetProperty("keyFile").GetString());
        var pull = Cli.Run(t.Path, env, "pull", "team/hello", "--verify", "-d", "pulled");
        Cli.AssertOk(pull);
        Assert.Contains("Trusted by repository: trust version 2", pull.StdOut, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(t.File("out/hello-0.1.0.tgz")), File.ReadAllBytes(t.File("pulled/hello-0.1.0.tgz")));
        Cli.AssertOk(Cli.Run(t.Path, env, "repo", "update", "team"));
        Cli.AssertOk(Cli.Run(t.Path, env, ["audit", ns, "--root-fingerprint", f.Root, .. Ca, .. Certificate]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["verify", "pulled/hello-0.1.0.tgz", "--repo", ns, "--root-fingerprint", f.Root, .. Ca, .. Certificate]));
        // Given the namespace's URL rather than its name, the commands take what repo add recorded, as for an https URL.
        Cli.AssertOk(Cli.Run(t.Path, env, ["audit", ns, "--root-fingerprint", f.Root]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["trust", "show", ns]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["verify", "pulled/hello-0.1.0.tgz", "--repo", ns, "--root-fingerprint", f.Root]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["push", f.Package(t, "0.1.1", "jane"), ns, .. User]));

        // Recorded without the registry's CA and with its certificate unchecked: said once on stderr, and it works.
        var unchecked_ = Cli.Run(t.Path, env, ["repo", "add", "unchecked", ns, "--root-fingerprint", f.Root, "--insecure-skip-tls-verify", .. Certificate]);
        Cli.AssertOk(unchecked_);
        Assert.Contains($"the TLS certificate of \"unchecked\" ({ns}) is not checked (--insecure-skip-tls-verify)", unchecked_.StdErr, StringComparison.Ordinal);
        Cli.AssertOk(Cli.Run(t.Path, env, "pull", "unchecked/hello", "-d", "unchecked"));
        Assert.True(File.Exists(t.File("unchecked/hello-0.1.1.tgz.prov"))); // the newest, pushed above without TLS flags
    }

    [Fact]
    public void Helm_4_reaches_the_same_registry_with_the_same_flags_and_takes_chartseal_pushes_and_chartseal_verifies_helm_pushes()
    {
        using var t = new TempDirectory();
        var env = Isolated(t);
        string ns = f.NewNamespace();
        Cli.AssertOk(Cli.Run(t.Path, env, ["trust", "init", ns, .. f.RootKey, .. Ca, .. Certificate, .. User]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["trust", "add", ns, f.Public("jane"), .. f.RootKey, .. Ca, .. Certificate, .. User]));

        // helm registry login leaves the credentials chartseal then reads; it reaches the registry with the same TLS flags.
        var anonymousLogin = HelmPeer.V4.Run(t.Path, env, ["registry", "login", f.Registry.Host, .. User, .. Ca]);
        Assert.True(anonymousLogin.ExitCode != 0, $"helm registry login without a client certificate: {anonymousLogin}");
        var login = HelmPeer.V4.Run(t.Path, env, ["registry", "login", f.Registry.Host, .. User, .. Ca, .. Certificate]);
        Assert.True(login.ExitCode == 0, login.ToString());

        // chartseal push -> helm pull --verify with the namespace's pubkeys.pgp as keyring.
        string archive = f.Package(t, "0.1.0", "jane");
        Cli.AssertOk(Cli.Run(t.Path, env, ["push", archive, ns, "--root-fingerprint", f.Root, .. Ca, .. Certificate]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["repo", "add", "team", ns, "--root-fingerprint", f.Root, .. Ca, .. Certificate]));
        string helmDir = Directory.CreateDirectory(t.File("helm")).FullName;
        var helmPull = HelmPeer.V4.Run(t.Path, env, ["pull", $"{ns}/hello", "--version", "0.1.0", .. Ca, .. Certificate,
            "--verify", "--keyring", t.File(".chartseal-home/cache/team/pubkeys.pgp"), "--destination", helmDir]);
        Assert.True(helmPull.ExitCode == 0, helmPull.ToString());
        Assert.Contains("Signed by: jane <jane@example.com>", helmPull.StdOut + helmPull.StdErr, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(Path.Combine(helmDir, "hello-0.1.0.tgz")));
        var helmUnchecked = HelmPeer.V4.Run(t.Path, env, ["pull", $"{ns}/hello", "--version", "0.1.0", "--insecure-skip-tls-verify", .. Certificate, "--destination", Directory.CreateDirectory(t.File("helm-unchecked")).FullName]);
        Assert.True(helmUnchecked.ExitCode == 0, helmUnchecked.ToString());

        // helm push (the .prov beside the archive goes with it) -> chartseal pull verifies it with the namespace's trust only.
        string second = f.Package(t, "0.2.0", "jane", "second");
        var helmPush = HelmPeer.V4.Run(t.Path, env, ["push", second, ns, .. Ca, .. Certificate]);
        Assert.True(helmPush.ExitCode == 0, helmPush.ToString());
        Cli.AssertOk(Cli.Run(t.Path, env, "repo", "update", "team"));
        var pull = Cli.Run(t.Path, env, "pull", "team/hello", "--version", "0.2.0", "-d", "pulled");
        Cli.AssertOk(pull);
        Assert.Contains("Trusted by repository: trust version 2", pull.StdOut, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(second), File.ReadAllBytes(t.File("pulled/hello-0.2.0.tgz")));
    }
}

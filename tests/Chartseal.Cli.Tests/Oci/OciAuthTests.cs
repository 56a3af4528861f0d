using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Oci;

/// <summary>A namespace on a registry that wants credentials: HTTP Basic (htpasswd) and the token flow.</summary>
public sealed class OciAuthTests
{
    public sealed class BasicRegistry() : OciCliFixture(RegistryAuth.Basic);

    public sealed class TokenRegistry() : OciCliFixture(RegistryAuth.Token);

    public sealed class TlsRegistry() : OciCliFixture(RegistryAuth.None, tls: true);

    /// <summary>No credentials but the ones a test writes: Helm's and Docker's configuration in the test's folder.</summary>
    private static Dictionary<string, string> Isolated(TempDirectory t) => new()
    {
        ["HOME"] = t.Path,
        ["HELM_REGISTRY_CONFIG"] = t.File("helm-registry.json"),
        ["DOCKER_CONFIG"] = t.File("docker"),
    };

    /// <param name="f">The registry.</param>
    /// <param name="helmLogin">Whether the client finds the credentials in Helm's registry config (else Docker's).</param>
    private static void Flow(OciCliFixture f, bool helmLogin)
    {
        using var t = new TempDirectory();
        var env = Isolated(t);
        string ns = f.NewNamespace();
        string[] user = ["--username", f.Registry.User, "--password", f.Registry.Password];

        // Anonymous: one clear line saying where credentials were looked for; exit 2.
        var anonymous = Cli.Run(t.Path, env, ["trust", "init", ns, .. f.RootKey, "--plain-http"]);
        Assert.True(anonymous.ExitCode == 2, anonymous.ToString());
        Assert.Contains("anonymous access refused", Assert.Single(anonymous.StdErrLines), StringComparison.Ordinal);
        Assert.Contains($"none for {f.Registry.Host} in {t.File("helm-registry.json")} or {Path.Combine(t.File("docker"), "config.json")}", anonymous.StdErr, StringComparison.Ordinal);

        // --username/--password, as helm push takes them.
        Cli.AssertOk(Cli.Run(t.Path, env, ["trust", "init", ns, .. f.RootKey, "--plain-http", .. user]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["trust", "add", ns, f.Public("jane"), .. f.RootKey, "--plain-http", .. user]));
        Cli.AssertOk(Cli.Run(t.Path, env, ["push", f.Package(t, "0.1.0", "jane"), ns, "--root-fingerprint", f.Root, "--plain-http", .. user]));
        var wrong = Cli.Run(t.Path, env, ["trust", "show", ns, "--plain-http", "--username", f.Registry.User, "--password", "wrong"]);
        Assert.True(wrong.ExitCode == 2, wrong.ToString());
        Assert.Contains("refused the credentials from --username/--password", Assert.Single(wrong.StdErrLines), StringComparison.Ordinal);

        // The verifying client takes the credentials that helm registry login or docker login left.
        f.Registry.WriteRegistryConfig(helmLogin ? t.File("helm-registry.json") : Path.Combine(t.File("docker"), "config.json"));
        Cli.AssertOk(Cli.Run(t.Path, env, "repo", "add", "team", ns, "--root-fingerprint", f.Root, "--plain-http"));
        var pull = Cli.Run(t.Path, env, "pull", "team/hello", "-d", "pulled");
        Cli.AssertOk(pull);
        Assert.Contains("Trusted by repository: trust version 2", pull.StdOut, StringComparison.Ordinal);
        Cli.AssertOk(Cli.Run(t.Path, env, "audit", ns, "--root-fingerprint", f.Root, "--plain-http"));

        // Several charts in one pull: their first requests go out together, and each answers the challenge.
        Cli.AssertOk(Cli.Run(t.Path, env, ["push", f.Package(t, "0.2.0", "jane"), ns, "--root-fingerprint", f.Root, "--plain-http", .. user]));
        var several = Cli.Run(t.Path, env, "pull", "team/hello", ns + "/hello:0.1.0", "-d", "several");
        Cli.AssertOk(several);
        Assert.True(File.Exists(t.File("several/hello-0.2.0.tgz")) && File.Exists(t.File("several/hello-0.1.0.tgz")), several.ToString());
    }

    public sealed class Basic(BasicRegistry f) : IClassFixture<BasicRegistry>
    {
        [Fact]
        public void Anonymous_is_refused_clearly_and_credentials_from_the_command_line_and_docker_config_work() => Flow(f, helmLogin: false);
    }

    public sealed class Token(TokenRegistry f) : IClassFixture<TokenRegistry>
    {
        [Fact]
        public void Anonymous_is_refused_clearly_and_the_token_flow_works_with_credentials_from_the_command_line_and_helm_registry_config() => Flow(f, helmLogin: true);
    }

    public sealed class Tls(TlsRegistry f) : IClassFixture<TlsRegistry>
    {
        [Fact]
        public void A_registry_with_its_own_CA_is_reached_with_ca_file_which_repo_add_records()
        {
            using var t = new TempDirectory();
            string ns = f.NewNamespace();
            f.Trust(t, ns, "jane");
            Cli.AssertOk(Cli.Run(t.Path, ["push", f.Package(t, "0.1.0", "jane"), ns, "--root-fingerprint", f.Root, .. f.Transport]));

            // The system roots do not know the registry's CA: one line naming the way out.
            var untrusted = Cli.Run(t.Path, "trust", "show", ns);
            Assert.True(untrusted.ExitCode == 2, untrusted.ToString());
            Assert.Contains("TLS handshake with", Assert.Single(untrusted.StdErrLines), StringComparison.Ordinal);
            Assert.Contains("--ca-file", untrusted.StdErr, StringComparison.Ordinal);

            Cli.AssertOk(Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", f.Root, "--ca-file", f.Registry.CaFile!));
            Assert.Equal(f.Registry.CaFile, OciCliFixture.Json(Cli.Run(t.Path, "repo", "list", "-o", "json")).GetProperty("repositories")[0].GetProperty("caFile").GetString());
            Cli.AssertOk(Cli.Run(t.Path, "pull", "team/hello", "-d", "pulled"));
            Assert.True(File.Exists(t.File("pulled/hello-0.1.0.tgz")));
        }
    }
}

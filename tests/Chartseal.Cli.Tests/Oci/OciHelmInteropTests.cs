using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;

namespace Chartseal.Cli.Tests.Oci;

/// <summary>
/// A Chartseal namespace in the real CNCF registry, with the real Helm 4.1.4 on the other side: what <c>chartseal push</c>
/// stores, <c>helm pull --verify</c> and <c>helm install --dry-run=client</c> take with the namespace's <c>pubkeys.pgp</c>
/// as keyring; what <c>helm push</c> stores, <c>chartseal pull</c> verifies with only the namespace's trust material.
/// </summary>
public sealed class OciHelmInteropTests(OciCliFixture f) : IClassFixture<OciCliFixture>
{
    private static void Ok(CliResult r) => Cli.AssertOk(r);

    [Fact]
    public void Chartseal_push_then_helm_pulls_verifies_and_installs_it_and_chartseal_searches_pulls_and_verifies_it()
    {
        using var t = new TempDirectory();
        string ns = f.NewNamespace();
        f.Trust(t, ns, "jane");
        string archive = f.Package(t, "0.1.0", "jane");

        var pushed = Cli.Run(t.Path, "push", archive, ns, "--root-fingerprint", f.Root, "--plain-http");
        Ok(pushed);
        Assert.StartsWith($"Pushed: {ns}/hello:0.1.0\nSigned by: jane <jane@example.com> ({f.Fingerprints["jane"]}), trust version 2\n", pushed.StdOut, StringComparison.Ordinal);

        // repo add verifies and caches the namespace's trust files: its pubkeys.pgp is the keyring a Helm user passes.
        var added = Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", f.Root, "--plain-http");
        Ok(added);
        Assert.Contains("Index: 1 chart version", added.StdOut, StringComparison.Ordinal);
        string pubkeys = t.File(".chartseal-home/cache/team/pubkeys.pgp");
        string helmDir = Directory.CreateDirectory(t.File("helm")).FullName;
        var helmPull = HelmPeer.V4.Run(t.Path, "pull", $"{ns}/hello", "--version", "0.1.0", "--plain-http", "--verify", "--keyring", pubkeys, "--destination", helmDir);
        Assert.True(helmPull.ExitCode == 0, helmPull.ToString());
        Assert.Contains($"Signed by: jane <jane@example.com>", helmPull.StdOut + helmPull.StdErr, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(Path.Combine(helmDir, "hello-0.1.0.tgz")));
        Assert.Equal(File.ReadAllBytes(archive + ".prov"), File.ReadAllBytes(Path.Combine(helmDir, "hello-0.1.0.tgz.prov")));
        // Helm 4.1.4's install --dry-run=client needs no cluster.
        var install = HelmPeer.V4.Run(t.Path, "install", "rel", $"{ns}/hello", "--version", "0.1.0", "--plain-http", "--verify", "--keyring", pubkeys, "--dry-run=client");
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Contains("STATUS: pending-install", install.StdOut, StringComparison.Ordinal);
        Assert.Contains("name: rel-hello", install.StdOut, StringComparison.Ordinal);

        // Chartseal's client: search (the index is built from the registry), pull by name, by oci:// reference, by range.
        var search = Cli.Run(t.Path, "search", "hello");
        Ok(search);
        Assert.Matches(@"team/hello\s+0\.1\.0\s+1\.0\.0", search.StdOut);
        var pull = Cli.Run(t.Path, "pull", "team/hello", "-d", "pulled");
        Ok(pull);
        Assert.Contains("Trusted by repository: trust version 2", pull.StdOut, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(t.File("pulled/hello-0.1.0.tgz")));
        Ok(Cli.Run(t.Path, "pull", $"{ns}/hello:0.1.0", "-d", "by-reference"));
        Assert.True(File.Exists(t.File("by-reference/hello-0.1.0.tgz.prov")));
        Ok(Cli.Run(t.Path, "pull", $"{ns}/hello", "--version", "^0.1", "--untar", "-d", "untarred"));
        Assert.True(File.Exists(t.File("untarred/hello/Chart.yaml")));
        Ok(Cli.Run(t.Path, "verify", "pulled/hello-0.1.0.tgz", "--repo", "team"));
        Ok(Cli.Run(t.Path, "verify", "pulled/hello-0.1.0.tgz", "--repo", ns, "--root-fingerprint", f.Root, "--plain-http"));
        var dry = Cli.Run(t.Path, "install", "rel", $"{ns}/hello", "--dry-run");
        Ok(dry);
        Assert.Contains($"Dry run: helm is not on PATH; it would be run as helm install rel hello-0.1.0.tgz --dry-run (hello-0.1.0.tgz: the archive of {ns}/hello 0.1.0 verified above", dry.StdOut, StringComparison.Ordinal);

        // Trust on first use works as over http(s), and says so.
        var tofu = Cli.Run(t.Path, "repo", "add", "tofu", ns, "--trust-on-first-use", "--plain-http");
        Ok(tofu);
        Assert.StartsWith($"Trusting on first use: root {f.Root} (root <root@example.com>)\n", tofu.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "repo", "add", "by-key", ns, "--root-key", f.Public("root"), "--plain-http"));

        // An unconfigured namespace, a version that does not exist, and https to a plain-http registry: one line each, exit 2.
        var unconfigured = Cli.Run(t.Path, "pull", $"oci://{f.Registry.Host}/elsewhere/hello:0.1.0");
        Assert.True(unconfigured.ExitCode == 2, unconfigured.ToString());
        Assert.Contains($"the namespace oci://{f.Registry.Host}/elsewhere is not configured: add it with chartseal repo add NAME", Assert.Single(unconfigured.StdErrLines), StringComparison.Ordinal);
        var missing = Cli.Run(t.Path, "pull", "team/hello", "--version", "9.9.9");
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("team/hello: no version matches \"9.9.9\"", Assert.Single(missing.StdErrLines), StringComparison.Ordinal);
        var tls = Cli.Run(t.Path, "trust", "show", $"oci://{f.Registry.Host}/elsewhere");
        Assert.True(tls.ExitCode == 2, tls.ToString());
        Assert.Contains("--plain-http", Assert.Single(tls.StdErrLines), StringComparison.Ordinal);
        // A namespace added with --plain-http keeps it when given by its URL, as an http(s) URL keeps its recorded settings.
        var shown = Cli.Run(t.Path, "trust", "show", ns);
        Ok(shown);
        Assert.Contains("Trusted: ", shown.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helm_push_of_a_helm_signed_chart_is_verified_by_chartseal_with_only_the_namespace_trust_material()
    {
        using var t = new TempDirectory();
        string ns = f.NewNamespace();
        f.Trust(t, ns, "jane");
        string keyring = t.File("jane.sec.gpg");
        File.WriteAllBytes(keyring, Dearmor(f.Secret("jane")));
        HelmPeer.V4.RunChecked(t.Path, "package", Path.Combine(TestPaths.RepoRoot, "examples", "hello"), "--sign", "--key", "jane@example.com", "--keyring", keyring, "--destination", t.File("helm-out"));
        string archive = t.File("helm-out/hello-0.1.0.tgz");
        HelmPeer.V4.RunChecked(t.Path, "push", archive, ns, "--plain-http");
        Assert.Equal(["0.1.0"], await f.TagsAsync(ns, "hello"));

        // helm push records nothing beside the chart: the registry's catalog finds it.
        var added = Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", f.Root, "--plain-http");
        Ok(added);
        Assert.Contains("Index: 1 chart version", added.StdOut, StringComparison.Ordinal);
        var pull = Cli.Run(t.Path, "pull", "team/hello", "-d", "pulled");
        Ok(pull);
        Assert.StartsWith($"Signed by: jane <jane@example.com>\nUsing Key With Fingerprint: {f.Fingerprints["jane"]}\n", pull.StdOut, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(t.File("pulled/hello-0.1.0.tgz")));
        var audit = Cli.Run(t.Path, "audit", ns, "--root-fingerprint", f.Root, "--plain-http");
        Ok(audit);
        Assert.Contains("Charts: 1 chart name looked at: no chart list, 1 in the registry's catalog", audit.StdOut, StringComparison.Ordinal);

        // The namespace's trust decides, not the registry: once Jane is removed, the same chart is refused.
        Ok(Cli.Run(t.Path, ["trust", "remove", ns, f.Fingerprints["jane"], .. f.RootKey, "--plain-http"]));
        Cli.AssertRejected(Cli.Run(t.Path, "pull", "team/hello", "-d", "refused"), "signer-not-trusted");
        Assert.False(Directory.Exists(t.File("refused")));
    }

    /// <summary>What <c>gpg --dearmor</c> does: Helm wants binary keyrings.</summary>
    private static byte[] Dearmor(string path)
    {
        using var input = new ArmoredInputStream(File.OpenRead(path));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}

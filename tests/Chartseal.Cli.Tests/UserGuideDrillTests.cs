using System.Globalization;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// The key-compromise drill of docs/user-guide.md (section 6), run exactly as written in an empty folder: over HTTP against
/// <c>chartseal serve</c>, and in the real CNCF registry with htpasswd users, each with the real Helm 4 on PATH.
/// </summary>
public sealed class UserGuideDrillTests
{
    private const string Guide = "docs/user-guide.md";

    private static (string, string) Helm => ("helm", HelmPeer.V4.Path);

    // Helm's folders and Docker's config below the test's folder: a login must not reach the user's own.
    private static Dictionary<string, string> Environment(TempDirectory t) => new()
    {
        ["HOME"] = t.File("user"),
        ["HELM_CONFIG_HOME"] = t.File("user/helm-config"),
        ["HELM_CACHE_HOME"] = t.File("user/helm-cache"),
        ["HELM_DATA_HOME"] = t.File("user/helm-data"),
        ["KUBECONFIG"] = t.File("user/kubeconfig"),
        ["DOCKER_CONFIG"] = t.File("user/docker"),
    };

    [Fact]
    public async Task The_http_drill_runs_as_written()
    {
        using var t = new TempDirectory();
        var env = Environment(t);
        env["PORT"] = Cli.FreePort().ToString(CultureInfo.InvariantCulture);

        var (exitCode, output) = await DocScript.RunAsync(t, DocScript.Of(Guide, "drill-setup", "drill-http"), env, Helm);

        Assert.True(exitCode == 0, output);
        AssertDrill(t, output);
        // The thief's upload: refused by the server, and in its audit log with the key and the reason.
        Assert.Contains("{\"error\":\"signer-revoked\",\"message\":\"hello-6.6.6.tgz: signing key ", output, StringComparison.Ordinal);
        Assert.Contains("{\"Operation\":\"upload\",\"File\":\"hello-6.6.6.tgz\",\"Key\":\"", output, StringComparison.Ordinal);
        Assert.False(File.Exists(t.File("empty/repo/hello-6.6.6.tgz")));
    }

    [Fact]
    public async Task The_oci_drill_runs_as_written()
    {
        using var t = new TempDirectory();
        using var registry = new OciTestRegistry(RegistryAuth.Basic);
        var env = Environment(t);
        env["REGISTRY"] = registry.Host;
        env["REGISTRY_USER"] = registry.User;
        env["REGISTRY_PASSWORD"] = registry.Password;

        var (exitCode, output) = await DocScript.RunAsync(t, DocScript.Of(Guide, "drill-setup", "drill-oci"), env, Helm);

        Assert.True(exitCode == 0, output);
        AssertDrill(t, output);
        // chartseal push refuses the thief; plain helm push stores the tag, the audit names it, and after its deletion it is clean.
        Assert.Contains("push: exit 1", output, StringComparison.Ordinal);
        Assert.Contains("5 chart versions in oci://", output, StringComparison.Ordinal);
        Assert.Contains("): 4 trusted, 1 signer-revoked", output, StringComparison.Ordinal);
        Assert.Contains($"chartseal: oci://{registry.Host}/team/charts/hello:6.6.6: signer-revoked: ", output, StringComparison.Ordinal);
        Assert.EndsWith("): 4 trusted\nCharts: 2 chart names looked at: those of the signed index snapshot (tags.json), which replaces the chart list and the catalog\n",
            output[..output.IndexOf("\n--- stderr\n", StringComparison.Ordinal)], StringComparison.Ordinal);
    }

    // What both drills show: Bob's two charts listed and refused, re-signed by Alice with the same bytes, the audit clean,
    // the user's old copy refused and the new one accepted.
    private static void AssertDrill(TempDirectory t, string output)
    {
        Assert.Contains("2 of 4 chart versions in ", output, StringComparison.Ordinal);
        Assert.Contains("): 2 signer-revoked\n", output, StringComparison.Ordinal);
        Assert.Contains("signer-revoked (CSL2007): KeyCompromised: laptop stolen", output, StringComparison.Ordinal);
        Assert.Contains("resign/hello-1.1.0.tgz: OK\nresign/web-2.0.0.tgz: OK\n", output, StringComparison.Ordinal);
        Assert.Contains("): 4 trusted\n", output, StringComparison.Ordinal);
        Assert.Contains("verify: exit 1", output, StringComparison.Ordinal);
        Assert.Contains("chartseal: before/hello-1.1.0.tgz: signer-revoked: ", output, StringComparison.Ordinal);
        Assert.Contains("Pulled: after/hello-1.1.0.tgz\n", output, StringComparison.Ordinal);
        Assert.Contains("same archive\n", output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(t.File("empty/before/hello-1.1.0.tgz")), File.ReadAllBytes(t.File("empty/after/hello-1.1.0.tgz")));
        Assert.NotEqual(File.ReadAllBytes(t.File("empty/before/hello-1.1.0.tgz.prov")), File.ReadAllBytes(t.File("empty/after/hello-1.1.0.tgz.prov")));
    }
}

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
        string ns = $"oci://{registry.Host}/team/charts";
        // After the revocation, index sign leaves Bob's versions out of the signed tags until they are re-signed, and says so.
        Assert.Contains($"chartseal: {ns}/hello:1.1.0: left out of the signed tags: signer-revoked: ", output, StringComparison.Ordinal);
        Assert.Contains("chartseal: 2 tags the registry holds are not signed as it holds them (hello:1.1.0, web:2.0.0)", output, StringComparison.Ordinal);
        // chartseal push refuses the thief; plain helm push stores the tag, and the audit names it at once (before any index sign).
        Assert.Contains("push: exit 1", output, StringComparison.Ordinal);
        Assert.Contains($"5 chart versions in {ns} (trust version 4, root ", output, StringComparison.Ordinal);
        Assert.Contains("): 4 trusted, 1 signer-revoked\nCharts: 2 chart names looked at: 2 in the signed index snapshot (tags.json), 2 in the chart list, "
            + "2 in the registry's catalog; 1 tag the registry holds is not in the signed index snapshot\n", output, StringComparison.Ordinal);
        // index sign leaves it out; users get the newest trusted version, and the thief's, named, is refused.
        Assert.Contains($"chartseal: {ns}/hello:6.6.6: left out of the signed tags: signer-revoked: ", output, StringComparison.Ordinal);
        Assert.Contains("chartseal: 1 tag the registry holds is not signed as it holds it (hello:6.6.6)", output, StringComparison.Ordinal);
        Assert.Contains("Pulled: latest/hello-1.1.0.tgz\n", output, StringComparison.Ordinal);
        Assert.Contains($"chartseal: {ns}/hello:6.6.6: signer-revoked: ", output, StringComparison.Ordinal);
        Assert.Contains("pull: exit 1", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(t.File("empty/stolen")));
        // After its deletion, the audit is clean.
        Assert.EndsWith("): 4 trusted\nCharts: 2 chart names looked at: 2 in the signed index snapshot (tags.json), 2 in the chart list, 2 in the registry's catalog; "
            + "every chart tag the registry holds is in the signed index snapshot\n",
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

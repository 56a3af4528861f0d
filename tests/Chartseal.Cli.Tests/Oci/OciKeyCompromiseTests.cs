using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Oci;

/// <summary>
/// Key compromise over OCI, end to end: revoke the key, <c>audit oci://…</c> lists exactly what it signed, re-sign those
/// charts (<c>resign</c>, then <c>push --resign-only</c>), and the audit is clean while every chart layer is unchanged.
/// </summary>
public sealed class OciKeyCompromiseTests(OciCliFixture f) : IClassFixture<OciCliFixture>
{
    private static void Ok(CliResult r) => Cli.AssertOk(r);

    [Fact]
    public async Task Revoke_audit_resign_and_push_resign_only_leave_every_chart_layer_as_it_was()
    {
        using var t = new TempDirectory();
        string ns = f.NewNamespace();
        f.Trust(t, ns, "jane", "max");
        var signers = new Dictionary<string, string> { ["0.1.0"] = "jane", ["0.2.0"] = "max", ["0.3.0"] = "jane" };
        foreach (var (version, who) in signers)
        {
            Ok(Cli.Run(t.Path, "push", f.Package(t, version, who), ns, "--root-fingerprint", f.Root, "--plain-http"));
        }
        var layers = await ChartLayersAsync(ns, signers.Keys);
        string[] audit = ["audit", ns, "--root-fingerprint", f.Root, "--plain-http"];
        Ok(Cli.Run(t.Path, audit));
        Ok(Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", f.Root, "--plain-http"));

        // Jane's key is compromised.
        Ok(Cli.Run(t.Path, ["trust", "revoke", ns, f.Fingerprints["jane"], "--reason", "laptop stolen", .. f.RootKey, "--plain-http"]));
        var table = Cli.Run(t.Path, audit);
        Assert.True(table.ExitCode == 1, table.ToString());
        Assert.Contains($"{ns}: 2 of 3 chart versions are not trusted", table.StdErr, StringComparison.Ordinal);
        Assert.Contains("1 trusted, 2 signer-revoked", table.StdOut, StringComparison.Ordinal);
        var json = Cli.Run(t.Path, [.. audit, "--signer", f.Fingerprints["jane"], "-o", "json"]);
        Assert.True(json.ExitCode == 1, json.ToString());
        var doc = OciCliFixture.Json(json);
        var rows = doc.GetProperty("charts").EnumerateArray()
            .Select(r => (r.GetProperty("version").GetString(), r.GetProperty("reason").GetString(), r.GetProperty("archive").GetString())).ToList();
        Assert.Equal([("0.3.0", "signer-revoked", $"{ns}/hello:0.3.0"), ("0.1.0", "signer-revoked", $"{ns}/hello:0.1.0")], rows);
        Assert.Equal(1, doc.GetProperty("enumeration").GetProperty("chartList").GetInt32());

        // Several charts in one pull: each judged on its own; Jane's is refused and not written, Max's is.
        var several = Cli.Run(t.Path, "pull", $"{ns}/hello:0.1.0", $"{ns}/hello:0.2.0", "-d", "several");
        Assert.True(several.ExitCode == 1, several.ToString());
        Assert.Contains($"{ns}/hello:0.1.0: signer-revoked: ", Assert.Single(several.StdErrLines), StringComparison.Ordinal);
        Assert.Equal(["hello-0.2.0.tgz", "hello-0.2.0.tgz.prov"], Directory.GetFiles(t.File("several")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Max re-signs Jane's charts (the very archives pushed) and replaces only their provenance layers.
        foreach (string version in new[] { "0.1.0", "0.3.0" })
        {
            var resigned = Cli.Run(t.Path, "resign", $"out/hello-{version}.tgz", "--key", "max", "--keyring", f.Secret("max"));
            Ok(resigned);
            Assert.Contains($"was signed by {f.Fingerprints["jane"]}", resigned.StdOut, StringComparison.Ordinal);
            var replaced = Cli.Run(t.Path, "push", $"out/hello-{version}.tgz", ns, "--root-fingerprint", f.Root, "--plain-http", "--resign-only");
            Ok(replaced);
            Assert.StartsWith($"Replaced the provenance of {ns}/hello:{version} (chart layer unchanged)", replaced.StdOut, StringComparison.Ordinal);
        }
        // A .prov over another archive is refused; the registry keeps Max's.
        string changed = f.Package(t, "0.2.0", "max", "changed");
        File.WriteAllText(t.File("changed/hello-0.2.0.tgz.prov"), File.ReadAllText(t.File("out/hello-0.1.0.tgz.prov")).Replace("0.1.0", "0.2.0", StringComparison.Ordinal));
        Assert.Equal(1, Cli.Run(t.Path, "push", changed, ns, "--root-fingerprint", f.Root, "--plain-http", "--resign-only").ExitCode);

        Ok(Cli.Run(t.Path, audit));
        Assert.Equal(layers, await ChartLayersAsync(ns, signers.Keys));
        // Helm users verify the re-signed charts with the namespace's new pubkeys.pgp (repo update caches it).
        Ok(Cli.Run(t.Path, "repo", "update", "team"));
        var helm = HelmPeer.V4.Run(t.Path, "pull", $"{ns}/hello", "--version", "0.1.0", "--plain-http", "--verify",
            "--keyring", t.File(".chartseal-home/cache/team/pubkeys.pgp"), "--destination", Directory.CreateDirectory(t.File("helm")).FullName);
        Assert.True(helm.ExitCode == 0, helm.ToString());
    }

    /// <summary>Each version's chart layer digest, as the registry holds it.</summary>
    private async Task<List<string>> ChartLayersAsync(string ns, IEnumerable<string> versions)
    {
        using var client = f.Client();
        var digests = new List<string>();
        foreach (string version in versions)
        {
            var reference = OciCliFixture.Chart(ns, "hello", version);
            var manifest = (await client.GetManifestAsync(reference, TestContext.Current.CancellationToken))!.Parse(reference.ToString());
            digests.Add(HelmChartArtifact.ReadLayers(manifest, reference.ToString()).Chart.Digest);
        }
        return digests;
    }
}

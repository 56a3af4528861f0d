using System.Text.Json;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>Key-compromise response through the built CLI: audit, resign, publish --resign-only.</summary>
public sealed class AuditCommandTests
{
    private static void Ok(CliResult r) => Cli.AssertOk(r);

    private static void Rejected(CliResult r, string reason) => Cli.AssertRejected(r, reason);

    private static string FingerprintOf(TempDirectory t, string archive, string keyring) =>
        JsonDocument.Parse(Cli.Run(t.Path, "verify", archive, "--keyring", keyring, "--output", "json").StdOut)
            .RootElement.GetProperty("signer").GetProperty("fingerprint").GetString()!;

    [Fact]
    public void KeyCompromise_RevokeAuditResignPublishResignOnly_AuditCleanAndIndexUnchanged()
    {
        using var t = new TempDirectory();
        string example = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        foreach (string who in new[] { "root", "jane", "max" })
        {
            Ok(Cli.Run(t.Path, "key", "generate", "--name", $"{who} <{who}@example.com>", "--out", who, "--expires", "1y"));
        }
        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Ok(Cli.Run(t.Path, "trust", "add", "repo", "jane.pub.asc", "max.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        string root = JsonDocument.Parse(Cli.Run(t.Path, "trust", "show", "repo", "--output", "json").StdOut).RootElement.GetProperty("root").GetString()!;
        Ok(Cli.Run(t.Path, "package", example, "-d", "out", "--sign", "--key", "jane", "--keyring", "jane.sec.asc"));
        Ok(Cli.Run(t.Path, "package", example, "-d", "out", "--version", "0.2.0", "--sign", "--key", "max", "--keyring", "max.sec.asc"));
        Ok(Cli.Run(t.Path, "publish", "out/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root));
        Ok(Cli.Run(t.Path, "publish", "out/hello-0.2.0.tgz", "--repo", "repo", "--root-fingerprint", root));
        string jane = FingerprintOf(t, "out/hello-0.1.0.tgz", "jane.pub.asc");
        byte[] index = File.ReadAllBytes(t.File("repo/index.yaml"));

        var clean = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root);
        Ok(clean);
        Assert.Contains("2 chart versions in repo (trust version 2", clean.StdOut, StringComparison.Ordinal);
        Assert.EndsWith(": 2 trusted\n", clean.StdOut, StringComparison.Ordinal);

        // Jane's key is compromised.
        Ok(Cli.Run(t.Path, "trust", "revoke", "repo", jane, "--reason", "laptop stolen", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        var table = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root);
        Assert.True(table.ExitCode == 1, table.ToString());
        Assert.Contains("1 of 2 chart versions is not trusted", table.StdErr, StringComparison.Ordinal);
        string janeRow = Assert.Single(table.StdOut.Split('\n'), l => l.StartsWith("hello ", StringComparison.Ordinal) && l.Contains("0.1.0", StringComparison.Ordinal));
        Assert.Contains(jane, janeRow, StringComparison.Ordinal);
        Assert.Contains("jane <jane@example.com>", janeRow, StringComparison.Ordinal);
        Assert.Contains("signer-revoked (CSL2007)", janeRow, StringComparison.Ordinal);
        Assert.Contains("1 trusted, 1 signer-revoked", table.StdOut, StringComparison.Ordinal);

        var json = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root, "--signer", jane, "--output", "json");
        Assert.True(json.ExitCode == 1, json.ToString());
        using (var doc = JsonDocument.Parse(json.StdOut))
        {
            Assert.Equal("chartseal.audit-result/v1", doc.RootElement.GetProperty("schema").GetString());
            Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("signer-revoked").GetInt32());
            var row = Assert.Single(doc.RootElement.GetProperty("charts").EnumerateArray());
            Assert.Equal(("0.1.0", "signer-revoked", "CSL2007", jane), (row.GetProperty("version").GetString(), row.GetProperty("reason").GetString(), row.GetProperty("code").GetString(), row.GetProperty("signer").GetProperty("fingerprint").GetString()));
        }

        // Max re-signs Jane's chart (the published archive, unchanged) and it is re-published with --resign-only.
        Directory.CreateDirectory(t.File("resign"));
        File.Copy(t.File("repo/hello-0.1.0.tgz"), t.File("resign/hello-0.1.0.tgz"));
        File.Copy(t.File("repo/hello-0.1.0.tgz.prov"), t.File("resign/hello-0.1.0.tgz.prov"));
        var resigned = Cli.Run(t.Path, "resign", "resign/hello-0.1.0.tgz", "--key", "max", "--keyring", "max.sec.asc");
        Ok(resigned);
        Assert.Contains($"was signed by {jane}", resigned.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "publish", "resign/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root, "--resign-only"));

        Ok(Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root));
        Assert.Equal(index, File.ReadAllBytes(t.File("repo/index.yaml")));

        // A version the repository does not hold is refused, and so is a re-sign of a changed archive.
        Ok(Cli.Run(t.Path, "package", example, "-d", "new", "--version", "0.3.0", "--sign", "--key", "max", "--keyring", "max.sec.asc"));
        Rejected(Cli.Run(t.Path, "publish", "new/hello-0.3.0.tgz", "--repo", "repo", "--root-fingerprint", root, "--resign-only"), "version-not-found");
        Ok(Cli.Run(t.Path, "package", example, "-d", "changed", "--version", "0.2.0", "--app-version", "9.9", "--sign", "--key", "max", "--keyring", "max.sec.asc"));
        File.Copy(t.File("out/hello-0.2.0.tgz.prov"), t.File("changed/hello-0.2.0.tgz.prov"), overwrite: true);
        Rejected(Cli.Run(t.Path, "resign", "changed/hello-0.2.0.tgz", "--key", "max", "--keyring", "max.sec.asc"), "hash-mismatch");
        Rejected(Cli.Run(t.Path, "publish", "changed/hello-0.2.0.tgz", "--repo", "repo", "--root-fingerprint", root, "--resign-only", "--prov", "new/hello-0.3.0.tgz.prov"), "version-not-found");
    }

    [Fact]
    public void Audit_WrongRoot_Exit1NamingTheManifest()
    {
        using var t = new TempDirectory();
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "root <root@example.com>", "--out", "root", "--expires", "1y"));
        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));

        var r = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", new string('A', 40));

        Rejected(r, "trust-bad-signature");
        Assert.Contains(Path.Combine("repo", "trust.yaml.asc"), r.StdErr, StringComparison.Ordinal);

        var json = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", new string('A', 40), "--output", "json");
        Rejected(json, "trust-bad-signature");
        using var doc = JsonDocument.Parse(json.StdOut);
        Assert.Equal(("chartseal.audit-result/v1", false, "CSL2002", 0), (doc.RootElement.GetProperty("schema").GetString(), doc.RootElement.GetProperty("allTrusted").GetBoolean(), doc.RootElement.GetProperty("code").GetString(), doc.RootElement.GetProperty("charts").GetArrayLength()));
    }
}

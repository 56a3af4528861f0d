using System.Text.Json;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>What a user reads from the gate: the rebuild gate's line and JSON, and the one rule for plain http on every URL.</summary>
public sealed class GateOutputTests
{
    [Fact]
    public void Verify_RebuildFrom_SaysTheRebuildGateRanAndPassed_InTextAndJson()
    {
        using var t = new TempDirectory();
        string chart = ChartFixtures.CopyHashtest(t);
        Cli.AssertOk(Cli.Run(t.Path, "package", chart, "-d", "out", "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret")));

        var text = Cli.Run(t.Path, "verify", "out/hashtest-1.2.3.tgz", "--rebuild-from", chart, "--keyring", TestPaths.Helm("helm-test-key.pub"));
        Cli.AssertOk(text);
        Assert.Contains($"Rebuild gate passed: rebuilt from {chart}, identical archive", text.StdOut, StringComparison.Ordinal);

        var json = Cli.Run(t.Path, "verify", "out/hashtest-1.2.3.tgz", "--rebuild-from", chart, "--keyring", TestPaths.Helm("helm-test-key.pub"), "-o", "json");
        Cli.AssertOk(json);
        using var doc = JsonDocument.Parse(json.StdOut);
        var rebuild = doc.RootElement.GetProperty("rebuild");
        Assert.True(rebuild.GetProperty("checked").GetBoolean());
        Assert.True(rebuild.GetProperty("matched").GetBoolean());
        Assert.Equal(chart, rebuild.GetProperty("source").GetString());
        Assert.Equal("signature-only", doc.RootElement.GetProperty("trust").GetProperty("kind").GetString());

        // Without --rebuild-from the JSON says the gate did not run.
        using var plain = JsonDocument.Parse(Cli.Run(t.Path, "verify", "out/hashtest-1.2.3.tgz", "--keyring", TestPaths.Helm("helm-test-key.pub"), "-o", "json").StdOut);
        Assert.False(plain.RootElement.GetProperty("rebuild").GetProperty("checked").GetBoolean());
    }

    [Fact]
    public void Verify_RebuildMismatch_ReportsSignerAndHashInTheJson()
    {
        using var t = new TempDirectory();
        string chart = ChartFixtures.CopyHashtest(t);
        Cli.AssertOk(Cli.Run(t.Path, "package", chart, "-d", "out", "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret")));
        File.AppendAllText(Path.Combine(chart, "values.yaml"), "changed: true\n");

        var r = Cli.Run(t.Path, "verify", "out/hashtest-1.2.3.tgz", "--rebuild-from", chart, "--keyring", TestPaths.Helm("helm-test-key.pub"), "-o", "json");

        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal("rebuild-mismatch", doc.RootElement.GetProperty("reason").GetString());
        Assert.Equal("5E615389B53CA37F0EE60BD3843BBF981FC18762", doc.RootElement.GetProperty("signer").GetProperty("fingerprint").GetString());
        Assert.Equal(64, doc.RootElement.GetProperty("sha256").GetString()!.Length);
        Assert.False(doc.RootElement.GetProperty("rebuild").GetProperty("matched").GetBoolean());
    }

    [Theory]
    [InlineData("verify", "x.tgz", "--repo", "URL", "--root-fingerprint", "5E615389B53CA37F0EE60BD3843BBF981FC18762")]
    [InlineData("audit", "URL", "--root-fingerprint", "5E615389B53CA37F0EE60BD3843BBF981FC18762")]
    [InlineData("trust", "show", "URL")]
    [InlineData("repo", "add", "plain", "URL", "--root-fingerprint", "5E615389B53CA37F0EE60BD3843BBF981FC18762")]
    public void PlainHttp_IsRefusedWithoutConsent_OnEveryCommandThatTakesAUrl(params string[] args)
    {
        using var t = new TempDirectory();
        File.WriteAllBytes(t.File("x.tgz"), File.ReadAllBytes(TestPaths.Helm("hashtest-1.2.3.tgz")));
        // Nothing listens there: a refusal must come before any connection.
        string url = $"http://127.0.0.1:{Cli.FreePort()}/charts";
        string[] withUrl = args.Select(a => a == "URL" ? url : a).ToArray();

        var refused = Cli.Run(t.Path, withUrl);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("refusing a plain http:// URL", Assert.Single(refused.StdErrLines), StringComparison.Ordinal);

        // With Helm's spelling of the consent, the command goes on and fails only because nothing answers.
        var allowed = Cli.Run(t.Path, [.. withUrl, "--plain-http"]);
        Assert.DoesNotContain("refusing a plain http:// URL", allowed.StdErr, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode != 0, allowed.ToString());
    }

    [Fact]
    public async Task ExpiredIsNotCompromised_TheRepositoryStillVouches_ButAPlainKeyringKeepsHelmsRule()
    {
        using var t = new TempDirectory();
        DateTime created = DateTime.UtcNow.AddHours(-3);
        var root = new Chartseal.Tests.Trust.TestKey("Root <root@example.com>", created);
        var erin = new Chartseal.Tests.Trust.TestKey("Erin <erin@example.com>", created, TimeSpan.FromHours(1));
        DateTime whileValid = created.AddMinutes(20);
        string repo = t.File("repo");
        await Chartseal.Repository.TrustRepository.InitAsync(repo, root.RootSigner(whileValid), TimeSpan.FromDays(30), whileValid, TestContext.Current.CancellationToken);
        await Chartseal.Repository.TrustRepository.AddAsync(repo, root.RootSigner(whileValid), erin.Public, null, whileValid, TestContext.Current.CancellationToken);
        var chart = Chartseal.Charts.ChartPackager.Package(ChartFixtures.WriteSimpleChart(t.Path, "demo", "1.0.0"));
        File.WriteAllBytes(t.File(chart.FileName), chart.Archive);
        File.WriteAllBytes(t.File(chart.FileName + ".prov"), erin.Sign(chart.Archive, chart.FileName, whileValid));
        File.WriteAllBytes(t.File("erin.pub"), erin.Public.ExportPublic());

        var vouched = Cli.Run(t.Path, "verify", chart.FileName, "--repo", repo, "--root-fingerprint", root.Fingerprint);
        Cli.AssertOk(vouched);
        Assert.Contains("Note: key expired since signing (", vouched.StdOut, StringComparison.Ordinal);
        Assert.Contains("still vouched for by the repository", vouched.StdOut, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(Cli.Run(t.Path, "verify", chart.FileName, "--repo", repo, "--root-fingerprint", root.Fingerprint, "-o", "json").StdOut))
        {
            Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
            Assert.Contains("still vouched for by the repository", json.RootElement.GetProperty("notes")[0].GetString(), StringComparison.Ordinal);
        }

        // Signature only (no repository): Helm's rule, the key must be valid now.
        Cli.AssertRejected(Cli.Run(t.Path, "verify", chart.FileName, "--keyring", "erin.pub"), "key-expired");
    }
}

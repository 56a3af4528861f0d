using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary><c>chartseal verify</c> as a user runs it: exit codes, Helm's output, one-line errors.</summary>
public sealed class VerifyCommandTests
{
    private const string HelmUid = "Helm Testing (This key should only be used for testing. DO NOT TRUST.) <helm-testing@helm.sh>";
    private static readonly string HelmPub = TestPaths.Helm("helm-test-key.pub");

    private static string Copy(TempDirectory temp, string vector)
    {
        string target = temp.File(Path.GetFileName(vector));
        File.Copy(TestPaths.Helm(vector), target);
        return target;
    }

    private static void AssertOneLineError(CliResult r, int exit, params string[] contains)
    {
        Assert.True(r.ExitCode == exit, r.ToString());
        var lines = r.StdErrLines;
        Assert.True(lines.Length == 1, "expected one stderr line:\n" + r);
        Assert.StartsWith("chartseal: ", lines[0]);
        foreach (string c in contains)
        {
            Assert.Contains(c, lines[0]);
        }
    }

    [Fact]
    public void Verify_Signtest_PrintsExactlyHelmsThreeLines()
    {
        using var temp = new TempDirectory();
        Copy(temp, "extra/downloader-testdata/signtest-0.1.0.tgz");
        Copy(temp, "extra/downloader-testdata/signtest-0.1.0.tgz.prov");
        var r = Cli.Run(temp.Path, "verify", "signtest-0.1.0.tgz", "--keyring", HelmPub);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            $"Signed by: {HelmUid}\n" +
            "Using Key With Fingerprint: 5E615389B53CA37F0EE60BD3843BBF981FC18762\n" +
            "Chart Hash Verified: sha256:e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55\n",
            r.StdOut);
        Assert.Equal("", r.StdErr);
    }

    [Theory]
    [InlineData("hashtest-1.2.3.tgz.prov")]
    [InlineData("extra/helm4-format/hashtest-1.2.3.tgz.prov")]
    [InlineData("msgblock.yaml.asc")]
    public void Verify_HashtestWithProvOption_Exit0(string prov)
    {
        using var temp = new TempDirectory();
        string archive = Copy(temp, "hashtest-1.2.3.tgz");
        var r = Cli.Run(temp.Path, "verify", archive, "--prov", TestPaths.Helm(prov), "--keyring", TestPaths.Helm("helm-mixed-keyring.pub"));
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public void Verify_Tampered_Exit1BadSignature()
    {
        using var temp = new TempDirectory();
        string archive = Copy(temp, "hashtest-1.2.3.tgz");
        var r = Cli.Run(temp.Path, "verify", archive, "--prov", TestPaths.Helm("msgblock.yaml.tampered"), "--keyring", HelmPub);
        AssertOneLineError(r, 1, "bad-signature", "hashtest-1.2.3.tgz");
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public void Verify_PasswordKeyAsKeyring_Exit1UnknownSigner()
    {
        using var temp = new TempDirectory();
        Copy(temp, "hashtest-1.2.3.tgz");
        Copy(temp, "hashtest-1.2.3.tgz.prov");
        var r = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", TestPaths.Helm("helm-password-key.secret"));
        AssertOneLineError(r, 1, "unknown-signer");
    }

    [Fact]
    public void Verify_NoProvFile_Exit1MissingProvenance()
    {
        using var temp = new TempDirectory();
        Copy(temp, "hashtest-1.2.3.tgz");
        var r = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", HelmPub);
        AssertOneLineError(r, 1, "missing-provenance", "hashtest-1.2.3.tgz");
    }

    [Fact]
    public void Verify_NoProvFileJson_ValidFalseMissingProvenance()
    {
        using var temp = new TempDirectory();
        Copy(temp, "hashtest-1.2.3.tgz");
        var r = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", HelmPub, "--output", "json");
        Assert.Equal(1, r.ExitCode);
        using var json = JsonDocument.Parse(r.StdOut);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("missing-provenance", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void Verify_MissingArchive_Exit2OneLineNamingFile()
    {
        using var temp = new TempDirectory();
        var r = Cli.Run(temp.Path, "verify", "nothere-1.0.0.tgz", "--keyring", HelmPub);
        AssertOneLineError(r, 2, "nothere-1.0.0.tgz");
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public void Verify_MissingKeyring_Exit2OneLineNamingFile()
    {
        using var temp = new TempDirectory();
        Copy(temp, "hashtest-1.2.3.tgz");
        Copy(temp, "hashtest-1.2.3.tgz.prov");
        var r = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", "no-such-ring.pub");
        AssertOneLineError(r, 2, "no-such-ring.pub");
    }

    [Fact]
    public void Verify_RenamedArchive_Exit1FileNotInProvenance()
    {
        using var temp = new TempDirectory();
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("hashtest-1.2.4.tgz"));
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz.prov"), temp.File("hashtest-1.2.4.tgz.prov"));
        var r = Cli.Run(temp.Path, "verify", "hashtest-1.2.4.tgz", "--keyring", HelmPub);
        AssertOneLineError(r, 1, "file-not-in-provenance");
    }

    [Fact]
    public void Verify_GarbageProv_Exit1MalformedOneLine()
    {
        using var temp = new TempDirectory();
        Copy(temp, "hashtest-1.2.3.tgz");
        File.WriteAllBytes(temp.File("hashtest-1.2.3.tgz.prov"), RandomNumberGenerator.GetBytes(5000));
        var r = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", HelmPub);
        AssertOneLineError(r, 1, "malformed");
    }

    [Fact]
    public void Verify_HugeProv_Exit1MalformedQuickly()
    {
        using var temp = new TempDirectory();
        Copy(temp, "hashtest-1.2.3.tgz");
        File.WriteAllBytes(temp.File("hashtest-1.2.3.tgz.prov"), new byte[8 * 1024 * 1024]);
        var r = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", HelmPub);
        AssertOneLineError(r, 1, "malformed", "larger than");

        var json = Cli.Run(temp.Path, "verify", "hashtest-1.2.3.tgz", "--keyring", HelmPub, "--output", "json");
        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.StdOut);
        Assert.Equal("malformed", doc.RootElement.GetProperty("reason").GetString());
    }

    public static TheoryData<string> HostileArchives => new() { "not-gzip", "gzip-bomb", "huge-chart-yaml", "truncated-header", "dotdot" };

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public void Verify_SignedHostileArchive_Exit1OneLineQuickly(string kind)
    {
        using var temp = new TempDirectory();
        byte[] archive = kind switch
        {
            "not-gzip" => Encoding.UTF8.GetBytes("PK\u0003\u0004 definitely not a gzip stream"),
            "gzip-bomb" => ChartFixtures.ZeroFilesTgz(files: 300, fileSize: 1 << 20),
            "huge-chart-yaml" => Chartseal.Tests.Provenance.HostileArchives.HugeChartYamlTgz(100L * 1024 * 1024),
            "truncated-header" => ChartFixtures.HeaderOnlyTgz("demo/Chart.yaml", 100L * 1024 * 1024),
            _ => ChartFixtures.ChartTgz(new ChartFixtures.Entry("demo/../../etc/evil", Text: "x")),
        };
        File.WriteAllBytes(temp.File("demo-1.0.0.tgz"), archive);
        var key = SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-test-key.secret")), "helm-test", DateTime.UtcNow);
        string body = ProvenanceBody.Build("apiVersion: v2\nname: demo\nversion: 1.0.0\n", "demo-1.0.0.tgz", Convert.ToHexStringLower(SHA256.HashData(archive)));
        File.WriteAllBytes(temp.File("demo-1.0.0.tgz.prov"), ProvenanceSigner.Sign(body, key.Unlock(null), key.SecretKey.PublicKey, DateTime.UtcNow.AddMinutes(-1)));

        Cli.EnsureBuilt();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = Cli.Run(temp.Path, "verify", "demo-1.0.0.tgz", "--keyring", HelmPub);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        AssertOneLineError(r, 1, "unsafe-archive");
    }

    [Fact]
    public void Verify_UnsignedNotGzipArchive_Exit1OrUsageOneLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("demo-1.0.0.tgz"), "not gzip");
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz.prov"), temp.File("demo-1.0.0.tgz.prov"));
        var r = Cli.Run(temp.Path, "verify", "demo-1.0.0.tgz", "--keyring", HelmPub);
        AssertOneLineError(r, 1, "file-not-in-provenance");
    }
}

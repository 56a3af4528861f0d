using System.Security.Cryptography;
using System.Text;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Provenance;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>Archives that other tar readers read differently, or that used to crash a command, through the real CLI.</summary>
public sealed class HostileArchiveCommandTests
{
    private static readonly string HelmPub = TestPaths.Helm("helm-test-key.pub");

    /// <summary>Writes <paramref name="archive"/> as demo-1.0.0.tgz with a valid .prov by Helm's test key.</summary>
    private static void WriteSigned(TempDirectory temp, byte[] archive)
    {
        File.WriteAllBytes(temp.File("demo-1.0.0.tgz"), archive);
        var key = SigningKeySelector.Select(Keyring.Load(TestPaths.Helm("helm-test-key.secret")), "helm-test", DateTime.UtcNow);
        string body = ProvenanceBody.Build("apiVersion: v2\nname: demo\nversion: 1.0.0\n", "demo-1.0.0.tgz", Convert.ToHexStringLower(SHA256.HashData(archive)));
        File.WriteAllBytes(temp.File("demo-1.0.0.tgz.prov"), ProvenanceSigner.Sign(body, key.Unlock(null), key.SecretKey.PublicKey, DateTime.UtcNow.AddMinutes(-1)));
    }

    [Fact]
    public void GnuSparseNameSmuggling_RebuildGate_Exit1UnsafeArchive()
    {
        // The reviewed source holds files/blob.bin with exactly the bytes of the archive's entry (sparse map and
        // all), so a reader that ignores GNU.sparse.* sees the same chart as the source; Helm renders templates/evil.yaml.
        using var temp = new TempDirectory();
        byte[] map = new byte[512];
        Encoding.ASCII.GetBytes($"1\n0\n{HostileArchives.Evil.Length}\n").CopyTo(map, 0);
        Directory.CreateDirectory(temp.File("src/demo/files"));
        File.WriteAllText(temp.File("src/demo/Chart.yaml"), RawTar.ChartYaml);
        File.WriteAllBytes(temp.File("src/demo/files/blob.bin"), [.. map, .. Encoding.ASCII.GetBytes(HostileArchives.Evil)]);
        WriteSigned(temp, HostileArchives.GnuSparseNameSmuggling());

        var r = Cli.Run(temp.Path, "verify", "demo-1.0.0.tgz", "--keyring", HelmPub, "--rebuild-from", "src/demo");

        Assert.True(r.ExitCode == 1, r.ToString());
        string line = Assert.Single(r.StdErrLines);
        Assert.StartsWith("chartseal: demo-1.0.0.tgz: unsafe-archive: ", line, StringComparison.Ordinal);
        Assert.Contains("unsupported PAX record \"GNU.sparse.major\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Rebuild gate passed", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void MixedSeparatorSmuggling_RebuildGate_Exit1UnsafeArchive()
    {
        // Helm renders demo/x\templates\evil.yaml as templates/evil.yaml; the source has it as x/templates/evil.yaml.
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("src/demo/x/templates"));
        File.WriteAllText(temp.File("src/demo/Chart.yaml"), RawTar.ChartYaml);
        File.WriteAllText(temp.File("src/demo/x/templates/evil.yaml"), HostileArchives.Evil);
        WriteSigned(temp, HostileArchives.MixedSeparatorSmuggling());

        var r = Cli.Run(temp.Path, "verify", "demo-1.0.0.tgz", "--keyring", HelmPub, "--rebuild-from", "src/demo");

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("unsafe-archive: entry path mixes", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void OldGnuSparseEntry_RepoIndex_IndexesTheRestAndReportsEachBadArchiveInOneLine()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("repo"));
        File.Copy(TestPaths.Helm("hashtest-1.2.3.tgz"), temp.File("repo/hashtest-1.2.3.tgz"));
        File.WriteAllBytes(temp.File("repo/demo-1.0.0.tgz"), HostileArchives.OldGnuSparseEntry());
        File.WriteAllText(temp.File("repo/junk-1.0.0.tgz"), "not a chart");

        var r = Cli.Run(temp.Path, "repo", "index", "repo");

        // Helm skips archives it cannot load and indexes the rest; so do we, and we say which and why.
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            [
                "chartseal: skipping demo-1.0.0.tgz: the GNU tar header uses its time, offset or sparse fields (entry \"demo/templates/s.yaml\")",
                "chartseal: skipping junk-1.0.0.tgz: does not appear to be a gzipped archive",
            ],
            r.StdErrLines.Order(StringComparer.Ordinal));
        string index = File.ReadAllText(temp.File("repo/index.yaml"));
        Assert.Contains("hashtest-1.2.3.tgz", index, StringComparison.Ordinal);
        Assert.DoesNotContain("demo", index, StringComparison.Ordinal);

        var helm = HelmPeer.V4.RunChecked(temp.Path, "repo", "index", "repo");
        Assert.Equal("", helm.StdErr);
        Assert.Contains("hashtest-1.2.3.tgz", File.ReadAllText(temp.File("repo/index.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void OldGnuSparseEntry_Verify_Exit1UnsafeArchiveNotACrash()
    {
        using var temp = new TempDirectory();
        WriteSigned(temp, HostileArchives.OldGnuSparseEntry());

        var r = Cli.Run(temp.Path, "verify", "demo-1.0.0.tgz", "--keyring", HelmPub);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.StartsWith("chartseal: demo-1.0.0.tgz: unsafe-archive: ", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }
}

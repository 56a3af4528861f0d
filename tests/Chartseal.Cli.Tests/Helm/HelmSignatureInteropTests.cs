using System.Security.Cryptography;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// Signatures across the real Helm 3.17.3 and 4.1.4 and Chartseal, with keys made by <c>chartseal key generate</c>:
/// RSA with both Helms, Ed25519 with Helm 4 (Helm 3 cannot read EdDSA keys).
/// </summary>
public sealed class HelmSignatureInteropTests(HelmSigningKeys keys) : IClassFixture<HelmSigningKeys>
{
    private const string ArchiveName = "demo-1.0.0.tgz";

    private static string Source(TempDirectory temp, string folder = "demo", string description = "original") =>
        ChartFixtures.WriteChart(temp.File(folder),
            ("Chart.yaml", $"apiVersion: v2\nname: demo\ndescription: {description}\nversion: 1.0.0\n"),
            ("values.yaml", "replicas: 1\n"),
            ("templates/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: {{ .Values.replicas | quote }}\n"));

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string HelmVerifyLines(HelmTestKey key, string archive) =>
        $"Signed by: {key.UserId}\nUsing Key With Fingerprint: {key.Fingerprint}\nChart Hash Verified: sha256:{Sha256(archive)}\n";

    /// <summary>The signed chart, made by <paramref name="producer"/> (<c>helm</c>: <c>helm package --sign</c>; <c>chartseal</c>: <c>chartseal package --sign</c>).</summary>
    private static string SignedArchive(TempDirectory temp, HelmPeer helm, HelmTestKey key, string producer)
    {
        string output = temp.File("out-" + producer);
        if (producer == "helm")
        {
            helm.RunChecked(temp.Path, "package", Source(temp), "--sign", "--key", key.Email, "--keyring", key.SecretKeyring, "--destination", output);
        }
        else
        {
            Cli.AssertOk(Cli.Run(temp.Path, "package", Source(temp), "--sign", "--key", key.Email, "--keyring", key.ArmoredSecret, "--destination", output));
        }
        string archive = Path.Combine(output, ArchiveName);
        Assert.True(File.Exists(archive + ".prov"), producer + " wrote no .prov");
        return archive;
    }

    [Theory]
    [MemberData(nameof(HelmSigningKeys.HelmAndKeyType), MemberType = typeof(HelmSigningKeys))]
    public void HelmPackageSign_ChartsealVerify_PrintsExactlyHelmVerifysThreeLines(string helmVersion, string keyType)
    {
        var helm = HelmPeer.Of(helmVersion);
        var key = keys.Of(keyType);
        using var temp = new TempDirectory();
        string archive = SignedArchive(temp, helm, key, "helm");

        var theirs = helm.RunChecked(temp.Path, "verify", archive, "--keyring", key.PublicKeyring);
        var ours = Cli.Run(temp.Path, "verify", archive, "--keyring", key.PublicKeyring);

        Cli.AssertOk(ours);
        Assert.Equal(theirs.StdOut, ours.StdOut);
        Assert.Equal(HelmVerifyLines(key, archive), ours.StdOut);
        Assert.Equal("", ours.StdErr);
        // The armored public key (as key generate writes it) gives the same answer.
        Assert.Equal(theirs.StdOut, Cli.Run(temp.Path, "verify", archive, "--keyring", key.ArmoredPublic).StdOut);
    }

    [Theory]
    [MemberData(nameof(HelmSigningKeys.HelmAndKeyType), MemberType = typeof(HelmSigningKeys))]
    public void ChartsealPackageSign_HelmVerify_PassesWithTheSameThreeLines(string helmVersion, string keyType)
    {
        var helm = HelmPeer.Of(helmVersion);
        var key = keys.Of(keyType);
        using var temp = new TempDirectory();
        string archive = SignedArchive(temp, helm, key, "chartseal");

        var theirs = helm.Run(temp.Path, "verify", archive, "--keyring", key.PublicKeyring);

        Assert.True(theirs.ExitCode == 0, $"helm {helmVersion} verify of a chartseal package --sign: {theirs}");
        Assert.Equal(HelmVerifyLines(key, archive), theirs.StdOut);
        Assert.Equal(theirs.StdOut, Cli.Run(temp.Path, "verify", archive, "--keyring", key.PublicKeyring).StdOut);
    }

    [Theory]
    [MemberData(nameof(HelmSigningKeys.HelmAndKeyType), MemberType = typeof(HelmSigningKeys))]
    public void ChartsealSign_HelmPackagedArchive_HelmVerifyPasses(string helmVersion, string keyType)
    {
        var helm = HelmPeer.Of(helmVersion);
        var key = keys.Of(keyType);
        using var temp = new TempDirectory();
        helm.RunChecked(temp.Path, "package", Source(temp), "--destination", temp.Path);
        string archive = temp.File(ArchiveName);

        Cli.AssertOk(Cli.Run(temp.Path, "sign", archive, "--key", key.Fingerprint, "--keyring", key.ArmoredSecret));
        var theirs = helm.Run(temp.Path, "verify", archive, "--keyring", key.PublicKeyring);

        Assert.True(theirs.ExitCode == 0, $"helm {helmVersion} verify after chartseal sign: {theirs}");
        Assert.Equal(HelmVerifyLines(key, archive), theirs.StdOut);
    }

    public static TheoryData<string, string, string> Tampering
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var row in HelmSigningKeys.HelmAndKeyType)
            {
                var (helm, key) = row.Data;
                foreach (string tamper in new[] { "archive", "prov", "wrong-key" })
                {
                    data.Add(helm, key, tamper);
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Tampering))]
    public void Tampered_HelmAndChartseal_BothRefuse(string helmVersion, string keyType, string tamper)
    {
        var helm = HelmPeer.Of(helmVersion);
        var key = keys.Of(keyType);
        foreach (string producer in new[] { "helm", "chartseal" })
        {
            using var temp = new TempDirectory();
            string archive = SignedArchive(temp, helm, key, producer);
            string keyring = key.PublicKeyring;
            string reason;
            switch (tamper)
            {
                case "archive":
                    // Another build of the chart under the same name: different contents, the old .prov.
                    helm.RunChecked(temp.Path, "package", Source(temp, "evil", "tampered"), "--destination", temp.File("evil-out"));
                    File.Copy(temp.File("evil-out/" + ArchiveName), archive, overwrite: true);
                    reason = "hash-mismatch";
                    break;
                case "prov":
                    // The same swap, with the .prov's digest edited to match the new archive.
                    string original = Sha256(archive);
                    helm.RunChecked(temp.Path, "package", Source(temp, "evil", "tampered"), "--destination", temp.File("evil-out"));
                    File.Copy(temp.File("evil-out/" + ArchiveName), archive, overwrite: true);
                    string prov = File.ReadAllText(archive + ".prov");
                    Assert.Contains(original, prov, StringComparison.Ordinal);
                    File.WriteAllText(archive + ".prov", prov.Replace(original, Sha256(archive), StringComparison.Ordinal).Replace("description: original", "description: tampered", StringComparison.Ordinal));
                    reason = "bad-signature";
                    break;
                default:
                    keyring = TestPaths.Helm("helm-test-key.pub"); // an RSA key both Helms read, not the signer
                    reason = "unknown-signer";
                    break;
            }

            var theirs = helm.Run(temp.Path, "verify", archive, "--keyring", keyring);
            var ours = Cli.Run(temp.Path, "verify", archive, "--keyring", keyring);

            Assert.True(theirs.ExitCode != 0, $"helm {helmVersion} verify accepted a {producer}-signed chart with tampered {tamper}: {theirs}");
            Assert.DoesNotContain("Chart Hash Verified", theirs.StdOut, StringComparison.Ordinal);
            Cli.AssertRejected(ours, reason);
            Assert.Equal("", ours.StdOut);
        }
    }

    [Fact]
    public void Helm3_Ed25519Key_CannotSignOrVerify_AsDocumented()
    {
        var key = keys.Ed25519;
        using var temp = new TempDirectory();
        string archive = SignedArchive(temp, HelmPeer.V4, key, "chartseal");

        var verify = HelmPeer.V3.Run(temp.Path, "verify", archive, "--keyring", key.PublicKeyring);
        var sign = HelmPeer.V3.Run(temp.Path, "package", Source(temp, "again"), "--sign", "--key", key.Email, "--keyring", key.SecretKeyring, "--destination", temp.File("h3"));

        Assert.True(verify.ExitCode != 0, verify.ToString());
        Assert.Contains("public key type: 22", verify.StdErr, StringComparison.Ordinal);
        Assert.True(sign.ExitCode != 0, sign.ToString());
        Assert.False(File.Exists(temp.File("h3/" + ArchiveName + ".prov")));
    }
}

using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// Keys a release engineer already has, made by gpg and by Sequoia's sq (certify-only primary keys that sign with a
/// subkey, a passphrase), exported as those tools export them, sign with <c>chartseal package --sign</c>; the real Helm
/// (RSA: both; EdDSA: Helm 4 only), gpg, sq and Chartseal all verify the .prov.
/// </summary>
public sealed class ForeignKeyHelmInteropTests
{
    private const string Passphrase = "correct horse";

    public static TheoryData<string, string> HelmAndKey => new()
    {
        { HelmPeer.V3.Version, "gpg-rsa4096-rsa3072-subkey" },
        { HelmPeer.V4.Version, "gpg-rsa4096-rsa3072-subkey" },
        { HelmPeer.V3.Version, "sq-rsa3k" },
        { HelmPeer.V4.Version, "sq-rsa3k" },
        { HelmPeer.V4.Version, "sq-cv25519" },
        { HelmPeer.V4.Version, "gpg-ed25519-ed25519-subkey" },
    };

    [Theory]
    [MemberData(nameof(HelmAndKey))]
    public void ChartsealPackageSign_GpgOrSqKey_HelmGpgSqAndChartsealVerify(string helmVersion, string kind)
    {
        Assert.SkipUnless(GpgHome.IsAvailable && SqPeer.IsAvailable, "gpg and sq are needed");
        var helm = HelmPeer.Of(helmVersion);
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        string email = kind + "@example.com";
        string signingKey;
        var env = new Dictionary<string, string>();
        if (kind.StartsWith("gpg-", StringComparison.Ordinal))
        {
            bool rsa = kind.Contains("rsa", StringComparison.Ordinal);
            string primary = gpg.GenerateKey($"Gpg Release <{email}>", rsa ? "rsa4096" : "ed25519", passphrase: Passphrase, usage: "cert");
            signingKey = gpg.AddSubkey(primary, rsa ? "rsa3072" : "ed25519", "sign", passphrase: Passphrase);
            // What a Helm user does: the armored secret export, the passphrase in Helm's variable.
            File.WriteAllBytes(temp.File("secret.asc"), gpg.ExportSecret(primary, Passphrase, armor: true));
            File.WriteAllBytes(temp.File("public.gpg"), gpg.ExportPublic(primary));
            env["HELM_KEY_PASSPHRASE"] = Passphrase;
        }
        else
        {
            SqPeer.RunChecked(temp.Path, "key", "generate", "--userid", $"Sq Release <{email}>", "--cipher-suite", kind["sq-".Length..], "--export", temp.File("secret.asc"));
            File.WriteAllBytes(temp.File("public.asc"), SqPeer.RunChecked(temp.Path, "key", "extract-cert", temp.File("secret.asc")).StdOutBytes);
            File.WriteAllBytes(temp.File("public.gpg"), SqPeer.RunChecked(temp.Path, "dearmor", temp.File("public.asc")).StdOutBytes);
            signingKey = SubkeyWithFlag(SqPeer.RunChecked(temp.Path, "inspect", temp.File("secret.asc")).StdOut.Split('\n'), "signing");
            gpg.RunChecked("--import", temp.File("public.gpg"));
        }
        string chart = ChartFixtures.WriteSimpleChart(temp.File("demo"));

        Cli.AssertOk(Cli.Run(temp.Path, env, "package", chart, "-d", temp.File("dist"), "--sign", "--key", email, "--keyring", temp.File("secret.asc")));
        string archive = temp.File("dist/demo-1.0.0.tgz");

        var ours = Cli.Run(temp.Path, "verify", archive, "--keyring", temp.File("public.gpg"), "-o", "json");
        Cli.AssertOk(ours);
        Assert.Contains($"\"signingKeyFingerprint\": \"{signingKey}\"", ours.StdOut, StringComparison.Ordinal);
        var theirs = helm.Run(temp.Path, "verify", archive, "--keyring", temp.File("public.gpg"));
        Assert.True(theirs.ExitCode == 0, $"helm {helmVersion} verify: {theirs}");
        Assert.Equal(theirs.StdOut, Cli.Run(temp.Path, "verify", archive, "--keyring", temp.File("public.gpg")).StdOut);
        GpgResult gpgVerify = gpg.Run("--status-fd", "1", "--verify", archive + ".prov");
        Assert.True(gpgVerify.ExitCode == 0, gpgVerify.StdErr);
        Assert.Contains($"[GNUPG:] VALIDSIG {signingKey} ", gpgVerify.StdOut, StringComparison.Ordinal);
        File.WriteAllBytes(temp.File("cert.pgp"), gpg.ExportPublic(email));
        SqPeer.RunChecked(temp.Path, "verify", "--signer-cert", temp.File("cert.pgp"), archive + ".prov");
    }

    // sq inspect: "Subkey: FPR" lines followed by their "Key flags: ..." line.
    private static string SubkeyWithFlag(string[] lines, string flag)
    {
        string? current = null;
        foreach (string line in lines.Select(l => l.Trim()))
        {
            if (line.StartsWith("Subkey: ", StringComparison.Ordinal))
            {
                current = line["Subkey: ".Length..].Trim();
            }
            else if (current is not null && line.StartsWith("Key flags: ", StringComparison.Ordinal) && line.Contains(flag, StringComparison.Ordinal))
            {
                return current;
            }
        }
        throw new InvalidOperationException("sq inspect shows no subkey with the flag " + flag);
    }
}

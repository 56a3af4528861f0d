#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Globalization;
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;
using Chartseal.Trust;
using Chartseal.OpenPgp;
using Chartseal.Repository;
using Chartseal.Client;

namespace Chartseal.Tests.Provenance;

/// <summary>
/// One signature policy for charts and for the repository's trust material: a root signature with a defect is
/// refused for the same reason a chart signature with that defect is (gpg makes both signatures, so neither comes
/// from our own signer).
/// </summary>
public sealed class SignaturePolicyTests
{
    public static TheoryData<string, string[], RejectionReason, string> Defects => new()
    {
        { "weak hash", ["--digest-algo", "SHA1"], RejectionReason.WeakHash, "only SHA-2 hashes" },
        { "made in the future", ["--faked-system-time", "FUTURE"], RejectionReason.BadSignature, "made in the future" },
        { "signature expired", ["--faked-system-time", "PAST", "--default-sig-expire", "1d"], RejectionReason.KeyExpired, "signature expired" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task A_root_signature_is_held_to_the_chart_signature_policy(string defect, string[] gpgOptions, RejectionReason chartReason, string explanation)
    {
        _ = defect;
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        DateTime now = DateTime.UtcNow;
        string fpr = gpg.GenerateKey("Root <root@example.com>", "rsa2048", extraArgs: ["--faked-system-time", Epoch(now.AddDays(-30))]);
        var secret = Keyring.Parse(gpg.ExportSecret(fpr), "root.sec");
        var key = SigningKeySelector.Select(secret, fpr, now);
        string repo = temp.File("repo");
        await TrustRepository.InitAsync(repo, new RootSigner(key, key.Unlock(null)), TimeSpan.FromDays(90), now);
        TrustFiles good = await new FolderRepositorySource(repo).ReadTrustFilesAsync();
        Assert.IsType<TrustResult.Accepted>(TrustedMaterial.Load(good, new PinnedRoot(fpr), null, now));

        string[] options = gpgOptions.Select(o => o switch
        {
            "FUTURE" => Epoch(now.AddDays(1)),
            "PAST" => Epoch(now.AddDays(-3)),
            _ => o,
        }).ToArray();
        byte[] Sign(string text)
        {
            File.WriteAllText(gpg.File("doc.txt"), text);
            File.Delete(gpg.File("doc.txt.asc"));
            gpg.RunChecked([.. options, "--local-user", fpr, "--clearsign", gpg.File("doc.txt")]);
            return File.ReadAllBytes(gpg.File("doc.txt.asc"));
        }

        // The chart: a .prov with this defect.
        var chart = ChartPackager.Package(ChartFixtures.WriteSimpleChart(temp.Path, "demo", "1.0.0"));
        string body = ChartSigning.BuildBody(chart.Archive, chart.FileName);
        var chartResult = ChartVerifier.Verify(chart.Archive, chart.FileName, Sign(body), secret, now);
        var chartRejected = Assert.IsType<ChartVerification.Rejected>(chartResult);
        Assert.Equal(chartReason, chartRejected.Reason);
        Assert.Contains(explanation, chartRejected.Message, StringComparison.Ordinal);

        // The trust manifest: the same body the root signed, signed again with this defect.
        string manifestBody = ClearSignedMessage.TryParse(good.Manifest!, out _)!.Plaintext;
        var trust = TrustedMaterial.Load(good with { Manifest = Sign(manifestBody) }, new PinnedRoot(fpr), null, now);
        var trustRejected = Assert.IsType<TrustResult.Rejected>(trust);
        Assert.Equal(RejectionReason.TrustBadSignature, trustRejected.Reason);
        Assert.Contains(explanation, trustRejected.Message, StringComparison.Ordinal);
    }

    private static string Epoch(DateTime time) => new DateTimeOffset(time).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}

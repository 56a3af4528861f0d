using System.Text;
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Provenance;

/// <summary>Shared helpers for provenance tests: the Helm vectors and a quick signing key.</summary>
internal static class ProvenanceKit
{
    public const string HelmFingerprint = "5E615389B53CA37F0EE60BD3843BBF981FC18762";
    public const string HashtestSha = "c6841b3a895f1444a6738b5d04564a57e860ce42f8519c3be807fb6d9bee7888";

    public static byte[] Vector(string name) => File.ReadAllBytes(TestPaths.Helm(name));

    public static Keyring HelmPublic() => Keyring.Load(TestPaths.Helm("helm-test-key.pub"));

    public static Keyring HelmSecret() => Keyring.Load(TestPaths.Helm("helm-test-key.secret"));

    public static SigningKey HelmSigningKey() => SigningKeySelector.Select(HelmSecret(), "helm-test", DateTime.UtcNow);

    /// <summary>Signs an arbitrary body with the Helm test key (no archive checks).</summary>
    public static byte[] SignBody(string body, DateTime? at = null)
    {
        var key = HelmSigningKey();
        return ProvenanceSigner.Sign(body, key.Unlock(null), key.SecretKey.PublicKey, at ?? DateTime.UtcNow.AddMinutes(-1));
    }

    /// <summary>Signs an archive as <c>package --sign</c> does, with the Helm test key.</summary>
    public static byte[] SignArchive(byte[] archive, string name)
    {
        var key = HelmSigningKey();
        return ChartSigning.Sign(archive, name, key, key.Unlock(null), DateTime.UtcNow.AddMinutes(-1));
    }

    public static ChartVerification Verify(byte[] archive, string name, byte[]? prov, Keyring? keyring = null) =>
        ChartVerifier.Verify(archive, name, prov, keyring ?? HelmPublic(), DateTime.UtcNow);

    public static RejectionReason ReasonOf(ChartVerification result) =>
        result is ChartVerification.Rejected r ? r.Reason : throw new Xunit.Sdk.XunitException("expected a rejection, got Verified");

    public static void AssertVerified(ChartVerification result)
    {
        if (result is ChartVerification.Rejected r)
        {
            Assert.Fail($"expected Verified, got {r.Reason.Name()}: {r.Message}");
        }
    }

    public static void AssertRejected(ChartVerification result, RejectionReason reason)
    {
        var r = Assert.IsType<ChartVerification.Rejected>(result);
        Assert.True(r.Reason == reason, $"expected {reason.Name()}, got {r.Reason.Name()}: {r.Message}");
        Assert.False(string.IsNullOrWhiteSpace(r.Message));
        Assert.DoesNotContain('\n', r.Message);
    }

    /// <summary>Packages a chart folder holding the given Chart.yaml text and returns (archive, file name).</summary>
    public static (byte[] Archive, string Name) Package(TempDirectory temp, string chartYaml, string folder = "chart")
    {
        string dir = temp.File(folder);
        Charts.ChartFixtures.WriteChart(dir, ("Chart.yaml", chartYaml), ("values.yaml", "a: 1\n"), ("templates/cm.yaml", "kind: ConfigMap\n"));
        var packaged = ChartPackager.Package(dir);
        return (packaged.Archive, packaged.FileName);
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

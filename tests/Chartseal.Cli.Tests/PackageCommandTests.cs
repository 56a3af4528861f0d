using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary><c>package</c> and the CI gate (<c>verify --rebuild-from</c>) on charts Helm accepts.</summary>
public sealed class PackageCommandTests
{
    [Theory]
    [InlineData("latest")]
    [InlineData("RELEASE.2023-01-01T00-00-00Z")]
    public void PackageAppVersionNotSemVer_PackagedSignedAndPassesTheRebuildGate(string appVersion)
    {
        using var temp = new TempDirectory();
        string chart = ChartFixtures.CopyHashtest(temp);
        var pkg = Cli.Run(temp.Path, "package", chart, "-d", "out", "--app-version", appVersion,
            "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret"));
        Cli.AssertOk(pkg);
        Assert.Contains("\nappVersion: " + appVersion + "\n", File.ReadAllText(temp.File("out/hashtest-1.2.3.tgz.prov")), StringComparison.Ordinal);

        var gate = Cli.Run(temp.Path, "verify", "out/hashtest-1.2.3.tgz", "--rebuild-from", chart, "--keyring", TestPaths.Helm("helm-test-key.pub"));
        Cli.AssertOk(gate);
    }
}

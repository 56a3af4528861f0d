using Chartseal.Charts;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Charts.ChartFixtures;

namespace Chartseal.Tests.Charts;

/// <summary>
/// <c>chartseal package</c> against the real <c>helm package</c> (4.1.4 and 3.17.3) on the same chart folders:
/// what each accepts or refuses, and what the archives hold.
/// </summary>
public sealed class HelmPackagingParityTests
{
    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void DependencyMissingFromCharts_BothRefuseWithTheSameMessage(string version)
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("app"),
            ("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n"
                + "- name: redis\n  version: 1.x\n  repository: https://example.com/charts\n"
                + "- name: common\n  version: 2.0.0\n  repository: file://../common\n"
                + "- name: pg\n  version: 2.0.0\n  repository: file://../pg\n  alias: db\n"),
            ("charts/common/Chart.yaml", "apiVersion: v2\nname: common\nversion: 2.0.0\n"));

        var helm = HelmPeer.Of(version).Run(temp.Path, "package", dir, "-d", temp.File("helm-out"));
        var ex = Assert.Throws<ChartsealException>(() => ChartPackager.Package(dir));

        Assert.True(helm.ExitCode == 1, helm.ToString());
        Assert.Equal(helm.StdErr.Trim(), "Error: " + ex.Reason);
        Assert.False(Directory.Exists(temp.File("helm-out")) && Directory.EnumerateFiles(temp.File("helm-out")).Any());
    }
}

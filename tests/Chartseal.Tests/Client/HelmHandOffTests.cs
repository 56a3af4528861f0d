using Chartseal.Client;

namespace Chartseal.Tests.Client;

/// <summary>What <c>chartseal install</c> hands to helm: Helm's own release names for <c>--generate-name</c>.</summary>
public sealed class HelmHandOffTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    // Helm's action.Install.NameAndChart: filepath.Base of the chart as typed ("chart" for "."), cut at its first dot.
    [Theory]
    [InlineData("repo/nginx", "nginx-1700000000")]
    [InlineData("oci://registry.example.com/team/nginx", "nginx-1700000000")]
    [InlineData("oci://registry.example.com/team/nginx:1.2.0", "nginx:1-1700000000")]
    [InlineData("./charts/my.app-0.1.0.tgz", "my-1700000000")]
    [InlineData("repo/nginx/", "nginx-1700000000")]
    [InlineData(".", "chart-1700000000")]
    [InlineData("", "chart-1700000000")]
    [InlineData("/", "/-1700000000")]
    public void GeneratedReleaseName_AsHelmInstallGenerateNameNamesIt(string chart, string expected) =>
        Assert.Equal(expected, HelmHandOff.GeneratedReleaseName(chart, Now));

    [Fact]
    public void InstallArguments_WithoutARelease_LeaveItToHelm() =>
        Assert.Equal(["install", "a.tgz", "--name-template", "x"], HelmHandOff.InstallArguments(null, "a.tgz", ["--name-template", "x"]));
}

using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>The real Helm clients the interop tests run are present and are the versions they claim.</summary>
public sealed class HelmPeerTests
{
    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void The_real_helm_binary_is_installed_and_reports_its_version(string version)
    {
        using var temp = new TempDirectory();
        HelmResult result = HelmPeer.Of(version).RunChecked(temp.Path, "version", "--short");
        Assert.StartsWith("v" + version + "+", result.StdOut.Trim(), StringComparison.Ordinal);
    }
}

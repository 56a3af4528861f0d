using Chartseal.Charts;
using Chartseal.Client;

namespace Chartseal.Tests.Client;

/// <summary>Which version pull picks: exact, range, or the newest stable one.</summary>
public sealed class VersionSelectionTests
{
    private static ChartIndex Index(params string[] versions)
    {
        var index = new ChartIndex();
        foreach (string v in versions)
        {
            index.Add(new IndexEntry { Metadata = new ChartMetadata { ApiVersion = "v2", Name = "app", Version = v }, Urls = [$"app-{v}.tgz"], Digest = "00" });
        }
        index.SortVersions();
        return index;
    }

    [Theory]
    [InlineData(null, "1.10.0")]
    [InlineData("", "1.10.0")]
    [InlineData("1.2.0", "1.2.0")]
    [InlineData("2.0.0-rc.1", "2.0.0-rc.1")]
    [InlineData("^1.2", "1.10.0")]
    [InlineData("~1.2", "1.2.0")]
    [InlineData("<1.2", "0.9.0")]
    [InlineData(">=2.0.0-0", "2.0.0-rc.1")]
    public void SelectVersion_PicksNewestMatch(string? requested, string expected)
    {
        var entry = ChartPuller.SelectVersion(Index("0.9.0", "1.2.0", "1.10.0", "2.0.0-rc.1"), "r", "app", requested);

        Assert.Equal(expected, entry.Metadata.Version);
    }

    [Theory]
    [InlineData("app", "9.9.9", "no version matches")]
    [InlineData("app", "latest", "not found (and not a version range)")]
    [InlineData("app", ">=3", "no version matches")]
    [InlineData("other", null, "no chart named \"other\"")]
    public void SelectVersion_NoMatch_OneLineErrorNamingTheChart(string chart, string? requested, string expected)
    {
        var e = Assert.Throws<ChartsealException>(() => ChartPuller.SelectVersion(Index("1.0.0"), "r", chart, requested));

        Assert.StartsWith($"r/{chart}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("r/app", null, false, null)]
    [InlineData("r/app", null, true, "2.0.0-rc.1")]
    [InlineData("r/app", "^1.2", true, "1.10.0")]
    [InlineData("oci://registry.example.com/charts/app:1.2.0", null, true, "1.2.0")]
    [InlineData("oci://registry.example.com/charts/app", null, true, "2.0.0-rc.1")]
    public async Task Resolve_Devel_AsHelmWithoutAVersionTheNewestPrereleaseIncluded(string reference, string? version, bool devel, string? expected)
    {
        var config = await RepositoryConfigFile.LoadAsync("/nonexistent/repositories.yaml", TestContext.Current.CancellationToken);
        config.Add(new ConfiguredRepository("r", "https://charts.example.com", "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD", false, false));
        config.Add(new ConfiguredRepository("oci", "oci://registry.example.com/charts", "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD", false, false));

        var request = PullRequest.Resolve(config, reference, version, devel: devel);

        var entry = ChartPuller.SelectVersion(Index("0.9.0", "1.2.0", "1.10.0", "2.0.0-rc.1"), "r", "app", request.Version);
        Assert.Equal(expected ?? "1.10.0", entry.Metadata.Version);
    }
}

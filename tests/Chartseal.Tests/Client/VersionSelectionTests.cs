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
}

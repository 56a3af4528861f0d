using Chartseal.Client;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Client;

/// <summary>What search shows for each chart: the version pull would take, as Helm's <c>search repo</c>.</summary>
public sealed class ChartSearchTests
{
    private const string Index = """
        apiVersion: v1
        entries:
          app:
          - {apiVersion: v2, name: app, version: 1.0.0, description: stable one, urls: [app-1.0.0.tgz]}
          - {apiVersion: v2, name: app, version: 1.1.0-rc.1, description: release candidate, urls: [app-1.1.0-rc.1.tgz]}
          - {apiVersion: v2, name: app, version: 0.9.0, urls: [app-0.9.0.tgz]}
          beta-only:
          - {apiVersion: v2, name: beta-only, version: 0.1.0-beta.1, urls: [beta-only-0.1.0-beta.1.tgz]}

        """;

    [Theory]
    [InlineData(false, "r/app 1.0.0 stable one")]
    [InlineData(true, "r/app 1.1.0-rc.1 release candidate|r/beta-only 0.1.0-beta.1 ")]
    public async Task SearchAsync_NewestStableVersion_PrereleasesOnlyWithDevel(bool devel, string expected)
    {
        using var t = new TempDirectory();
        var home = ClientHome.Under(t.File("home"));
        var repository = new ConfiguredRepository("r", "https://charts.example.com", "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD", false, false);
        Directory.CreateDirectory(home.CacheFor("r"));
        await File.WriteAllTextAsync(Path.Combine(home.CacheFor("r"), "index.yaml"), Index, TestContext.Current.CancellationToken);

        var hits = (await ChartSearch.SearchAsync(home, [repository], new ChartSearchQuery { Devel = devel }, cancellationToken: TestContext.Current.CancellationToken)).Hits;

        Assert.Equal(expected, string.Join("|", hits.Select(h => $"{h.Reference} {h.Version} {h.Description}")));
        // A term matches the version shown, not a newer pre-release that is not.
        Assert.Equal(devel ? 1 : 0, (await ChartSearch.SearchAsync(home, [repository], new ChartSearchQuery("candidate") { Devel = devel }, cancellationToken: TestContext.Current.CancellationToken)).Hits.Count);
    }
}

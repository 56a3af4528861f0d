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

    [Theory]
    [InlineData(@"(a{1000}){1000}")]
    [InlineData(@"[\s\S]{50000}x")]
    [InlineData(@"(a)\1")]
    [InlineData(@"(?<=a)b")]
    public async Task SearchAsync_RegexpTooLargeOrNotRE2_IsOneErrorNamingIt_BeforeAnyIndexIsRead(string pattern)
    {
        // A pattern whose automaton would be huge is refused when built (the non-backtracking engine's size limit),
        // never matched slowly against every line of a large index; backreferences and lookaround are not RE2.
        using var t = new TempDirectory();
        var home = ClientHome.Under(t.File("home"));
        var repository = new ConfiguredRepository("r", "https://charts.example.com", "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD", false, false);
        Directory.CreateDirectory(home.CacheFor("r"));
        await File.WriteAllTextAsync(Path.Combine(home.CacheFor("r"), "index.yaml"), "not: [an index", TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ChartsealException>(() =>
            ChartSearch.SearchAsync(home, [repository], new ChartSearchQuery(pattern) { Regexp = true }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith($"--regexp \"{pattern}\" is not a regular expression this search takes", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAsync_HostileIndexFields_AreMatchedAsHelmScoresThem_AndReturnedForTheFrontEndToEscape()
    {
        // Control characters, ESC sequences and Helm's own field separator \v inside a description: \v shifts the score as
        // in Helm (the field a match starts in), and nothing is dropped or rewritten here (the CLI escapes what it prints).
        const string index = """
            apiVersion: v1
            entries:
              a:
              - {apiVersion: v2, name: a, version: 1.0.0, description: "x\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v\v needle", urls: [a-1.0.0.tgz]}
              b:
              - {apiVersion: v2, name: b, version: 1.0.0, description: "\e]52;c;bmVlZGxl\a needle \e[2J", urls: [b-1.0.0.tgz]}

            """;
        using var t = new TempDirectory();
        var home = ClientHome.Under(t.File("home"));
        var repository = new ConfiguredRepository("r", "https://charts.example.com", "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD", false, false);
        Directory.CreateDirectory(home.CacheFor("r"));
        await File.WriteAllTextAsync(Path.Combine(home.CacheFor("r"), "index.yaml"), index, TestContext.Current.CancellationToken);

        foreach (bool regexp in new[] { false, true })
        {
            var hits = (await ChartSearch.SearchAsync(home, [repository], new ChartSearchQuery("needle") { Regexp = regexp }, cancellationToken: TestContext.Current.CancellationToken)).Hits;

            // a's match starts past Helm's threshold of 25 separators; b is found, its description as the index holds it.
            var hit = Assert.Single(hits);
            Assert.Equal("r/b", hit.Reference);
            Assert.Equal("\u001B]52;c;bmVlZGxl\u0007 needle \u001B[2J", hit.Description);
        }
    }
}

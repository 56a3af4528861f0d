using System.Text.Json;
using Chartseal.Client;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Client;

/// <summary>
/// <c>chartseal search</c> against the real <c>helm search repo</c> (Helm 4.1.4 and 3.17.3) over the same two cached
/// indexes: the same rows in the same order for each combination of term and flags (what a script written for Helm
/// reads), and the refusals of a bad constraint or expression.
/// </summary>
public sealed class ChartSearchHelmParityTests
{
    private const string First = """
        apiVersion: v1
        entries:
          nginx:
          - {apiVersion: v2, name: nginx, version: 1.2.0, appVersion: "1.25", description: A web server and reverse proxy, keywords: [web, proxy], urls: [nginx-1.2.0.tgz]}
          - {apiVersion: v2, name: nginx, version: 1.3.0-rc.1, description: A web server and reverse proxy, urls: [nginx-1.3.0-rc.1.tgz]}
          - {apiVersion: v2, name: nginx, version: 0.9.1, description: An old Web Server, urls: [nginx-0.9.1.tgz]}
          - {apiVersion: v2, name: nginx, version: 1.10.0, description: The web server, keywords: [http], urls: [nginx-1.10.0.tgz]}
          apache:
          - {apiVersion: v2, name: apache, version: 2.4.0, description: Apache HTTP server (not nginx), keywords: [web], urls: [apache-2.4.0.tgz]}
          - {apiVersion: v2, name: apache, version: 2.5.0-beta.1, description: Apache next, urls: [apache-2.5.0-beta.1.tgz]}
          proxy-tools:
          - {apiVersion: v2, name: proxy-tools, version: 0.1.0, description: Tools, keywords: [nginx, proxy], urls: [proxy-tools-0.1.0.tgz]}
          - {apiVersion: v2, name: proxy-tools, version: 0.2.0, description: Tools for an nginx proxy server, urls: [proxy-tools-0.2.0.tgz]}
          alpha-only:
          - {apiVersion: v2, name: alpha-only, version: 0.1.0-alpha.1, description: Only a pre-release, urls: [alpha-only-0.1.0-alpha.1.tgz]}

        """;

    private const string Second = """
        apiVersion: v1
        entries:
          nginx:
          - {apiVersion: v2, name: nginx, version: 3.0.0, description: Nginx from another repository, urls: [nginx-3.0.0.tgz]}
          web-ui:
          - {apiVersion: v2, name: web-ui, version: 1.0.0, description: A dashboard, keywords: [web], urls: [web-ui-1.0.0.tgz]}
          - {apiVersion: v2, name: web-ui, version: 1.1.0, description: A dashboard, keywords: [web, ui], urls: [web-ui-1.1.0.tgz]}

        """;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        string[][] cases =
        [
            [],
            ["nginx"],
            ["NGINX"],
            ["web"],
            ["proxy", "server"],
            ["first/"],
            ["--versions"],
            ["nginx", "--versions"],
            ["web", "-l"],
            ["--devel"],
            ["nginx", "--devel", "--versions"],
            ["--version", "^1.0.0"],
            ["nginx", "--version", "~0.9"],
            ["--version", ">=1.0.0-0", "--versions"],
            ["--version", "1.2.0", "--devel"],
            ["-r", "ngi?nx"],
            ["--regexp", "^a", "-l"],
            ["--regexp", "Web S"],
            ["no-such-chart"],
        ];
        foreach (var version in new[] { HelmPeer.V4.Version, HelmPeer.V3.Version })
        {
            foreach (var args in cases)
            {
                data.Add(version, string.Join('\u001f', args));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Search_GivesHelmsRowsInHelmsOrder(string version, string joinedArgs)
    {
        string[] args = joinedArgs.Length == 0 ? [] : joinedArgs.Split('\u001f');
        using var t = new TempDirectory();
        var (home, repositories, helmEnv) = Repositories(t);

        var helm = HelmPeer.Of(version).Run(t.Path, helmEnv, ["search", "repo", .. args, "--output", "json"]);
        Assert.True(helm.ExitCode == 0, helm.ToString());
        using var json = JsonDocument.Parse(helm.StdOut);
        var expected = json.RootElement.EnumerateArray().Select(e => $"{e.GetProperty("name").GetString()} {e.GetProperty("version").GetString()}").ToList();

        var hits = (await ChartSearch.SearchAsync(home, repositories, Query(args), cancellationToken: TestContext.Current.CancellationToken)).Hits;

        Assert.Equal(expected, hits.Select(h => $"{h.Reference} {h.Version}"));
    }

    [Theory]
    [InlineData("--version", "not a constraint", "--version \"not a constraint\" is not a version constraint")]
    [InlineData("--regexp", "(unclosed", "--regexp \"(unclosed\" is not a regular expression this search takes")]
    [InlineData("--regexp", @"(a)\1", @"--regexp ""(a)\1"" is not a regular expression this search takes")]
    public async Task Search_RefusesWhatHelmRefuses_WithOneLineNamingTheFlag(string flag, string value, string message)
    {
        using var t = new TempDirectory();
        var (home, repositories, helmEnv) = Repositories(t);
        string[] args = flag == "--regexp" ? [flag, value] : ["x", flag, value];

        var helm = HelmPeer.V4.Run(t.Path, helmEnv, ["search", "repo", .. args]);
        var e = await Assert.ThrowsAsync<ChartsealException>(() => ChartSearch.SearchAsync(home, repositories, Query(args), cancellationToken: TestContext.Current.CancellationToken));

        Assert.NotEqual(0, helm.ExitCode);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Search_NeverShowsAVersionThatIsNotSemVer()
    {
        using var t = new TempDirectory();
        var home = ClientHome.Under(t.File("home"));
        var repository = new ConfiguredRepository("r", "https://charts.example.com", "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD", false, false);
        Directory.CreateDirectory(home.CacheFor("r"));
        await File.WriteAllTextAsync(Path.Combine(home.CacheFor("r"), "index.yaml"), """
            apiVersion: v1
            entries:
              app:
              - {apiVersion: v2, name: app, version: latest, urls: [app-latest.tgz]}
              - {apiVersion: v2, name: app, version: 1.0.0, urls: [app-1.0.0.tgz]}

            """, TestContext.Current.CancellationToken);

        var hits = (await ChartSearch.SearchAsync(home, [repository], new ChartSearchQuery { AllVersions = true, Version = "*" }, cancellationToken: TestContext.Current.CancellationToken)).Hits;

        Assert.Equal(["r/app 1.0.0"], hits.Select(h => $"{h.Reference} {h.Version}"));
    }

    private static ChartSearchQuery Query(string[] args)
    {
        var terms = new List<string>();
        var query = new ChartSearchQuery();
        for (int i = 0; i < args.Length; i++)
        {
            query = args[i] switch
            {
                "--versions" or "-l" => query with { AllVersions = true },
                "--devel" => query with { Devel = true },
                "--regexp" or "-r" => query with { Regexp = true },
                "--version" => query with { Version = args[++i] },
                _ => Add(args[i]),
            };
        }
        return query with { Term = string.Join(' ', terms) };

        ChartSearchQuery Add(string term)
        {
            terms.Add(term);
            return query;
        }
    }

    /// <summary>The two indexes cached for chartseal (repositories "first" and "second") and for Helm (its repositories.yaml and cache).</summary>
    private static (ClientHome Home, ConfiguredRepository[] Repositories, Dictionary<string, string> HelmEnv) Repositories(TempDirectory t)
    {
        var home = ClientHome.Under(t.File("home"));
        var repositories = new[]
        {
            new ConfiguredRepository("first", "https://first.example.com", "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD", false, false),
            new ConfiguredRepository("second", "https://second.example.com", "5B677CAE60734194B7DBBE1D6F854BC0D6F0E2DD", false, false),
        };
        string helmCache = Directory.CreateDirectory(t.File("helm-cache")).FullName;
        foreach (var (repository, index) in repositories.Zip([First, Second]))
        {
            Directory.CreateDirectory(home.CacheFor(repository.Name));
            File.WriteAllText(Path.Combine(home.CacheFor(repository.Name), "index.yaml"), index);
            File.WriteAllText(Path.Combine(helmCache, repository.Name + "-index.yaml"), index);
        }
        File.WriteAllText(t.File("repositories.yaml"), """
            apiVersion: ""
            generated: "0001-01-01T00:00:00Z"
            repositories:
            - name: first
              url: https://first.example.com
            - name: second
              url: https://second.example.com

            """);
        var helmEnv = new Dictionary<string, string>
        {
            ["HELM_REPOSITORY_CONFIG"] = t.File("repositories.yaml"),
            ["HELM_REPOSITORY_CACHE"] = helmCache,
        };
        return (home, repositories, helmEnv);
    }
}

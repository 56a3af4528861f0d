using System.Text.Json;
using System.Text.RegularExpressions;
using Chartseal.Charts;
using Chartseal.Repository;
using Chartseal.Tests.Support;
using YamlDotNet.RepresentationModel;
using static Chartseal.Tests.Charts.ChartFixtures;

namespace Chartseal.Tests.Repository;

/// <summary>
/// <c>chartseal repo index</c> against the real <c>helm repo index</c> (4.1.4 and 3.17.3) on copies of the same
/// folder: the parsed YAML (and JSON) must be equal in every field but the times, and so must the text once the
/// times are masked.
/// </summary>
public sealed partial class HelmRepoIndexParityTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static void Save(string dir, PackagedChart packaged, string? fileName = null)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, fileName ?? packaged.FileName), packaged.Archive);
    }

    /// <summary>
    /// A repository folder with what makes indexing differ: one version in two archives (top level and a
    /// sub-folder), versions equal but for build metadata, a chart with more than 12 versions (Go's sort is no
    /// longer an insertion sort there), file names that need URL escaping, full metadata, and junk.
    /// </summary>
    private static string WriteRepository(string root, string chartSources)
    {
        string demo = WriteSimpleChart(Path.Combine(chartSources, "demo"), "demo", "0.1.0");
        Save(root, ChartPackager.Package(demo));
        Save(root, ChartPackager.Package(demo, new PackageOptions { Version = "0.2.0" }));
        Save(Path.Combine(root, "sub"), ChartPackager.Package(demo, new PackageOptions { AppVersion = "latest" }));
        Save(Path.Combine(root, "a-old"), ChartPackager.Package(demo, new PackageOptions { AppVersion = "stable" }));
        Save(root, ChartPackager.Package(demo, new PackageOptions { Version = "1.0.0+build.1" }));
        Save(root, ChartPackager.Package(demo, new PackageOptions { Version = "1.0.0+build.2" }));
        Save(root, ChartPackager.Package(demo, new PackageOptions { Version = "1.0.0-rc.1" }), "copy of demo (rc).tgz");
        Save(Path.Combine(root, "my folder"), ChartPackager.Package(demo, new PackageOptions { Version = "0.0.9" }));

        string many = WriteSimpleChart(Path.Combine(chartSources, "many"), "many", "1.0.0");
        for (int i = 0; i < 30; i++)
        {
            string version = $"1.{i % 7}.{i % 3}";
            Save(Path.Combine(root, $"d{i % 4}"), ChartPackager.Package(many, new PackageOptions { Version = version, AppVersion = "app-" + i }), $"many-{i}.tgz");
        }

        string full = WriteChart(Path.Combine(chartSources, "full"),
            ("Chart.yaml", """
                apiVersion: v2
                name: full
                version: 2.3.4
                kubeVersion: ">=1.20.0-0"
                description: "A <chart> & its \"quotes\"\nover two lines, été"
                type: application
                home: https://example.com/full
                icon: https://example.com/icon.png
                sources: [https://github.com/example/full, ""]
                keywords: [web, "yes", "123"]
                maintainers:
                  - name: Jane <Doe>
                    email: jane@example.com
                  - name: Max
                    url: https://example.com/max
                appVersion: 1.10
                deprecated: true
                annotations:
                  example.com/b: "2"
                  example.com/a: "<&>"
                  category: Database
                dependencies:
                  - name: sub
                    version: ~0.1.0
                    repository: file://charts/sub
                    condition: sub.enabled
                    tags: [backend]
                    enabled: true
                    alias: db
                    import-values:
                      - data
                      - child: defaults
                        parent: sub
                      - 1.5
                """),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"));
        Save(root, ChartPackager.Package(full));
        Save(Path.Combine(root, "old"), ChartPackager.Package(TestPaths.Helm("hashtest")));

        File.WriteAllText(Path.Combine(root, "junk.tgz"), "not a chart");
        Directory.CreateDirectory(Path.Combine(root, "folder.tgz"));
        return root;
    }

    private static string Copy(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }
        return to;
    }

    [GeneratedRegex("""(?m)^(\s*"?(?:created|generated)"?:) ".*"(,?)$""")]
    private static partial Regex Times();

    private static string MaskTimes(string text) => Times().Replace(text, "$1 \"TIME\"$2");

    /// <summary>The YAML document as nested lists and sorted maps, without created and generated.</summary>
    private static object? Plain(YamlDotNet.RepresentationModel.YamlNode node) => node switch
    {
        YamlMappingNode map => new SortedDictionary<string, object?>(map.Children
            .Where(e => ((YamlScalarNode)e.Key).Value is not ("created" or "generated"))
            .ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => Plain(e.Value)), StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(Plain).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => throw new InvalidOperationException(node.GetType().Name),
    };

    private static string Canonical(string yamlOrJson)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yamlOrJson));
        return JsonSerializer.Serialize(Plain(stream.Documents[0].RootNode), new JsonSerializerOptions { WriteIndented = true });
    }

    private static async Task<(string Helm, string Ours)> IndexBoth(string version, TempDirectory temp, string[] helmArgs, string? url, string? merge, bool json)
    {
        string sources = temp.File("sources");
        string helmRepo = WriteRepository(temp.File("helm-repo"), sources);
        string ourRepo = Copy(helmRepo, temp.File("our-repo"));
        var helmCommand = new List<string> { "repo", "index", helmRepo };
        helmCommand.AddRange(helmArgs);
        if (merge is not null)
        {
            File.Copy(merge, Path.Combine(helmRepo, "merge.yaml"), overwrite: true);
            File.Copy(merge, Path.Combine(ourRepo, "merge.yaml"), overwrite: true);
            helmCommand.AddRange(["--merge", Path.Combine(helmRepo, "merge.yaml")]);
        }
        HelmPeer.Of(version).RunChecked(temp.Path, [.. helmCommand]);
        var (_, skipped, path) = await RepositoryIndexer.WriteIndexAsync(ourRepo, url, merge is null ? null : Path.Combine(ourRepo, "merge.yaml"), json, Now,
            TestContext.Current.CancellationToken);
        Assert.Contains("junk.tgz", Assert.Single(skipped), StringComparison.Ordinal);
        return (File.ReadAllText(Path.Combine(helmRepo, "index.yaml")), File.ReadAllText(path));
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task RepoIndex_SameFolder_SameIndexAsHelm(string version)
    {
        using var temp = new TempDirectory();
        var (helm, ours) = await IndexBoth(version, temp, [], null, null, json: false);

        Assert.Equal(Canonical(helm), Canonical(ours));
        Assert.Equal(MaskTimes(helm), MaskTimes(ours));
        Assert.Contains("- sub/demo-0.1.0.tgz", ours, StringComparison.Ordinal);
        Assert.Contains("- copy of demo (rc).tgz", ours, StringComparison.Ordinal);
        Assert.Contains("- my%20folder/demo-0.0.9.tgz", ours, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task RepoIndexWithUrl_SameIndexAsHelm(string version)
    {
        using var temp = new TempDirectory();
        const string Url = "https://charts.example.com/stable/../charts//";
        var (helm, ours) = await IndexBoth(version, temp, ["--url", Url], Url, null, json: false);

        Assert.Equal(Canonical(helm), Canonical(ours));
        Assert.Equal(MaskTimes(helm), MaskTimes(ours));
        Assert.Contains("- https://charts.example.com/charts/copy%20of%20demo%20%28rc%29.tgz", ours, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task RepoIndexJson_SameJsonAsHelm(string version)
    {
        using var temp = new TempDirectory();
        var (helm, ours) = await IndexBoth(version, temp, ["--json", "--url", "https://charts.example.com"], "https://charts.example.com", null, json: true);

        using (JsonDocument.Parse(ours))
        {
        }
        Assert.Equal(Canonical(helm), Canonical(ours));
        Assert.Equal(MaskTimes(helm), MaskTimes(ours));
        Assert.StartsWith("{\n  \"apiVersion\": \"v1\",\n  \"generated\": ", ours, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task RepoIndexMerge_SameIndexAsHelm(string version)
    {
        using var temp = new TempDirectory();
        // The index to merge: another repository's, made by Helm itself, overlapping the local charts.
        string remote = temp.File("remote");
        string remoteSources = temp.File("remote-sources");
        string demo = WriteSimpleChart(Path.Combine(remoteSources, "demo"), "demo", "0.1.0");
        Save(remote, ChartPackager.Package(demo, new PackageOptions { AppVersion = "remote" }));
        Save(remote, ChartPackager.Package(demo, new PackageOptions { Version = "0.3.0" }));
        Save(Path.Combine(remote, "x"), ChartPackager.Package(demo, new PackageOptions { Version = "0.3.0", AppVersion = "second" }));
        Save(remote, ChartPackager.Package(demo, new PackageOptions { Version = "1.0.0+build.9" }));
        Save(remote, ChartPackager.Package(WriteSimpleChart(Path.Combine(remoteSources, "elsewhere"), "elsewhere", "5.0.0")));
        HelmPeer.Of(version).RunChecked(temp.Path, "repo", "index", remote, "--url", "https://remote.example.com/charts");

        var (helm, ours) = await IndexBoth(version, temp, [], null, Path.Combine(remote, "index.yaml"), json: false);

        Assert.Equal(Canonical(helm), Canonical(ours));
        Assert.Equal(MaskTimes(helm), MaskTimes(ours));
        // Of the remote's two 0.3.0 archives only the first (in Helm's order) is merged; 1.0.0+build.9 is taken
        // for the local 1.0.0+build.1, as Helm's Has reads the version as a constraint.
        Assert.Contains("- https://remote.example.com/charts/demo-0.3.0.tgz", ours, StringComparison.Ordinal);
        Assert.DoesNotContain("x/demo-0.3.0.tgz", ours, StringComparison.Ordinal);
        Assert.Contains("- https://remote.example.com/charts/elsewhere-5.0.0.tgz", ours, StringComparison.Ordinal);
        Assert.DoesNotContain("build.9", ours, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task RepoIndexMerge_EntriesWithoutDigestOrCreatedOrWithAPrefixedDigest_WrittenAsHelmWritesThem(string version)
    {
        using var temp = new TempDirectory();
        // An index written by hand or by another tool: entries may lack digest and created, or prefix the digest with
        // its algorithm. Helm omits an empty digest, writes Go's zero time for a missing created, and keeps the text of
        // a digest as it read it.
        const string Merged = """
            apiVersion: v1
            entries:
              other:
              - name: other
                version: 1.0.0
                urls: [https://old.example.com/other-1.0.0.tgz]
              - name: other
                version: 1.0.1
                digest: ""
                created: "2020-01-01T00:00:00Z"
                urls: [https://old.example.com/other-1.0.1.tgz]
              - name: other
                version: 1.0.2
                digest: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                created: "2020-01-01T00:00:00Z"
                urls: [https://old.example.com/other-1.0.2.tgz]
            generated: "2020-01-01T00:00:00Z"

            """;
        string chart = WriteSimpleChart(temp.File("src"));
        foreach (string side in new[] { "helm", "our" })
        {
            Save(temp.File(side + "-repo"), ChartPackager.Package(chart));
            File.WriteAllText(temp.File(side + "-merge.yaml"), Merged);
        }

        HelmPeer.Of(version).RunChecked(temp.Path, "repo", "index", temp.File("helm-repo"), "--merge", temp.File("helm-merge.yaml"));
        await RepositoryIndexer.WriteIndexAsync(temp.File("our-repo"), null, temp.File("our-merge.yaml"), json: false, Now, TestContext.Current.CancellationToken);

        string helm = File.ReadAllText(temp.File("helm-repo/index.yaml")), ours = File.ReadAllText(temp.File("our-repo/index.yaml"));
        Assert.DoesNotContain("digest: \"\"", ours, StringComparison.Ordinal);
        Assert.Contains("digest: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ours, StringComparison.Ordinal);
        Assert.Contains("created: \"0001-01-01T00:00:00Z\"", ours, StringComparison.Ordinal);
        Assert.Equal(MaskTimes(helm), MaskTimes(ours));
        Assert.Equal(helm.Split('\n').Where(l => l.Contains("0001-01-01", StringComparison.Ordinal)), ours.Split('\n').Where(l => l.Contains("0001-01-01", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task RepoIndexMergeMissingFile_CreatedEmptyAsHelmDoes(string version)
    {
        using var temp = new TempDirectory();
        string helmRepo = WriteSimpleChart(temp.File("src"));
        Directory.CreateDirectory(temp.File("helm-repo"));
        Directory.CreateDirectory(temp.File("our-repo"));
        Save(temp.File("helm-repo"), ChartPackager.Package(helmRepo));
        Save(temp.File("our-repo"), ChartPackager.Package(helmRepo));

        HelmPeer.Of(version).RunChecked(temp.Path, "repo", "index", temp.File("helm-repo"), "--json", "--merge", temp.File("helm-missing.json"));
        await RepositoryIndexer.WriteIndexAsync(temp.File("our-repo"), null, temp.File("our-missing.json"), json: true, Now, TestContext.Current.CancellationToken);

        Assert.Equal(MaskTimes(File.ReadAllText(temp.File("helm-missing.json"))), MaskTimes(File.ReadAllText(temp.File("our-missing.json"))));
        Assert.Equal(MaskTimes(File.ReadAllText(temp.File("helm-repo/index.yaml"))), MaskTimes(File.ReadAllText(temp.File("our-repo/index.yaml"))));
    }
}

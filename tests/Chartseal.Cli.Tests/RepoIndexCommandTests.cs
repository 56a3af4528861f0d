using System.Text.Json;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary><c>repo index</c> through the built CLI, against the real <c>helm repo index</c>.</summary>
public sealed class RepoIndexCommandTests
{
    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void RepoIndexJson_SameVersionInTwoArchives_BothListedAsHelmListsThem(string version)
    {
        using var temp = new TempDirectory();
        string chart = ChartFixtures.WriteSimpleChart(temp.File("demo"));
        foreach (string repo in new[] { "helm-repo", "our-repo" })
        {
            Cli.AssertOk(Cli.Run(temp.Path, "package", chart, "-d", repo, "--app-version", "top"));
            Cli.AssertOk(Cli.Run(temp.Path, "package", chart, "-d", Path.Combine(repo, "older"), "--app-version", "older"));
        }
        HelmPeer.Of(version).RunChecked(temp.Path, "repo", "index", "helm-repo", "--json", "--url", "https://charts.example.com");

        var r = Cli.Run(temp.Path, "repo", "index", "our-repo", "--json", "--url", "https://charts.example.com");

        Cli.AssertOk(r);
        string Urls(string repo)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(temp.File(repo + "/index.yaml")));
            return string.Join(' ', doc.RootElement.GetProperty("entries").GetProperty("demo").EnumerateArray()
                .Select(e => e.GetProperty("appVersion").GetString() + "@" + e.GetProperty("urls")[0].GetString()));
        }
        Assert.Equal(Urls("helm-repo"), Urls("our-repo"));
        Assert.Equal("top@https://charts.example.com/demo-1.0.0.tgz older@https://charts.example.com/older/demo-1.0.0.tgz", Urls("our-repo"));
    }

    [Fact]
    public void RepoIndex_PlainFolderAndChartsealRepository_WrittenAtOnce_NoLockFileLeftInAPlainFolder()
    {
        using var temp = new TempDirectory();
        string chart = ChartFixtures.WriteSimpleChart(temp.File("demo"));
        Cli.AssertOk(Cli.Run(temp.Path, "package", chart, "-d", "plain"));
        Cli.AssertOk(Cli.Run(temp.Path, "package", chart, "-d", "chartseal-repo"));
        File.WriteAllText(temp.File("chartseal-repo/" + IO.RepositoryLock.FileName), ""); // as publish and trust leave it

        // A plain Helm folder: indexed as helm repo index does, and left as it was (no lock file of ours).
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "index", "plain"));
        Assert.False(File.Exists(temp.File("plain/" + IO.RepositoryLock.FileName)));
        Assert.Contains("demo-1.0.0.tgz", File.ReadAllText(temp.File("plain/index.yaml")), StringComparison.Ordinal);

        // A folder Chartseal writes to: the command takes the writers' lock once and does not wait for itself.
        var r = Cli.Run(temp.Path, "repo", "index", "chartseal-repo");
        Cli.AssertOk(r);
        Assert.Contains("demo-1.0.0.tgz", File.ReadAllText(temp.File("chartseal-repo/index.yaml")), StringComparison.Ordinal);
    }
}

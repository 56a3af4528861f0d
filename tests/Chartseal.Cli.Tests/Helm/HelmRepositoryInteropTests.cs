using System.Text.Json;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// The real Helm 4.1.4 and 3.17.3 as clients of <c>chartseal serve</c>: repo add/update, search, pull (with
/// <c>--verify</c> and <c>--prov</c>), install/template with <c>--verify</c>, dependency update with <c>--verify</c>.
/// The keyring is always the repository's own served <c>pubkeys.pgp</c>, which holds an RSA and an Ed25519 key.
/// </summary>
public sealed class HelmRepositoryInteropTests(ServedRepository repo) : IClassFixture<ServedRepository>
{
    private static readonly string WrongKeyring = TestPaths.Helm("helm-test-key.pub");

    /// <summary>Helm 3 cannot check EdDSA signatures; every other chart must verify.</summary>
    private static bool CanVerify(HelmPeer helm, ServedChart chart) => chart.KeyType == "rsa" || !helm.IsHelm3;

    private HelmPeer AddRepository(TempDirectory temp, string version)
    {
        var helm = HelmPeer.Of(version);
        var added = helm.RunChecked(temp.Path, "repo", "add", "cs", repo.Url);
        Assert.Contains("\"cs\" has been added to your repositories", added.StdOut, StringComparison.Ordinal);
        var updated = helm.RunChecked(temp.Path, "repo", "update", "cs");
        Assert.Contains("Successfully got an update from the \"cs\" chart repository", updated.StdOut, StringComparison.Ordinal);
        return helm;
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void RepoAddUpdateSearch_ListsEveryChartVersion(string version)
    {
        using var temp = new TempDirectory();
        var helm = AddRepository(temp, version);

        var search = helm.RunChecked(temp.Path, "search", "repo", "cs/", "--versions", "--output", "json");

        using var json = JsonDocument.Parse(search.StdOut);
        var found = json.RootElement.EnumerateArray()
            .Select(e => $"{e.GetProperty("name").GetString()} {e.GetProperty("version").GetString()} {e.GetProperty("description").GetString()}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(repo.Charts.Select(c => $"cs/{c.Name} {c.Version} {c.Name} made by {c.MadeBy}").Order(StringComparer.Ordinal), found);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void PullVerify_ServedPubkeysAsKeyring_VerifiesEveryChartThisHelmCanRead(string version)
    {
        using var temp = new TempDirectory();
        var helm = AddRepository(temp, version);

        foreach (var chart in repo.Charts)
        {
            string destination = Directory.CreateDirectory(temp.File($"pulled/{chart.Name}-{chart.Version}")).FullName; // helm pull wants it to exist
            var pulled = helm.Run(temp.Path, "pull", "cs/" + chart.Name, "--version", chart.Version, "--verify", "--keyring", repo.ServedPubkeys, "--destination", destination);
            if (!CanVerify(helm, chart))
            {
                Assert.True(pulled.ExitCode != 0, $"helm {version} cannot check an EdDSA signature, yet pulled {chart}: {pulled}");
                continue;
            }
            Assert.True(pulled.ExitCode == 0, $"helm {version} pull --verify {chart}: {pulled}");
            string archive = Path.Combine(destination, chart.FileName);
            Assert.Equal(File.ReadAllBytes(Path.Combine(repo.Repo, chart.FileName)), File.ReadAllBytes(archive));
            // Helm prints the same three lines as helm verify; chartseal verify of the pulled file prints them too.
            var ours = Cli.Run(temp.Path, "verify", archive, "--keyring", repo.ServedPubkeys);
            Cli.AssertOk(ours);
            Assert.Equal(ours.StdOut, pulled.StdOut);
            Assert.Contains("Using Key With Fingerprint: " + repo.Keys.Of(chart.KeyType).Fingerprint, pulled.StdOut, StringComparison.Ordinal);
        }

        var refused = helm.Run(temp.Path, "pull", "cs/rsa-chart", "--verify", "--keyring", WrongKeyring, "--destination", Directory.CreateDirectory(temp.File("refused")).FullName);
        // (Helm itself leaves the refused archive and .prov in the destination; chartseal pull writes nothing it refused.)
        Assert.True(refused.ExitCode != 0, $"helm {version} pull --verify with a keyring without the signer: {refused}");
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void PullProv_WritesTheServedArchiveAndProvenance(string version)
    {
        using var temp = new TempDirectory();
        var helm = AddRepository(temp, version);

        foreach (var chart in repo.Charts)
        {
            string destination = Directory.CreateDirectory(temp.File($"pulled/{chart.Name}-{chart.Version}")).FullName; // helm pull wants it to exist
            helm.RunChecked(temp.Path, "pull", "cs/" + chart.Name, "--version", chart.Version, "--prov", "--destination", destination);

            string archive = Path.Combine(destination, chart.FileName);
            Assert.Equal(File.ReadAllBytes(Path.Combine(repo.Repo, chart.FileName)), File.ReadAllBytes(archive));
            Assert.Equal(File.ReadAllBytes(Path.Combine(repo.Repo, chart.FileName + ".prov")), File.ReadAllBytes(archive + ".prov"));
            Cli.AssertOk(Cli.Run(temp.Path, "verify", archive, "--keyring", repo.ServedPubkeys));
        }
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void InstallDryRunAndTemplate_WithVerify_RenderOnlyWhatVerifies(string version)
    {
        using var temp = new TempDirectory();
        var helm = AddRepository(temp, version);

        foreach (var chart in repo.Charts.Where(c => CanVerify(helm, c)))
        {
            string source = $"# Source: {chart.Name}/templates/configmap.yaml";
            var template = helm.Run(temp.Path, "template", "rel", "cs/" + chart.Name, "--version", chart.Version, "--verify", "--keyring", repo.ServedPubkeys);
            Assert.True(template.ExitCode == 0, $"helm {version} template --verify {chart}: {template}");
            Assert.Contains(source, template.StdOut, StringComparison.Ordinal);

            if (!helm.IsHelm3)
            {
                // Helm 3's install --dry-run=client still asks the cluster (only helm template is client-only).
                var install = helm.Run(temp.Path, "install", "rel", "cs/" + chart.Name, "--version", chart.Version, "--dry-run=client", "--verify", "--keyring", repo.ServedPubkeys);
                Assert.True(install.ExitCode == 0, $"helm {version} install --dry-run=client --verify {chart}: {install}");
                Assert.Contains(source, install.StdOut, StringComparison.Ordinal);
                Assert.Contains("STATUS: pending-install", install.StdOut, StringComparison.Ordinal);
            }
        }

        var refused = helm.Run(temp.Path, "template", "rel", "cs/rsa-chart", "--verify", "--keyring", WrongKeyring);
        Assert.True(refused.ExitCode != 0, $"helm {version} template --verify with a keyring without the signer: {refused}");
        Assert.DoesNotContain("# Source:", refused.StdOut, StringComparison.Ordinal);
        if (!helm.IsHelm3)
        {
            var refusedInstall = helm.Run(temp.Path, "install", "rel", "cs/rsa-chart", "--dry-run=client", "--verify", "--keyring", WrongKeyring);
            Assert.True(refusedInstall.ExitCode != 0, $"helm {version} install --verify with a keyring without the signer: {refusedInstall}");
        }
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void DependencyUpdateVerify_DownloadsAndVerifiesFromTheServer(string version)
    {
        using var temp = new TempDirectory();
        var helm = AddRepository(temp, version);
        var dependencies = repo.Charts.Where(c => CanVerify(helm, c)).GroupBy(c => c.Name).Select(g => g.Last()).ToList();
        string Parent(string folder) => ChartFixtures.WriteChart(temp.File(folder),
            ("Chart.yaml", "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n"
                + string.Concat(dependencies.Select(d => $"  - name: {d.Name}\n    version: {d.Version}\n    repository: {repo.Url}\n"))),
            ("values.yaml", "{}\n"));

        string parent = Parent("parent");
        var updated = helm.Run(temp.Path, "dependency", "update", parent, "--verify", "--keyring", repo.ServedPubkeys);

        Assert.True(updated.ExitCode == 0, $"helm {version} dependency update --verify: {updated}");
        foreach (var dependency in dependencies)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(repo.Repo, dependency.FileName)), File.ReadAllBytes(Path.Combine(parent, "charts", dependency.FileName)));
        }
        helm.RunChecked(temp.Path, "template", "rel", parent);

        string refusedParent = Parent("refused");
        var refused = helm.Run(temp.Path, "dependency", "update", refusedParent, "--verify", "--keyring", WrongKeyring);
        Assert.True(refused.ExitCode != 0, $"helm {version} dependency update --verify with a keyring without the signer: {refused}");
        Assert.False(Directory.Exists(Path.Combine(refusedParent, "charts")) && Directory.EnumerateFiles(Path.Combine(refusedParent, "charts"), "*.tgz").Any(),
            "a refused dependency must not land in charts/");
    }
}

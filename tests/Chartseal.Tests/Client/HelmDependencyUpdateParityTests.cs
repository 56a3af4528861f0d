using System.Text.RegularExpressions;
using Chartseal.Charts;
using Chartseal.Repository;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Charts.ChartFixtures;
using Chartseal.Client;

namespace Chartseal.Tests.Client;

/// <summary>
/// <c>package --dependency-update</c> against the real <c>helm package -u</c> (4.1.4 and 3.17.3): the same chart,
/// with dependencies from a chart repository served on a loopback port, a <c>file://</c> folder and a folder
/// already in <c>charts/</c>, must give the same Chart.lock, the same <c>charts/</c> and the same package contents.
/// </summary>
public sealed partial class HelmDependencyUpdateParityTests
{
    private static readonly DependencyUpdateOptions Insecure = new() { AllowInsecureHttp = true };

    [GeneratedRegex("""(?m)^generated: ".*"$""")]
    private static partial Regex Generated();

    private static string MaskGenerated(string text) => Generated().Replace(text, "generated: TIME");

    private static async Task PublishAsync(string repo, string name, string version)
    {
        string source = WriteChart(Path.Combine(repo, "..", "repo-sources", name + "-" + version),
            ("Chart.yaml", $"apiVersion: v2\nname: {name}\nversion: {version}\n"),
            ("templates/cm.yaml", $"kind: ConfigMap # {name} {version}\n"));
        var packaged = ChartPackager.Package(source);
        Directory.CreateDirectory(repo);
        await File.WriteAllBytesAsync(Path.Combine(repo, packaged.FileName), packaged.Archive, TestContext.Current.CancellationToken);
        await RepositoryIndexer.WriteIndexAsync(repo, null, null, json: false, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
    }

    /// <summary>An application chart beside a library chart it takes by file://, as in a monorepo.</summary>
    private static string WriteApp(string root, string serverUrl, string redisConstraint = "^1.0.0")
    {
        WriteChart(Path.Combine(root, "common"),
            ("Chart.yaml", "apiVersion: v2\nname: common\nversion: 0.3.0\ntype: library\n"),
            ("templates/_helpers.tpl", "{{- define \"common.name\" -}}common{{- end -}}\n"));
        string app = WriteChart(Path.Combine(root, "app"),
            ("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n"
                + $"- name: redis\n  version: \"{redisConstraint}\"\n  repository: {serverUrl}\n  condition: redis.enabled\n"
                + "- name: common\n  version: \">=0.1.0\"\n  repository: file://../common\n"
                + "- name: bundled\n  version: ~1.2.0\n  repository: \"\"\n"),
            ("values.yaml", "redis:\n  enabled: true\n"),
            ("templates/cm.yaml", "kind: ConfigMap\n"),
            ("charts/bundled/Chart.yaml", "apiVersion: v2\nname: bundled\nversion: 1.2.3\n"));
        // An archive of an older resolution: both remove it.
        var stale = ChartPackager.Package(WriteChart(Path.Combine(root, "stale-redis"), ("Chart.yaml", "apiVersion: v2\nname: redis\nversion: 0.9.0\n")));
        File.WriteAllBytes(Path.Combine(app, "charts", stale.FileName), stale.Archive);
        return app;
    }

    private static Dictionary<string, string> ChartsFolder(string app) =>
        Directory.EnumerateFileSystemEntries(Path.Combine(app, "charts")).ToDictionary(f => Path.GetFileName(f), f => Directory.Exists(f) ? "folder" : "file");

    private static IEnumerable<(string Path, string Sha256)> Files(byte[] archive, params string[] except) =>
        ChartArchive.Read(archive, "x").Files.Where(f => !except.Contains(f.Path)).Select(f => (f.Path, f.Sha256));

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task PackageDependencyUpdate_SameLockChartsAndPackageAsHelm(string version)
    {
        using var temp = new TempDirectory();
        string repo = temp.File("served");
        await PublishAsync(repo, "redis", "1.0.0");
        await PublishAsync(repo, "redis", "1.1.0");
        await PublishAsync(repo, "redis", "2.0.0");
        using var server = new FolderServer(repo);
        string helmApp = WriteApp(temp.File("helm"), server.Url);
        string ourApp = WriteApp(temp.File("ours"), server.Url);

        HelmPeer.Of(version).RunChecked(temp.Path, "package", "-u", helmApp, "-d", temp.File("helm-out"));
        var result = await DependencyUpdater.UpdateAsync(ourApp, Insecure, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        var ours = ChartPackager.Package(ourApp);

        string helmLock = File.ReadAllText(Path.Combine(helmApp, "Chart.lock"));
        Assert.Equal(MaskGenerated(helmLock), MaskGenerated(File.ReadAllText(Path.Combine(ourApp, "Chart.lock"))));
        Assert.Contains("  version: 1.1.0\n", helmLock, StringComparison.Ordinal);
        Assert.True(result.LockWritten);
        Assert.Equal(ChartsFolder(helmApp), ChartsFolder(ourApp));
        Assert.Equal(["bundled", "common-0.3.0.tgz", "redis-1.1.0.tgz"], ChartsFolder(ourApp).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["redis-0.9.0.tgz"], result.Deleted);
        Assert.Equal(File.ReadAllBytes(Path.Combine(helmApp, "charts", "redis-1.1.0.tgz")), File.ReadAllBytes(Path.Combine(ourApp, "charts", "redis-1.1.0.tgz")));
        Assert.Equal(Files(File.ReadAllBytes(Path.Combine(helmApp, "charts", "common-0.3.0.tgz"))), Files(File.ReadAllBytes(Path.Combine(ourApp, "charts", "common-0.3.0.tgz"))));

        // Helm 3 writes subcharts in Go's map order, which varies from run to run: compare the files, not their order.
        byte[] helmPackage = File.ReadAllBytes(temp.File("helm-out/app-1.0.0.tgz"));
        Assert.Equal(Files(helmPackage, "Chart.lock").Order(), Files(ours.Archive, "Chart.lock").Order());
        Assert.Contains(Files(ours.Archive), f => f.Path == "charts/redis/templates/cm.yaml");
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task PackageDependencyUpdate_InSyncLockKeepsItsVersionsWhereHelmTakesTheNewest(string version)
    {
        using var temp = new TempDirectory();
        string repo = temp.File("served");
        await PublishAsync(repo, "redis", "1.0.0");
        using var server = new FolderServer(repo);
        string helmApp = WriteApp(temp.File("helm"), server.Url);
        string ourApp = WriteApp(temp.File("ours"), server.Url);
        HelmPeer.Of(version).RunChecked(temp.Path, "package", "-u", helmApp, "-d", temp.File("helm-out"));
        await DependencyUpdater.UpdateAsync(ourApp, Insecure, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        byte[] lockBefore = File.ReadAllBytes(Path.Combine(ourApp, "Chart.lock"));

        await PublishAsync(repo, "redis", "1.5.0");
        HelmPeer.Of(version).RunChecked(temp.Path, "package", "-u", helmApp, "-d", temp.File("helm-out"));
        var again = await DependencyUpdater.UpdateAsync(ourApp, Insecure, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);

        Assert.True(File.Exists(Path.Combine(helmApp, "charts", "redis-1.5.0.tgz")));
        Assert.Contains("  version: 1.5.0\n", File.ReadAllText(Path.Combine(helmApp, "Chart.lock")), StringComparison.Ordinal);
        Assert.True(again.UsedLock);
        Assert.False(again.LockWritten);
        Assert.Equal(lockBefore, File.ReadAllBytes(Path.Combine(ourApp, "Chart.lock")));
        Assert.True(File.Exists(Path.Combine(ourApp, "charts", "redis-1.0.0.tgz")));
        Assert.False(File.Exists(Path.Combine(ourApp, "charts", "redis-1.5.0.tgz")));

        // Changing the dependencies in Chart.yaml resolves anew, as Helm does.
        string chartYaml = Path.Combine(ourApp, "Chart.yaml");
        File.WriteAllText(chartYaml, File.ReadAllText(chartYaml).Replace("condition: redis.enabled", "condition: redis.on", StringComparison.Ordinal));
        var changed = await DependencyUpdater.UpdateAsync(ourApp, Insecure, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        Assert.True(changed.LockWritten);
        Assert.Equal(["redis-1.5.0.tgz", "common-0.3.0.tgz"], changed.Saved);
        Assert.False(File.Exists(Path.Combine(ourApp, "charts", "redis-1.0.0.tgz")));
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public async Task PackageDependencyUpdate_NoVersionSatisfies_BothRefuseWithTheSameMessage(string version)
    {
        using var temp = new TempDirectory();
        string repo = temp.File("served");
        await PublishAsync(repo, "redis", "1.0.0");
        using var server = new FolderServer(repo);
        string helmApp = WriteApp(temp.File("helm"), server.Url, "^9.0.0");
        string ourApp = WriteApp(temp.File("ours"), server.Url, "^9.0.0");

        var helm = HelmPeer.Of(version).Run(temp.Path, "package", "-u", helmApp, "-d", temp.File("helm-out"));
        var ex = await Assert.ThrowsAsync<ChartsealException>(() => DependencyUpdater.UpdateAsync(ourApp, Insecure, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken));

        Assert.True(helm.ExitCode == 1, helm.ToString());
        Assert.Equal(helm.StdErr.Trim(), "Error: " + ex.Reason);
        Assert.False(File.Exists(Path.Combine(ourApp, "Chart.lock")));
        Assert.True(File.Exists(Path.Combine(ourApp, "charts", "redis-0.9.0.tgz")));
    }

    [Fact]
    public async Task UpdateAsync_PlainHttpWithoutOptIn_RefusedBeforeAnyDownload()
    {
        using var temp = new TempDirectory();
        string repo = temp.File("served");
        await PublishAsync(repo, "redis", "1.0.0");
        using var server = new FolderServer(repo);
        string app = WriteApp(temp.File("ours"), server.Url);

        var ex = await Assert.ThrowsAsync<ChartsealException>(() => DependencyUpdater.UpdateAsync(app, null, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken));

        Assert.Contains("refusing a plain http:// URL", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("@stable", "repository aliases (@stable)")]
    [InlineData("alias:stable", "repository aliases (alias:stable)")]
    [InlineData("oci://registry.example.com/charts", "OCI registries")]
    [InlineData("stable", "is not an http(s) URL or a file:// path")]
    [InlineData("file://../nowhere", "not found")]
    public async Task UpdateAsync_UnsupportedRepository_RefusedNamingIt(string repository, string message)
    {
        using var temp = new TempDirectory();
        string app = WriteChart(temp.File("app"), ("Chart.yaml", $"apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: dep\n  version: 1.0.0\n  repository: \"{repository}\"\n"));
        var ex = await Assert.ThrowsAsync<ChartsealException>(() => DependencyUpdater.UpdateAsync(app, Insecure, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAsync_ArchiveNotMatchingTheIndexDigest_RefusedAndNothingWritten()
    {
        using var temp = new TempDirectory();
        string repo = temp.File("served");
        await PublishAsync(repo, "redis", "1.0.0");
        var other = ChartPackager.Package(WriteChart(temp.File("evil"), ("Chart.yaml", "apiVersion: v2\nname: redis\nversion: 1.0.0\ndescription: swapped\n")));
        await File.WriteAllBytesAsync(Path.Combine(repo, "redis-1.0.0.tgz"), other.Archive, TestContext.Current.CancellationToken);
        using var server = new FolderServer(repo);
        string app = WriteApp(temp.File("ours"), server.Url);

        var ex = await Assert.ThrowsAsync<ChartsealException>(() => DependencyUpdater.UpdateAsync(app, Insecure, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken));

        Assert.Contains("not the digest", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(app, "Chart.lock")));
        Assert.False(File.Exists(Path.Combine(app, "charts", "common-0.3.0.tgz")));
    }
}

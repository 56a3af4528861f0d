using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary><c>package</c> and the CI gate (<c>verify --rebuild-from</c>) on charts Helm accepts.</summary>
public sealed class PackageCommandTests
{
    [Theory]
    [InlineData("latest")]
    [InlineData("RELEASE.2023-01-01T00-00-00Z")]
    public void PackageAppVersionNotSemVer_PackagedSignedAndPassesTheRebuildGate(string appVersion)
    {
        using var temp = new TempDirectory();
        string chart = ChartFixtures.CopyHashtest(temp);
        var pkg = Cli.Run(temp.Path, "package", chart, "-d", "out", "--app-version", appVersion,
            "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret"));
        Cli.AssertOk(pkg);
        Assert.Contains("\nappVersion: " + appVersion + "\n", File.ReadAllText(temp.File("out/hashtest-1.2.3.tgz.prov")), StringComparison.Ordinal);

        var gate = Cli.Run(temp.Path, "verify", "out/hashtest-1.2.3.tgz", "--rebuild-from", chart, "--keyring", TestPaths.Helm("helm-test-key.pub"));
        Cli.AssertOk(gate);
    }

    [Fact]
    public void Package_DestinationIsAFile_OneLineSayingSo_NothingWritten()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("out"), "x");

        var pkg = Cli.Run(temp.Path, "package", Path.Combine(TestPaths.RepoRoot, "examples", "hello"), "-d", "out");

        Assert.Equal(2, pkg.ExitCode);
        Assert.Equal("chartseal: out: is a file, not a folder", Assert.Single(pkg.StdErrLines));
        Assert.Equal("x", File.ReadAllText(temp.File("out")));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tgz*", SearchOption.AllDirectories));
    }

    [Fact]
    public void PackageSign_DestinationCannotBeWritten_RefusedBeforeThePassphraseIsAsked()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "script(1) gives the command a terminal");
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("passphrase"), "secret\n");
        Cli.AssertOk(Cli.Run(temp.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane", "--passphrase-file", "passphrase"));
        File.WriteAllText(temp.File("out"), "x");
        // chmod does not stop root (CI runs tests as root); nobody creates files in /proc/self.
        string locked = temp.File("locked");
        Directory.CreateDirectory(locked);
        if (Environment.IsPrivilegedProcess)
        {
            locked = "/proc/self";
        }
        else if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        string chart = Path.Combine(TestPaths.RepoRoot, "examples", "hello");

        foreach (var (destination, says) in new[] { ("out", "chartseal: out: is a file, not a folder"), (locked, $"chartseal: {locked}: cannot write in the folder: "), ($"{locked}/new", $"chartseal: {locked}/new: cannot create the folder: ") })
        {
            // On a terminal the passphrase would be asked; typed here, it is never read.
            var pkg = Cli.RunOnTerminal(temp.Path, "secret\r", "package", chart, "-d", destination, "--sign", "--key", "jane", "--keyring", "jane.sec.asc");

            Assert.True(pkg.ExitCode == 2, pkg.ToString());
            Assert.DoesNotContain("Passphrase", pkg.StdOut, StringComparison.Ordinal);
            Assert.Contains(says, pkg.StdOut, StringComparison.Ordinal);
        }
        Assert.Equal("x", File.ReadAllText(temp.File("out")));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tgz*", SearchOption.AllDirectories));
    }

    [Fact]
    public void PackageSign_TheProvCannotBeWritten_OneLineNamingIt_AndTheArchiveIsNotLeftWithoutIt()
    {
        using var temp = new TempDirectory();
        string chart = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        Cli.AssertOk(Cli.Run(temp.Path, "package", chart, "-d", "probe"));
        string archiveName = Path.GetFileName(Assert.Single(Directory.GetFiles(temp.File("probe"), "*.tgz")));
        Directory.CreateDirectory(temp.File($"out/{archiveName}.prov")); // something the .prov cannot replace

        var pkg = Cli.Run(temp.Path, "package", chart, "-d", "out", "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret"));

        Assert.Equal(2, pkg.ExitCode);
        Assert.Equal($"chartseal: {Path.Combine("out", archiveName)}.prov: cannot write: is a folder, not a file", Assert.Single(pkg.StdErrLines));
        Assert.False(File.Exists(temp.File($"out/{archiveName}")));
        Assert.Empty(pkg.StdOut);
    }

    [Fact]
    public void PackageAndRebuildGate_DependencyMissingFromCharts_OneLineExit2NothingWritten()
    {
        using var temp = new TempDirectory();
        string chart = ChartFixtures.CopyHashtest(temp);
        Cli.AssertOk(Cli.Run(temp.Path, "package", chart, "-d", "signed", "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret")));
        File.AppendAllText(Path.Combine(chart, "Chart.yaml"), "dependencies:\n- name: redis\n  version: 1.x\n  repository: https://example.com/charts\n");

        var pkg = Cli.Run(temp.Path, "package", chart, "-d", "out");
        Assert.Equal(2, pkg.ExitCode);
        Assert.Equal($"chartseal: {chart}: found in Chart.yaml, but missing in charts/ directory: redis", Assert.Single(pkg.StdErrLines));
        Assert.False(Directory.Exists(temp.File("out")));

        var gate = Cli.Run(temp.Path, "verify", "signed/hashtest-1.2.3.tgz", "--rebuild-from", chart, "--keyring", TestPaths.Helm("helm-test-key.pub"));
        Assert.Equal(2, gate.ExitCode);
        Assert.EndsWith("found in Chart.yaml, but missing in charts/ directory: redis", Assert.Single(gate.StdErrLines), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void HelmSignedChartWithLongPaths_VerifiedAndPassesTheRebuildGate(string version)
    {
        using var temp = new TempDirectory();
        string chart = ChartFixtures.WriteChart(temp.File("longpaths"),
            ("Chart.yaml", "apiVersion: v2\nname: longpaths\nversion: 1.0.0\n"),
            ($"files/{new string('d', 60)}/{new string('d', 60)}/{new string('f', 120)}.txt", "long\n"),
            ("files/" + new string('\u00e9', 60) + ".txt", "non-ASCII\n"));
        HelmPeer.Of(version).RunChecked(temp.Path, "package", chart, "-d", "helm-out", "--sign", "--key", "helm-test", "--keyring", TestPaths.Helm("helm-test-key.secret"));

        var gate = Cli.Run(temp.Path, "verify", "helm-out/longpaths-1.0.0.tgz", "--rebuild-from", chart, "--keyring", TestPaths.Helm("helm-test-key.pub"));

        Cli.AssertOk(gate);
        Assert.Contains("Chart Hash Verified: sha256:", gate.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Package_SymlinkOutsideTheChart_PackagedWithANoteOnStderr()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var temp = new TempDirectory();
        ChartFixtures.WriteChart(temp.Path, ("common/_helpers.tpl", "{{/* shared */}}\n"));
        string chart = ChartFixtures.WriteSimpleChart(temp.File("demo"));
        File.CreateSymbolicLink(Path.Combine(chart, "templates", "_helpers.tpl"), "../../common/_helpers.tpl");

        var pkg = Cli.Run(temp.Path, "package", chart, "-d", "out");

        Cli.AssertOk(pkg);
        Assert.Equal($"chartseal: note: templates/_helpers.tpl is a symbolic link to {temp.File("common/_helpers.tpl")}; its contents were packaged", Assert.Single(pkg.StdErrLines));
        Assert.Contains("demo/templates/_helpers.tpl", Charts.ChartArchive.Read(File.ReadAllBytes(temp.File("out/demo-1.0.0.tgz")), "demo-1.0.0.tgz").Files.Select(f => "demo/" + f.Path));
    }

    [Fact]
    public void PackageDependencyUpdate_RepositoryAndFileDependencies_FetchedLockedAndPackaged()
    {
        using var temp = new TempDirectory();
        string repo = temp.File("served");
        Directory.CreateDirectory(repo);
        foreach (string v in new[] { "1.0.0", "1.1.0" })
        {
            string src = ChartFixtures.WriteSimpleChart(temp.File("redis-" + v), "redis", v);
            Cli.AssertOk(Cli.Run(temp.Path, "package", src, "-d", repo));
        }
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "index", repo));
        using var server = new FolderServer(repo);
        ChartFixtures.WriteSimpleChart(temp.File("common"), "common", "0.3.0");
        string app = ChartFixtures.WriteChart(temp.File("app"),
            ("Chart.yaml", $"apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: redis\n  version: ^1.0.0\n  repository: {server.Url}\n"
                + "- name: common\n  version: 0.3.0\n  repository: file://../common\n"));

        var refused = Cli.Run(temp.Path, "package", app, "-u", "-d", "out");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("refusing a plain http:// URL", Assert.Single(refused.StdErrLines), StringComparison.Ordinal);

        var pkg = Cli.Run(temp.Path, "package", app, "-u", "--insecure-http", "-d", "out");

        Cli.AssertOk(pkg);
        Assert.True(File.Exists(Path.Combine(app, "charts", "redis-1.1.0.tgz")));
        Assert.True(File.Exists(Path.Combine(app, "charts", "common-0.3.0.tgz")));
        Assert.Contains("version: 1.1.0", File.ReadAllText(Path.Combine(app, "Chart.lock")), StringComparison.Ordinal);
        var files = Charts.ChartArchive.Read(File.ReadAllBytes(temp.File("out/app-1.0.0.tgz")), "app-1.0.0.tgz").Files.Select(f => f.Path).ToList();
        Assert.Contains("Chart.lock", files);
        Assert.Contains("charts/redis/Chart.yaml", files);
        Assert.Contains("charts/common/templates/deployment.yaml", files);

        // The gate rebuilds from the folder as it is now (charts/ filled), without -u.
        Cli.AssertOk(Cli.Run(temp.Path, "package", app, "-d", "again"));
        Assert.Equal(File.ReadAllBytes(temp.File("out/app-1.0.0.tgz")), File.ReadAllBytes(temp.File("again/app-1.0.0.tgz")));
    }

    [Fact]
    public void PackageDependencyUpdate_HelmsPlainHttpSpelling_AllowsAPlainHttpRepository()
    {
        using var temp = new TempDirectory();
        string repo = temp.File("served");
        Directory.CreateDirectory(repo);
        Cli.AssertOk(Cli.Run(temp.Path, "package", ChartFixtures.WriteSimpleChart(temp.File("redis-src"), "redis", "1.0.0"), "-d", repo));
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "index", repo));
        using var server = new FolderServer(repo);
        string app = ChartFixtures.WriteChart(temp.File("app"),
            ("Chart.yaml", $"apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: redis\n  version: 1.0.0\n  repository: {server.Url}\n"));

        // Every command that takes a URL accepts Helm's --plain-http for --insecure-http (docs/user-guide.md).
        var pkg = Cli.Run(temp.Path, "package", app, "-u", "--plain-http", "-d", "out");

        Cli.AssertOk(pkg);
        Assert.True(File.Exists(temp.File("out/app-1.0.0.tgz")));
        Assert.True(File.Exists(Path.Combine(app, "charts", "redis-1.0.0.tgz")));
    }
}

using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Charts.ChartFixtures;

namespace Chartseal.Tests.Charts;

public sealed class ChartDirectoryTests
{
    private static string[] Paths(LoadedChart chart) => chart.Files.Select(f => f.Path).ToArray();

    [Fact]
    public void Load_HashtestVector_MetadataAndFilesInArchiveOrder()
    {
        var chart = ChartDirectory.Load(TestPaths.Helm("hashtest"));
        Assert.Equal("hashtest", chart.Metadata.Name);
        Assert.Equal("v1", chart.Metadata.ApiVersion);
        Assert.Equal(["values.yaml", ".helmignore"], Paths(chart));
        Assert.Empty(chart.Subcharts);
    }

    [Fact]
    public void Load_Files_OrderedValuesSchemaTemplatesThenOthersByteWise()
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("demo"),
            ("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.0.0\n"),
            ("values.yaml", "a: 1\n"),
            ("values.schema.json", "{}"),
            ("templates/b.yaml", ""),
            ("templates/a.yaml", ""),
            ("templates/sub/c.yaml", ""),
            ("b.txt", ""),
            ("B.txt", ""),
            ("a.txt", ""),
            ("Chart.lock", "digest: x\ngenerated: \"2021-01-01T00:00:00Z\"\ndependencies: []\n"));
        var chart = ChartDirectory.Load(dir);
        Assert.Equal(
            ["values.yaml", "values.schema.json", "templates/a.yaml", "templates/b.yaml", "templates/sub/c.yaml", "B.txt", "a.txt", "b.txt"],
            Paths(chart));
        Assert.Equal("x", chart.Lock!.Digest);
    }

    [Fact]
    public void Load_HelmIgnore_Honoured()
    {
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir,
            (".helmignore", "# comment\n*.tmp\nsecret/\n/root-only.txt\n"),
            ("notes.tmp", "x"),
            ("docs/draft.tmp", "x"),
            ("secret/key.pem", "x"),
            ("root-only.txt", "x"),
            ("docs/root-only.txt", "kept"),
            ("templates/.hidden.yaml", "x"),
            ("keep.txt", "x"));
        var chart = ChartDirectory.Load(dir);
        Assert.Equal(["values.yaml", "templates/deployment.yaml", ".helmignore", "docs/root-only.txt", "keep.txt"], Paths(chart));
    }

    [Fact]
    public void Load_Subcharts_FolderAndArchiveLoadedAndOrderedByName()
    {
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("parent"), "parent");
        WriteSimpleChart(Path.Combine(dir, "charts", "zeta-folder"), "alpha");
        var packaged = ChartPackager.Package(WriteSimpleChart(temp.File("beta-src"), "beta", "2.0.0"));
        File.WriteAllBytes(Path.Combine(dir, "charts", packaged.FileName), packaged.Archive);
        WriteChart(dir, ("charts/beta-2.0.0.tgz.prov", "signature"), ("charts/_ignored/Chart.yaml", "junk"), ("charts/.hidden", "junk"));

        var chart = ChartDirectory.Load(dir);

        Assert.Equal(["alpha", "beta"], chart.Subcharts.Select(s => s.Metadata.Name));
        Assert.Equal("2.0.0", chart.Subcharts[1].Metadata.Version);
        Assert.Equal(["values.yaml", "templates/deployment.yaml"], Paths(chart.Subcharts[0]));
        Assert.Contains("charts/beta-2.0.0.tgz.prov", Paths(chart));
    }

    [Fact]
    public void Load_StrayFileInCharts_Refused()
    {
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir, ("charts/README.md", "not a chart"));
        var ex = Assert.Throws<ChartsealException>(() => ChartDirectory.Load(dir));
        Assert.Contains("error unpacking subchart README.md in demo", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Chart.yaml file is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_V1Requirements_MergedIntoMetadataAndKept()
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("old"),
            ("Chart.yaml", "apiVersion: v1\nname: old\nversion: 1.0.0\n"),
            ("requirements.yaml", "dependencies:\n- name: dep\n  version: 1.x\n  repository: https://example.com\n"));
        var chart = ChartDirectory.Load(dir);
        Assert.Equal("dep", Assert.Single(chart.Metadata.Dependencies!).Name);
        Assert.Contains("requirements.yaml", Paths(chart));
    }

    [Fact]
    public void Load_BomInFiles_Stripped()
    {
        using var temp = new TempDirectory();
        string dir = temp.File("demo");
        WriteSimpleChart(dir);
        File.WriteAllBytes(Path.Combine(dir, "Chart.yaml"), [.. "\uFEFF"u8, .. "apiVersion: v2\nname: demo\nversion: 1.0.0\n"u8]);
        File.WriteAllBytes(Path.Combine(dir, "values.yaml"), [.. "\uFEFF"u8, .. "a: 1\n"u8]);
        var chart = ChartDirectory.Load(dir);
        Assert.Equal("a: 1\n", Encoding.UTF8.GetString(chart.Files[0].Bytes.Span));
    }

    [Fact]
    public void Load_MissingChartYaml_Refused()
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("demo"), ("values.yaml", ""));
        Assert.Contains("Chart.yaml file is missing", Assert.Throws<ChartsealException>(() => ChartDirectory.Load(dir)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AnArchiveOrAFileInsteadOfTheFolder_SaysItIsAFile()
    {
        using var temp = new TempDirectory();
        string archive = temp.File("demo-1.0.0.tgz");
        File.WriteAllBytes(archive, ChartTgz());

        var ex = Assert.Throws<ChartsealException>(() => ChartDirectory.Load(archive));
        var missing = Assert.Throws<ChartsealException>(() => ChartDirectory.Load(temp.File("nothere")));

        Assert.Equal(archive, ex.File);
        Assert.Equal("is a file, not a chart folder (the folder holding Chart.yaml)", ex.Reason);
        Assert.Equal("no such chart folder", missing.Reason);
    }

    [Fact]
    public void Load_InvalidValuesYaml_Refused()
    {
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir, ("values.yaml", "a: [1\n"));
        Assert.Contains("values.yaml: invalid YAML", Assert.Throws<ChartsealException>(() => ChartDirectory.Load(dir)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileOverFiveMebibytes_Refused()
    {
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        using (var big = File.Create(Path.Combine(dir, "big.bin")))
        {
            big.SetLength(ChartYaml.MaxFileSize + 1);
        }
        var ex = Assert.Throws<ChartsealException>(() => ChartDirectory.Load(dir));
        Assert.Contains("chart file \"big.bin\" is larger than the maximum file size 5242880", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SymlinkInsideChart_FollowedUnderTheLinkName()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir, ("parts/common.yaml", "common: true\n"));
        File.CreateSymbolicLink(Path.Combine(dir, "templates", "common.yaml"), "../parts/common.yaml");
        Directory.CreateSymbolicLink(Path.Combine(dir, "linked"), "parts");
        var chart = ChartDirectory.Load(dir);
        Assert.Contains("templates/common.yaml", Paths(chart));
        Assert.Contains("linked/common.yaml", Paths(chart));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Load_SymlinkOutsideChart_FollowedAndListedAsHelmDoes(bool directory, bool absolute)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(temp.Path, ("outside/target.txt", "target"));
        string target = directory ? temp.File("outside") : temp.File("outside/target.txt");
        string link = Path.Combine(dir, "linked");
        if (directory)
        {
            Directory.CreateSymbolicLink(link, absolute ? target : "../outside");
        }
        else
        {
            File.CreateSymbolicLink(link, absolute ? target : "../outside/target.txt");
        }

        var chart = ChartDirectory.Load(dir);

        var file = Assert.Single(chart.Files, f => f.Path.StartsWith("linked", StringComparison.Ordinal));
        Assert.Equal(directory ? "linked/target.txt" : "linked", file.Path);
        Assert.Equal("target", Encoding.UTF8.GetString(file.Bytes.Span));
        Assert.Equal([new FollowedLink("linked", ChartDirectory.RealPath(target, "t"))], chart.Links);
    }

    [Fact]
    public void Load_BrokenSymlink_RefusedInHelmsWordsEvenWhenIgnored()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir, (".helmignore", "dangling.txt\n"));
        File.CreateSymbolicLink(Path.Combine(dir, "dangling.txt"), "nowhere.txt");
        var ex = Assert.Throws<ChartsealException>(() => ChartDirectory.Load(dir));
        Assert.Equal("error evaluating symlink dangling.txt: nowhere.txt: no such file or directory", ex.Reason);
    }

    [Fact]
    public void Load_IgnoredSymlink_NotListed()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir, (".helmignore", "link.yaml\n"));
        File.CreateSymbolicLink(Path.Combine(dir, "link.yaml"), "values.yaml");
        var chart = ChartDirectory.Load(dir);
        Assert.Empty(chart.Links);
        Assert.DoesNotContain("link.yaml", Paths(chart));
    }

    [Fact]
    public void Load_SymlinkLoop_Refused()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        Directory.CreateSymbolicLink(Path.Combine(dir, "templates", "loop"), "..");
        var ex = Assert.Throws<ChartsealException>(() => ChartDirectory.Load(dir));
        Assert.Contains("symbolic link loop at templates/loop", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Fifo_RefusedWithoutBlocking()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "FIFOs are a Unix feature");
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(dir, "pipe")]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var ex = Assert.Throws<ChartsealException>(() => ChartDirectory.Load(dir));
        Assert.Contains("cannot load irregular file pipe", ex.Message, StringComparison.Ordinal);
    }
}

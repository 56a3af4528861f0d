using System.Formats.Tar;
using System.IO.Compression;
using Chartseal.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Charts;

public class ChartRebuildTests
{
    private static void CopyExample(string to)
    {
        string from = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public void Compare_UnchangedSource_IdenticalBytes()
    {
        using var dir = new TempDirectory();
        CopyExample(dir.Path);
        var packaged = ChartPackager.Package(dir.Path);

        var result = ChartRebuild.Compare(packaged.Archive, packaged.FileName, dir.Path, null);

        Assert.True(result.Matches);
        Assert.True(result.IdenticalBytes);
    }

    [Fact]
    public void Compare_SourceChangedAfterSigning_NamesTheFile()
    {
        using var dir = new TempDirectory();
        CopyExample(dir.Path);
        var packaged = ChartPackager.Package(dir.Path);
        File.AppendAllText(Path.Combine(dir.Path, "templates", "configmap.yaml"), "  extra: injected\n");

        var result = ChartRebuild.Compare(packaged.Archive, packaged.FileName, dir.Path, null);

        Assert.False(result.Matches);
        Assert.StartsWith("templates/configmap.yaml: contents differ", result.Difference, StringComparison.Ordinal);
        // Each side named so that the line reads: the signed archive, then the rebuild from the source folder.
        Assert.Contains($" in {packaged.FileName}; ", result.Difference, StringComparison.Ordinal);
        Assert.EndsWith($" in the rebuild from {dir.Path})", result.Difference, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_SameContentsPackagedByAnotherTool_MatchesByContents()
    {
        using var dir = new TempDirectory();
        CopyExample(dir.Path);
        var ours = ChartArchive.Read(ChartPackager.Package(dir.Path).Archive, "hello-0.1.0.tgz");

        // Another packager: different order, modes, times and compression, same files.
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var file in ours.Files.Reverse())
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "hello/" + file.Path)
                {
                    DataStream = new MemoryStream(file.Bytes.ToArray()),
                    ModificationTime = DateTimeOffset.UtcNow,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                });
            }
        }

        var result = ChartRebuild.Compare(gz.ToArray(), "hello-0.1.0.tgz", dir.Path, null);

        Assert.True(result.Matches, result.Difference);
        Assert.False(result.IdenticalBytes);
    }

    [Theory]
    [InlineData("latest", null)]
    [InlineData("1.0.0", "RELEASE.2023-01-01T00-00-00Z")]
    [InlineData("stable", "latest")]
    public void Compare_AppVersionNotSemVer_RebuildsAndMatches(string inChartYaml, string? setAtPackaging)
    {
        using var dir = new TempDirectory();
        CopyExample(dir.Path);
        string chartYaml = Path.Combine(dir.Path, "Chart.yaml");
        File.WriteAllText(chartYaml, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(chartYaml), "(?m)^appVersion:.*$", "appVersion: " + inChartYaml));
        var packaged = ChartPackager.Package(dir.Path, new PackageOptions { AppVersion = setAtPackaging });

        var result = ChartRebuild.Compare(packaged.Archive, packaged.FileName, dir.Path, null);

        Assert.True(result.Matches, result.Difference);
        Assert.True(result.IdenticalBytes);
    }

    [Fact]
    public void Compare_SourceDeclaresDependencyMissingFromCharts_Refused()
    {
        using var dir = new TempDirectory();
        CopyExample(dir.Path);
        var packaged = ChartPackager.Package(dir.Path);
        File.AppendAllText(Path.Combine(dir.Path, "Chart.yaml"), "dependencies:\n- name: redis\n  version: 1.x\n  repository: https://example.com/charts\n");

        var ex = Assert.Throws<ChartsealException>(() => ChartRebuild.Compare(packaged.Archive, packaged.FileName, dir.Path, null));

        Assert.Equal("found in Chart.yaml, but missing in charts/ directory: redis", ex.Reason);
    }
}

using System.IO.Compression;
using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Charts.ChartFixtures;

namespace Chartseal.Tests.Charts;

/// <summary>
/// <c>chartseal package</c> against the real <c>helm package</c> (4.1.4 and 3.17.3) on the same chart folders:
/// what each accepts or refuses, and what the archives hold.
/// </summary>
public sealed class HelmPackagingParityTests
{
    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void DependencyMissingFromCharts_BothRefuseWithTheSameMessage(string version)
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("app"),
            ("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n"
                + "- name: redis\n  version: 1.x\n  repository: https://example.com/charts\n"
                + "- name: common\n  version: 2.0.0\n  repository: file://../common\n"
                + "- name: pg\n  version: 2.0.0\n  repository: file://../pg\n  alias: db\n"),
            ("charts/common/Chart.yaml", "apiVersion: v2\nname: common\nversion: 2.0.0\n"));

        var helm = HelmPeer.Of(version).Run(temp.Path, "package", dir, "-d", temp.File("helm-out"));
        var ex = Assert.Throws<ChartsealException>(() => ChartPackager.Package(dir));

        Assert.True(helm.ExitCode == 1, helm.ToString());
        Assert.Equal(helm.StdErr.Trim(), "Error: " + ex.Reason);
        Assert.False(Directory.Exists(temp.File("helm-out")) && Directory.EnumerateFiles(temp.File("helm-out")).Any());
    }

    private static readonly string D60 = new('d', 60);

    /// <summary>
    /// A chart with paths that do not fit the old tar header: over 100 bytes (one split into USTAR's prefix, one
    /// too long for that), non-ASCII, one whose PAX header name is cut at a '/', and a subchart folder.
    /// </summary>
    private static string WriteLongPathChart(string root)
    {
        WriteChart(root,
            ("Chart.yaml", "apiVersion: v2\nname: longpaths\nversion: 1.0.0\nappVersion: latest\n"),
            ("values.yaml", "a: 1\n"),
            ("templates/" + new string('t', 95) + ".yaml", "kind: ConfigMap\n"),
            ($"files/{D60}/{D60}/{new string('f', 120)}.txt", "too long for USTAR\n"),
            ($"files/{D60}/{new string('e', 70)}/{new string('g', 30)}.txt", "split into prefix and name\n"),
            ("files/" + new string('\u00e9', 60) + ".txt", "non-ASCII\n"),
            ("files/" + new string('h', 94) + "/" + new string('i', 120) + ".txt", "PAX header name cut at a slash\n"),
            ("files/\u65e5\u672c/short.txt", "non-ASCII folder\n"),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ($"charts/sub/templates/{D60}/{new string('s', 80)}.yaml", "kind: Secret\n"));
        // Helm 4 stamps each entry with its file's time: give every file ours, so that the tar streams can be equal.
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, ChartPackager.DefaultModificationTime.UtcDateTime);
        }
        return root;
    }

    private static byte[] Tar(byte[] tgz)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(tgz), CompressionMode.Decompress))
        {
            gzip.CopyTo(output);
        }
        return output.ToArray();
    }

    /// <summary>Zeroes every header's modification time and checksum (Helm 3 stamps entries with the current time).</summary>
    private static byte[] WithoutTimes(byte[] tar)
    {
        byte[] copy = (byte[])tar.Clone();
        for (int at = 0; at + 512 <= copy.Length && copy.AsSpan(at, 512).ContainsAnyExcept((byte)0);)
        {
            long size = Convert.ToInt64(Encoding.ASCII.GetString(copy, at + 124, 11), 8);
            copy.AsSpan(at + 136, 20).Clear();
            at += 512 + (int)((size + 511) / 512 * 512);
        }
        return copy;
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void LongAndNonAsciiPaths_PackagedWithHelmsTarHeaders(string version)
    {
        using var temp = new TempDirectory();
        string dir = WriteLongPathChart(temp.File("longpaths"));
        var helm = HelmPeer.Of(version).RunChecked(temp.Path, "package", dir, "-d", temp.File("helm-out"));
        byte[] helmTar = Tar(File.ReadAllBytes(temp.File("helm-out/longpaths-1.0.0.tgz")));

        var ours = ChartPackager.Package(dir);
        byte[] ourTar = Tar(ours.Archive);

        Assert.Contains((byte)'x', Enumerable.Range(0, ourTar.Length / 512).Select(i => ourTar[i * 512 + 156]));
        if (HelmPeer.Of(version).IsHelm3)
        {
            Assert.Equal(WithoutTimes(helmTar), WithoutTimes(ourTar));
        }
        else
        {
            Assert.Equal(helmTar, ourTar);
        }
        Assert.Equal(ours.Archive, ChartPackager.Package(dir).Archive);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void LongAndNonAsciiPaths_HelmsArchiveReadAndMatchedByTheRebuildGate(string version)
    {
        using var temp = new TempDirectory();
        string dir = WriteLongPathChart(temp.File("longpaths"));
        HelmPeer.Of(version).RunChecked(temp.Path, "package", dir, "-d", temp.File("helm-out"));
        byte[] helmArchive = File.ReadAllBytes(temp.File("helm-out/longpaths-1.0.0.tgz"));

        var contents = ChartArchive.Read(helmArchive, "longpaths-1.0.0.tgz");
        var result = ChartRebuild.Compare(helmArchive, "longpaths-1.0.0.tgz", dir, null);

        Assert.Contains($"files/{D60}/{D60}/{new string('f', 120)}.txt", contents.Files.Select(f => f.Path));
        Assert.Contains("files/" + new string('\u00e9', 60) + ".txt", contents.Files.Select(f => f.Path));
        Assert.Contains($"charts/sub/templates/{D60}/{new string('s', 80)}.yaml", contents.Files.Select(f => f.Path));
        Assert.True(result.Matches, result.Difference);
        Assert.False(result.IdenticalBytes);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void Symlinks_InsideAndOutsideTheChart_PackagedAsHelmPackagesThem(string version)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var temp = new TempDirectory();
        WriteChart(temp.Path, ("outside/file.txt", "outside file\n"), ("outside/dir/a.txt", "outside folder\n"));
        string dir = WriteChart(temp.File("links"),
            ("Chart.yaml", "apiVersion: v2\nname: links\nversion: 1.0.0\n"),
            ("files/real/r.txt", "real\n"),
            ("parts/_helpers.tpl", "{{/* parts */}}\n"));
        File.CreateSymbolicLink(Path.Combine(dir, "files", "link.txt"), "real/r.txt");
        Directory.CreateSymbolicLink(Path.Combine(dir, "files", "linkdir"), "real");
        File.CreateSymbolicLink(Path.Combine(dir, "files", "out.txt"), "../../outside/file.txt");
        Directory.CreateSymbolicLink(Path.Combine(dir, "files", "outdir"), "../../outside/dir");
        File.CreateSymbolicLink(Path.Combine(dir, "files", "abs.txt"), temp.File("outside/file.txt"));
        Directory.CreateSymbolicLink(Path.Combine(dir, "templates"), "parts");
        foreach (string file in Directory.EnumerateFiles(temp.Path, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, ChartPackager.DefaultModificationTime.UtcDateTime);
        }

        HelmPeer.Of(version).RunChecked(temp.Path, "package", dir, "-d", temp.File("helm-out"));
        byte[] helmArchive = File.ReadAllBytes(temp.File("helm-out/links-1.0.0.tgz"));
        var ours = ChartPackager.Package(dir);

        var helmFiles = ChartArchive.Read(helmArchive, "helm").Files;
        var ourFiles = ChartArchive.Read(ours.Archive, "ours").Files;
        Assert.Equal(helmFiles.Select(f => (f.Path, f.Sha256)), ourFiles.Select(f => (f.Path, f.Sha256)));
        Assert.Contains("files/outdir/a.txt", ourFiles.Select(f => f.Path));
        Assert.Contains("templates/_helpers.tpl", ourFiles.Select(f => f.Path));
        Assert.Equal(["files/abs.txt", "files/link.txt", "files/linkdir", "files/out.txt", "files/outdir", "templates"], ours.Links.Select(l => l.Path));
        if (!HelmPeer.Of(version).IsHelm3)
        {
            Assert.Equal(Tar(helmArchive), Tar(ours.Archive));
        }
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void BrokenSymlink_BothRefuse(string version)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        File.CreateSymbolicLink(Path.Combine(dir, "dangling.txt"), "nowhere.txt");

        var helm = HelmPeer.Of(version).Run(temp.Path, "package", dir, "-d", temp.File("helm-out"));
        var ex = Assert.Throws<ChartsealException>(() => ChartPackager.Package(dir));

        Assert.True(helm.ExitCode == 1, helm.ToString());
        Assert.StartsWith("Error: error evaluating symlink " + Path.Combine(dir, "dangling.txt") + ": ", helm.StdErr, StringComparison.Ordinal);
        Assert.StartsWith("error evaluating symlink dangling.txt: ", ex.Reason, StringComparison.Ordinal);
    }
    /// <summary>
    /// YAML files with several documents, as editors and generators leave them: a trailing <c>---</c> after
    /// Chart.yaml, Chart.lock and values.yaml, and values.yaml split into documents (Helm 4 merges them, Helm 3
    /// reads the first). Both Helms package these, and so must Chartseal, with the same files.
    /// </summary>
    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void YamlWithSeveralDocuments_PackagedAsHelmPackagesThem(string version)
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("docs"),
            ("Chart.yaml", "apiVersion: v2\nname: docs\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  repository: file://charts/sub\n---\n"),
            ("Chart.lock", "dependencies:\n- name: sub\n  repository: file://charts/sub\n  version: 0.1.0\ndigest: sha256:00\ngenerated: \"2020-01-01T00:00:00Z\"\n---\n# end\n"),
            ("values.yaml", "---\na: 1\n---\nb:\n  c: 2\n---\n---\n# only a comment\n"),
            ("templates/cm.yaml", "kind: ConfigMap\n"),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n---\n"),
            ("charts/sub/values.yaml", "x: 1\n---\n"));

        HelmPeer.Of(version).RunChecked(temp.Path, "package", dir, "-d", temp.File("helm-out"));
        var helmFiles = ChartArchive.Read(File.ReadAllBytes(temp.File("helm-out/docs-1.0.0.tgz")), "helm").Files;
        var ours = ChartPackager.Package(dir);
        var ourFiles = ChartArchive.Read(ours.Archive, "ours").Files;

        Assert.Equal(helmFiles.Select(f => (f.Path, f.Sha256)).Order(), ourFiles.Select(f => (f.Path, f.Sha256)).Order());
        Assert.Equal("1.0.0", ours.Metadata.Version);
    }

    /// <summary>
    /// A later document with content in Chart.yaml stays refused (Helm ignores it: the chart would not be what the
    /// file seems to say), and so does a values.yaml document that is not a mapping, which Helm 4 refuses too.
    /// </summary>
    [Fact]
    public void YamlWithSeveralDocuments_ContentHelmWouldIgnoreOrRefuse_Refused()
    {
        using var temp = new TempDirectory();
        string chart = WriteChart(temp.File("two"), ("Chart.yaml", "apiVersion: v2\nname: two\nversion: 1.0.0\n---\nversion: 2.0.0\n"));
        string values = WriteChart(temp.File("list"),
            ("Chart.yaml", "apiVersion: v2\nname: list\nversion: 1.0.0\n"), ("values.yaml", "a: 1\n---\n- b\n"));

        var helm = HelmPeer.V4.Run(temp.Path, "package", values, "-d", temp.File("helm-out"));
        var chartError = Assert.Throws<ChartsealException>(() => ChartPackager.Package(chart));
        var valuesError = Assert.Throws<ChartsealException>(() => ChartPackager.Package(values));

        Assert.True(helm.ExitCode == 1, helm.ToString());
        Assert.Contains("cannot load values.yaml", helm.StdErr, StringComparison.Ordinal);
        Assert.Equal("invalid YAML: more than one document", chartError.Reason);
        Assert.EndsWith("Chart.yaml", chartError.File, StringComparison.Ordinal);
        Assert.Equal("invalid YAML: the top level must be a mapping (document 2)", valuesError.Reason);
        Assert.EndsWith("values.yaml", valuesError.File, StringComparison.Ordinal);
    }
}

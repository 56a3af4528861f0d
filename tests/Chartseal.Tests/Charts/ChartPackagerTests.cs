using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Charts.ChartFixtures;

namespace Chartseal.Tests.Charts;

public sealed class ChartPackagerTests
{
    private static readonly DateTimeOffset Epoch2021 = DateTimeOffset.FromUnixTimeSeconds(1609459200);

    private static List<(TarEntry Entry, byte[] Data)> Entries(byte[] archive)
    {
        var result = new List<(TarEntry, byte[])>();
        using var tar = new TarReader(new GZipStream(new MemoryStream(archive), CompressionMode.Decompress));
        while (tar.GetNextEntry(copyData: true) is { } entry)
        {
            var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            result.Add((entry, data.ToArray()));
        }
        return result;
    }

    private static byte[] Decompress(byte[] archive)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress))
        {
            gzip.CopyTo(output);
        }
        return output.ToArray();
    }

    [Fact]
    public void Package_HashtestVectorTwice_IdenticalBytes()
    {
        var first = ChartPackager.Package(TestPaths.Helm("hashtest"), new PackageOptions());
        var second = ChartPackager.Package(TestPaths.Helm("hashtest"), new PackageOptions());
        Assert.Equal("hashtest-1.2.3.tgz", first.FileName);
        Assert.Equal(first.Archive, second.Archive);
    }

    [Fact]
    public void Package_SameSourcesDifferentFileTimes_IdenticalBytes()
    {
        using var temp = new TempDirectory();
        string dir = CopyHashtest(temp);
        var before = ChartPackager.Package(dir);
        foreach (string file in Directory.GetFiles(dir, "*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3));
        }
        Assert.Equal(before.Archive, ChartPackager.Package(dir).Archive);
    }

    [Fact]
    public void Package_DifferentSourceDateEpoch_DifferentBytesAndEveryEntryStamped()
    {
        var defaultTime = ChartPackager.Package(TestPaths.Helm("hashtest"));
        var stamped = ChartPackager.Package(TestPaths.Helm("hashtest"), new PackageOptions { ModificationTime = Epoch2021 });
        var stampedAgain = ChartPackager.Package(TestPaths.Helm("hashtest"), new PackageOptions { ModificationTime = Epoch2021 });

        Assert.NotEqual(defaultTime.Archive, stamped.Archive);
        Assert.Equal(stamped.Archive, stampedAgain.Archive);
        Assert.All(Entries(stamped.Archive), e => Assert.Equal(Epoch2021, e.Entry.ModificationTime));
        Assert.All(Entries(defaultTime.Archive), e => Assert.Equal(ChartPackager.DefaultModificationTime, e.Entry.ModificationTime));
    }

    [Fact]
    public void Package_HashtestVector_HelmLayoutAndHeaders()
    {
        var packaged = ChartPackager.Package(TestPaths.Helm("hashtest"));
        var entries = Entries(packaged.Archive);

        Assert.Equal(["hashtest/Chart.yaml", "hashtest/values.yaml", "hashtest/.helmignore"], entries.Select(e => e.Entry.Name));
        Assert.All(entries, e =>
        {
            Assert.Equal(TarEntryType.RegularFile, e.Entry.EntryType);
            Assert.Equal(TarEntryFormat.Ustar, e.Entry.Format);
            Assert.Equal(Convert.ToInt32("644", 8), (int)e.Entry.Mode);
            Assert.Equal(0, e.Entry.Uid);
            Assert.Equal(0, e.Entry.Gid);
            Assert.Equal("", ((UstarTarEntry)e.Entry).UserName);
            Assert.Equal("", ((UstarTarEntry)e.Entry).GroupName);
        });

        // Chart.yaml is re-serialised: exactly the metadata part of the Helm message block.
        string msgblock = File.ReadAllText(TestPaths.Helm("msgblock.yaml"));
        Assert.Equal(msgblock[..(msgblock.IndexOf("\n...\n", StringComparison.Ordinal) + 1)], Encoding.UTF8.GetString(entries[0].Data) + "\n");
        Assert.Equal(File.ReadAllBytes(TestPaths.Helm("hashtest/values.yaml")), entries[1].Data);
    }

    [Fact]
    public void Package_Archive_FixedGzipHeaderAndTwoZeroBlocks()
    {
        var packaged = ChartPackager.Package(TestPaths.Helm("hashtest"));
        Assert.Equal(new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF }, packaged.Archive[..10]);

        byte[] tar = Decompress(packaged.Archive);
        int dataBlocks = Entries(packaged.Archive).Sum(e => 1 + (e.Data.Length + 511) / 512);
        Assert.Equal((dataBlocks + 2) * 512, tar.Length);
        Assert.All(tar[^1024..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Package_FullChart_ArchiveOrderWithLockSchemaTemplatesOthersAndSubcharts()
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("src"),
            ("Chart.yaml", "# comment\napiVersion: v2\nname: demo\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  repository: file://charts/sub\n"),
            ("Chart.lock", "dependencies:\n- name: sub\n  repository: file://charts/sub\n  version: 0.1.0\ndigest: sha256:abc\ngenerated: \"2021-09-01T20:34:58.651387237Z\"\n"),
            ("values.yaml", "a: 1\n"),
            ("values.schema.json", "{\"title\": \"Values\"}"),
            ("templates/svc.yaml", "kind: Service\n"),
            ("README.md", "readme\n"),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("charts/sub/templates/cm.yaml", "kind: ConfigMap\n"));

        var packaged = ChartPackager.Package(dir);
        var entries = Entries(packaged.Archive);

        Assert.Equal("demo-1.0.0.tgz", packaged.FileName);
        Assert.Equal(
            ["demo/Chart.yaml", "demo/Chart.lock", "demo/values.yaml", "demo/values.schema.json", "demo/templates/svc.yaml", "demo/README.md",
             "demo/charts/sub/Chart.yaml", "demo/charts/sub/templates/cm.yaml"],
            entries.Select(e => e.Entry.Name));
        Assert.Equal(
            "apiVersion: v2\ndependencies:\n- name: sub\n  repository: file://charts/sub\n  version: 0.1.0\nname: demo\nversion: 1.0.0\n",
            Encoding.UTF8.GetString(entries[0].Data));
        Assert.Equal(
            "dependencies:\n- name: sub\n  repository: file://charts/sub\n  version: 0.1.0\ndigest: sha256:abc\ngenerated: \"2021-09-01T20:34:58.651387237Z\"\n",
            Encoding.UTF8.GetString(entries[1].Data));

        var contents = ChartArchive.Read(packaged.Archive, packaged.FileName);
        Assert.Equal("demo", contents.ChartName);
    }

    [Fact]
    public void Package_SourceDateEpoch_AlsoStampsChartLockGenerated()
    {
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir, ("Chart.lock", "dependencies: null\ndigest: d\ngenerated: \"2021-09-01T20:34:58.651387237Z\"\n"));
        var packaged = ChartPackager.Package(dir, new PackageOptions { ModificationTime = Epoch2021 });
        var lockEntry = Entries(packaged.Archive).Single(e => e.Entry.Name == "demo/Chart.lock");
        Assert.Equal("dependencies: null\ndigest: d\ngenerated: \"2021-01-01T00:00:00Z\"\n", Encoding.UTF8.GetString(lockEntry.Data));
    }

    [Fact]
    public void Package_ApiVersionV1_DependenciesLeftOutOfChartYaml()
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("old"),
            ("Chart.yaml", "apiVersion: v1\nname: old\nversion: 1.0.0\n"),
            ("requirements.yaml", "dependencies:\n- name: dep\n  repository: https://example.com\n"),
            ("charts/dep/Chart.yaml", "apiVersion: v1\nname: dep\nversion: 0.1.0\n"));
        var packaged = ChartPackager.Package(dir);
        var entries = Entries(packaged.Archive);
        Assert.Equal("apiVersion: v1\nname: old\nversion: 1.0.0\n", Encoding.UTF8.GetString(entries[0].Data));
        Assert.Contains(entries, e => e.Entry.Name == "old/requirements.yaml");
        Assert.Single(packaged.Metadata.Dependencies!);
    }

    [Fact]
    public void Package_DependenciesMissingFromCharts_RefusedNamingThemInHelmsWords()
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("app"),
            ("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n"
                + "- name: redis\n  version: 1.x\n  repository: https://example.com/charts\n"
                + "- name: common\n  version: 2.0.0\n  repository: file://../common\n  alias: lib\n"
                + "- name: pg\n  version: 2.0.0\n  repository: file://../pg\n  alias: db\n"),
            ("charts/common/Chart.yaml", "apiVersion: v2\nname: common\nversion: 9.9.9\n"));

        var ex = Assert.Throws<ChartsealException>(() => ChartPackager.Package(dir));

        Assert.Equal("found in Chart.yaml, but missing in charts/ directory: redis, pg", ex.Reason);
        Assert.Equal(dir, ex.File);
    }

    [Fact]
    public void Package_RequirementsYamlDependencyMissing_Refused()
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("old"),
            ("Chart.yaml", "apiVersion: v1\nname: old\nversion: 1.0.0\n"),
            ("requirements.yaml", "dependencies:\n- name: dep\n  repository: https://example.com\n"));
        var ex = Assert.Throws<ChartsealException>(() => ChartPackager.Package(dir));
        Assert.Equal("found in Chart.yaml, but missing in charts/ directory: dep", ex.Reason);
    }

    [Fact]
    public void Package_VersionOverrides_AppliedToMetadataAndFileName()
    {
        var packaged = ChartPackager.Package(TestPaths.Helm("hashtest"), new PackageOptions { Version = "2.0.0-rc.1", AppVersion = "v3.1" });
        Assert.Equal("hashtest-2.0.0-rc.1.tgz", packaged.FileName);
        var contents = ChartArchive.Read(packaged.Archive, packaged.FileName);
        Assert.Equal("2.0.0-rc.1", contents.Metadata.Version);
        Assert.Equal("v3.1", contents.Metadata.AppVersion);
    }

    [Fact]
    public void Package_InvalidVersionOverride_Refused()
    {
        var ex = Assert.Throws<ChartsealException>(() =>
            ChartPackager.Package(TestPaths.Helm("hashtest"), new PackageOptions { Version = "1.1.3-023658" }));
        Assert.Contains("invalid version \"1.1.3-023658\": version segment starts with 0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("stable")]
    [InlineData("RELEASE.2023-01-01T00-00-00Z")]
    public void Package_AppVersionNotSemVer_SetAsGivenAsHelmDoes(string appVersion)
    {
        var packaged = ChartPackager.Package(TestPaths.Helm("hashtest"), new PackageOptions { AppVersion = appVersion });
        Assert.Equal(appVersion, ChartArchive.Read(packaged.Archive, packaged.FileName).Metadata.AppVersion);
    }

    [Fact]
    public void Package_EmptyOverrides_LeaveChartYamlAsHelmDoes()
    {
        using var temp = new TempDirectory();
        string dir = WriteChart(temp.File("demo"), ("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: stable\n"));
        var packaged = ChartPackager.Package(dir, new PackageOptions { Version = "", AppVersion = "" });
        Assert.Equal("demo-1.0.0.tgz", packaged.FileName);
        Assert.Equal("stable", packaged.Metadata.AppVersion);
    }

    [Fact]
    public void Package_InvalidSchemaJson_Refused()
    {
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir, ("values.schema.json", "{ \"title\": "));
        var ex = Assert.Throws<ChartsealException>(() => ChartPackager.Package(dir));
        Assert.Contains("invalid JSON in values.schema.json", ex.Message, StringComparison.Ordinal);
        Assert.Equal($"{dir}/values.schema.json", ex.File);
    }

    [Fact]
    public void Package_InvalidSchemaJsonInASubchart_NamesTheSubchartsFile()
    {
        using var temp = new TempDirectory();
        string dir = WriteSimpleChart(temp.File("demo"));
        WriteChart(dir, ("values.schema.json", "{}"),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"), ("charts/sub/values.schema.json", "{ \"title\": "));
        var ex = Assert.Throws<ChartsealException>(() => ChartPackager.Package(dir));
        Assert.Equal($"{dir}/charts/sub/values.schema.json", ex.File);
    }

    [Fact]
    public void Package_HelmIgnoredFile_NotInArchive()
    {
        using var temp = new TempDirectory();
        string dir = CopyHashtest(temp);
        WriteChart(dir, ("notes.txt", "n"), (".git/config", "x"), (".DS_Store", "x"));
        var names = Entries(ChartPackager.Package(dir).Archive).Select(e => e.Entry.Name).ToList();
        Assert.Contains("hashtest/notes.txt", names);
        Assert.DoesNotContain(names, n => n.Contains(".git/", StringComparison.Ordinal) || n.EndsWith(".DS_Store", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1609459200", 1609459200L)]
    [InlineData("0", 0L)]
    public void ParseSourceDateEpoch_NonNegativeInteger_Accepted(string value, long seconds)
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(seconds), ChartPackager.ParseSourceDateEpoch(value));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("abc")]
    [InlineData(" 1")]
    [InlineData("99999999999999999999")]
    public void ParseSourceDateEpoch_Malformed_Refused(string value)
    {
        var ex = Assert.Throws<ChartsealException>(() => ChartPackager.ParseSourceDateEpoch(value));
        Assert.StartsWith("invalid SOURCE_DATE_EPOCH", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseSourceDateEpoch_UnsetOrEmpty_Null()
    {
        Assert.Null(ChartPackager.ParseSourceDateEpoch(null));
        Assert.Null(ChartPackager.ParseSourceDateEpoch(""));
    }
}

using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Charts.ChartFixtures;

namespace Chartseal.Tests.Charts;

public sealed class ChartArchiveTests
{
    private static ChartArchiveContents ReadVector(string vector) =>
        ChartArchive.Read(File.ReadAllBytes(TestPaths.Helm(vector)), Path.GetFileName(vector));

    private static UnsafeArchiveException Refused(byte[] archive, ArchiveLimits? limits = null) =>
        Assert.Throws<UnsafeArchiveException>(() => ChartArchive.Read(archive, "evil.tgz", limits));

    [Fact]
    public void Read_HashtestVector_FilesInArchiveOrder()
    {
        var contents = ReadVector("hashtest-1.2.3.tgz");
        Assert.Equal("hashtest", contents.ChartName);
        Assert.Equal("1.2.3", contents.Metadata.Version);
        Assert.Equal(["Chart.yaml", "values.yaml", ".helmignore"], contents.Files.Select(f => f.Path));
        var values = contents.Files[1];
        Assert.Equal(3, values.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(values.Bytes.Span)), values.Sha256);
    }

    [Fact]
    public void Read_AhabVector_ReadsLockSchemaAndNestedFile()
    {
        var contents = ReadVector("extra/ahab-1.2.3.tgz");
        Assert.Equal("ahab", contents.ChartName);
        Assert.Equal("v2", contents.Metadata.ApiVersion);
        Assert.Equal(["Chart.yaml", "Chart.lock", "values.schema.json", "scheherazade/shahryar.txt"], contents.Files.Select(f => f.Path));
        Assert.Equal("1,001 Nights", Encoding.UTF8.GetString(contents.Files[3].Bytes.Span));
    }

    [Fact]
    public void Read_SigntestVector_ReadsAllEightFiles()
    {
        var contents = ReadVector("extra/downloader-testdata/signtest-0.1.0.tgz");
        Assert.Equal("signtest", contents.ChartName);
        Assert.Equal("0.1.0", contents.Metadata.Version);
        Assert.Equal(8, contents.Files.Count);
        Assert.Contains(contents.Files, f => f.Path == "alpine/templates/alpine-pod.yaml");
    }

    [Fact]
    public void Read_Stream_SameAsMemory()
    {
        using var stream = File.OpenRead(TestPaths.Helm("hashtest-1.2.3.tgz"));
        var contents = ChartArchive.Read(stream, "hashtest-1.2.3.tgz");
        Assert.Null(ChartArchive.FindFirstDifference(contents, ReadVector("hashtest-1.2.3.tgz")));
    }

    [Fact]
    public void Read_PaxHeadersAndDirectories_Skipped()
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "x" }));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "demo/"));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "demo/Chart.yaml")
            {
                DataStream = new MemoryStream("apiVersion: v2\nname: demo\nversion: 1.0.0\n"u8.ToArray()),
            });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "demo/" + new string('n', 150) + ".txt") { DataStream = new MemoryStream([1]) });
        }
        var contents = ChartArchive.Read(output.ToArray(), "pax.tgz");
        Assert.Equal(["Chart.yaml", new string('n', 150) + ".txt"], contents.Files.Select(f => f.Path));
    }

    public static TheoryData<string, Entry[], string> HostileEntries => new()
    {
        { "parent directory", [new Entry("demo/../evil")], "entry path refers to a parent directory (\"..\") (entry \"demo/../evil\")" },
        { "leading parent", [new Entry("../evil")], "refers to a parent directory" },
        { "backslash parent", [new Entry("demo\\..\\evil")], "refers to a parent directory" },
        { "absolute path", [new Entry("/etc/passwd")], "entry has an absolute path" },
        { "backslash absolute", [new Entry("\\etc\\passwd")], "entry has an absolute path" },
        { "drive letter", [new Entry("demo/c:/windows/evil")], "drive letter" },
        { "dot segment", [new Entry("demo/./x")], "empty or \".\" segment" },
        { "symlink", [new Entry("demo/link", TarEntryType.SymbolicLink, LinkName: "/etc/passwd")], "link entries are not allowed (link to \"/etc/passwd\") (entry \"demo/link\")" },
        { "hardlink", [new Entry("demo/link", TarEntryType.HardLink, LinkName: "demo/Chart.yaml")], "link entries are not allowed" },
        { "char device", [new Entry("demo/null", TarEntryType.CharacterDevice)], "CharacterDevice entries are not allowed" },
        { "block device", [new Entry("demo/sda", TarEntryType.BlockDevice)], "BlockDevice entries are not allowed" },
        { "fifo", [new Entry("demo/pipe", TarEntryType.Fifo)], "Fifo entries are not allowed" },
        { "two top folders", [new Entry("other/x.txt")], "archive has more than one top folder (\"demo\" and \"other\")" },
        { "top-level file", [new Entry("README.md")], "more than one top folder" },
        { "duplicate path", [new Entry("demo/x.txt"), new Entry("demo/x.txt")], "duplicate entry path" },
        { "file over folder", [new Entry("demo/a"), new Entry("demo/a/b")], "same path as a folder" },
    };

    [Theory]
    [MemberData(nameof(HostileEntries))]
    public void Read_HostileEntry_Refused(string attack, Entry[] entries, string message)
    {
        _ = attack;
        var ex = Refused(ChartTgz(entries));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("evil.tgz: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TopLevelFileOnly_Refused()
    {
        var ex = Refused(Tgz(new Entry("Chart.yaml", Text: "apiVersion: v2\nname: demo\nversion: 1.0.0\n")));
        Assert.Equal("file is not inside the chart's top folder", ex.Detail);
        Assert.Equal("Chart.yaml", ex.EntryName);
    }

    [Fact]
    public void Read_NotGzip_Refused()
    {
        var ex = Refused("not a tarball at all"u8.ToArray());
        Assert.Equal("evil.tgz: does not appear to be a gzipped archive", ex.Message);
        Assert.Equal("does not appear to be a gzipped archive", Refused([]).Detail);
    }

    [Fact]
    public void Read_TruncatedGzip_Refused()
    {
        byte[] archive = File.ReadAllBytes(TestPaths.Helm("extra/downloader-testdata/signtest-0.1.0.tgz"));
        foreach (int cut in new[] { 4, 8, 100, archive.Length / 2 })
        {
            var ex = Refused(archive[..^cut]);
            Assert.StartsWith("corrupt archive", ex.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_GzipTrailerWithAWrongCrc32_Refused()
    {
        // Same length, same data: only the CRC-32 in the gzip trailer can tell (zlib or our own check may say so).
        byte[] archive = File.ReadAllBytes(TestPaths.Helm("extra/downloader-testdata/signtest-0.1.0.tgz"));
        _ = ChartArchive.Read(archive, "signtest-0.1.0.tgz");
        archive[^8] ^= 0x01;
        Assert.StartsWith("corrupt archive", Refused(archive).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CorruptGzip_Refused()
    {
        byte[] archive = File.ReadAllBytes(TestPaths.Helm("extra/downloader-testdata/signtest-0.1.0.tgz"));
        for (int i = 40; i < 200; i++)
        {
            archive[i] ^= 0x5A;
        }
        Assert.StartsWith("corrupt archive", Refused(archive).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CorruptTarHeader_Refused()
    {
        byte[] tar = new byte[1024];
        "demo/Chart.yaml"u8.CopyTo(tar);
        "garbage"u8.CopyTo(tar.AsSpan(124)); // size field is not octal; checksum is wrong
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }
        Assert.StartsWith("corrupt archive", Refused(output.ToArray()).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GarbageAfterEntries_Refused()
    {
        // A block with a blank checksum field ends System.Formats.Tar's reader quietly; it must not pass as the end.
        byte[] tar = Decompress(ChartTgz(new Entry("demo/a.txt", Text: "a")));
        int end = tar.Length - 1024;
        "demo/hidden.txt"u8.CopyTo(tar.AsSpan(end));
        Assert.Equal("corrupt archive: invalid tar header", Refused(Compress(tar)).Detail);

        byte[] trailing = Decompress(ChartTgz());
        Assert.Equal("corrupt archive: data after the end of the tar archive", Refused(Compress([.. trailing, .. new byte[512], 1])).Detail);
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

    private static byte[] Compress(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    [Fact]
    public void Read_GzipBomb_StopsAtTheLimitQuickly()
    {
        // 200 MiB of zeros in 4 MiB files (each under the per-file limit) compress to about 200 KiB.
        byte[] bomb = ZeroFilesTgz(files: 50, fileSize: 4 << 20);
        Assert.True(bomb.Length < 2 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var ex = Refused(bomb);
        Assert.Equal("decompressed archive is larger than the maximum size 104857600", ex.Detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 160L << 20, "allocated more than the limit allows");
    }

    [Fact]
    public void Read_HugeChartYaml_RefusedFromTheHeaderAlone()
    {
        // The header claims 100 MB; the check fires before any data is read (there is none).
        var watch = Stopwatch.StartNew();
        var ex = Refused(HeaderOnlyTgz("demo/Chart.yaml", 100_000_000));
        Assert.Equal("file is 100000000 bytes, larger than the maximum file size 5242880", ex.Detail);
        Assert.Equal("demo/Chart.yaml", ex.EntryName);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void Read_RequirementsYamlSettingAChartYamlField_RefusedWhereHelmAppliesIt(string helmVersion)
    {
        // Helm unmarshals requirements.yaml over the metadata: this archive is demo 6.6.6 to Helm, not 1.0.0.
        byte[] archive = ChartTgz(new Entry("demo/requirements.yaml", Text: "version: 6.6.6\ndependencies: []\n"));
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("demo-1.0.0.tgz"), archive);
        var helm = HelmPeer.Of(helmVersion).Run(temp.Path, "show", "chart", temp.File("demo-1.0.0.tgz"));
        Assert.True(helm.ExitCode == 0 && helm.StdOut.Contains("version: 6.6.6\n", StringComparison.Ordinal), helm.ToString());

        var ex = Refused(archive);
        Assert.Equal("not a valid chart: field \"version\": requirements.yaml may only hold dependencies (Helm would apply it over Chart.yaml)", ex.Detail);
        Assert.Equal("demo/requirements.yaml", ex.EntryName);
    }

    [Fact]
    public void Read_YamlBombInChartYaml_RefusedAsInvalidChart()
    {
        var yaml = new StringBuilder("apiVersion: v2\nname: demo\nversion: 1.0.0\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 9; i++)
        {
            yaml.Append($"a{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }
        var ex = Refused(Tgz(new Entry("demo/Chart.yaml", Text: yaml.ToString())));
        Assert.StartsWith("not a valid chart: YAML aliases expand to more than", ex.Detail, StringComparison.Ordinal);
        Assert.Equal("demo/Chart.yaml", ex.EntryName);
    }

    [Fact]
    public void Read_ChartYamlWithAnInvalidGlobalTag_RefusedNotArgumentException()
    {
        // Found by the fuzz tests: YamlDotNet throws ArgumentException ("Global tags must be valid URIs").
        var ex = Refused(Tgz(new Entry("demo/Chart.yaml", Text: "apiVersion: v2\nname: !!a]\nversion: 1.0.0\n")));
        Assert.StartsWith("not a valid chart: invalid YAML", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InvalidChartYaml_RefusedAsInvalidChart()
    {
        var ex = Refused(Tgz(new Entry("demo/Chart.yaml", Text: "apiVersion: v2\nname: demo\nversion: abc\n")));
        Assert.Equal("not a valid chart: validation: chart.metadata.version \"abc\" is invalid: invalid semantic version", ex.Detail);
    }

    [Fact]
    public void Read_NoChartYaml_Refused()
    {
        Assert.StartsWith("not a valid chart: no Chart.yaml", Refused(Tgz(new Entry("demo/values.yaml"))).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TopFolderDiffersFromName_Refused()
    {
        var ex = Refused(Tgz(new Entry("other/Chart.yaml", Text: "apiVersion: v2\nname: demo\nversion: 1.0.0\n")));
        Assert.Equal("top folder \"other\" does not match the chart name \"demo\"", ex.Detail);
    }

    [Fact]
    public void Read_TooManyEntries_Refused()
    {
        var entries = Enumerable.Range(0, 20).Select(i => new Entry($"demo/f{i}.txt")).ToArray();
        var ex = Refused(ChartTgz(entries), new ArchiveLimits { MaxEntries = 10 });
        Assert.Equal("archive has more than 10 entries", ex.Detail);
    }

    [Fact]
    public void Read_OnlyDirectories_Refused()
    {
        Assert.Equal("no files in chart archive", Refused(Tgz(new Entry("demo/", TarEntryType.Directory))).Detail);
    }

    [Fact]
    public async Task ExtractToAsync_ValidArchive_WritesTreeAndLeavesNoTemporaryFolder()
    {
        using var temp = new TempDirectory();
        var contents = ReadVector("extra/downloader-testdata/signtest-0.1.0.tgz");
        string destination = temp.File(contents.ChartName);

        await ChartArchive.ExtractToAsync(contents, destination, TestContext.Current.CancellationToken);

        foreach (var file in contents.Files)
        {
            Assert.Equal(file.Bytes.ToArray(), File.ReadAllBytes(Path.Combine(destination, file.Path)));
        }
        Assert.Equal([destination], Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task ExtractToAsync_PathLongerThanTheFileSystemAllows_OneLineNamingTheFileAndNothingLeft()
    {
        // A tar name may be as long as a PAX record allows; a file system allows 255 bytes per name.
        using var temp = new TempDirectory();
        string longName = "templates/" + new string('n', 300) + ".yaml";
        var contents = ChartArchive.Read(ChartTgz(new Entry("demo/" + longName, Text: "x")), "demo-1.0.0.tgz");

        var ex = await Assert.ThrowsAsync<ChartsealException>(() =>
            ChartArchive.ExtractToAsync(contents, temp.File("out/demo"), TestContext.Current.CancellationToken));

        Assert.Equal($"cannot unpack \"{longName}\" of demo-1.0.0.tgz: the path is longer than the file system allows", ex.Reason);
        Assert.Equal(temp.File("out/demo"), ex.File);
        Assert.Empty(Directory.GetFileSystemEntries(temp.File("out")));
    }

    [Fact]
    public async Task ExtractToAsync_ExistingDestination_Refused()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("hashtest"));
        var ex = await Assert.ThrowsAsync<ChartsealException>(() =>
            ChartArchive.ExtractToAsync(ReadVector("hashtest-1.2.3.tgz"), temp.File("hashtest"), TestContext.Current.CancellationToken));
        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("/tmp/evil")]
    [InlineData("a/../../evil")]
    [InlineData("..\\evil")]
    public async Task ExtractToAsync_UnsafePath_WritesNothing(string path)
    {
        using var temp = new TempDirectory();
        var metadata = new ChartMetadata { ApiVersion = "v2", Name = "demo", Version = "1.0.0" };
        var contents = new ChartArchiveContents("evil.tgz", metadata,
            [new ChartArchiveFile("ok.txt", new byte[] { 1 }, ""), new ChartArchiveFile(path, new byte[] { 2 }, "")]);
        string destination = temp.File("out/demo");

        await Assert.ThrowsAsync<UnsafeArchiveException>(() => ChartArchive.ExtractToAsync(contents, destination, TestContext.Current.CancellationToken));

        Assert.False(Directory.Exists(destination));
        Assert.Empty(Directory.GetFileSystemEntries(temp.File("out")));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void FindFirstDifference_SameArchive_Null()
    {
        Assert.Null(ChartArchive.FindFirstDifference(ReadVector("hashtest-1.2.3.tgz"), ReadVector("hashtest-1.2.3.tgz")));
    }

    [Fact]
    public void FindFirstDifference_SameFilesInOtherOrder_Null()
    {
        var a = ChartArchive.Read(ChartTgz(new Entry("demo/a.txt", Text: "a"), new Entry("demo/b.txt", Text: "b")), "a.tgz");
        var b = ChartArchive.Read(ChartTgz(new Entry("demo/b.txt", Text: "b"), new Entry("demo/a.txt", Text: "a")), "b.tgz");
        Assert.Null(ChartArchive.FindFirstDifference(a, b));
    }

    [Fact]
    public void FindFirstDifference_ChangedFile_NamesIt()
    {
        var a = ChartArchive.Read(ChartTgz(new Entry("demo/templates/x.yaml", Text: "one")), "a.tgz");
        var b = ChartArchive.Read(ChartTgz(new Entry("demo/templates/x.yaml", Text: "two!")), "b.tgz");
        string? difference = ChartArchive.FindFirstDifference(a, b);
        Assert.NotNull(difference);
        Assert.StartsWith("templates/x.yaml: contents differ (3 bytes, sha256 ", difference, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', difference);
    }

    [Fact]
    public void FindFirstDifference_FileInOneOnly_NamesItAndTheArchive()
    {
        var a = ChartArchive.Read(ChartTgz(), "a.tgz");
        var b = ChartArchive.Read(ChartTgz(new Entry("demo/extra.txt")), "b.tgz");
        Assert.Equal("extra.txt: only in b.tgz", ChartArchive.FindFirstDifference(a, b));
        Assert.Equal("extra.txt: only in b.tgz", ChartArchive.FindFirstDifference(b, a));
    }
}

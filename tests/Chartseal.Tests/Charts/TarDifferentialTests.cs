using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Support;
using static Chartseal.Tests.Provenance.HostileArchives;

namespace Chartseal.Tests.Charts;

/// <summary>
/// Archives that Chartseal would read differently from Helm (Go's <c>archive/tar</c>), GNU tar or Python: each test
/// first shows, with the real peers, that the others see another chart, then that Chartseal refuses the archive.
/// </summary>
public sealed class TarDifferentialTests
{
    private static UnsafeArchiveException Refused(byte[] archive) =>
        Assert.Throws<UnsafeArchiveException>(() => ChartArchive.Read(archive, "demo-1.0.0.tgz"));

    private static string Save(TempDirectory temp, byte[] archive)
    {
        string path = temp.File("demo-1.0.0.tgz");
        File.WriteAllBytes(path, archive);
        return path;
    }

    [Fact]
    public void GnuSparseNameSmuggling_HelmPythonAndGnuTarUnpackAHiddenTemplate_Refused()
    {
        using var temp = new TempDirectory();
        string path = Save(temp, GnuSparseNameSmuggling());

        // What the others see: templates/evil.yaml, 54 bytes; no files/blob.bin.
        foreach (var helm in new[] { HelmPeer.V4, HelmPeer.V3 })
        {
            var rendered = helm.RunChecked(temp.Path, "template", path);
            Assert.Contains("# Source: demo/templates/evil.yaml", rendered.StdOut, StringComparison.Ordinal);
        }
        Assert.Equal(["demo/Chart.yaml\t41", $"demo/templates/evil.yaml\t{Evil.Length}"], TarPeer.Python(path).Files);
        Assert.Equal(["demo/Chart.yaml", "demo/templates/evil.yaml"], TarPeer.GnuTar(path).Files);

        var ex = Refused(File.ReadAllBytes(path));
        Assert.StartsWith("unsupported PAX record \"GNU.sparse.major\"", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MixedSeparatorSmuggling_HelmRendersATemplateTheSourceDoesNotHave_Refused()
    {
        using var temp = new TempDirectory();
        string path = Save(temp, MixedSeparatorSmuggling());

        var rendered = HelmPeer.V4.RunChecked(temp.Path, "template", path);
        Assert.Contains("# Source: demo/templates/evil.yaml", rendered.StdOut, StringComparison.Ordinal);

        var ex = Refused(File.ReadAllBytes(path));
        Assert.Equal("entry path mixes \"/\" and \"\\\" separators", ex.Detail);
    }

    [Fact]
    public void DirectoryModeHidesAFile_HelmDropsATemplateOthersUnpack_Refused()
    {
        using var temp = new TempDirectory();
        string path = Save(temp, DirectoryModeHidesAFile());

        var rendered = HelmPeer.V4.RunChecked(temp.Path, "template", path);
        Assert.DoesNotContain("NetworkPolicy", rendered.StdOut, StringComparison.Ordinal);
        Assert.Contains(TarPeer.Python(path).Files, f => f.StartsWith("demo/templates/deny.yaml\t", StringComparison.Ordinal));

        var ex = Refused(File.ReadAllBytes(path));
        Assert.Equal("the file mode of a regular file has file-type bits of another type", ex.Detail);
    }

    [Fact]
    public void OldGnuSparseEntry_RefusedAsUnsafeArchiveNotACrash()
    {
        using var temp = new TempDirectory();
        string path = Save(temp, OldGnuSparseEntry());
        Assert.Contains("# Source: demo/templates/s.yaml", HelmPeer.V4.RunChecked(temp.Path, "template", path).StdOut, StringComparison.Ordinal);

        var ex = Refused(File.ReadAllBytes(path));
        Assert.Equal("the GNU tar header uses its time, offset or sparse fields", ex.Detail);
        // Without the sparse map the type alone is refused.
        var plain = Refused(RawTar.Chart().Header("demo/s.yaml", 0, 'S', RawTar.Gnu).Tgz());
        Assert.Equal("unsupported entry type 'S' (GNU sparse file)", plain.Detail);
    }

    private static readonly Dictionary<string, (Func<byte[]> Build, string Detail)> Tricks = new()
    {
        ["star trailer (Go reads a 131-byte prefix)"] = (() => RawTar.Chart().File("demo/a.txt", "a", h => RawTar.Put(h, 508, "tar\0")).Tgz(), "star format"),
        ["gnu atime (Python reads it as a prefix)"] = (() => RawTar.Chart().File("demo/a.txt", "a", h => { RawTar.Gnu(h); RawTar.Put(h, 345, "14567012345\0"); }).Tgz(), "uses its time, offset or sparse fields"),
        ["v7 header (Python joins a prefix, Go does not)"] = (() => RawTar.Chart().File("demo/a.txt", "a", h => h.AsSpan(257, 8).Clear()).Tgz(), "unsupported tar header format"),
        ["global path (renames every later entry for Python and GNU tar)"] = (() => RawTar.Chart().Pax('g', ("path", "demo/templates/evil.yaml")).File("demo/a.txt", "a").Tgz(), "unsupported PAX record \"path\" in a global header"),
        ["global size"] = (() => RawTar.Chart().Pax('g', ("size", "0")).File("demo/a.txt", "a").Tgz(), "unsupported PAX record \"size\" in a global header"),
        ["GNU.sparse.name alone"] = (() => RawTar.Chart().Pax('x', ("GNU.sparse.name", "demo/b.txt")).File("demo/a.txt", "a").Tgz(), "unsupported PAX record \"GNU.sparse.name\""),
        ["GNU.sparse 0.0 offsets"] = (() => RawTar.Chart().Pax('x', ("GNU.sparse.size", "1"), ("GNU.sparse.offset", "0")).File("demo/a.txt", "a").Tgz(), "unsupported PAX record \"GNU.sparse.size\""),
        ["linkpath"] = (() => RawTar.Chart().Pax('x', ("linkpath", "/etc/passwd")).File("demo/a.txt", "a").Tgz(), "unsupported PAX record \"linkpath\""),
        ["hdrcharset"] = (() => RawTar.Chart().Pax('x', ("hdrcharset", "BINARY")).File("demo/a.txt", "a").Tgz(), "unsupported PAX record \"hdrcharset\""),
        ["xattr"] = (() => RawTar.Chart().Pax('x', ("SCHILY.xattr.security.capability", "x")).File("demo/a.txt", "a").Tgz(), "unsupported PAX record \"SCHILY.xattr.security.capability\""),
        ["empty path (Go keeps the header name, Python empties it)"] = (() => RawTar.Chart().Pax('x', ("path", "")).File("demo/a.txt", "a").Tgz(), "the PAX record \"path\" is empty"),
        ["path twice (last wins, or first)"] = (() => RawTar.Chart().Pax('x', ("path", "demo/b.txt"), ("path", "demo/c.txt")).File("demo/a.txt", "a").Tgz(), "the PAX record \"path\" appears twice"),
        ["size with a plus sign (Go only)"] = (() => RawTar.Chart().Pax('x', ("size", "+1")).File("demo/a.txt", "a").Tgz(), "the PAX record \"size\" has an invalid value"),
        ["size with a leading zero"] = (() => RawTar.Chart().Pax('x', ("size", "01")).File("demo/a.txt", "a").Tgz(), "the PAX record \"size\" has an invalid value"),
        ["size with an underscore (Python only)"] = (() => RawTar.Chart().Pax('x', ("size", "1_0")).File("demo/a.txt", "a").Tgz(), "the PAX record \"size\" has an invalid value"),
        ["record length with a leading zero"] = (() => RawTar.Chart().PaxData('x', "020 path=demo/b.txt\n"u8.ToArray()).File("demo/a.txt", "a").Tgz(), "invalid record length"),
        ["record without its newline"] = (() => RawTar.Chart().PaxData('x', "19 path=demo/b.txt!"u8.ToArray()).File("demo/a.txt", "a").Tgz(), "invalid record in a PAX extended header"),
        ["two extended headers (Go keeps the last)"] = (() => RawTar.Chart().Pax('x', ("path", "demo/b.txt")).Pax('x', ("path", "demo/c.txt")).File("demo/a.txt", "a").Tgz(), "an extended header follows another one"),
        ["long name and extended header (Go lets the long name win)"] = (() => RawTar.Chart().LongName("demo/b.txt").Pax('x', ("path", "demo/c.txt")).File("demo/a.txt", "a").Tgz(), "an extended header follows another one"),
        ["extended header at the end"] = (() => RawTar.Chart().Pax('x', ("path", "demo/b.txt")).Tgz(), "the archive ends after an extended header"),
        ["size field with a leading NUL (0 for Python, 41 for Go)"] = (() => RawTar.Chart().File("demo/a.txt", "a", h => RawTar.Put(h, 124, "\00000000051\0")).Tgz(), "invalid size field"),
        ["size field in base-256"] = (() => RawTar.Chart().File("demo/a.txt", "a", h => { h.AsSpan(124, 12).Clear(); h[124] = 0x80; h[135] = 1; }).Tgz(), "invalid size field"),
        ["folder with data (skipped by some readers, not by Go)"] = (() => RawTar.Chart().Header("demo/sub/", 512, '5').Data(RawTar.HeaderBlock("demo/hidden.txt", 0)).Tgz(), "a folder entry carries data"),
        ["name that is not UTF-8"] = (() => RawTar.Chart().File("demo/a.txt", "a", h => h[5] = 0xFF).Tgz(), "entry name is not valid UTF-8"),
        ["symlink bits in a file's mode"] = (() => RawTar.Chart().File("demo/a.txt", "a", h => RawTar.Put(h, 100, "0120644\0")).Tgz(), "file-type bits of another type"),
        ["GNU long link name"] = (() => RawTar.Chart().Header("././@LongLink", 0, 'K', RawTar.Gnu).Tgz(), "unsupported entry type 'K' (GNU long link name)"),
        ["garbage after a long name's NUL"] = (() => RawTar.Chart().Header("././@LongLink", 6, 'L', RawTar.Gnu).Data("a\0evil"u8.ToArray()).File("demo/a.txt", "a").Tgz(), "invalid GNU long name"),
        ["huge extended header"] = (() => RawTar.Chart().Header("PaxHeaders.0/x", 1 << 20, 'x').Data(new byte[1 << 20]).Tgz(), "the extended header is larger than 65536 bytes"),
        ["truncated inside an extended header"] = (() => RawTar.Gzip(RawTar.Chart().Header("PaxHeaders.0/x", 100, 'x').Tar(end: false)), "the archive ends inside an extended header"),
    };

    public static TheoryData<string> TrickNames => [.. Tricks.Keys];

    [Theory]
    [MemberData(nameof(TrickNames))]
    public void HeaderTrick_Refused(string trick)
    {
        var (build, detail) = Tricks[trick];
        var ex = Refused(build());
        Assert.Contains(detail, ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("posix")]
    [InlineData("ustar")]
    public void GnuTarArchives_AcceptedAndReadAsPythonReadsThem(string format)
    {
        using var temp = new TempDirectory();
        // A long path (PAX path or GNU long name) and a non-ASCII name, under a single top folder.
        string longDir = format == "ustar" ? "templates" : "templates/" + new string('d', 120);
        ChartFixtures.WriteChart(temp.File("src/demo"),
            ("Chart.yaml", RawTar.ChartYaml),
            (longDir + "/cm.yaml", Evil),
            ("files/naïve.txt", "ü"));
        string archive = temp.File("demo-1.0.0.tgz");
        TarPeer.GnuTarCreate(temp.File("src"), "demo", format, archive);

        var contents = ChartArchive.Read(File.ReadAllBytes(archive), "demo-1.0.0.tgz");

        string[] python = TarPeer.Python(archive).Files;
        Assert.Equal(python.Order(StringComparer.Ordinal), contents.Files.Select(f => $"demo/{f.Path}\t{f.Size}").Order(StringComparer.Ordinal));
        Assert.Contains(contents.Files, f => f.Path == longDir + "/cm.yaml");
    }
}

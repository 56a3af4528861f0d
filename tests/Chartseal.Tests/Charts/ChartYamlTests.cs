using System.Diagnostics;
using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Charts;

public sealed class ChartYamlTests
{
    private static ChartMetadata Parse(string yaml) => ChartYaml.Parse(Encoding.UTF8.GetBytes(yaml), "Chart.yaml");

    private static ChartMetadata Valid() => new() { ApiVersion = "v2", Name = "demo", Version = "1.0.0" };

    private static string ArchivedText(string vector, string path)
    {
        var contents = ChartArchive.Read(File.ReadAllBytes(TestPaths.Helm(vector)), vector);
        return Encoding.UTF8.GetString(contents.Files.Single(f => f.Path == path).Bytes.Span);
    }

    [Fact]
    public void Serialize_HashtestArchiveMetadata_ReproducesMsgblockMetadata()
    {
        string msgblock = File.ReadAllText(TestPaths.Helm("msgblock.yaml"));
        string expected = msgblock[..(msgblock.IndexOf("\n...\n", StringComparison.Ordinal) + 1)];
        var contents = ChartArchive.Read(File.ReadAllBytes(TestPaths.Helm("hashtest-1.2.3.tgz")), "hashtest-1.2.3.tgz");

        // The message block is metadata + LF "..." LF, so the metadata ends with the blank line before "...".
        Assert.Equal(expected[..^1], ChartYaml.Serialize(contents.Metadata));
        Assert.EndsWith("\n\n", expected, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("extra/ahab-1.2.3.tgz", "Chart.yaml")]
    [InlineData("extra/downloader-testdata/signtest-0.1.0.tgz", "Chart.yaml")]
    [InlineData("extra/downloader-testdata/signtest-0.1.0.tgz", "alpine/Chart.yaml")]
    [InlineData("hashtest-1.2.3.tgz", "Chart.yaml")]
    public void Serialize_ChartYamlFromVector_ReproducesArchivedBytes(string vector, string path)
    {
        string archived = ArchivedText(vector, path);
        var metadata = ChartYaml.Parse(Encoding.UTF8.GetBytes(archived), path);
        ChartYaml.Validate(metadata, path);
        Assert.Equal(archived, ChartYaml.Serialize(metadata));
    }

    [Fact]
    public void SerializeLock_AhabChartLock_ReproducesArchivedBytes()
    {
        string archived = ArchivedText("extra/ahab-1.2.3.tgz", "Chart.lock");
        var lockFile = ChartYaml.ParseLock(Encoding.UTF8.GetBytes(archived), "Chart.lock");
        Assert.Equal("2021-09-01T20:34:58.651387237Z", lockFile.Generated);
        Assert.Equal(archived, ChartYaml.SerializeLock(lockFile));
    }

    // Expected text produced by go-yaml v2.4.0 from the same fields (see TestData/go-yaml-oracle).
    [Fact]
    public void Serialize_AllFields_GoYamlOrderAndQuoting()
    {
        var md = new ChartMetadata
        {
            ApiVersion = "v2",
            Name = "demo",
            Version = "1.0.0",
            KubeVersion = ">=1.20.0-0",
            Description = "A chart whose description is long enough that go-yaml folds it at the eightieth column mark here",
            Type = "application",
            Keywords = ["a", "true"],
            Home = "https://example.com",
            Sources = ["https://example.com/src"],
            Maintainers = [new ChartMaintainer { Name = "Ann", Email = "ann@example.com" }],
            Icon = "https://example.com/icon.png",
            AppVersion = "1.10",
            Deprecated = true,
            Annotations = new() { ["notes"] = "line one\nline two\n", ["b10"] = "x", ["b9"] = "y" },
            Condition = "demo.enabled",
            Tags = "t",
            Dependencies = [new ChartDependency { Name = "dep", Version = "^1.0", Alias = "d", Enabled = true, ImportValues = ["data", new Dictionary<string, object?> { ["child"] = "a", ["parent"] = "b" }] }],
        };
        const string expected = """
            annotations:
              b9: "y"
              b10: x
              notes: |
                line one
                line two
            apiVersion: v2
            appVersion: "1.10"
            condition: demo.enabled
            dependencies:
            - alias: d
              enabled: true
              import-values:
              - data
              - child: a
                parent: b
              name: dep
              repository: ""
              version: ^1.0
            deprecated: true
            description: A chart whose description is long enough that go-yaml folds it at the
              eightieth column mark here
            home: https://example.com
            icon: https://example.com/icon.png
            keywords:
            - a
            - "true"
            kubeVersion: '>=1.20.0-0'
            maintainers:
            - email: ann@example.com
              name: Ann
            name: demo
            sources:
            - https://example.com/src
            tags: t
            type: application
            version: 1.0.0

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), ChartYaml.Serialize(md));
    }

    [Fact]
    public void Parse_MissingApiVersionBomAndUnknownKeys_DefaultsAndIgnores()
    {
        var md = ChartYaml.Parse([.. "\uFEFF"u8, .. "name: x\nversion: 1.0.0\nunknown: {deep: [1, 2]}\n# comment\n"u8], "Chart.yaml");
        Assert.Equal("v1", md.ApiVersion);
        Assert.Equal("x", md.Name);
    }

    [Fact]
    public void Parse_UnquotedNumbersAndBooleans_CoercedLikeHelm()
    {
        var md = Parse("name: x\nversion: 1.0.0\nappVersion: 1.10\nkubeVersion: 010\ndescription: yes\ndeprecated: on\nkeywords: [1e3, ~]\n");
        Assert.Equal("1.1", md.AppVersion);
        Assert.Equal("8", md.KubeVersion);
        Assert.Equal("true", md.Description);
        Assert.True(md.Deprecated);
        Assert.Equal(["1000", ""], md.Keywords!);
    }

    [Fact]
    public void Parse_KeysDifferingInCase_MatchFieldsCaseInsensitively()
    {
        var md = Parse("Name: x\nVERSION: 1.0.0\n");
        Assert.Equal("x", md.Name);
        Assert.Equal("1.0.0", md.Version);
    }

    [Fact]
    public void Parse_KeysThatGoFoldsToFieldNames_MatchFields()
    {
        // Go's encoding/json folds U+017F (long s) to s and U+212A (Kelvin sign) to k; .NET's ordinal ignore-case does not.
        var md = Parse("name: x\nver\u017Fion: 6.6.6\n\u212AubeVersion: '>=99.0.0'\n");
        Assert.Equal("6.6.6", md.Version);
        Assert.Equal(">=99.0.0", md.KubeVersion);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void Read_ChartYamlWithALongSVersionKey_SameVersionAsHelm(string helmVersion)
    {
        // Helm installs what `helm show chart` shows: the archive must not pass as 1.0.0 when Helm reads 6.6.6.
        const string yaml = "apiVersion: v2\nname: demo\nversion: 1.0.0\nver\u017Fion: 6.6.6\n\u212AubeVersion: '>=99.0.0'\n";
        using var temp = new TempDirectory();
        string archive = temp.File("demo-1.0.0.tgz");
        File.WriteAllBytes(archive, ChartFixtures.Tgz(new ChartFixtures.Entry("demo/Chart.yaml", Text: yaml)));
        var helm = HelmPeer.Of(helmVersion).Run(temp.Path, "show", "chart", archive);

        var ex = Assert.Throws<UnsafeArchiveException>(() => ChartArchive.Read(File.ReadAllBytes(archive), "demo-1.0.0.tgz"));
        Assert.Contains("duplicate key \"ver\u017Fion\" (same field as another key)", ex.Message, StringComparison.Ordinal);
        Assert.True(helm.ExitCode == 0 && helm.StdOut.Contains("version: 6.6.6\n", StringComparison.Ordinal)
            && helm.StdOut.Contains("kubeVersion: '>=99.0.0'", StringComparison.Ordinal), helm.ToString());
    }

    [Theory]
    [InlineData("name: a\nname: b\n", "duplicate key \"name\"")]
    [InlineData("name: a\nName: b\n", "duplicate key \"Name\"")]
    [InlineData("version: 1.0.0\nver\u017Fion: 6.6.6\n", "duplicate key \"ver\u017Fion\"")]
    [InlineData("kubeVersion: '1'\n\u212AubeVersion: '2'\n", "duplicate key \"\u212AubeVersion\"")]
    [InlineData("annotations:\n  k: 1\n  k: 2\n", "duplicate key \"k\"")]
    public void Parse_DuplicateKeys_Refused(string yaml, string message)
    {
        var ex = Assert.Throws<ChartsealException>(() => Parse(yaml));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: [a]\n", "field \"name\": expected a string, got a sequence")]
    [InlineData("keywords: a\n", "field \"keywords\": expected a sequence")]
    [InlineData("maintainers:\n- name: {a: b}\n", "field \"maintainers[0].name\": expected a string, got a mapping")]
    [InlineData("deprecated: maybe\n", "field \"deprecated\": expected true or false")]
    [InlineData("maintainers:\n-\n", "validation: maintainers must not contain empty or null nodes")]
    [InlineData("dependencies: [~]\n", "validation: dependencies must not contain empty or null nodes")]
    [InlineData("base: &b {name: x}\n<<: *b\n", "merge keys")]
    [InlineData("name: x\n---\nname: y\n", "more than one document")]
    [InlineData("name: 'x\n", "invalid YAML")]
    [InlineData("- a\n", "expected a mapping")]
    [InlineData("name: !!binary aGVsbG8=\n", "unsupported YAML tag")]
    public void Parse_WrongShapes_ErrorNamesTheField(string yaml, string message)
    {
        var ex = Assert.Throws<ChartsealException>(() => Parse(yaml));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("Chart.yaml: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SmallAliases_Expanded()
    {
        var md = Parse("name: &n demo\nversion: 1.0.0\nkeywords: &k [a, b]\nsources: *k\ndescription: *n\n");
        Assert.Equal("demo", md.Description);
        Assert.Equal(["a", "b"], md.Sources!);
    }

    [Fact]
    public void Parse_BillionLaughs_FailsFastWithBoundedWork()
    {
        var yaml = new StringBuilder("name: x\nversion: 1.0.0\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++)
        {
            yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }
        yaml.Append("keywords: *a9\n");
        var watch = Stopwatch.StartNew();
        var ex = Assert.Throws<ChartsealException>(() => Parse(yaml.ToString()));
        Assert.Contains("YAML aliases expand to more than", ex.Message, StringComparison.Ordinal);
        Assert.Contains("possible YAML bomb", ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Parse_DeepNesting_Refused()
    {
        string yaml = "name: " + new string('[', 10_000) + new string(']', 10_000) + "\n";
        var ex = Assert.Throws<ChartsealException>(() => Parse(yaml));
        Assert.Contains("nesting is deeper than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverFiveMebibytes_RefusedBeforeParsing()
    {
        var big = new byte[ChartYaml.MaxFileSize + 1];
        var watch = Stopwatch.StartNew();
        var ex = Assert.Throws<ChartsealException>(() => ChartYaml.Parse(big, "Chart.yaml"));
        Assert.Contains("larger than the maximum file size 5242880", ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Parse_InvalidUtf8_Refused()
    {
        var ex = Assert.Throws<ChartsealException>(() => ChartYaml.Parse([.. "name: "u8, 0xFF, 0xFE, (byte)'\n'], "Chart.yaml"));
        Assert.Contains("not valid UTF-8", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<Action<ChartMetadata>, string> InvalidFields => new()
    {
        { md => md.ApiVersion = "", "validation: chart.metadata.apiVersion is required" },
        { md => md.ApiVersion = "v3", "validation: chart.metadata.apiVersion \"v3\" is not supported" },
        { md => md.Name = "", "validation: chart.metadata.name is required" },
        { md => md.Name = "..", "validation: chart.metadata.name \"..\" is not allowed" },
        { md => md.Name = "a/b", "validation: chart.metadata.name \"a/b\" is invalid" },
        { md => md.Version = "", "validation: chart.metadata.version is required" },
        { md => md.Version = "abc", "validation: chart.metadata.version \"abc\" is invalid: invalid semantic version" },
        { md => md.Version = "1.1.3-023658", "validation: chart.metadata.version \"1.1.3-023658\" is invalid: version segment starts with 0" },
        { md => md.Type = "plugin", "validation: chart.metadata.type \"plugin\" must be application or library" },
        { md => md.Dependencies = [new ChartDependency { Name = "x", Alias = "bad alias" }], "validation: dependency \"x\" has disallowed characters in the alias" },
        { md => md.Dependencies = [new ChartDependency { Name = "x" }, new ChartDependency { Name = "y", Alias = "x" }], "validation: more than one dependency with name or alias \"x\"" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public void Validate_InvalidField_ErrorNamesTheField(Action<ChartMetadata> breakIt, string message)
    {
        var md = Valid();
        breakIt(md);
        var ex = Assert.Throws<ChartsealException>(() => ChartYaml.Validate(md, "Chart.yaml"));
        Assert.StartsWith("Chart.yaml: " + message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LenientVersionAndKnownTypes_Accepted()
    {
        var md = Valid();
        md.Version = "v1.2";
        md.Type = "library";
        ChartYaml.Validate(md, "Chart.yaml");
    }

    [Fact]
    public void Validate_ControlAndSpaceCharacters_Sanitised()
    {
        var md = Valid();
        md.Description = "tab\there\u0000 nbsp\u00a0end\u200b";
        md.Keywords = ["a\nb"];
        md.Maintainers = [new ChartMaintainer { Name = "x\u0007y" }];
        ChartYaml.Validate(md, "Chart.yaml");
        Assert.Equal("tab here nbsp end", md.Description);
        Assert.Equal(["a b"], md.Keywords);
        Assert.Equal("xy", md.Maintainers[0].Name);
    }
}

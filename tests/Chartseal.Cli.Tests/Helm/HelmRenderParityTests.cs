using Chartseal.Charts;
using Chartseal.Tests.Support;
using static Chartseal.Cli.Tests.Helm.RenderParity;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// <c>chartseal package</c> archives render exactly like the real Helm's own package of the same source
/// (Helm 4.1.4 and 3.17.3: <c>helm template</c>, <c>helm show all</c>, <c>helm lint --strict</c>, and the same files).
/// </summary>
public sealed class HelmRenderParityTests
{
    public static TheoryData<string> Layouts => new() { "subcharts", "helmignore", "utf8", "deep-paths", "long-names" };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ChartsealPackage_RendersLikeHelmPackage(string layout)
    {
        using var temp = new TempDirectory();
        string source = temp.File(layout);
        string archive = layout switch
        {
            "subcharts" => Subcharts(source),
            "helmignore" => HelmIgnored(source),
            "utf8" => Utf8(source),
            "deep-paths" => DeepPaths(source),
            "long-names" => LongNames(source),
            _ => throw new ArgumentException(layout),
        };
        AssertHelmRendersOursLikeItsOwn(source, archive);
    }

    // Folder subcharts (one with its own subchart), a packed .tgz subchart under an alias, a disabled one, globals.
    private static string Subcharts(string root)
    {
        Write(root,
            ChartYaml("parent", "1.0.0", """
                dependencies:
                  - name: sub
                    version: 0.1.0
                    condition: sub.enabled
                  - name: packed
                    version: 0.2.0
                    alias: renamed
                  - name: disabled
                    version: 0.3.0
                    condition: disabled.enabled

                """),
            ("values.yaml", "global:\n  region: eu-west\nsub:\n  enabled: true\n  greeting: from-parent\nrenamed:\n  size: 3\ndisabled:\n  enabled: false\n"),
            Probe(),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\ndependencies:\n  - name: nested\n    version: 0.0.1\n"),
            ("charts/sub/values.yaml", "greeting: default\nnested:\n  colour: blue\n"),
            Probe("charts/sub/templates/probe.yaml"),
            ("charts/sub/files/sub.txt", "in the subchart\n"),
            ("charts/sub/charts/nested/Chart.yaml", "apiVersion: v2\nname: nested\nversion: 0.0.1\n"),
            ("charts/sub/charts/nested/values.yaml", "colour: red\n"),
            Probe("charts/sub/charts/nested/templates/probe.yaml"),
            ("charts/disabled/Chart.yaml", "apiVersion: v2\nname: disabled\nversion: 0.3.0\n"),
            Probe("charts/disabled/templates/probe.yaml"));
        string packedSource = Write(Path.Combine(Path.GetDirectoryName(root)!, "packed-src"),
            ("Chart.yaml", "apiVersion: v2\nname: packed\nversion: 0.2.0\n"),
            ("values.yaml", "size: 1\n"),
            ("files/data.txt", "packed data\n"),
            Probe());
        File.WriteAllBytes(Path.Combine(root, "charts", "packed-0.2.0.tgz"), ChartPackager.Package(packedSource).Archive);
        return "parent-1.0.0.tgz";
    }

    // .helmignore rules: globs, folders, anchored names, ignored templates, a subchart folder (and its own .helmignore).
    private static string HelmIgnored(string root)
    {
        Write(root,
            ChartYaml("ignoring", "0.1.0", "dependencies:\n  - name: sub\n    version: 0.1.0\n"),
            ("values.yaml", "a: 1\n"),
            (".helmignore", "# comments and blank lines are skipped\n\n*.bak\ndocs/\n/rootonly.txt\ntemp?.txt\nsecrets/*.key\n.git/\n"),
            Probe(),
            ("templates/skipped.bak", "not: a template\n"),
            ("rootonly.txt", "ignored at the top\n"),
            ("files/rootonly.txt", "kept below the top\n"),
            ("files/deep/old.bak", "ignored\n"),
            ("docs/guide.md", "ignored folder\n"),
            ("files/docs/inner.md", "a folder named docs below the top\n"),
            ("temp1.txt", "ignored\n"),
            ("temp12.txt", "kept: ? is one character\n"),
            ("secrets/a.key", "ignored\n"),
            ("secrets/a.txt", "kept\n"),
            (".git/config", "ignored\n"),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("charts/sub/.helmignore", "*.txt\n"),
            // Helm reads only the top .helmignore when it packages, and applies it to subchart folders too.
            ("charts/sub/notes.txt", "kept: the subchart's own .helmignore is not read\n"),
            ("charts/sub/skipped.bak", "ignored by the top .helmignore\n"),
            Probe("charts/sub/templates/probe.yaml"));
        return "ignoring-0.1.0.tgz";
    }

    // Non-ASCII metadata, values (keys too), file names and contents; CRLF, no final newline, a byte-order mark.
    private static string Utf8(string root)
    {
        Write(root,
            ChartYaml("unicode", "2.0.0-rc.1+build.7", """
                appVersion: "1.0 – ünïcødé"
                keywords:
                  - grüße
                  - 日本語
                maintainers:
                  - name: Zoë Ñandú
                    email: zoe@example.com
                annotations:
                  note: "emoji 🚀 and ☃"

                """),
            ("values.yaml", "greeting: \"héllo wörld ☃\"\nключ: значение\nemoji: \"🚀\"\n"),
            Probe(),
            ("templates/ünïcødé.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-unicode\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  key: {{ index .Values \"ключ\" | quote }}\n"),
            ("files/ünï/çødé.txt", "Grüße aus Zürich – 東京\n"),
            ("files/crlf.txt", "line one\r\nline two\r\n"),
            ("files/no-final-newline.txt", "no newline at the end"),
            ("files/bom.txt", "\uFEFFstarts with a byte-order mark\n"),
            ("README.md", "# Ünïcødé ✓\n\nA chart for 🚀.\n"));
        return "unicode-2.0.0-rc.1+build.7.tgz";
    }

    // Templates, helpers and files many folders down.
    private static string DeepPaths(string root)
    {
        Write(root,
            ChartYaml("deep"),
            ("values.yaml", "depth: 10\n"),
            Probe("templates/a/b/c/d/e/f/g/h/probe.yaml"),
            ("templates/a/b/_helpers.tpl", "{{- define \"deep.label\" -}}deep-{{ .Chart.Name }}-{{ .Values.depth }}{{- end -}}\n"),
            ("templates/x/y/z/uses-helper.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-helper\n  labels:\n    app: {{ include \"deep.label\" . }}\ndata:\n  from: {{ .Template.Name | quote }}\n"),
            ("files/1/2/3/4/5/6/7/8/9/10/leaf.txt", "ten folders down\n"),
            ("files/1/2/3/sibling.txt", "three folders down\n"));
        return "deep-1.0.0.tgz";
    }

    // Names as long as a USTAR entry holds: a 100-byte file name, paths beyond 100 bytes split into prefix and name.
    private static string LongNames(string root)
    {
        string hundredByteName = new string('n', 96) + ".txt";
        string folder1 = new('d', 50), folder2 = new('e', 50);
        string longTemplate = "templates/" + new string('t', 60) + ".yaml";
        Write(root,
            ChartYaml("longnames"),
            ("values.yaml", "a: 1\n"),
            Probe(),
            Probe(longTemplate),
            ("files/" + hundredByteName, "a file name of 100 bytes\n"),
            ($"files/{folder1}/{folder2}/{new string('f', 90)}.txt", "a path of about 210 bytes\n"));
        Assert.True(("longnames/files/" + hundredByteName).Length > 100);
        return "longnames-1.0.0.tgz";
    }
}

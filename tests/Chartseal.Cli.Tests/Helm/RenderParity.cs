using Chartseal.Charts;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// Packages one chart source with <c>chartseal package</c> and with the real <c>helm package</c>, and checks that
/// Helm cannot tell the two archives apart: same files with the same bytes, and the same output (and exit code)
/// from <c>helm template</c>, <c>helm show all</c> and <c>helm lint --strict</c>, for Helm 4 and Helm 3.
/// </summary>
internal static class RenderParity
{
    private static readonly string[][] Commands =
    [
        ["template", "rel", "{archive}"],
        ["show", "all", "{archive}"],
        ["lint", "--strict", "{archive}"],
    ];

    /// <summary>Runs the comparison for a chart source folder whose archive is <paramref name="archiveName"/>.</summary>
    public static void AssertHelmRendersOursLikeItsOwn(string source, string archiveName)
    {
        using var temp = new TempDirectory();
        string ours = temp.File("chartseal");
        var packaged = Cli.Run(temp.Path, "package", source, "--destination", ours);
        Assert.True(packaged.ExitCode == 0, "chartseal package: " + packaged);
        var ourContents = ChartArchive.Read(File.ReadAllBytes(Path.Combine(ours, archiveName)), "chartseal/" + archiveName);

        foreach (var helm in new[] { HelmPeer.V4, HelmPeer.V3 })
        {
            string theirs = temp.File("helm-" + helm.Version);
            helm.RunChecked(temp.Path, "package", source, "--destination", theirs);
            var theirContents = ChartArchive.Read(File.ReadAllBytes(Path.Combine(theirs, archiveName)), $"helm-{helm.Version}/{archiveName}");
            Assert.True(ChartArchive.FindFirstDifference(theirContents, ourContents) is null,
                $"archive contents differ from helm {helm.Version} package: {ChartArchive.FindFirstDifference(theirContents, ourContents)}");

            foreach (string[] command in Commands)
            {
                string[] args = [.. command.Select(a => a == "{archive}" ? archiveName : a)];
                // Both runs see the archive under the same relative name, so paths in the output are comparable.
                var expected = helm.Run(theirs, args);
                var actual = helm.Run(ours, args);
                string what = $"helm {helm.Version} {string.Join(' ', args)}";
                Assert.True(expected.ExitCode == 0, $"{what} fails on Helm's own package, so the layout proves nothing: {expected}");
                Assert.True(expected.ExitCode == actual.ExitCode, $"{what}: exit {actual.ExitCode} on ours, {expected.ExitCode} on Helm's\n{actual}");
                Assert.Equal(expected.StdOut, actual.StdOut);
                Assert.Equal(expected.StdErr, actual.StdErr);
            }
        }
    }

    /// <summary>
    /// A ConfigMap template that prints what Helm loaded: every non-template file with the SHA-256 of its text, the
    /// chart metadata, the values (with parents' overrides) and the template's own path.
    /// </summary>
    public static (string Path, string Text) Probe(string templatePath = "templates/probe.yaml") => (templatePath,
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ printf "%s-%s-%s" .Release.Name .Chart.Name (.Template.Name | sha256sum | trunc 8) }}
        data:
          files: |
        {{- range $path, $_ := .Files.Glob "**" }}
            {{ $path }} {{ $.Files.Get $path | sha256sum }}
        {{- end }}
          chart: {{ .Chart | toJson | quote }}
          values: {{ .Values | toJson | quote }}
          template: {{ .Template.Name | quote }}
          base: {{ .Template.BasePath | quote }}
        """.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");

    /// <summary>A v2 Chart.yaml.</summary>
    public static (string Path, string Text) ChartYaml(string name, string version = "1.0.0", string extra = "") =>
        ("Chart.yaml", $"apiVersion: v2\nname: {name}\ndescription: The {name} chart\nversion: {version}\n{extra}");

    /// <summary>Writes <paramref name="files"/> below <paramref name="root"/>; byte content is written as is.</summary>
    public static string Write(string root, params (string Path, string Text)[] files) => ChartFixtures.WriteChart(root, files);
}

using System.Text.RegularExpressions;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Architecture;

/// <summary>
/// The library's layers, bottom-up, as docs/architecture.md draws them: a folder uses only the folders below it, so the
/// dependency graph has no cycle and the trust core does no I/O of its own. Read from the sources (using directives
/// and qualified names), so a new dependency that breaks the order fails here.
/// </summary>
public sealed partial class LayeringTests
{
    // Each folder of src/Chartseal, bottom first; "" is the root namespace (ChartsealException, RejectionReason, Refusal).
    private static readonly string[] Layers =
        ["", "IO", "Compat", "OpenPgp", "Tls", "Fetch", "Keys", "Charts", "Provenance", "Trust", "Gate", "Oci", "Client", "Repository"];

    // A use of any layer, read from the list itself: a folder added to the layers is checked like the others.
    private static readonly Regex UsedNamespace = new(@"\bChartseal\.(" + string.Join('|', Layers.Where(l => l.Length > 0)) + @")\b");

    private static string Library => Path.Combine(TestPaths.RepoRoot, "src", "Chartseal");

    public static TheoryData<string> Folders => new(Layers.Where(l => l.Length > 0));

    [Theory]
    [MemberData(nameof(Folders))]
    public void A_folder_uses_only_the_folders_below_it(string folder)
    {
        int level = Array.IndexOf(Layers, folder);
        var violations = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Library, folder), "*.cs"))
        {
            foreach (string used in NamespacesUsed(File.ReadAllText(file)))
            {
                int usedLevel = Array.IndexOf(Layers, used);
                if (usedLevel > level)
                {
                    violations.Add($"{Path.GetFileName(file)} uses Chartseal.{used}");
                }
            }
        }
        Assert.True(violations.Count == 0, $"{folder} must not use a layer above it: " + string.Join("; ", violations));
    }

    [Fact]
    public void Every_library_folder_has_its_place_in_the_layers()
    {
        var folders = Directory.EnumerateDirectories(Library).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToList();
        var unplaced = folders.Where(f => !Layers.Contains(f)).ToList();
        Assert.True(unplaced.Count == 0, "not in the layers: " + string.Join(", ", unplaced));
    }

    [Fact]
    public void The_trust_core_does_no_IO_of_its_own()
    {
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Library, "Trust"), "*.cs"))
        {
            string code = StripComments(File.ReadAllText(file));
            foreach (string forbidden in new[] { "System.Net", "HttpClient", "File.", "Directory.", "FileStream", "Chartseal.Repository", "Chartseal.Fetch", "Chartseal.Client" })
            {
                Assert.False(code.Contains(forbidden, StringComparison.Ordinal), $"Trust/{Path.GetFileName(file)} mentions {forbidden}");
            }
        }
    }

    [Fact]
    public void TrustDecision_Decide_is_called_only_by_the_gate()
    {
        var callers = Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => StripComments(File.ReadAllText(f)).Contains("TrustDecision.Decide(", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(TestPaths.RepoRoot, f).Replace('\\', '/'))
            .ToList();
        Assert.Equal(["src/Chartseal/Gate/TrustGate.cs"], callers);
    }

    [Fact]
    public void Each_library_file_holds_one_public_type_named_after_it()
    {
        var offenders = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)))
        {
            var types = TopLevelPublicType().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToList();
            if (types.Count > 1 || (types.Count == 1 && types[0] != Path.GetFileNameWithoutExtension(file)))
            {
                offenders.Add($"{Path.GetRelativePath(Library, file)}: {string.Join(", ", types)}");
            }
        }
        Assert.True(offenders.Count == 0, string.Join("; ", offenders));
    }

    private static IEnumerable<string> NamespacesUsed(string source)
    {
        string code = StripComments(source);
        foreach (Match m in UsedNamespace.Matches(code))
        {
            yield return m.Groups[1].Value;
        }
    }

    private static string StripComments(string source) => LineComment().Replace(source, "");

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex(@"^public\s+(?:(?:sealed|static|abstract|readonly|partial)\s+)*(?:class|record\s+struct|record|struct|enum|interface)\s+([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelPublicType();
}

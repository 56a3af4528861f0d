using System.Text;
using System.Text.Json;
using Chartseal.IO;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// A mirror serves an <c>index.yaml</c> (unsigned) with hostile descriptions and entry names, and the repository's
/// keys carry user ids with terminal control sequences: every command prints them as visible escapes.
/// </summary>
public sealed class TerminalEscapeCommandTests
{
    // OSC 52 (set the clipboard), BEL, clear the screen, an 8-bit CSI, a right-to-left override.
    private const string Attack = "\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u009b31m\u202e";
    private const string Escaped = @"\e]52;c;ZXZpbA==\x07\e[2J\x9B31m\u202E";

    private static void Ok(CliResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    // Nothing a terminal would act on: no controls but the CLI's own line breaks and table tabs, no bidirectional controls.
    private static CliResult Clean(CliResult r)
    {
        foreach (string text in new[] { r.StdOut, r.StdErr })
        {
            Assert.False(text.Any(c => c is not ('\n' or '\t') && TerminalText.IsUnsafe(c)), "raw control character in output:\n" + Escape(r.ToString()));
        }
        return r;
    }

    private static string Escape(string s) => TerminalText.Escape(s.Replace("\n", "\u2424", StringComparison.Ordinal).Replace("\t", " ", StringComparison.Ordinal));

    [Fact]
    public void HostileIndexAndUserIds_EveryCommandPrintsEscapesNotControls()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "argument passing of control characters");
        using var t = new TempDirectory();
        string example = Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        Ok(Cli.Run(t.Path, "key", "generate", "--name", $"Root {Attack} <root@example.com>", "--out", "root", "--expires", "1y"));
        Ok(Cli.Run(t.Path, "key", "generate", "--name", $"Jane {Attack}verified <jane@example.com>", "--out", "jane"));
        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Ok(Clean(Cli.Run(t.Path, "trust", "add", "repo", "jane.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc")));
        string root = Cli.Run(t.Path, "key", "fingerprint", "root.pub.asc").StdOut.Trim();
        Ok(Cli.Run(t.Path, "package", example, "-d", "built", "--sign", "--key", "jane", "--keyring", "jane.sec.asc"));
        Ok(Clean(Cli.Run(t.Path, "publish", "built/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root)));

        // trust show: the maintainer's user id.
        var show = Clean(Cli.Run(t.Path, "trust", "show", "repo"));
        Ok(show);
        Assert.Contains($"Jane {Escaped}verified <jane@example.com>", show.StdOut, StringComparison.Ordinal);

        // The mirror rewrites the description (YAML's own \e, \a, \x and \u escapes).
        string indexPath = t.File("repo/index.yaml");
        string index = File.ReadAllText(indexPath);
        Assert.Contains("description: A minimal example chart for trying Chartseal", index, StringComparison.Ordinal);
        File.WriteAllText(indexPath, index.Replace("description: A minimal example chart for trying Chartseal",
            "description: \"Hello \\e]52;c;ZXZpbA==\\a\\e[2J\\x9b31m\\u202e\"", StringComparison.Ordinal));
        using var server = new FolderServer(t.File("repo"));

        // repo add without a pin: the root's user id from the unverified root.pgp, in the error line.
        var unpinned = Clean(Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--insecure-http"));
        Assert.Equal(2, unpinned.ExitCode);
        Assert.Contains($"names root {root} (Root {Escaped} <root@example.com>)", Assert.Single(unpinned.StdErrLines), StringComparison.Ordinal);

        // repo add --trust-on-first-use: the TOFU line.
        var added = Clean(Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--insecure-http", "--trust-on-first-use"));
        Ok(added);
        Assert.Contains($"Trusting on first use: root {root} (Root {Escaped} <root@example.com>)", added.StdOut, StringComparison.Ordinal);

        // search: the table escapes the description; JSON keeps the value (escaped by the writer, bidi included).
        var search = Clean(Cli.Run(t.Path, "search", "hello"));
        Ok(search);
        Assert.Contains($"Hello {Escaped}", search.StdOut, StringComparison.Ordinal);
        var searchJson = Clean(Cli.Run(t.Path, "search", "hello", "-o", "json"));
        using (var json = JsonDocument.Parse(searchJson.StdOut))
        {
            Assert.Equal("Hello " + Attack, json.RootElement.GetProperty("charts")[0].GetProperty("description").GetString());
        }
        // -o yaml: the same value, double-quoted with YAML's escapes (go-yaml would write the override raw).
        var searchYaml = Clean(Cli.Run(t.Path, "search", "hello", "-o", "yaml"));
        Ok(searchYaml);
        Assert.Contains("  description: \"Hello \\e]52;c;ZXZpbA==\\a\\e[2J\\x9B31m\\u202E\"\n", searchYaml.StdOut, StringComparison.Ordinal);

        // pull and verify: Helm's "Signed by" line.
        var pull = Clean(Cli.Run(t.Path, "pull", "demo/hello", "-d", "pulled"));
        Ok(pull);
        Assert.Contains($"Signed by: Jane {Escaped}verified <jane@example.com>", pull.StdOut, StringComparison.Ordinal);
        var verify = Clean(Cli.Run(t.Path, "verify", "pulled/hello-0.1.0.tgz", "--keyring", "jane.pub.asc"));
        Ok(verify);
        Assert.Contains($"Signed by: Jane {Escaped}verified <jane@example.com>", verify.StdOut, StringComparison.Ordinal);
        var verifyJson = Clean(Cli.Run(t.Path, "verify", "pulled/hello-0.1.0.tgz", "--keyring", "jane.pub.asc", "-o", "json"));
        Assert.Contains(@"\u202E", verifyJson.StdOut, StringComparison.Ordinal);

        // audit: the table's user id column, and its JSON.
        var audit = Clean(Cli.Run(t.Path, "audit", server.Url, "--root-fingerprint", root, "--insecure-http"));
        Ok(audit);
        Assert.Contains($"Jane {Escaped}verified <jane@example.com>", audit.StdOut, StringComparison.Ordinal);
        Ok(Clean(Cli.Run(t.Path, "audit", server.Url, "--root-fingerprint", root, "--insecure-http", "-o", "json")));

        // An error that quotes the index: an entry named with control sequences that is not a list of versions.
        string broken = File.ReadAllText(indexPath).Replace("entries:\n", $"entries:\n  \"evil\\e]52;c;ZXZpbA==\\a\":\n  - 42\n", StringComparison.Ordinal);
        File.WriteAllText(indexPath, broken);
        var update = Clean(Cli.Run(t.Path, "repo", "update"));
        Assert.Equal(2, update.ExitCode);
        Assert.Contains(@"entries.evil\e]52;c;ZXZpbA==\x07", update.StdErr, StringComparison.Ordinal);
    }
}

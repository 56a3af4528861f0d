using System.Diagnostics;
using System.Text.RegularExpressions;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// The shell blocks of a document, run exactly as written: the <c>```sh</c> blocks between <c>&lt;!-- NAME --&gt;</c> and
/// <c>&lt;!-- /NAME --&gt;</c>, joined, run by <c>bash -euo pipefail</c> in an empty folder with the built <c>chartseal</c>
/// (and, when given, other programs) first on <c>PATH</c>; and the output the document shows for them, its
/// <c>```console</c> blocks inside the same markers, checked against what the run printed. So a documented procedure
/// cannot rot.
/// </summary>
public static partial class DocScript
{
    /// <summary>
    /// The script of the marked blocks <paramref name="names"/> of <paramref name="document"/> (relative to the checkout), in
    /// that order; a name marking several regions gives each region's blocks, in the document's order.
    /// </summary>
    public static string Of(string document, params string[] names) =>
        string.Join("\n", Regions(document, names).SelectMany(region => CodeBlock().Matches(region).Select(m => m.Groups[1].Value)));

    /// <summary>
    /// The output the document shows for its marked blocks: the <c>```console</c> blocks inside the regions of
    /// <paramref name="names"/>, in the order <see cref="Of"/> runs them.
    /// </summary>
    public static IReadOnlyList<string> ShownOutput(string document, params string[] names) =>
        [.. Regions(document, names).SelectMany(region => ConsoleBlock().Matches(region).Select(m => m.Groups[1].Value))];

    /// <summary>
    /// Asserts that <paramref name="output"/> (stdout and stderr merged, as <see cref="RunMergedAsync"/> gives it) holds
    /// each of <paramref name="shown"/> as consecutive lines, one after the other in that order. Lines are compared
    /// with what differs from run to run replaced (fingerprints, key ids, SHA-256 hashes, times, snapshot versions,
    /// byte counts of an index) and runs of spaces as one, so a changed message, reason, count or order fails.
    /// </summary>
    public static void AssertShows(string output, IReadOnlyList<string> shown)
    {
        Assert.NotEmpty(shown);
        string[] actual = [.. output.Split('\n').Select(Normalize)];
        int from = 0;
        foreach (string block in shown)
        {
            string[] wanted = [.. block.TrimEnd('\n').Split('\n').Select(Normalize)];
            int at = Enumerable.Range(from, Math.Max(0, actual.Length - wanted.Length - from + 1))
                .FirstOrDefault(i => actual.AsSpan(i, wanted.Length).SequenceEqual(wanted), -1);
            Assert.True(at >= 0, $"the output does not show, after its line {from}, what the document shows:\n{block}\n--- output\n{output}");
            from = at + wanted.Length;
        }
    }

    /// <summary>
    /// Runs the blocks of <paramref name="document"/> marked <paramref name="names"/> as written (<see cref="RunMergedAsync"/>,
    /// with <c>HOME</c> below the test's folder and no system git settings, so that the user's own cannot change what the
    /// blocks do) and asserts that they exit 0 and print what the document shows (<see cref="AssertShows"/>). Returns the output.
    /// </summary>
    public static async Task<string> RunAsWrittenAsync(TempDirectory t, string document, params string[] names)
    {
        var env = new Dictionary<string, string> { ["HOME"] = t.File("user"), ["GIT_CONFIG_NOSYSTEM"] = "1" };
        var (exitCode, output) = await RunMergedAsync(t, Of(document, names), env);
        Assert.True(exitCode == 0, output);
        AssertShows(output, ShownOutput(document, names));
        return output;
    }

    /// <summary>A line as <see cref="AssertShows"/> compares it.</summary>
    public static string Normalize(string line)
    {
        line = Fingerprint().Replace(line, "FPR");
        line = KeyId().Replace(line, "KEYID");
        line = Sha256().Replace(line, "SHA256");
        line = Timestamp().Replace(line, "TIME");
        line = SnapshotVersion().Replace(line, "version N");
        line = ByteCount().Replace(line, "(N bytes)");
        return string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static IEnumerable<string> Regions(string document, string[] names)
    {
        string text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, document));
        return names.SelectMany(name =>
        {
            var regions = Regex.Matches(text, $@"<!-- {Regex.Escape(name)} -->(.*?)<!-- /{Regex.Escape(name)} -->", RegexOptions.Singleline);
            Assert.True(regions.Count > 0, $"{document} has no <!-- {name} --> block");
            return regions.Select(region => region.Groups[1].Value);
        });
    }

    /// <summary>
    /// Runs <paramref name="script"/> in the empty folder <c>T/empty</c>: <c>chartseal</c> and the <paramref name="programs"/>
    /// (name, path) linked into <c>T/bin</c> first on <c>PATH</c>, <c>CHARTSEAL_HOME</c> at <c>T/home</c>, plus <paramref name="env"/>.
    /// Background jobs left by a failing step are stopped. Returns the exit code and stdout, then stderr.
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunAsync(TempDirectory t, string script, IDictionary<string, string> env, params (string Name, string Path)[] programs) =>
        RunAsync(t, script, env, merged: false, programs);

    /// <summary>
    /// Like <see cref="RunAsync(TempDirectory, string, IDictionary{string, string}, ValueTuple{string, string}[])"/>, with
    /// stderr going where stdout goes, so the output has every line where a terminal would show it.
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunMergedAsync(TempDirectory t, string script, IDictionary<string, string> env, params (string Name, string Path)[] programs) =>
        RunAsync(t, script, env, merged: true, programs);

    private static async Task<(int ExitCode, string Output)> RunAsync(TempDirectory t, string script, IDictionary<string, string> env, bool merged, (string Name, string Path)[] programs)
    {
        Cli.EnsureBuilt();
        string bin = t.File("bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "chartseal"), Path.Combine(TestPaths.RepoRoot, "chartseal"));
        foreach (var (name, path) in programs)
        {
            File.CreateSymbolicLink(Path.Combine(bin, name), path);
        }
        string work = t.File("empty");
        Directory.CreateDirectory(work);
        // The script as written; a server left behind by a failing step is stopped by the trap (not part of the document).
        // "|| true": once the script's own kill has stopped the server, the trap finds no job, and under set -e its
        // failing kill would become the script's exit status (a race with the server's exit).
        File.WriteAllText(t.File("script.sh"), (merged ? "exec 2>&1\n" : "") + "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script);

        var start = new ProcessStartInfo("/bin/bash") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add(t.File("script.sh"));
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["CHARTSEAL_HOME"] = t.File("home");
        start.Environment["LC_ALL"] = "C";
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }
        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await run.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            run.Kill(entireProcessTree: true);
            throw;
        }
        return (run.ExitCode, await stdout + "\n--- stderr\n" + await stderr);
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"```console\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ConsoleBlock();

    [GeneratedRegex("[0-9A-F]{40}")]
    private static partial Regex Fingerprint();

    [GeneratedRegex("[0-9A-F]{16}")]
    private static partial Regex KeyId();

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"version \d{10,}")]
    private static partial Regex SnapshotVersion();

    [GeneratedRegex(@"\(\d+ bytes\)")]
    private static partial Regex ByteCount();
}

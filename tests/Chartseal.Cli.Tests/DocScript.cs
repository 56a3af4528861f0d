using System.Diagnostics;
using System.Text.RegularExpressions;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// The shell blocks of a document, run exactly as written: the <c>```sh</c> blocks between <c>&lt;!-- NAME --&gt;</c> and
/// <c>&lt;!-- /NAME --&gt;</c>, joined, run by <c>bash -euo pipefail</c> in an empty folder with the built <c>chartseal</c>
/// (and, when given, other programs) first on <c>PATH</c>. So a documented procedure cannot rot.
/// </summary>
public static partial class DocScript
{
    /// <summary>The script of the marked blocks <paramref name="names"/> of <paramref name="document"/> (relative to the checkout), in that order.</summary>
    public static string Of(string document, params string[] names)
    {
        string text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, document));
        return string.Join("\n", names.Select(name =>
        {
            Match block = Regex.Match(text, $@"<!-- {Regex.Escape(name)} -->(.*?)<!-- /{Regex.Escape(name)} -->", RegexOptions.Singleline);
            Assert.True(block.Success, $"{document} has no <!-- {name} --> block");
            return string.Join("\n", CodeBlock().Matches(block.Groups[1].Value).Select(m => m.Groups[1].Value));
        }));
    }

    /// <summary>
    /// Runs <paramref name="script"/> in the empty folder <c>T/empty</c>: <c>chartseal</c> and the <paramref name="programs"/>
    /// (name, path) linked into <c>T/bin</c> first on <c>PATH</c>, <c>CHARTSEAL_HOME</c> at <c>T/home</c>, plus <paramref name="env"/>.
    /// Background jobs left by a failing step are stopped. Returns the exit code and stdout, then stderr.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(TempDirectory t, string script, IDictionary<string, string> env, params (string Name, string Path)[] programs)
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
        File.WriteAllText(t.File("script.sh"), "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script);

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
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>The README's quick start, run exactly as written, top to bottom, in an empty folder.</summary>
public sealed partial class ReadmeQuickStartTests
{
    [Fact]
    public async Task The_readme_quick_start_runs_top_to_bottom_in_an_empty_folder()
    {
        Cli.EnsureBuilt();
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        Match block = QuickStartBlock().Match(readme);
        Assert.True(block.Success, "README.md has no <!-- quickstart --> block");
        string script = string.Join("\n", CodeBlock().Matches(block.Groups[1].Value).Select(m => m.Groups[1].Value));

        using var t = new TempDirectory();
        string bin = t.File("bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "chartseal"), Path.Combine(TestPaths.RepoRoot, "chartseal"));
        string work = t.File("empty");
        Directory.CreateDirectory(work);
        // The script as written; a server left behind by a failing step is stopped by the trap (not part of the README).
        // "|| true": once the README's own kill has stopped the server, the trap finds no job, and under set -e its
        // failing kill would become the script's exit status (a race with the server's exit).
        File.WriteAllText(t.File("quickstart.sh"), "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script);

        var start = new ProcessStartInfo("/bin/bash") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add(t.File("quickstart.sh"));
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["PORT"] = Cli.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["CHARTSEAL_HOME"] = t.File("home");
        start.Environment["LC_ALL"] = "C";
        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await run.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        string output = await stdout + "\n--- stderr\n" + await stderr;

        Assert.True(run.ExitCode == 0, output);
        Assert.Contains("\"saved\":true", output, StringComparison.Ordinal);
        Assert.Contains("Pulled: downloads/hello-0.1.0.tgz", output, StringComparison.Ordinal);
        Assert.Contains("Dry run: would run helm install my-hello", output, StringComparison.Ordinal);
        Assert.Contains("signer-revoked (CSL2007)", output, StringComparison.Ordinal);
        Assert.Contains("): 1 trusted", output, StringComparison.Ordinal);
        Assert.Contains("Signed by: Max Maintainer <max@example.com>", output, StringComparison.Ordinal);
        Assert.Contains("Pulled: downloads-after-resign/hello-0.1.0.tgz", output, StringComparison.Ordinal);
        // The archive never changed: the one pulled before the compromise and the one after are the same bytes.
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "downloads/hello-0.1.0.tgz")), File.ReadAllBytes(Path.Combine(work, "downloads-after-resign/hello-0.1.0.tgz")));
    }

    [GeneratedRegex(@"<!-- quickstart -->(.*?)<!-- /quickstart -->", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}

using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>The README's quick start, run exactly as written, top to bottom, in an empty folder.</summary>
public sealed class ReadmeQuickStartTests
{
    [Fact]
    public async Task The_readme_quick_start_runs_top_to_bottom_in_an_empty_folder()
    {
        using var t = new TempDirectory();
        var (exitCode, output) = await DocScript.RunAsync(t, DocScript.Of("README.md", "quickstart"),
            new Dictionary<string, string> { ["PORT"] = Cli.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) });
        string work = t.File("empty");

        Assert.True(exitCode == 0, output);
        Assert.Contains("\"saved\":true", output, StringComparison.Ordinal);
        Assert.Contains("Pulled: downloads/hello-0.1.0.tgz", output, StringComparison.Ordinal);
        Assert.Contains("Dry run: helm is not on PATH; it would be run as helm install my-hello hello-0.1.0.tgz --dry-run", output, StringComparison.Ordinal);
        Assert.Contains("signer-revoked (CSL2007)", output, StringComparison.Ordinal);
        Assert.Contains("): 1 trusted", output, StringComparison.Ordinal);
        Assert.Contains("Signed by: Max Maintainer <max@example.com>", output, StringComparison.Ordinal);
        Assert.Contains("Pulled: downloads-after-resign/hello-0.1.0.tgz", output, StringComparison.Ordinal);
        // The archive never changed: the one pulled before the compromise and the one after are the same bytes.
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "downloads/hello-0.1.0.tgz")), File.ReadAllBytes(Path.Combine(work, "downloads-after-resign/hello-0.1.0.tgz")));
    }
}

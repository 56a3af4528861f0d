using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>An <c>index.yaml</c> built to stall or crash the client, served by a mirror, through the real CLI.</summary>
public sealed class HostileIndexCommandTests
{
    private static void Ok(CliResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    [Theory]
    [InlineData("nested-flow", "YAML nesting is deeper than 32 levels; refusing")]
    [InlineData("unclosed-flow", "invalid index: ")]
    [InlineData("invalid-global-tag", "Global tags must be valid URIs")]
    public void HostileIndex_RepoUpdate_OneLineRefusalAndTheOldCacheKept(string kind, string reason)
    {
        using var t = new TempDirectory();
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root"));
        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        File.WriteAllText(t.File("repo/index.yaml"), "apiVersion: v1\nentries: {}\n");
        string root = Cli.Run(t.Path, "key", "fingerprint", "root.pub.asc").StdOut.Trim();
        using var server = new FolderServer(t.File("repo"));
        Ok(Cli.Run(t.Path, "repo", "add", "demo", server.Url, "--root-fingerprint", root, "--insecure-http"));

        // 400 KB of "[" under a key the client does not know took YamlDotNet's scanner minutes to skip.
        File.WriteAllText(t.File("repo/index.yaml"), kind switch
        {
            "nested-flow" => "apiVersion: v1\nextra: " + new string('[', 400_000) + "\nentries: {}\n",
            "unclosed-flow" => "apiVersion: v1\nextra: [[a]\nentries: {}\n",
            _ => "apiVersion: v1\nentries:\n  demo:\n  - name: !!a]\n",
        });
        var update = Cli.Run(t.Path, "repo", "update");

        Assert.True(update.ExitCode == 2, update.ToString());
        string line = Assert.Single(update.StdErrLines);
        Assert.StartsWith("...Unable to get an update from the \"demo\" chart repository", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.Contains("kept their previous cache", update.StdOut, StringComparison.Ordinal);
    }
}

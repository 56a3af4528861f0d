using System.CommandLine;
using Chartseal.IO;
using Chartseal.Repository;

namespace Chartseal.Cli.Commands;

/// <summary><c>repo index</c>, and the client's <c>repo add|update|list|remove</c> (<see cref="ClientCommands"/>).</summary>
internal static class RepoCommands
{
    public static Command Repo()
    {
        var repo = new Command("repo", "Work with chart repositories.");
        repo.Subcommands.Add(Index());
        foreach (var command in ClientCommands.RepoSubcommands())
        {
            repo.Subcommands.Add(command);
        }
        return repo;
    }

    private static Command Index()
    {
        var dir = new Argument<string>("REPO_DIR") { Description = "Folder holding the chart archives" };
        var url = new Option<string?>("--url") { Description = "URL of the chart repository (prefix of the entries' urls)" };
        var merge = new Option<string?>("--merge") { Description = "Merge the generated index into this index file (created empty when missing, as Helm does); local charts win" };
        var json = new Option<bool>("--json") { Description = "Write index.yaml in Helm's JSON form (helm repo index --json)" };
        var command = new Command("index", "Write REPO_DIR/index.yaml for the chart archives in REPO_DIR and its sub-folders, as helm repo index does.") { dir, url, merge, json };
        command.SetAction(async (p, ct) =>
        {
            string repoDir = p.GetValue(dir)!;
            // The library holds the repository's writer lock in a folder Chartseal writes to (a publish or upload running
            // meanwhile is not overwritten) and leaves a plain Helm folder without a lock file.
            var (index, skipped, path) = await RepositoryIndexer.WriteIndexAsync(repoDir, p.GetValue(url), p.GetValue(merge), p.GetValue(json), DateTimeOffset.UtcNow, ct);
            foreach (string s in skipped)
            {
                Console.Error.WriteLine($"chartseal: skipping {TerminalText.Escape(s)}");
            }
            Console.WriteLine($"Wrote {path}: {Plural.Count(index.Count, "chart version")}");
            if (IndexSnapshotWriter.HasSnapshot(repoDir))
            {
                Console.WriteLine($"Note: the repository signs its index; clients keep the signed one until its snapshot is signed again (chartseal index sign {TerminalText.Escape(repoDir)} --key ...)");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using System.CommandLine.Help;
using Chartseal;
using Chartseal.Cli;
using Chartseal.Cli.Commands;
using Chartseal.IO;

// Named "chartseal" whatever the binary is called (RootCommand would take the file name, Chartseal.Cli).
var root = new Command("chartseal", "chartseal: sign, verify and serve Helm charts that only trusted keys signed.")
{
    new HelpOption(),
    new VersionOption(),
};
root.Subcommands.Add(ChartCommands.Package());
root.Subcommands.Add(ChartCommands.Sign());
root.Subcommands.Add(ChartCommands.Verify());
root.Subcommands.Add(ChartCommands.Publish());
root.Subcommands.Add(PushCommands.Push());
root.Subcommands.Add(AuditCommands.Audit());
root.Subcommands.Add(AuditCommands.Resign());
root.Subcommands.Add(KeyCommands.Key());
root.Subcommands.Add(RepoCommands.Repo());
root.Subcommands.Add(TrustCommands.Trust());
// Listed for --help; `chartseal serve ...` never reaches the parser (below, it becomes the server program).
root.Subcommands.Add(new Command("serve", "Serve a chart repository over HTTP with a ChartMuseum-compatible upload API that refuses untrusted charts (chartseal serve --help)."));
root.Subcommands.Add(ClientCommands.Search());
root.Subcommands.Add(ClientCommands.Pull());
root.Subcommands.Add(ClientCommands.Install());
root.Subcommands.Add(new Command("help", "Help about any command (chartseal help COMMAND)."));

if (args.Length > 0 && args[0] == "serve")
{
    return ServeLauncher.Exec(args[1..]);
}
// Helm's habits: `chartseal` alone and `chartseal help [COMMAND...]` print the help.
args = CommandLineHelp.Rewrite(args);

ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine("chartseal: " + CommandLineHelp.Describe(root, parse, args));
    return ExitCodes.Usage;
}
try
{
    // Our handler below, not System.CommandLine's: one line and exit 2, never a stack trace.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (ChartsealException e)
{
    // Messages quote remote content (index fields, entry names, a server's reason phrase): escaped, one line.
    Console.Error.WriteLine("chartseal: " + TerminalText.Escape(e.Message));
    return ExitCodes.Usage;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    // A file-system failure the command did not expect (disk full, permissions): still one line.
    Console.Error.WriteLine("chartseal: " + TerminalText.Escape(e.Message));
    return ExitCodes.Usage;
}
catch (Exception e) when (e is not OperationCanceledException)
{
    // A bug: the library throws only ChartsealException for bad input (the fuzz tests hold it to that). Still one
    // line and a non-zero exit, never a stack trace that could be taken for output.
    Console.Error.WriteLine($"chartseal: internal error ({e.GetType().Name}): {TerminalText.Escape(e.Message)}");
    return ExitCodes.Usage;
}

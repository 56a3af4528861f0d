using System.CommandLine;
using System.CommandLine.Help;
using Chartseal;
using Chartseal.Cli;
using Chartseal.Cli.Commands;
using Chartseal.IO;

// Named "chartseal" whatever the binary is called (RootCommand would take the file name, Chartseal.Cli).
var root = new Command("chartseal", "chartseal: sign, verify and serve Helm charts that only trusted keys signed.");
// Every command, in the order --help lists them. Building a command's options costs start-up time, so when the first
// argument names a command only that one is built (its --help and errors do not list the others); otherwise all are,
// for the root's help and the "did you mean" of an unknown command.
(string Name, Func<Command> Create)[] commands =
[
    ("package", ChartCommands.Package),
    ("sign", ChartCommands.Sign),
    ("verify", ChartCommands.Verify),
    ("publish", ChartCommands.Publish),
    ("push", PushCommands.Push),
    ("audit", AuditCommands.Audit),
    ("resign", AuditCommands.Resign),
    ("key", KeyCommands.Key),
    ("repo", RepoCommands.Repo),
    ("trust", TrustCommands.Trust),
    ("index", IndexCommands.Index),
    // Listed for --help; `chartseal serve ...` never reaches the parser (below, it becomes the server program).
    ("serve", () => new Command("serve", "Serve a chart repository over HTTP with a ChartMuseum-compatible upload API that refuses untrusted charts (chartseal serve --help).")),
    ("search", ClientCommands.Search),
    ("pull", ClientCommands.Pull),
    ("install", ClientCommands.Install),
    ("help", () => new Command("help", "Help about any command (chartseal help COMMAND).")),
];

// Helm's habits: `chartseal` alone and `chartseal help [COMMAND...]` print the help.
args = CommandLineHelp.Rewrite(args);
if (args[0] == "serve")
{
    return ServeLauncher.Exec(args[1..]);
}
var named = Array.FindAll(commands, c => c.Name == args[0]);
foreach (var (_, create) in named.Length == 1 ? named : commands)
{
    root.Subcommands.Add(create());
}
// The same goes for --help and --version: creating them loads System.CommandLine's localized texts (reflection, about
// 0.2 ms), so they exist only when a word of the command line is one of their names. Every other command line parses
// the same with or without them.
string[] helpNames = ["--help", "-h", "/h", "-?", "/?"]; // HelpOption's name and aliases
if (Array.Exists(args, helpNames.Contains))
{
    // A help request for a command that does not exist is the same error as running it, not the root's help.
    if (CommandLineHelp.UnknownCommand(root, args, out _) is { } unknown)
    {
        Console.Error.WriteLine("chartseal: " + unknown);
        return ExitCodes.Usage;
    }
    root.Options.Add(new HelpOption());
}
// The root's help lists --version too (Helm's `helm --help` does not, but `helm version` is a command there; here the
// flag is the only way, so it must be findable).
if (Array.Exists(args, a => a == "--version") || helpNames.Contains(args[0]))
{
    root.Options.Add(new VersionOption());
}

if (args[0] == "install" && ClientCommands.UnknownDryRunMode(args) is { } dryRunError)
{
    Console.Error.WriteLine("chartseal: " + dryRunError);
    return ExitCodes.Usage;
}
ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine("chartseal: " + CommandLineHelp.Describe(root, parse, args));
    return ExitCodes.Usage;
}
if (CommandLineHelp.UnknownFlag(parse) is { } unknownFlag)
{
    Console.Error.WriteLine("chartseal: " + unknownFlag);
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

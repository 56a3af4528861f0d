using System.CommandLine;
using Chartseal;
using Chartseal.Cli;
using Chartseal.Cli.Commands;

var root = new RootCommand("chartseal: sign, verify and serve Helm charts that only trusted keys signed.");
root.Subcommands.Add(ChartCommands.Package());
root.Subcommands.Add(ChartCommands.Sign());
root.Subcommands.Add(ChartCommands.Verify());
root.Subcommands.Add(KeyCommands.Key());

ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine("chartseal: " + error.Message);
    }
    return ExitCodes.Usage;
}
try
{
    // System.CommandLine's default handler would catch our exceptions first, print "Unhandled exception"
    // with a stack trace and exit 1 (= "verification failed"); let them reach the catch below instead.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (ChartsealException e)
{
    Console.Error.WriteLine("chartseal: " + e.Message);
    return ExitCodes.Usage;
}

using System.CommandLine;
using Chartseal;
using Chartseal.Cli;
using Chartseal.Cli.Commands;

var root = new RootCommand("chartseal: sign, verify and serve Helm charts that only trusted keys signed.");
root.Subcommands.Add(ChartCommands.Package());
root.Subcommands.Add(ChartCommands.Sign());
root.Subcommands.Add(ChartCommands.Verify());
root.Subcommands.Add(KeyCommands.Key());
root.Subcommands.Add(TrustCommands.Trust());

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
    return await parse.InvokeAsync();
}
catch (ChartsealException e)
{
    Console.Error.WriteLine("chartseal: " + e.Message);
    return ExitCodes.Usage;
}

using System.CommandLine;
using Chartseal;
using Chartseal.Server;

// Started as `chartseal serve ARGS` (the CLI replaces itself with this program) or directly.
try
{
    // Under a parent named "chartseal", so that the help says "chartseal serve", as users type it.
    ParseResult parse = new Command("chartseal") { ServeCommand.Serve() }.Parse(["serve", .. args]);
    if (parse.Errors.Count > 0)
    {
        // One line, as every other refusal of the command line.
        // ChartMuseum's flags that are spelt otherwise here get what to give instead.
        string first = ChartMuseumFlags.Hint(args)
            ?? string.Join(" ", parse.Errors[0].Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) + " (see chartseal serve --help)";
        Console.Error.WriteLine($"chartseal serve: {first}");
        return 2;
    }
    // One line and exit 2 for bad input (address in use, unreadable token file, a bad environment variable), never
    // a stack trace.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (ChartsealException e)
{
    Console.Error.WriteLine("chartseal: " + e.Message);
    return 2;
}

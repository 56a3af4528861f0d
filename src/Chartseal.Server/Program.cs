using System.CommandLine;
using Chartseal;
using Chartseal.Server;

// Started as `chartseal serve ARGS` (the CLI replaces itself with this program) or directly.
try
{
    ParseResult parse = ServeCommand.Serve().Parse(args);
    if (parse.Errors.Count > 0)
    {
        foreach (var error in parse.Errors)
        {
            Console.Error.WriteLine("chartseal serve: " + error.Message);
        }
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

using System.CommandLine;

namespace Chartseal.Cli.Commands;

/// <summary><c>-o/--output text|table|json</c>, the same words on every command (<c>table</c>, Helm's word, is the text form).</summary>
internal static class OutputOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--output", "-o") { Description = "Output format: text (or table) for people, json for machines", DefaultValueFactory = _ => "text" };
        option.AcceptOnlyFromAmong("text", "table", "json");
        return option;
    }
}

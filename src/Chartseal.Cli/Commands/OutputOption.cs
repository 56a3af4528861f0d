using System.CommandLine;

namespace Chartseal.Cli.Commands;

/// <summary><c>-o/--output</c>, the same words on every command (<c>table</c>, Helm's word, is the text form).</summary>
internal static class OutputOption
{
    /// <summary><c>text|table|json</c>, text by default.</summary>
    public static Option<string> Create()
    {
        var option = new Option<string>("--output", "-o") { Description = "Output format: text (or table) for people, json for machines", DefaultValueFactory = _ => "text" };
        option.AcceptOnlyFromAmong("text", "table", "json");
        return option;
    }

    /// <summary>Helm's <c>table|json|yaml</c> of the listing commands (<c>search</c>, <c>repo list</c>), table by default (text accepted).</summary>
    public static Option<string> CreateWithYaml()
    {
        var option = new Option<string>("--output", "-o") { Description = "Output format: table (or text) for people, json or yaml for machines (the same document)", DefaultValueFactory = _ => "table" };
        option.AcceptOnlyFromAmong("table", "text", "json", "yaml");
        return option;
    }
}

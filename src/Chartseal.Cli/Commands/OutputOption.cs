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

    /// <summary>
    /// <c>install</c>'s: Helm's <c>table|json|yaml</c> of <c>helm install</c>, handed to helm when it runs; without helm on
    /// <c>PATH</c>, <c>text</c> or <c>json</c> is the verification result (<c>yaml</c> has none: the result is printed for
    /// people). Text by default.
    /// </summary>
    public static Option<string> CreateForInstall()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Handed to helm install as its output format (table, json or yaml: stdout is then helm's alone, the verification lines go to stderr); without helm on PATH, text or json is the verification result",
            DefaultValueFactory = _ => "text",
        };
        option.AcceptOnlyFromAmong("text", "table", "json", "yaml");
        return option;
    }
}

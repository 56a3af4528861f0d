using System.CommandLine;
using System.CommandLine.Parsing;

namespace Chartseal.Cli;

/// <summary>Helm's command-line habits on top of System.CommandLine: <c>help COMMAND</c>, one-line errors, "did you mean".</summary>
internal static class CommandLineHelp
{
    /// <summary>No arguments, or <c>help [COMMAND...]</c>, become <c>[COMMAND...] --help</c>.</summary>
    public static string[] Rewrite(string[] args) => args switch
    {
        [] => ["--help"],
        ["help", .. var rest] => [.. rest, "--help"],
        _ => args,
    };

    /// <summary>
    /// The first parse error as one line: an unknown command gets the closest command names ("did you mean"),
    /// anything else the command's own help to look at.
    /// </summary>
    public static string Describe(Command root, ParseResult parse, string[] args)
    {
        if (UnknownCommand(root, args, out string path) is { } unknown)
        {
            return unknown;
        }
        // A flag the command lacks, before its arguments, takes an argument's place: the words after it are then the
        // ones System.CommandLine calls unrecognized (verify --keyrng k x.tgz: "k"), and the flag is what was mistyped.
        if (UnknownFlag(parse) is { } flag)
        {
            return flag;
        }
        // System.CommandLine lists choices on several lines; one line is what scripts and people read.
        string message = string.Join(" ", parse.Errors[0].Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
        return $"{message} (see {path} --help)";
    }

    /// <summary>
    /// The one line for a flag the command does not have that its variadic argument took as a value (<c>repo update -o
    /// json</c> would look for a repository named <c>-o</c>, <c>key fingerprint KEY -o json</c> print one fingerprint,
    /// then call <c>-o</c> a missing file; <c>verify --keyrng k x.tgz</c> would call <c>k</c> unrecognized), or null. A
    /// lone <c>-</c> (standard input) and words after <c>--</c> are values; <c>install</c> hands the flags it does not know
    /// to helm, so it has none unknown.
    /// </summary>
    public static string? UnknownFlag(ParseResult parse)
    {
        if (parse.CommandResult.Command.Name == "install" && parse.CommandResult.Parent is CommandResult { Parent: null })
        {
            return null;
        }
        var afterDoubleDash = parse.Tokens.SkipWhile(token => token.Type != TokenType.DoubleDash).ToHashSet();
        foreach (ArgumentResult argument in parse.CommandResult.Children.OfType<ArgumentResult>())
        {
            if (argument.Tokens.FirstOrDefault(token => token.Value.Length > 1 && token.Value[0] == '-' && !afterDoubleDash.Contains(token)) is { } flag)
            {
                string path = parse.CommandResult.Command.Name;
                for (SymbolResult? parent = parse.CommandResult.Parent; parent is CommandResult command; parent = command.Parent)
                {
                    path = command.Command.Name + " " + path;
                }
                return $"unknown flag \"{flag.Value}\" for \"{path}\" (see {path} --help)";
            }
        }
        return null;
    }

    /// <summary>
    /// The one line for a command word that names no command (with the closest names), or null when every command word
    /// names one. Checked before a help request too: <c>help verfy</c> and <c>verfy --help</c> would otherwise print the
    /// root's help and exit 0, as if nothing were wrong.
    /// </summary>
    /// <param name="root">The root command.</param>
    /// <param name="args">The command line.</param>
    /// <param name="path">The deepest command the words name, as typed: <c>chartseal trust</c>.</param>
    public static string? UnknownCommand(Command root, string[] args, out string path)
    {
        Command command = root;
        path = "chartseal";
        foreach (string arg in args)
        {
            if (arg.StartsWith('-') || command.Subcommands.Count == 0)
            {
                break;
            }
            Command? next = command.Subcommands.FirstOrDefault(c => c.Name == arg || c.Aliases.Contains(arg));
            if (next is null)
            {
                // Closest first: "pul" is one edit from pull and two from push.
                string[] close = command.Subcommands.Select(c => c.Name).Where(name => IsClose(arg, name))
                    .OrderBy(name => Distance(arg.ToLowerInvariant(), name)).ToArray();
                string suggestion = command == root && HelmCommands.TryGetValue(arg, out string? instead) ? "; " + instead
                    : close.Length == 0 ? "" : "; did you mean " + string.Join(" or ", close.Select(c => $"\"{c}\"")) + "?";
                return $"unknown command \"{arg}\" for \"{path}\"{suggestion} (see {path} --help)";
            }
            command = next;
            path += " " + next.Name;
        }
        return null;
    }

    // Helm's commands that Chartseal does in another way, with what to type instead.
    private static readonly Dictionary<string, string> HelmCommands = new(StringComparer.Ordinal)
    {
        ["dependency"] = "Chartseal updates a chart's dependencies while packaging it: chartseal package CHART_DIR -u (as helm package -u)",
        ["dep"] = "Chartseal updates a chart's dependencies while packaging it: chartseal package CHART_DIR -u (as helm package -u)",
        ["fetch"] = "Helm's old name for pull: chartseal pull NAME/CHART",
        ["version"] = "the version is printed by chartseal --version",
        ["registry"] = "Chartseal uses the credentials that helm registry login (or docker login) saves: run helm registry login HOST",
        ["upgrade"] = "verify the chart first, then hand its archive to helm: chartseal pull NAME/CHART -d DIR, then helm upgrade RELEASE DIR/CHART-VERSION.tgz",
    };

    /// <summary>A prefix of the name, or at most two edits away (Helm's suggestion distance).</summary>
    private static bool IsClose(string typed, string name) =>
        (typed.Length >= 2 && name.StartsWith(typed, StringComparison.OrdinalIgnoreCase)) || Distance(typed.ToLowerInvariant(), name) <= 2;

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        int[] previous = Enumerable.Range(0, b.Length + 1).ToArray();
        int[] current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

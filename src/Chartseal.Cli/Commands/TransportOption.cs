using System.CommandLine;

namespace Chartseal.Cli.Commands;

/// <summary><c>--insecure-http</c> (also spelt <c>--plain-http</c>, Helm's word): the one consent to plain http, on every command that takes a URL.</summary>
internal static class TransportOption
{
    public static Option<bool> Create(string what = "Allow a plain http:// URL") =>
        new("--insecure-http", "--plain-http") { Description = what + "; anyone on the way can change what it serves (https needs no flag)" };
}

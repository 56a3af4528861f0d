using System.CommandLine;
using Chartseal.Fetch;

namespace Chartseal.Cli.Commands;

/// <summary><c>--timeout</c>: the one overall deadline of a command's downloads (Helm's flag name and duration format).</summary>
internal static class TimeoutOption
{
    public static Option<string?> Create() => new("--timeout")
    {
        Description = $"The longest all downloads of this command may take together, e.g. 30s, 5m, 1h (default: ${FetchDeadline.EnvironmentVariable}, else {FetchDeadline.Format(FetchDeadline.DefaultTimeout)}); a transfer slower than 1 KiB/s for 30 s is also cut off",
        HelpName = "DURATION",
    };

    /// <summary>Starts the command's deadline: the flag, else the environment variable, else the default.</summary>
    /// <exception cref="ChartsealException">An invalid duration.</exception>
    public static FetchDeadline Start(ParseResult parse, Option<string?> option) =>
        FetchDeadline.Start(parse.GetValue(option), Environment.GetEnvironmentVariable(FetchDeadline.EnvironmentVariable));

    /// <summary>
    /// For a command that writes to a registry: the deadline only when the flag or the environment variable sets one,
    /// else none (each request is still bounded on its own). Such a command may wait for a passphrase typed between its
    /// requests, which a default deadline would count.
    /// </summary>
    /// <exception cref="ChartsealException">An invalid duration.</exception>
    public static FetchDeadline? StartIfGiven(ParseResult parse, Option<string?> option) =>
        string.IsNullOrWhiteSpace(parse.GetValue(option)) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(FetchDeadline.EnvironmentVariable))
            ? null
            : Start(parse, option);

    /// <summary>The flag for a command that writes to a registry: its deadline counts only when given (<see cref="StartIfGiven"/>).</summary>
    public static Option<string?> CreateForWrites() => new("--timeout")
    {
        Description = $"The longest the registry requests of this command may take together, e.g. 30s, 5m (default: ${FetchDeadline.EnvironmentVariable}, else none: each request is bounded on its own); it includes the time to type a passphrase",
        HelpName = "DURATION",
    };
}

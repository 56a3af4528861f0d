using System.Text;

namespace Chartseal.Keys;

/// <summary>
/// What <see cref="PassphraseSource"/> may read: the environment, standard input and the terminal.
/// Tests build one by hand; <see cref="FromConsole"/> is the real one.
/// </summary>
/// <param name="GetVariable">Reads an environment variable (null when unset).</param>
/// <param name="StandardInput">Opens standard input (called at most once).</param>
/// <param name="IsInputRedirected">Whether standard input is a pipe or file rather than a terminal.</param>
/// <param name="Prompt">Asks the user for a secret without echo; null when no terminal is attached.</param>
public sealed record PassphraseEnvironment(
    Func<string, string?> GetVariable,
    Func<TextReader> StandardInput,
    bool IsInputRedirected,
    Func<string, string>? Prompt)
{
    /// <summary>The process's environment, standard input and console.</summary>
    public static PassphraseEnvironment FromConsole() => new(
        Environment.GetEnvironmentVariable,
        () => Console.In,
        Console.IsInputRedirected,
        Console.IsInputRedirected ? null : ReadHidden);

    /// <summary>Prompts on stderr (stdout may carry output) and reads keys without echoing them.</summary>
    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var input = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (input.Length > 0)
                {
                    input.Length--;
                }
            }
            else if (key.KeyChar != '\0')
            {
                input.Append(key.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return input.ToString();
    }
}

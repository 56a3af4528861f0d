using System.Runtime.InteropServices;

namespace Chartseal.Cli;

/// <summary>
/// <c>chartseal serve</c> runs the server program (<c>Chartseal.Server</c>, installed beside this one) in place of
/// this process, with <c>execv</c>: same process id, same environment, and signals (Ctrl-C, SIGTERM from systemd,
/// kill -9) reach the server itself. The server is a separate binary so that ASP.NET Core does not add to the
/// start-up time of every other command.
/// </summary>
internal static partial class ServeLauncher
{
    /// <summary>The server program's file name, beside the CLI's.</summary>
    public const string ServerProgram = "Chartseal.Server";

    /// <summary>Replaces this process with the server; returns only when that fails (exit code 2, with the reason).</summary>
    public static int Exec(string[] serveArgs)
    {
        string server = Path.Combine(AppContext.BaseDirectory, ServerProgram);
        if (!File.Exists(server))
        {
            Console.Error.WriteLine($"chartseal: {server}: the server program is missing (./chartseal builds it; or install it beside chartseal)");
            return ExitCodes.Usage;
        }
        string?[] argv = [server, .. serveArgs, null];
        Console.Out.Flush();
        Console.Error.Flush();
        Execv(server, argv);
        Console.Error.WriteLine($"chartseal: {server}: cannot start the server (errno {Marshal.GetLastPInvokeError()})");
        return ExitCodes.Usage;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, string?[] argv);
}

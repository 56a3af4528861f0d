using System.Diagnostics;

namespace Chartseal.Client;

/// <summary>Hands a verified archive to <c>helm install</c>: the file that was verified, never fetched again.</summary>
public static class HelmHandOff
{
    /// <summary>The <c>helm</c> executable on <c>PATH</c>, or null.</summary>
    public static string? FindHelm()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "helm.exe" : "helm");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>The arguments of <c>helm install RELEASE ARCHIVE HELM_ARGS...</c>.</summary>
    public static IReadOnlyList<string> InstallArguments(string release, string verifiedArchive, IEnumerable<string> helmArguments) =>
        ["install", release, verifiedArchive, .. helmArguments];

    /// <summary>Runs helm with <paramref name="arguments"/>, its output going to this process's terminal; returns its exit code.</summary>
    /// <exception cref="ChartsealException">helm cannot be started.</exception>
    public static async Task<int> RunAsync(string helm, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(helm);
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(helm) { UseShellExecute = false };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ChartsealException(helm, "could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ChartsealException(helm, "could not be started: " + e.Message, e);
        }
        using (process)
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.ExitCode;
        }
    }
}

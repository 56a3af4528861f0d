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

    /// <summary>
    /// The arguments of <c>helm install RELEASE ARCHIVE HELM_ARGS...</c>, or without a release (null) of
    /// <c>helm install ARCHIVE HELM_ARGS...</c>, for helm to name it (<c>--name-template</c>).
    /// </summary>
    public static IReadOnlyList<string> InstallArguments(string? release, string verifiedArchive, IEnumerable<string> helmArguments) =>
        release is null ? ["install", verifiedArchive, .. helmArguments] : ["install", release, verifiedArchive, .. helmArguments];

    /// <summary>
    /// The release name <c>helm install --generate-name CHART</c> gives (Helm's <c>action.Install.NameAndChart</c>): the last
    /// element of the chart reference as typed (Go's <c>filepath.Base</c>; <c>chart</c> when that is <c>.</c>), up to its
    /// first dot, then a dash and the Unix time in seconds. <c>repo/nginx</c> at 1700000000 is <c>nginx-1700000000</c>.
    /// </summary>
    /// <param name="chartReference">The chart as the user named it (<c>NAME/CHART</c>, <c>oci://HOST/NS/CHART</c>), not the verified archive's path.</param>
    /// <param name="now">The time.</param>
    public static string GeneratedReleaseName(string chartReference, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(chartReference);
        string trimmed = chartReference.TrimEnd('/');
        string name = chartReference.Length == 0 ? "." : trimmed.Length == 0 ? "/" : trimmed[(trimmed.LastIndexOf('/') + 1)..];
        if (name is "." or "")
        {
            name = "chart";
        }
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return $"{(dot < 0 ? name : name[..dot])}-{now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

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

namespace Chartseal.Tests.Support;

/// <summary>
/// The installed Sequoia <c>sq</c> (0.27's command line: <c>key generate --export</c>, <c>key extract-cert</c>,
/// <c>inspect</c>, <c>verify --signer-cert</c>), run with a throw-away home so it never reads the user's files.
/// </summary>
public static class SqPeer
{
    /// <summary>Whether sq is installed.</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>Runs <c>sq args...</c> with <paramref name="home"/> as its HOME and SEQUOIA_HOME.</summary>
    public static GpgResult Run(string home, params string[] args) =>
        GpgHome.RunRaw("sq", [], args, new Dictionary<string, string> { ["HOME"] = home, ["SEQUOIA_HOME"] = home });

    /// <summary>Like <see cref="Run"/> but fails the test on a non-zero exit code.</summary>
    public static GpgResult RunChecked(string home, params string[] args)
    {
        GpgResult result = Run(home, args);
        Assert.True(result.ExitCode == 0, $"sq {string.Join(' ', args)} failed ({result.ExitCode}): {result.StdErr}");
        return result;
    }

    private static bool Probe()
    {
        try
        {
            return GpgHome.RunRaw("sq", [], ["--version"]).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

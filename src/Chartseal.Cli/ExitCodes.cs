namespace Chartseal.Cli;

/// <summary>The process exit codes every command uses.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>The chart (or trust material) failed verification.</summary>
    public const int Rejected = 1;
    /// <summary>Bad usage or unreadable input.</summary>
    public const int Usage = 2;
}

namespace Chartseal;

/// <summary>
/// A problem with the caller's input or environment that is not a verification verdict:
/// an unreadable file, a malformed argument, a wrong passphrase. Front ends print
/// <see cref="Exception.Message"/> as one line and exit with code 2.
/// </summary>
/// <remarks>
/// Verification and trust failures are never exceptions: they are values
/// (<see cref="RejectionReason"/>), so a caller cannot mistake one for the other.
/// </remarks>
public class ChartsealException : Exception
{
    /// <summary>Creates an error about <paramref name="file"/> (may be null when no file is involved).</summary>
    public ChartsealException(string? file, string reason, Exception? inner = null)
        : base(file is null ? reason : $"{file}: {reason}", inner)
    {
        File = file;
        Reason = reason;
    }

    /// <summary>The file the error is about, if any.</summary>
    public string? File { get; }

    /// <summary>The reason, without the file name.</summary>
    public string Reason { get; }
}

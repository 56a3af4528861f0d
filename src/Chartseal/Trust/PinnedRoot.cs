namespace Chartseal.Trust;

/// <summary>The root fingerprint a client pinned for a repository (40 upper-case hex).</summary>
public sealed record PinnedRoot
{
    /// <summary>Pins <paramref name="fingerprint"/> (any case, spaces and <c>0x</c> allowed).</summary>
    /// <exception cref="ChartsealException">Not a v4 fingerprint.</exception>
    public PinnedRoot(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        string normalized = fingerprint.Replace(" ", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        if (normalized.StartsWith("0X", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }
        if (!TrustManifest.IsFingerprint(normalized))
        {
            throw new ChartsealException(null, $"\"{fingerprint}\" is not a 40-digit OpenPGP fingerprint");
        }
        Fingerprint = normalized;
    }

    /// <summary>The fingerprint.</summary>
    public string Fingerprint { get; }
}

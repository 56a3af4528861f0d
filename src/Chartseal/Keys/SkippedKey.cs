namespace Chartseal.Keys;

/// <summary>A key (or subkey) of a keyring file that was left out, and why.</summary>
/// <param name="Location">Where it was in the file, e.g. <c>byte 1234</c> or <c>armor block at line 12, byte 0</c>.</param>
/// <param name="Reason">Why it was left out, e.g. <c>OpenPGP v6 key (RFC 9580) is not supported</c>.</param>
public sealed record SkippedKey(string Location, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Location}: {Reason}";
}

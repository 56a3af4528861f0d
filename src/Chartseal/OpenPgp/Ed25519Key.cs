namespace Chartseal.OpenPgp;

/// <summary>An Ed25519 public key as the signature maths uses it: the 32 raw bytes (null when the packet holds no valid encoding), and libsodium's handle once imported.</summary>
internal sealed class Ed25519Key(byte[]? raw)
{
    public byte[]? Raw { get; } = raw;

    /// <summary>libsodium's key, imported on first use (null: not imported yet); set by the signature maths.</summary>
    public NSec.Cryptography.PublicKey? Imported { get; set; }

    /// <summary>True once libsodium refused the encoding.</summary>
    public bool Rejected { get; set; }
}

using Chartseal.Keys;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Repository;

/// <summary>The root key, unlocked, that signs a repository's trust manifest.</summary>
/// <param name="Key">The selected root (signing) key.</param>
/// <param name="PrivateKey">Its unlocked private key.</param>
public sealed record RootSigner(SigningKey Key, PgpPrivateKey PrivateKey)
{
    /// <summary>The root's primary fingerprint (what clients pin).</summary>
    public string Fingerprint => Key.PrimaryFingerprint;
}

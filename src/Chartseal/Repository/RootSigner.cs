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

    /// <summary>
    /// What this signer remembers having signed (the highest version per repository), so that trust files rolled back
    /// under it (a restore from backup, a mirror sync, an attacker) are never signed over; null: nothing remembered.
    /// </summary>
    public SignedVersionStore? Memory { get; init; }

    /// <summary>
    /// The repository location the <see cref="Memory"/> records this repository under, when the folder being changed is
    /// a working copy of it (a registry namespace's trust artifact, <c>oci://HOST/NS</c>); null: the folder itself.
    /// </summary>
    public string? RememberedAs { get; init; }

    /// <summary>Sign over trust material older than what this signer signed before (a loud, deliberate override).</summary>
    public bool AllowRollback { get; init; }
}

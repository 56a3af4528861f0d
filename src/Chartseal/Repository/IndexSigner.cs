using Chartseal.Keys;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Repository;

/// <summary>
/// An index key, unlocked, that signs a repository's index snapshots (<c>snapshot.yaml.asc</c>): the only secret a
/// Chartseal server ever holds, and one whose whole power is freshness (it cannot make a chart trusted).
/// </summary>
/// <param name="Key">The selected index (signing) key.</param>
/// <param name="PrivateKey">Its unlocked private key.</param>
public sealed record IndexSigner(SigningKey Key, PgpPrivateKey PrivateKey)
{
    /// <summary>The default snapshot lifetime: one day, as short as a server or a daily CI job can keep up with.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(1);

    /// <summary>The key's primary fingerprint (what <c>indexkeys.pgp</c> lists).</summary>
    public string Fingerprint => Key.PrimaryFingerprint;

    /// <summary>Selects and unlocks the key <paramref name="keyName"/> of the secret keyring <paramref name="keyringPath"/>.</summary>
    /// <exception cref="ChartsealException">No such key, or a wrong passphrase.</exception>
    public static IndexSigner Unlock(string keyringPath, string keyName, PassphraseSource passphrase, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        var key = SigningKeySelector.Select(Keyring.Load(keyringPath), keyName, now);
        return new IndexSigner(key, key.UnlockWith(passphrase));
    }
}

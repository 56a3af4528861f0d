using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Keys;

/// <summary>A key found in a <see cref="Keyring"/>: a primary key or a subkey, with the certificate it belongs to.</summary>
/// <param name="Key">The primary key or subkey that matched.</param>
/// <param name="Ring">The certificate (primary key, user ids, subkeys) holding <paramref name="Key"/>.</param>
public sealed record KeyMatch(PgpPublicKey Key, PgpPublicKeyRing Ring);

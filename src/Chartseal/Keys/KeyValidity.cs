using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Keys;

/// <summary>
/// The key checks BouncyCastle leaves to us: <c>PgpSignature.Verify()</c> only checks the math, and
/// returns true for expired, revoked and wrong-usage keys.
/// </summary>
public static class KeyValidity
{
    /// <summary>
    /// Checks that <paramref name="key"/> (the primary key of <paramref name="ring"/> or one of its
    /// subkeys) may make signatures at <paramref name="now"/>, in this order:
    /// sound key parameters (validated fully once per key);
    /// no verified revocation (0x20 on the primary revokes every subkey, 0x28 one subkey; hard
    /// revocations count whenever made, soft ones from their date);
    /// creation times not after <paramref name="now"/>;
    /// a verifying self-signature, whose key expiry bounds the primary and every subkey;
    /// for a subkey, a verifying binding (0x18) with its own expiry;
    /// the key-flags "sign" bit (without a key-flags subpacket: an algorithm that can sign, as gpg
    /// allows for old keys);
    /// for a signing subkey, a verifying embedded back-signature (0x19).
    /// </summary>
    /// <remarks>
    /// The signature checks run once per key object and are cached; later calls only compare dates,
    /// so calling this for every verification is cheap. The newest self-signature or binding made at
    /// or before <paramref name="now"/> decides flags and expiry.
    /// </remarks>
    /// <param name="key">The key to check.</param>
    /// <param name="ring">The certificate holding it.</param>
    /// <param name="now">The time to check at (UTC; local times are converted).</param>
    public static KeyValidityResult Check(PgpPublicKey key, PgpPublicKeyRing ring, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(ring);
        now = KeyInfo.ToUtc(now);
        PgpPublicKey primary = ring.GetPublicKey();
        bool isPrimary = key.IsMasterKey;
        PgpPublicKey? member = isPrimary ? primary : ring.GetPublicKey(key.GetFingerprint());
        if (member is null || !member.GetFingerprint().AsSpan().SequenceEqual(key.GetFingerprint()))
        {
            return new KeyValidityResult(KeyStatus.Unknown, $"key {KeyInfo.Fingerprint(key)} is not part of certificate {KeyInfo.Fingerprint(primary)}");
        }
        string which = isPrimary ? "primary key" : "subkey";

        PrimaryAnalysis certificate = PrimaryAnalysis.Of(primary);
        if (certificate.MaterialError is string primaryError)
        {
            return new KeyValidityResult(KeyStatus.InvalidKeyMaterial, "primary key has " + primaryError);
        }
        SubkeyAnalysis? subkey = isPrimary ? null : SubkeyAnalysis.Of(key, primary);
        if (subkey?.MaterialError is string subkeyError)
        {
            return new KeyValidityResult(KeyStatus.InvalidKeyMaterial, "subkey has " + subkeyError);
        }

        if (Effective(certificate.Revocations, now) is RevocationInfo primaryRevocation)
        {
            return new KeyValidityResult(KeyStatus.Revoked, $"primary key {primaryRevocation}", Revocation: primaryRevocation);
        }
        if (subkey is not null && Effective(subkey.Revocations, now) is RevocationInfo subkeyRevocation)
        {
            return new KeyValidityResult(KeyStatus.Revoked, $"subkey {subkeyRevocation}", Revocation: subkeyRevocation);
        }

        foreach (PgpPublicKey k in isPrimary ? [primary] : new[] { primary, key })
        {
            if (k.CreationTime > now)
            {
                return new KeyValidityResult(KeyStatus.NotYetValid,
                    $"{(k.IsMasterKey ? "primary key" : "subkey")} created in the future ({KeyInfo.FormatTime(k.CreationTime)})");
            }
        }

        SelfSignature? self = certificate.LatestSelfSignature(now);
        if (self is null)
        {
            return new KeyValidityResult(KeyStatus.InvalidSelfSignature, "primary key has no valid self-signature");
        }
        DateTime? expires = ExpiryOf(primary, self.ExpirySeconds);
        if (expires <= now)
        {
            return new KeyValidityResult(KeyStatus.Expired, $"primary key expired {KeyInfo.FormatTime(expires.Value)}", expires);
        }

        int? flags = self.KeyFlags;
        if (subkey is not null)
        {
            SubkeyBinding? binding = subkey.LatestBinding(now);
            if (binding is null)
            {
                return new KeyValidityResult(KeyStatus.InvalidBinding, "subkey has no valid binding signature");
            }
            expires = Earlier(expires, ExpiryOf(key, binding.ExpirySeconds));
            if (expires <= now)
            {
                return new KeyValidityResult(KeyStatus.Expired, $"subkey expired {KeyInfo.FormatTime(expires.Value)}", expires);
            }
            flags = binding.KeyFlags;
            if (CanSign(flags, key.Algorithm) && !binding.HasBackSignature)
            {
                return new KeyValidityResult(KeyStatus.InvalidBinding, "signing subkey has no valid back-signature (0x19)", expires);
            }
        }

        if (!CanSign(flags, key.Algorithm))
        {
            string why = flags is int f
                ? $"not flagged for signing (usage: {DescribeFlags(f)})"
                : $"{KeyInfo.AlgorithmName(key)} cannot sign";
            return new KeyValidityResult(KeyStatus.NotForSigning, $"{which} {why}", expires);
        }
        return new KeyValidityResult(KeyStatus.Valid,
            expires is null ? "valid" : $"valid until {KeyInfo.FormatTime(expires.Value)}", expires);
    }

    /// <summary>Whether the algorithm can make signatures at all (ElGamal signing is broken and refused).</summary>
    internal static bool AlgorithmCanSign(PublicKeyAlgorithmTag algorithm) => algorithm is
        PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign or PublicKeyAlgorithmTag.Dsa or
        PublicKeyAlgorithmTag.ECDsa or PublicKeyAlgorithmTag.EdDsa_Legacy or PublicKeyAlgorithmTag.Ed25519 or
        PublicKeyAlgorithmTag.Ed448;

    private static bool CanSign(int? flags, PublicKeyAlgorithmTag algorithm) =>
        AlgorithmCanSign(algorithm) && (flags is not int f || (f & PgpKeyFlags.CanSign) != 0);

    /// <summary>Expiry = creation + the key expiration time subpacket (0 or absent = never).</summary>
    internal static DateTime? ExpiryOf(PgpPublicKey key, long seconds) =>
        seconds > 0 ? key.CreationTime.AddSeconds(seconds) : null;

    private static DateTime? Earlier(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static RevocationInfo? Effective(IReadOnlyList<RevocationInfo> revocations, DateTime now) =>
        revocations.FirstOrDefault(r => r.IsHard) ?? revocations.FirstOrDefault(r => r.RevokedAt <= now);

    private static string DescribeFlags(int flags)
    {
        var names = new List<string>();
        if ((flags & PgpKeyFlags.CanCertify) != 0)
        {
            names.Add("certify");
        }
        if ((flags & PgpKeyFlags.CanSign) != 0)
        {
            names.Add("sign");
        }
        if ((flags & (PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage)) != 0)
        {
            names.Add("encrypt");
        }
        if ((flags & 0x20) != 0)
        {
            names.Add("authenticate");
        }
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}

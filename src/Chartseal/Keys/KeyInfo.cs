using System.Globalization;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Keys;

/// <summary>Display facts about keys, in the forms gpg prints them.</summary>
public static class KeyInfo
{
    /// <summary>The v4 fingerprint as 40 upper-case hex digits, as Helm and gpg print it.</summary>
    public static string Fingerprint(PgpPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexString(key.GetFingerprint());
    }

    /// <summary>
    /// The key's material, independent of its creation time and of the algorithm number it is wrapped under: SHA-256
    /// over the key family and the public key parameters (as gpg's keygrip, the same secret re-wrapped into a new key
    /// with another creation date has another fingerprint but the same material). RSA is one family whatever its number
    /// (1, 2 or 3), and an Ed25519 key is the same key as legacy EdDSA (22) or as Ed25519 (27). Revocation matches this
    /// too, so a revoked key cannot come back under a new fingerprint.
    /// </summary>
    public static string MaterialId(PgpPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] material = key.PublicKeyPacket.Key switch
        {
            RsaPublicBcpgKey rsa => [(byte)PublicKeyAlgorithmTag.RsaGeneral, .. rsa.GetEncoded()],
            Ed25519PublicBcpgKey ed => [(byte)PublicKeyAlgorithmTag.Ed25519, .. ed.GetKey()],
            EdDsaPublicBcpgKey legacy when OpenPgp.SignatureMath.Ed25519LegacyOid.Equals(legacy.CurveOid) && legacy.EncodedPoint.ToByteArrayUnsigned() is [0x40, .. var point] =>
                [(byte)PublicKeyAlgorithmTag.Ed25519, .. point],
            var other => [(byte)key.Algorithm, .. ((BcpgObject)other).GetEncoded()],
        };
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(material));
    }

    /// <summary>The 64-bit key id as 16 upper-case hex digits.</summary>
    public static string KeyId(PgpPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.KeyId.ToString("X16", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The certificate's user ids that carry a verifying self-certification and are not revoked, in
    /// key order. Unverified user ids are left out: anyone can append one to a certificate.
    /// </summary>
    public static IReadOnlyList<string> UserIds(PgpPublicKeyRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        return PrimaryAnalysis.Of(ring.GetPublicKey()).ValidUserIds().ToList();
    }

    /// <summary>
    /// The user id marked primary in its newest verified self-signature, else the first valid user id;
    /// null when the certificate has none.
    /// </summary>
    public static string? PrimaryUserId(PgpPublicKeyRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        PrimaryAnalysis analysis = PrimaryAnalysis.Of(ring.GetPublicKey());
        var valid = analysis.ValidUserIds().ToList();
        string? marked = analysis.SelfSignatures.LastOrDefault(s => s.IsPrimaryUserId && s.UserId is not null && valid.Contains(s.UserId))?.UserId;
        return marked ?? valid.FirstOrDefault();
    }

    /// <summary>The algorithm in gpg's naming: <c>rsa3072</c>, <c>dsa2048</c>, <c>ed25519</c>, <c>cv25519</c>, <c>nistp256</c>...</summary>
    public static string AlgorithmName(PgpPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Algorithm switch
        {
            PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.RsaSign => $"rsa{key.BitStrength}",
            PublicKeyAlgorithmTag.Dsa => $"dsa{key.BitStrength}",
            PublicKeyAlgorithmTag.ElGamalEncrypt or PublicKeyAlgorithmTag.ElGamalGeneral => $"elg{key.BitStrength}",
            PublicKeyAlgorithmTag.ECDH or PublicKeyAlgorithmTag.ECDsa or PublicKeyAlgorithmTag.EdDsa_Legacy => CurveName(key),
            PublicKeyAlgorithmTag.Ed25519 => "ed25519",
            PublicKeyAlgorithmTag.Ed448 => "ed448",
            PublicKeyAlgorithmTag.X25519 => "cv25519",
            PublicKeyAlgorithmTag.X448 => "cv448",
            _ => $"algorithm{(int)key.Algorithm}",
        };
    }

    /// <summary>When the key was created (UTC).</summary>
    public static DateTime Created(PgpPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ToUtc(key.CreationTime);
    }

    /// <summary>
    /// When the key expires according to its newest verified self-signature (for a subkey: its newest
    /// verified binding, bounded by the primary key's expiry); null for never, or when nothing verifies.
    /// </summary>
    public static DateTime? ExpiresAt(PgpPublicKey key, PgpPublicKeyRing ring)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(ring);
        PgpPublicKey primary = ring.GetPublicKey();
        SelfSignature? self = PrimaryAnalysis.Of(primary).LatestSelfSignature(DateTime.MaxValue);
        DateTime? primaryExpiry = self is null ? null : KeyValidity.ExpiryOf(primary, self.ExpirySeconds);
        if (key.IsMasterKey)
        {
            return primaryExpiry;
        }
        SubkeyBinding? binding = SubkeyAnalysis.Of(key, primary).LatestBinding(DateTime.MaxValue);
        DateTime? own = binding is null ? null : KeyValidity.ExpiryOf(key, binding.ExpirySeconds);
        return own is null ? primaryExpiry : primaryExpiry is null || own < primaryExpiry ? own : primaryExpiry;
    }

    /// <summary>A time as <c>2020-12-31 12:00:00Z</c>.</summary>
    internal static string FormatTime(DateTime time) => ToUtc(time).ToString("u", CultureInfo.InvariantCulture);

    /// <summary>Treats unspecified times as UTC and converts local ones.</summary>
    internal static DateTime ToUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };

    /// <summary>Upper-case hex without spaces or a <c>0x</c> prefix.</summary>
    internal static string NormalizeHex(string hex)
    {
        string compact = hex.Replace(" ", "", StringComparison.Ordinal).Trim();
        if (compact.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            compact = compact[2..];
        }
        return compact.ToUpperInvariant();
    }

    private static string CurveName(PgpPublicKey key)
    {
        string oid = key.PublicKeyPacket.Key is ECPublicBcpgKey ec ? ec.CurveOid.Id : "";
        return oid switch
        {
            "1.2.840.10045.3.1.7" => "nistp256",
            "1.3.132.0.34" => "nistp384",
            "1.3.132.0.35" => "nistp521",
            "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
            "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
            "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
            "1.3.132.0.10" => "secp256k1",
            "1.3.6.1.4.1.11591.15.1" or "1.3.101.112" => "ed25519",
            "1.3.101.113" => "ed448",
            "1.3.6.1.4.1.3029.1.5.1" or "1.3.101.110" => "cv25519",
            "1.3.101.111" => "cv448",
            _ => "ecc-" + oid,
        };
    }
}

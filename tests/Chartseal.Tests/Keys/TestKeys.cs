using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Chartseal.Tests.Keys;

/// <summary>Hand-built keys for the cases gpg will not produce (missing back-signatures, forgeries).</summary>
internal static class TestKeys
{
    public static readonly DateTime Created = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly SecureRandom Random = new();

    public static PgpKeyPair Ed25519(DateTime created)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(Random));
        return new PgpKeyPair(PublicKeyAlgorithmTag.EdDsa_Legacy, generator.GenerateKeyPair(), created);
    }

    public static PgpSignatureSubpacketVector Subpackets(int flags, DateTime created, long expirySeconds = 0)
    {
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetSignatureCreationTime(false, created);
        subpackets.SetKeyFlags(false, flags);
        if (expirySeconds > 0)
        {
            subpackets.SetKeyExpirationTime(false, expirySeconds);
        }
        return subpackets.Generate();
    }

    /// <summary>A certify-only Ed25519 primary key with one Ed25519 signing subkey.</summary>
    /// <param name="backSignature">Whether the subkey binding embeds the subkey's back-signature (0x19).</param>
    /// <param name="primaryExpiry">Primary key lifetime in seconds (0 = never).</param>
    /// <param name="subkeyExpiry">Subkey lifetime in seconds (0 = never).</param>
    public static (PgpPublicKeyRing Public, PgpSecretKeyRing Secret) WithSigningSubkey(
        bool backSignature = true, long primaryExpiry = 0, long subkeyExpiry = 0, string userId = "Sub Key <sub@example.com>")
    {
        PgpKeyPair primary = Ed25519(Created);
        var generator = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, primary, userId,
            SymmetricKeyAlgorithmTag.Null, HashAlgorithmTag.Sha256, true, [], false,
            Subpackets(PgpKeyFlags.CanCertify, Created, primaryExpiry), null, Random);
        PgpKeyPair subkey = Ed25519(Created.AddDays(1));
        PgpSignatureSubpacketVector binding = Subpackets(PgpKeyFlags.CanSign, Created.AddDays(1), subkeyExpiry);
        if (backSignature)
        {
            generator.AddSubKey(subkey, binding, null, HashAlgorithmTag.Sha256, HashAlgorithmTag.Sha256);
        }
        else
        {
            generator.AddSubKey(subkey, binding, null, HashAlgorithmTag.Sha256);
        }
        return (generator.GeneratePublicKeyRing(), generator.GenerateSecretKeyRing());
    }

    /// <summary>A signing Ed25519 primary key without subkeys.</summary>
    public static (PgpPublicKeyRing Public, PgpSecretKeyRing Secret) Simple(string userId, int flags = PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign, long expiry = 0)
    {
        PgpKeyPair primary = Ed25519(Created);
        var generator = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, primary, userId,
            SymmetricKeyAlgorithmTag.Null, HashAlgorithmTag.Sha256, true, [], false,
            Subpackets(flags, Created, expiry), null, Random);
        return (generator.GeneratePublicKeyRing(), generator.GenerateSecretKeyRing());
    }

    /// <summary>
    /// A key revocation (0x20) over <paramref name="target"/> that names <paramref name="target"/> as
    /// its issuer but is signed by <paramref name="forger"/>'s key.
    /// </summary>
    public static PgpPublicKeyRing WithForgedRevocation(PgpPublicKeyRing target, PgpSecretKeyRing forger)
    {
        PgpPublicKey victim = target.GetPublicKey();
        PgpPrivateKey forgerKey = forger.GetSecretKey().ExtractPrivateKey([]);
        var spoofed = new PgpPrivateKey(victim.KeyId, forgerKey.PublicKeyPacket, forgerKey.Key);
        var generator = new PgpSignatureGenerator(forgerKey.PublicKeyPacket.Algorithm, HashAlgorithmTag.Sha256);
        generator.InitSign(PgpSignature.KeyRevocation, spoofed);
        PgpSignature revocation = generator.GenerateCertification(victim);
        return PgpPublicKeyRing.InsertPublicKey(target, PgpPublicKey.AddCertification(victim, revocation));
    }
}

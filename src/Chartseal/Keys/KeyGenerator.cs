using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Bcpg.Sig;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;
using Chartseal.OpenPgp;

namespace Chartseal.Keys;

/// <summary>Generates v4 OpenPGP signing keys that gpg, Helm and our own code accept.</summary>
public static class KeyGenerator
{
    // S2K iteration count 0xFF = 65,011,712 bytes hashed, what gpg 2.2 uses for exported keys.
    private const int S2kCount = 0xFF;

    /// <summary>
    /// Generates a key: the primary key may certify and sign; its self-signature carries the key
    /// flags, the expiry, preferred hashes SHA-512/384/256, preferred ciphers AES-256/192/128 and the
    /// MDC feature. With a passphrase the secret keys are encrypted with AES-256 under an
    /// iterated and salted SHA-256 S2K (UTF-8 passphrase); without one (null or empty) they are stored
    /// unprotected.
    /// </summary>
    /// <param name="userId">The user id, e.g. <c>Jane Doe &lt;jane@example.com&gt;</c>.</param>
    /// <param name="algorithm">The key type.</param>
    /// <param name="validity">How long the key lives from <paramref name="now"/>; null for never.</param>
    /// <param name="passphrase">Protects the secret key; null or empty for none.</param>
    /// <param name="now">The key's creation time (truncated to whole seconds, UTC).</param>
    /// <exception cref="ChartsealException">The user id is empty or the validity out of range.</exception>
    public static GeneratedKey Generate(string userId, KeyAlgorithm algorithm, TimeSpan? validity, string? passphrase, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new ChartsealException(null, "the user id must not be empty");
        }
        long expirySeconds = ExpirySeconds(validity);
        DateTime created = KeyInfo.ToUtc(now);
        created = created.AddTicks(-(created.Ticks % TimeSpan.TicksPerSecond));
        var random = new SecureRandom();

        PgpKeyPair primary = algorithm switch
        {
            KeyAlgorithm.Ed25519 => Ed25519Pair(random, created),
            KeyAlgorithm.Rsa3072 => RsaPair(3072, created),
            KeyAlgorithm.Rsa4096 => RsaPair(4096, created),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };

        PgpSignatureSubpacketGenerator selfSignature = Subpackets(primary.PublicKey, created, expirySeconds, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        selfSignature.SetPreferredHashAlgorithms(false, [(int)HashAlgorithmTag.Sha512, (int)HashAlgorithmTag.Sha384, (int)HashAlgorithmTag.Sha256]);
        selfSignature.SetPreferredSymmetricAlgorithms(false,
            [(int)SymmetricKeyAlgorithmTag.Aes256, (int)SymmetricKeyAlgorithmTag.Aes192, (int)SymmetricKeyAlgorithmTag.Aes128]);
        selfSignature.SetFeature(false, Features.FEATURE_MODIFICATION_DETECTION);

        // Generate unprotected (16-bit checksum), then protect below: BouncyCastle's own protection
        // hard-codes an iterated SHA-1 S2K.
        var generator = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, primary, userId,
            SymmetricKeyAlgorithmTag.Null, HashAlgorithmTag.Sha512, true, [], false, selfSignature.Generate(), null, random);
        if (algorithm == KeyAlgorithm.Ed25519)
        {
            PgpSignatureSubpacketGenerator binding = Subpackets(primary.PublicKey, created, expirySeconds,
                PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage);
            generator.AddSubKey(Cv25519Pair(random, created), binding.Generate(), null, HashAlgorithmTag.Sha512);
        }

        byte[] secret = generator.GenerateSecretKeyRing().GetEncoded();
        if (!string.IsNullOrEmpty(passphrase))
        {
            secret = Protect(secret, passphrase, random);
        }
        return new GeneratedKey(
            Armor.Encode(Armor.PublicKeyBlock, generator.GeneratePublicKeyRing().GetEncoded()),
            Armor.Encode(Armor.PrivateKeyBlock, secret),
            KeyInfo.Fingerprint(primary.PublicKey));
    }

    private static long ExpirySeconds(TimeSpan? validity)
    {
        if (validity is not TimeSpan span)
        {
            return 0;
        }
        if (span < TimeSpan.FromSeconds(1) || span > Duration.Maximum)
        {
            throw new ChartsealException(null, $"key validity must be between one second and {(int)(Duration.Maximum.TotalDays / 365)} years");
        }
        return (long)span.TotalSeconds;
    }

    private static PgpSignatureSubpacketGenerator Subpackets(PgpPublicKey primary, DateTime created, long expirySeconds, int flags)
    {
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetSignatureCreationTime(false, created);
        subpackets.SetIssuerFingerprint(false, primary);
        subpackets.SetKeyFlags(false, flags);
        if (expirySeconds > 0)
        {
            subpackets.SetKeyExpirationTime(false, expirySeconds);
        }
        return subpackets;
    }

    private static PgpKeyPair Ed25519Pair(SecureRandom random, DateTime created)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(random));
        return new PgpKeyPair(PublicKeyAlgorithmTag.EdDsa_Legacy, generator.GenerateKeyPair(), created);
    }

    private static PgpKeyPair Cv25519Pair(SecureRandom random, DateTime created)
    {
        var generator = new X25519KeyPairGenerator();
        generator.Init(new X25519KeyGenerationParameters(random));
        return new PgpKeyPair(PublicKeyAlgorithmTag.ECDH, generator.GenerateKeyPair(), created);
    }

    /// <summary>RSA from the platform (OpenSSL): much faster than BouncyCastle's managed prime search.</summary>
    private static PgpKeyPair RsaPair(int bits, DateTime created)
    {
        using var rsa = RSA.Create(bits);
        RSAParameters p = rsa.ExportParameters(includePrivateParameters: true);
        static BigInteger Big(byte[]? bytes) => new(1, bytes ?? throw new CryptographicException("incomplete RSA key"));
        var publicKey = new RsaKeyParameters(false, Big(p.Modulus), Big(p.Exponent));
        var privateKey = new RsaPrivateCrtKeyParameters(Big(p.Modulus), Big(p.Exponent), Big(p.D), Big(p.P), Big(p.Q), Big(p.DP), Big(p.DQ), Big(p.InverseQ));
        return new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, publicKey, privateKey, created);
    }

    /// <summary>
    /// Re-encrypts every secret key packet of an unprotected ring (RFC 4880 section 5.5.3, usage 254):
    /// key material plus its SHA-1 hash, AES-256 in CFB mode, key from an iterated+salted SHA-256 S2K.
    /// </summary>
    private static byte[] Protect(byte[] ring, string passphrase, SecureRandom random)
    {
        using var output = new MemoryStream();
        foreach (RawPacket raw in PacketReader.ReadAll(ring, out _))
        {
            ReadOnlySpan<byte> bytes = ring.AsSpan(raw.Start, raw.End - raw.Start);
            if (raw.Tag is PacketReader.SecretKeyTag or PacketReader.SecretSubkeyTag)
            {
                var packet = (SecretKeyPacket)new BcpgInputStream(new MemoryStream(bytes.ToArray())).ReadPacket();
                byte[] clear = packet.GetSecretKeyData();           // MPIs + 16-bit checksum
                byte[] material = clear[..^2];
                byte[] salt = new byte[8];
                byte[] iv = new byte[16];
                random.NextBytes(salt);
                random.NextBytes(iv);
                var s2k = new S2k(HashAlgorithmTag.Sha256, salt, S2kCount);
                char[] chars = passphrase.ToCharArray();
                KeyParameter key = PgpUtilities.MakeKeyFromPassPhraseUtf8(SymmetricKeyAlgorithmTag.Aes256, s2k, chars);
                Array.Clear(chars);
                IBufferedCipher cipher = CipherUtilities.GetCipher("AES/CFB/NoPadding");
                cipher.Init(true, new ParametersWithIV(key, iv));
                byte[] checkedMaterial = [.. material, .. SHA1.HashData(material)];
                byte[] encrypted = cipher.DoFinal(checkedMaterial);
                Array.Clear(checkedMaterial);
                Array.Clear(clear);
                Array.Clear(material);
                SecretKeyPacket protectedPacket = packet is SecretSubkeyPacket
                    ? new SecretSubkeyPacket(packet.PublicKeyPacket, SymmetricKeyAlgorithmTag.Aes256, SecretKeyPacket.UsageSha1, s2k, iv, encrypted)
                    : new SecretKeyPacket(packet.PublicKeyPacket, SymmetricKeyAlgorithmTag.Aes256, SecretKeyPacket.UsageSha1, s2k, iv, encrypted);
                using var encoded = new MemoryStream();
                using (var bcpg = new BcpgOutputStream(encoded))
                {
                    bcpg.WritePacket(protectedPacket);
                }
                output.Write(encoded.ToArray());
            }
            else
            {
                output.Write(bytes);
            }
        }
        return output.ToArray();
    }
}

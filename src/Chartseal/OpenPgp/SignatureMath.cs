using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Chartseal.IO;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace Chartseal.OpenPgp;

/// <summary>
/// Checks the mathematics of v4 signatures: document signatures, and the self-signatures, bindings and revocations
/// of a certificate. BouncyCastle parses the packets; the arithmetic of the common algorithms runs here.
/// <list type="bullet">
/// <item>Ed25519 (legacy EdDSA, algorithm 22, and RFC 9580's algorithm 27) through libsodium (NSec): about twice as fast
/// as BouncyCastle's managed code, and loading it costs about half a millisecond.</item>
/// <item>RSA through the platform's RSA (OpenSSL), whose public-key operation is about ten times BouncyCastle's; but
/// starting OpenSSL costs a process about 3 ms, more than a whole <c>gpg --verify</c>. So a process checks its first
/// <see cref="ManagedRsaBudget"/> RSA signatures with managed integers (System.Numerics; PKCS #1 v1.5, encode and compare) and
/// the rest through OpenSSL: one <c>chartseal verify</c> never starts OpenSSL, and an audit of thousands of charts
/// pays its start once.</item>
/// <item>A document's SHA-256 or SHA-512 through libsodium when it is loaded (half the time of BouncyCastle's digest);
/// SHA-224, SHA-384 and the hashes of keys and user ids through BouncyCastle's digests.</item>
/// <item>Everything else (DSA, ECDSA, Ed448, v5/v6 packets, unusual hashes) through BouncyCastle, unchanged.</item>
/// </list>
/// Every engine gives the same verdict (tests check each against BouncyCastle's own verification).
/// </summary>
internal static class SignatureMath
{
    /// <summary>Which implementation does the arithmetic (tests pin one; the product always uses <see cref="Engine.Auto"/>).</summary>
    internal enum Engine
    {
        /// <summary>libsodium for Ed25519; RSA with managed integers for the first few, then OpenSSL.</summary>
        Auto,

        /// <summary>BouncyCastle's own <c>PgpSignature.Verify</c>: the reference.</summary>
        BouncyCastle,

        /// <summary>Managed arithmetic only: RSA with System.Numerics, Ed25519 with BouncyCastle's Ed25519.</summary>
        Managed,

        /// <summary>Native only: RSA through OpenSSL, Ed25519 through libsodium.</summary>
        Native,
    }

    /// <summary>RSA signatures a process checks with managed integers before it starts OpenSSL (see the class remarks).</summary>
    internal const int ManagedRsaBudget = 8;

    private static int _rsaChecks;

    private static readonly ConditionalWeakTable<PgpPublicKey, RSA> RsaKeys = new();

    private static readonly ConditionalWeakTable<PgpPublicKey, Ed25519Key> Ed25519Keys = new();

    /// <summary>The Ed25519 curve's OID in a legacy EdDSA key packet (1.3.6.1.4.1.11591.15.1).</summary>
    internal static readonly DerObjectIdentifier Ed25519LegacyOid = new("1.3.6.1.4.1.11591.15.1");

    /// <summary>True when <paramref name="sig"/> is a valid signature by <paramref name="key"/> over <paramref name="text"/>.</summary>
    /// <exception cref="PgpException">BouncyCastle cannot check the signature.</exception>
    public static bool Verify(PgpSignature sig, PgpPublicKey key, byte[] text) => Verify(sig, key, text, Engine.Auto);

    /// <inheritdoc cref="Verify(PgpSignature, PgpPublicKey, byte[])"/>
    internal static bool Verify(PgpSignature sig, PgpPublicKey key, byte[] text, Engine engine)
    {
        if (engine != Engine.BouncyCastle && Kind(sig, key) is { } kind
            && sig.HashAlgorithm is HashAlgorithmTag.Sha224 or HashAlgorithmTag.Sha256 or HashAlgorithmTag.Sha384 or HashAlgorithmTag.Sha512)
        {
            byte[] hashed = sig.SignatureType == PgpSignature.CanonicalTextDocument ? CanonicalText(text) : text;
            if (engine != Engine.Managed && sig.HashAlgorithm is HashAlgorithmTag.Sha256 or HashAlgorithmTag.Sha512 && Libsodium.IsAvailable)
            {
                // libsodium's SHA-2 takes half the time of BouncyCastle's managed digest (the text of every chart is hashed).
                return VerifyHash(sig, key, kind, SodiumHash(sig, hashed), engine);
            }
            IDigest digest = NewDigest(sig.HashAlgorithm)!;
            digest.BlockUpdate(hashed, 0, hashed.Length);
            return VerifyDigest(sig, key, kind, digest, engine);
        }
        sig.InitVerify(key);
        sig.Update(text);
        return sig.Verify();
    }

    /// <summary>A user id certification (0x10-0x13) or its revocation (0x30) over <paramref name="primary"/> and <paramref name="userId"/>, made by <paramref name="signer"/>.</summary>
    public static bool VerifyCertification(PgpSignature sig, PgpPublicKey signer, PgpPublicKey primary, string userId) =>
        VerifyCertification(sig, signer, primary, userId, Engine.Auto);

    /// <inheritdoc cref="VerifyCertification(PgpSignature, PgpPublicKey, PgpPublicKey, string)"/>
    internal static bool VerifyCertification(PgpSignature sig, PgpPublicKey signer, PgpPublicKey primary, string userId, Engine engine)
    {
        if (engine != Engine.BouncyCastle && primary.Version == 4 && Kind(sig, signer) is { } kind && NewDigest(sig.HashAlgorithm) is { } digest)
        {
            // RFC 4880 §5.2.4: the key packet, then 0xB4, the id's length (4 bytes) and the id (UTF-8, as BouncyCastle encodes it).
            HashKey(digest, primary);
            byte[] id = Encoding.UTF8.GetBytes(userId);
            digest.Update(0xB4);
            HashLength4(digest, id.Length);
            digest.BlockUpdate(id, 0, id.Length);
            return VerifyDigest(sig, signer, kind, digest, engine);
        }
        sig.InitVerify(signer);
        return sig.VerifyCertification(userId, primary);
    }

    /// <summary>
    /// A signature over a key: a direct-key signature or key revocation (0x1F, 0x20) over <paramref name="primary"/> when
    /// <paramref name="subkey"/> is null, else a subkey binding, back-signature or subkey revocation (0x18, 0x19, 0x28) over both.
    /// </summary>
    public static bool VerifyCertification(PgpSignature sig, PgpPublicKey signer, PgpPublicKey primary, PgpPublicKey? subkey) =>
        VerifyCertification(sig, signer, primary, subkey, Engine.Auto);

    /// <inheritdoc cref="VerifyCertification(PgpSignature, PgpPublicKey, PgpPublicKey, PgpPublicKey?)"/>
    internal static bool VerifyCertification(PgpSignature sig, PgpPublicKey signer, PgpPublicKey primary, PgpPublicKey? subkey, Engine engine)
    {
        if (engine != Engine.BouncyCastle && primary.Version == 4 && subkey?.Version is null or 4
            && Kind(sig, signer) is { } kind && NewDigest(sig.HashAlgorithm) is { } digest)
        {
            HashKey(digest, primary);
            if (subkey is not null)
            {
                HashKey(digest, subkey);
            }
            return VerifyDigest(sig, signer, kind, digest, engine);
        }
        sig.InitVerify(signer);
        return subkey is null ? sig.VerifyCertification(primary) : sig.VerifyCertification(primary, subkey);
    }

    /// <summary>
    /// A text signature (0x01) is over the text with CR LF line ends: a lone CR or LF counts as CR LF, as BouncyCastle
    /// and gpg hash it. The clear-sign framing already hands over CR LF text, which is returned as it is.
    /// </summary>
    private static byte[] CanonicalText(byte[] text)
    {
        int extra = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == (byte)'\r')
            {
                if (i + 1 < text.Length && text[i + 1] == (byte)'\n')
                {
                    i++;
                }
                else
                {
                    extra++;
                }
            }
            else if (text[i] == (byte)'\n')
            {
                extra++;
            }
        }
        if (extra == 0)
        {
            return text;
        }
        byte[] canonical = new byte[text.Length + extra];
        int j = 0;
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                canonical[j++] = (byte)'\r';
                canonical[j++] = (byte)'\n';
                if (b == (byte)'\r' && i + 1 < text.Length && text[i + 1] == (byte)'\n')
                {
                    i++;
                }
            }
            else
            {
                canonical[j++] = b;
            }
        }
        return canonical;
    }

    private enum KeyKind
    {
        Rsa,
        Ed25519Legacy,
        Ed25519,
    }

    /// <summary>The fast path's kind for a v4 signature by a v4 key of a matching algorithm, or null (BouncyCastle decides).</summary>
    private static KeyKind? Kind(PgpSignature sig, PgpPublicKey key)
    {
        if (sig.Version != 4 || key.Version != 4)
        {
            return null;
        }
        return (key.Algorithm, sig.KeyAlgorithm, key.PublicKeyPacket.Key) switch
        {
            (PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign, PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign, RsaPublicBcpgKey) => KeyKind.Rsa,
            (PublicKeyAlgorithmTag.EdDsa_Legacy, PublicKeyAlgorithmTag.EdDsa_Legacy, EdDsaPublicBcpgKey ed) when Ed25519LegacyOid.Equals(ed.CurveOid) => KeyKind.Ed25519Legacy,
            (PublicKeyAlgorithmTag.Ed25519, PublicKeyAlgorithmTag.Ed25519, Ed25519PublicBcpgKey) => KeyKind.Ed25519,
            _ => null,
        };
    }

    private static IDigest? NewDigest(HashAlgorithmTag tag) => tag switch
    {
        HashAlgorithmTag.Sha224 => new Sha224Digest(),
        HashAlgorithmTag.Sha256 => new Sha256Digest(),
        HashAlgorithmTag.Sha384 => new Sha384Digest(),
        HashAlgorithmTag.Sha512 => new Sha512Digest(),
        _ => null,
    };

    /// <summary>A v4 key as hashed into a signature over it: 0x99, the packet body's length (2 bytes), the body.</summary>
    private static void HashKey(IDigest digest, PgpPublicKey key)
    {
        byte[] body = key.PublicKeyPacket.GetEncodedContents();
        digest.Update(0x99);
        digest.Update((byte)(body.Length >> 8));
        digest.Update((byte)body.Length);
        digest.BlockUpdate(body, 0, body.Length);
    }

    private static void HashLength4(IDigest digest, int length)
    {
        digest.Update((byte)(length >> 24));
        digest.Update((byte)(length >> 16));
        digest.Update((byte)(length >> 8));
        digest.Update((byte)length);
    }

    /// <summary>Appends the signature's trailer to what <paramref name="digest"/> holds, and checks the signature over the result.</summary>
    private static bool VerifyDigest(PgpSignature sig, PgpPublicKey key, KeyKind kind, IDigest digest, Engine engine)
    {
        // RFC 4880 §5.2.4: for v4, BouncyCastle's trailer holds the hashed part of the packet followed by 0x04 0xFF and its length.
        byte[] trailer = sig.GetSignatureTrailer();
        digest.BlockUpdate(trailer, 0, trailer.Length);
        byte[] hash = new byte[digest.GetDigestSize()];
        digest.DoFinal(hash, 0);
        return VerifyHash(sig, key, kind, hash, engine);
    }

    /// <summary>The SHA-256 or SHA-512 (libsodium) of <paramref name="hashed"/> followed by the signature's trailer.</summary>
    private static byte[] SodiumHash(PgpSignature sig, byte[] hashed)
    {
        NSec.Cryptography.HashAlgorithm algorithm = sig.HashAlgorithm == HashAlgorithmTag.Sha256
            ? NSec.Cryptography.HashAlgorithm.Sha256
            : NSec.Cryptography.HashAlgorithm.Sha512;
        NSec.Cryptography.IncrementalHash.Initialize(algorithm, out var state);
        NSec.Cryptography.IncrementalHash.Update(ref state, hashed);
        NSec.Cryptography.IncrementalHash.Update(ref state, sig.GetSignatureTrailer());
        return NSec.Cryptography.IncrementalHash.Finalize(ref state);
    }

    /// <summary>Checks the signature over <paramref name="hash"/>, the digest of the signed data and the trailer.</summary>
    private static bool VerifyHash(PgpSignature sig, PgpPublicKey key, KeyKind kind, byte[] hash, Engine engine)
    {
        return kind == KeyKind.Rsa
            ? VerifyRsa(sig, key, (RsaPublicBcpgKey)key.PublicKeyPacket.Key, hash, engine)
            : VerifyEd25519(sig, key, kind, hash, engine);
    }

    private static bool VerifyRsa(PgpSignature sig, PgpPublicKey key, RsaPublicBcpgKey rsaKey, byte[] hash, Engine engine)
    {
        // The signature MPI may be shorter than the modulus (leading zeros dropped): left-pad it.
        int modulusLength = (rsaKey.Modulus.BitLength + 7) / 8;
        byte[] value = sig.GetSignature();
        if (value.Length > modulusLength)
        {
            int extra = value.Length - modulusLength;
            if (value.AsSpan(0, extra).ContainsAnyExcept((byte)0))
            {
                return false;
            }
            value = value[extra..];
        }
        else if (value.Length < modulusLength)
        {
            byte[] padded = new byte[modulusLength];
            value.CopyTo(padded, modulusLength - value.Length);
            value = padded;
        }

        bool native = engine switch
        {
            Engine.Native => true,
            Engine.Managed => false,
            _ => Volatile.Read(ref _rsaChecks) >= ManagedRsaBudget || Interlocked.Increment(ref _rsaChecks) > ManagedRsaBudget,
        };
        return native ? VerifyRsaNative(key, rsaKey, sig.HashAlgorithm, hash, value) : VerifyRsaManaged(rsaKey, sig.HashAlgorithm, hash, value);
    }

    private static bool VerifyRsaNative(PgpPublicKey key, RsaPublicBcpgKey rsaKey, HashAlgorithmTag hashAlgorithm, byte[] hash, byte[] value)
    {
        HashAlgorithmName name = hashAlgorithm switch
        {
            HashAlgorithmTag.Sha224 => new HashAlgorithmName("SHA224"),
            HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
            HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        };
        if (hashAlgorithm == HashAlgorithmTag.Sha224)
        {
            // The platform's RSA has no SHA-224 PKCS #1 signatures on every OS: the managed check is exact and this is rare.
            return VerifyRsaManaged(rsaKey, hashAlgorithm, hash, value);
        }
        RSA rsa = RsaKeys.GetValue(key, _ =>
        {
            var r = RSA.Create();
            r.ImportParameters(new RSAParameters
            {
                Modulus = rsaKey.Modulus.ToByteArrayUnsigned(),
                Exponent = rsaKey.PublicExponent.ToByteArrayUnsigned(),
            });
            return r;
        });
        try
        {
            return rsa.VerifyHash(hash, value, name, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) with encode-and-compare: s^e mod n must equal
    /// 0x00 0x01 0xFF... 0x00 || DigestInfo(hash) of the modulus's length.
    /// </summary>
    private static bool VerifyRsaManaged(RsaPublicBcpgKey rsaKey, HashAlgorithmTag hashAlgorithm, byte[] hash, byte[] value)
    {
        ReadOnlySpan<byte> prefix = hashAlgorithm switch
        {
            // RFC 8017 §9.2, note 1: the DER DigestInfo prefixes.
            HashAlgorithmTag.Sha224 => [0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c],
            HashAlgorithmTag.Sha256 => [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20],
            HashAlgorithmTag.Sha384 => [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30],
            _ => [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40],
        };
        // System.Numerics: its ModPow is about twice BouncyCastle's for RSA-3072 (about 0.4 ms), and needs no start-up.
        byte[] modulus = rsaKey.Modulus.ToByteArrayUnsigned();
        int k = value.Length;
        int tLength = prefix.Length + hash.Length;
        if (modulus.Length != k || (modulus[^1] & 1) == 0 || k < tLength + 11)
        {
            return false;
        }
        var n = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(value, isUnsigned: true, isBigEndian: true);
        if (s >= n)
        {
            return false; // RSAVP1: the representative must be below the modulus
        }
        var e = new BigInteger(rsaKey.PublicExponent.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);
        byte[] m = BigInteger.ModPow(s, e, n).ToByteArray(isUnsigned: true, isBigEndian: true);
        if (m.Length > k)
        {
            return false;
        }
        byte[] expected = new byte[k];
        expected[1] = 0x01;
        expected.AsSpan(2, k - tLength - 3).Fill(0xFF);
        prefix.CopyTo(expected.AsSpan(k - tLength));
        hash.CopyTo(expected.AsSpan(k - hash.Length));
        byte[] actual = new byte[k];
        m.CopyTo(actual, k - m.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool VerifyEd25519(PgpSignature sig, PgpPublicKey key, KeyKind kind, byte[] hash, Engine engine)
    {
        if (SignatureBytes(sig) is not { } signature)
        {
            return false;
        }
        Ed25519Key edKey = Ed25519Keys.GetValue(key, k => new Ed25519Key(PublicKeyBytes(k, kind)));
        if (edKey.Raw is null)
        {
            return false;
        }
        return engine == Engine.Managed || (engine == Engine.Auto && !Libsodium.IsAvailable)
            ? Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature, 0, edKey.Raw, 0, hash, 0, hash.Length)
            : VerifyEd25519Native(edKey, hash, signature);
    }

    private static bool VerifyEd25519Native(Ed25519Key key, byte[] message, byte[] signature)
    {
        if (!Libsodium.IsAvailable)
        {
            throw new InvalidOperationException("libsodium is not available");
        }
        NSec.Cryptography.PublicKey? publicKey = key.Imported;
        if (publicKey is null)
        {
            if (key.Rejected || key.Raw is null
                || !NSec.Cryptography.PublicKey.TryImport(NSec.Cryptography.SignatureAlgorithm.Ed25519, key.Raw, NSec.Cryptography.KeyBlobFormat.RawPublicKey, out publicKey)
                || publicKey is null)
            {
                key.Rejected = true;
                return false;
            }
            key.Imported = publicKey;
        }
        return NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(publicKey, message, signature);
    }

    /// <summary>
    /// R || S, 64 bytes. A legacy signature stores R and S as MPIs, which drop leading zero bytes; BouncyCastle hands them
    /// over left-padded to 32 bytes each (tests check signatures with short MPIs).
    /// </summary>
    private static byte[]? SignatureBytes(PgpSignature sig)
    {
        byte[] encoded = sig.GetSignature();
        return encoded.Length == 64 ? encoded : null;
    }

    /// <summary>The 32-byte public key: for legacy EdDSA the MPI is 0x40 followed by the native point.</summary>
    private static byte[]? PublicKeyBytes(PgpPublicKey key, KeyKind kind)
    {
        if (kind == KeyKind.Ed25519)
        {
            byte[] raw = ((Ed25519PublicBcpgKey)key.PublicKeyPacket.Key).GetKey();
            return raw.Length == 32 ? raw : null;
        }
        byte[] point = ((EdDsaPublicBcpgKey)key.PublicKeyPacket.Key).EncodedPoint.ToByteArrayUnsigned();
        return point.Length == 33 && point[0] == 0x40 ? point[1..] : null;
    }
}

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.OpenPgp;

/// <summary>
/// Checks the mathematics of a v4 document signature. RSA signatures go through the platform's RSA
/// (OpenSSL): BouncyCastle's managed RSA costs about 1 ms per RSA-3072 check, which dominated whole-repository
/// verification. Every other algorithm, and anything unusual, goes through BouncyCastle.
/// </summary>
internal static class SignatureMath
{
    private static readonly ConditionalWeakTable<PgpPublicKey, RSA> RsaKeys = new();

    /// <summary>True when <paramref name="sig"/> is a valid signature by <paramref name="key"/> over <paramref name="text"/>.</summary>
    /// <exception cref="PgpException">BouncyCastle cannot check the signature.</exception>
    public static bool Verify(PgpSignature sig, PgpPublicKey key, byte[] text)
    {
        if (sig.Version == 4
            && key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign
            && sig.KeyAlgorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign
            && HashName(sig.HashAlgorithm) is { } hashName
            && key.PublicKeyPacket.Key is RsaPublicBcpgKey rsaKey)
        {
            return VerifyRsa(sig, key, rsaKey, hashName, text);
        }
        sig.InitVerify(key);
        sig.Update(text);
        return sig.Verify();
    }

    private static bool VerifyRsa(PgpSignature sig, PgpPublicKey key, RsaPublicBcpgKey rsaKey, HashAlgorithmName hashName, byte[] text)
    {
        // RFC 4880 §5.2.4: hash the data, then the signature trailer (for v4, BouncyCastle's trailer already
        // holds the hashed part of the packet followed by 0x04 0xFF and its length).
        using var hash = IncrementalHash.CreateHash(hashName);
        hash.AppendData(text);
        hash.AppendData(sig.GetSignatureTrailer());
        byte[] digest = hash.GetHashAndReset();

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

        // The signature MPI may be shorter than the modulus (leading zeros dropped): left-pad it.
        byte[] value = sig.GetSignature();
        int modulusLength = (rsaKey.Modulus.BitLength + 7) / 8;
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
        try
        {
            return rsa.VerifyHash(digest, value, hashName, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static HashAlgorithmName? HashName(HashAlgorithmTag tag) => tag switch
    {
        HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
        HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
        HashAlgorithmTag.Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };
}

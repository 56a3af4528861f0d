using System.Security.Cryptography;

namespace Chartseal.IO;

/// <summary>
/// SHA-256 of bytes in memory (chart archives, the files in them), by whichever implementation costs less for the size.
/// The platform's SHA-256 (OpenSSL) hashes about 8 times faster than libsodium's, but starting OpenSSL costs a process
/// about 3 ms, a whole <c>gpg --verify</c>: libsodium (loaded anyway for Ed25519) therefore hashes anything under
/// <see cref="PlatformThreshold"/>, which is where the two costs meet, and OpenSSL the rest.
/// </summary>
public static class ContentHash
{
    /// <summary>From this size on, the platform's SHA-256 (OpenSSL).</summary>
    public const int PlatformThreshold = 512 * 1024;

    /// <summary>The SHA-256 of <paramref name="data"/> (32 bytes).</summary>
    public static byte[] Sha256(ReadOnlySpan<byte> data)
    {
        if (data.Length < PlatformThreshold && Libsodium.IsAvailable)
        {
            return NSec.Cryptography.HashAlgorithm.Sha256.Hash(data);
        }
        return SHA256.HashData(data);
    }

    /// <summary>The SHA-256 of <paramref name="data"/>, as 64 lowercase hex digits.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(Sha256(data));
}

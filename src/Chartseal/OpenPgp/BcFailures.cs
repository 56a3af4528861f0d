using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Chartseal.OpenPgp;

/// <summary>
/// The exceptions BouncyCastle throws for malformed or unsupported input. We catch exactly these where
/// untrusted bytes are parsed or checked, and let everything else (real bugs) propagate.
/// </summary>
internal static class BcFailures
{
    public static bool IsExpected(Exception e) => e is
        IOException or                          // includes ArmoredInputException, MalformedPacketException, EndOfStreamException
        PgpException or                         // includes PgpKeyValidationException
        UnsupportedPacketVersionException or
        CryptoException or
        GeneralSecurityException or
        SecurityUtilityException or
        ArgumentException or                    // invalid key parameters (e.g. "RSA modulus has a small prime factor")
        InvalidOperationException or
        InvalidCastException or                 // an unexpected packet where another was required
        FormatException or
        OverflowException or
        IndexOutOfRangeException or
        NotSupportedException or
        NotImplementedException;
}

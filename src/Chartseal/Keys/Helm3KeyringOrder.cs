using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Keys;

/// <summary>
/// Orders the certificates of a binary keyring so that Helm 3 keeps every key it can read.
/// </summary>
/// <remarks>
/// Helm 3 (up to 3.21.3) reads <c>--keyring</c> with Go's <c>golang.org/x/crypto/openpgp</c> <c>ReadKeyRing</c>,
/// which reads one certificate (entity) after another from a single packet stream. <c>ReadEntity</c> reads the
/// packets after a primary key until the next primary key packet; when a packet cannot be parsed (a key or
/// signature algorithm it does not know, such as EdDSA 22, Ed25519 27, or a key that is not version 4, or ECDSA/ECDH
/// on a curve other than NIST P-256/384/521) the packet reader returns an <c>UnsupportedError</c> and the whole
/// entity being read is dropped. <c>ReadKeyRing</c> then skips to the next primary public key that parses and
/// goes on. So an unreadable certificate is lost, which is expected, but when its <em>primary key</em> packet is
/// the one that fails, it is read as part of the certificate <em>before</em> it, which is lost too: an Ed25519
/// key written right after an RSA key makes Helm 3 drop that RSA key (and with no key left, Helm 3 fails with
/// <c>unsupported feature: public key type: 22</c>).
/// <para>
/// Putting every certificate whose primary key packet x/crypto cannot parse first, and all the others after
/// them (each group in its original order), means a readable certificate is only ever followed by one whose
/// primary key parses, or by the end of the file, so Helm 3 keeps every certificate it can read. Helm 4
/// (go-crypto), gpg and Chartseal read every certificate in any order.
/// </para>
/// </remarks>
internal static class Helm3KeyringOrder
{
    /// <summary>The certificates Go's x/crypto cannot start reading first, then the others; each group keeps its order.</summary>
    public static IReadOnlyList<PgpPublicKeyRing> Order(IEnumerable<PgpPublicKeyRing> rings)
    {
        ArgumentNullException.ThrowIfNull(rings);
        var list = rings.ToList();
        return [.. list.Where(r => !PrimaryParsesInXCrypto(r.GetPublicKey())), .. list.Where(r => PrimaryParsesInXCrypto(r.GetPublicKey()))];
    }

    /// <summary>
    /// Whether x/crypto's <c>PublicKey.parse</c> accepts this key packet: version 4, and RSA, DSA, ElGamal, or
    /// ECDSA/ECDH on NIST P-256, P-384 or P-521.
    /// </summary>
    public static bool PrimaryParsesInXCrypto(PgpPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Version != 4)
        {
            return false;
        }
        return key.Algorithm switch
        {
            PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.RsaSign
                or PublicKeyAlgorithmTag.Dsa or PublicKeyAlgorithmTag.ElGamalEncrypt => true,
            PublicKeyAlgorithmTag.ECDsa or PublicKeyAlgorithmTag.ECDH =>
                key.PublicKeyPacket.Key is ECPublicBcpgKey ec && ec.CurveOid.Id is "1.2.840.10045.3.1.7" or "1.3.132.0.34" or "1.3.132.0.35",
            _ => false,
        };
    }
}

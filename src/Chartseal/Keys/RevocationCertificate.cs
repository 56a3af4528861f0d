using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Keys;

/// <summary>
/// Makes a key revocation certificate, as <c>gpg --gen-revoke</c> does: a stand-alone key revocation signature
/// (type 0x20) by the primary key over itself, with a reason, armored as a public key block. Make one while the
/// key is safe and keep it apart; <c>chartseal trust revoke --revocation-cert</c> stores it in <c>revoked.pgp</c>,
/// and gpg imports it.
/// </summary>
public static class RevocationCertificate
{
    /// <summary>Signs a revocation of <paramref name="primary"/>'s certificate.</summary>
    /// <param name="primary">The primary key (<see cref="SigningKeySelector.SelectPrimary"/>).</param>
    /// <param name="privateKey">Its unlocked secret (<see cref="SigningKey.UnlockWith"/>).</param>
    /// <param name="reason">Why: compromised, superseded, retired, or none given.</param>
    /// <param name="description">A line of text for people (may be empty).</param>
    /// <param name="now">The revocation time.</param>
    /// <returns>The armored certificate (<c>-----BEGIN PGP PUBLIC KEY BLOCK-----</c>).</returns>
    public static string Create(SigningKey primary, PgpPrivateKey privateKey, RevocationReasonTag reason, string description, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(description);
        if (description.Contains('\n', StringComparison.Ordinal) || description.Contains('\r', StringComparison.Ordinal))
        {
            throw new ChartsealException(null, "the revocation description must be one line");
        }
        PgpPublicKey key = primary.PublicRing.GetPublicKey();
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetSignatureCreationTime(false, KeyInfo.ToUtc(now));
        subpackets.SetIssuerFingerprint(false, key);
        subpackets.SetRevocationReason(false, reason, description);
        var generator = new PgpSignatureGenerator(key.Algorithm, HashAlgorithmTag.Sha512);
        generator.SetHashedSubpackets(subpackets.Generate());
        var unhashed = new PgpSignatureSubpacketGenerator();
        unhashed.SetIssuerKeyID(false, key.KeyId);
        generator.SetUnhashedSubpackets(unhashed.Generate());
        generator.InitSign(PgpSignature.KeyRevocation, privateKey);
        PgpSignature signature = generator.GenerateCertification(key);
        return Armor.Encode(Armor.PublicKeyBlock, signature.GetEncoded());
    }
}

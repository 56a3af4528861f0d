using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Provenance;

/// <summary>Makes the clear-signed provenance document for a body with a BouncyCastle private key.</summary>
public static class ProvenanceSigner
{
    /// <summary>The hash every provenance signature uses, as Helm does.</summary>
    public const HashAlgorithmTag Hash = HashAlgorithmTag.Sha512;

    /// <summary>
    /// Clear-signs <paramref name="body"/> with a SHA-512 canonical-text signature (type 0x01) carrying the
    /// creation time and issuer fingerprint (hashed) and the issuer key id (unhashed; Go's verifier looks
    /// keys up by it), in GnuPG's layout.
    /// </summary>
    /// <param name="body">The provenance body (see <see cref="ProvenanceBody.Build"/>).</param>
    /// <param name="privateKey">The unlocked signing key.</param>
    /// <param name="signingKey">The public half of the signing (sub)key.</param>
    /// <param name="signingTime">The signature's creation time.</param>
    /// <returns>The <c>.prov</c> file's bytes.</returns>
    public static byte[] Sign(string body, PgpPrivateKey privateKey, PgpPublicKey signingKey, DateTime signingTime) =>
        Sign(body, [(privateKey, signingKey)], signingTime);

    /// <summary>
    /// Clear-signs <paramref name="body"/> with several keys: one signature each, in one armored block (as
    /// <c>gpg --clearsign -u A -u B</c> does). A root rotation is signed by the outgoing and the incoming root.
    /// </summary>
    public static byte[] Sign(string body, IReadOnlyList<(PgpPrivateKey PrivateKey, PgpPublicKey SigningKey)> signers, DateTime signingTime)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(signers);
        if (signers.Count == 0)
        {
            throw new ArgumentException("at least one signer", nameof(signers));
        }
        var lines = ClearSignedMessage.CanonicalLines(body);
        byte[] signedText = ClearSignedMessage.SignedTextOf(lines);
        using var packets = new MemoryStream();
        foreach (var (privateKey, signingKey) in signers)
        {
            ArgumentNullException.ThrowIfNull(privateKey);
            ArgumentNullException.ThrowIfNull(signingKey);
            var generator = new PgpSignatureGenerator(signingKey.Algorithm, Hash);
            generator.InitSign(PgpSignature.CanonicalTextDocument, privateKey);
            var hashed = new PgpSignatureSubpacketGenerator();
            hashed.SetSignatureCreationTime(false, signingTime.ToUniversalTime());
            hashed.SetIssuerFingerprint(false, signingKey);
            generator.SetHashedSubpackets(hashed.Generate());
            var unhashed = new PgpSignatureSubpacketGenerator();
            unhashed.SetIssuerKeyID(false, signingKey.KeyId);
            generator.SetUnhashedSubpackets(unhashed.Generate());
            generator.Update(signedText);
            packets.Write(generator.Generate().GetEncoded());
        }
        return ClearSignedMessage.Write(lines, "SHA512", packets.ToArray());
    }
}

using System.Text;
using Chartseal.Keys;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Provenance;

/// <summary>
/// The one OpenPGP signature check, for chart provenance and for the repository's trust material alike: the
/// signature over a clear-signed document must be made by a key of the keyring with a SHA-2 hash, be a document
/// signature, carry no unknown critical subpacket, verify (RSA through the platform, see <see cref="SignatureMath"/>),
/// not be made in the future or before its key, not have expired, and its key must be valid (not expired, revoked,
/// unbound or unfit for signing) at the time the <see cref="SignaturePolicy"/> names.
/// </summary>
public static class SignatureVerifier
{
    /// <summary>Allowed clock skew for a signature's creation time.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Checks the signatures of <paramref name="message"/>: the first one made by a key of <paramref name="keyring"/> decides.</summary>
    /// <returns>
    /// A good check, or a failure: malformed (undecodable block, Hash header mismatch), unsupported-signature,
    /// unknown-signer, weak-hash, bad-signature, key-expired (key or signature), key-revoked.
    /// </returns>
    public static SignatureCheck Verify(ClearSignedMessage message, Keyring keyring, SignaturePolicy policy, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(keyring);
        ArgumentNullException.ThrowIfNull(policy);
        static SignatureCheck Fail(RejectionReason reason, string text) => new(null, null, new Refusal(reason, text));
        List<PgpSignature> signatures;
        try
        {
            signatures = ReadSignatures(message.ArmoredSignature);
        }
        catch (UnsupportedPacketVersionException e)
        {
            return Fail(RejectionReason.UnsupportedSignature, "unsupported signature: " + e.Message + " (OpenPGP v6 signatures are not supported)");
        }
        catch (Exception e) when (e is IOException or PgpException or InvalidOperationException or FormatException)
        {
            return Fail(RejectionReason.Malformed, "cannot decode the signature block: " + e.Message);
        }
        if (signatures.Count == 0)
        {
            return Fail(RejectionReason.UnsupportedSignature, "no signature we can read (OpenPGP v6 signatures are not supported)");
        }

        foreach (PgpSignature sig in signatures)
        {
            if (keyring.Find(sig.KeyId, IssuerFingerprint(sig)) is { } match)
            {
                return OpenPgpPerformance.RunWithoutRepeatedKeyValidation(() => CheckOne(sig, match, message, policy, now));
            }
        }
        var issuers = signatures.Select(sig => IssuerFingerprint(sig) is { } fingerprint ? Convert.ToHexString(fingerprint) : sig.KeyId.ToString("X16"));
        return Fail(RejectionReason.UnknownSigner, $"signature made by unknown key {string.Join(", ", issuers)} (not in {keyring.SourceName}{(keyring.PublicKeyRings.Count == 0 ? ", which holds no keys" : "")})");
    }

    private static byte[]? IssuerFingerprint(PgpSignature sig) => sig.GetHashedSubPackets()?.GetIssuerFingerprint()?.GetFingerprint();

    private static SignatureCheck CheckOne(PgpSignature sig, KeyMatch match, ClearSignedMessage message, SignaturePolicy policy, DateTime now)
    {
        SignerInfo signer = SignerInfo.Of(match);
        DateTime signedAt = sig.CreationTime.ToUniversalTime();
        SignatureCheck Fail(RejectionReason reason, string text) => new(signer, signedAt, new Refusal(reason, text));

        string hashName = HashName(sig.HashAlgorithm);
        if (sig.HashAlgorithm is not (HashAlgorithmTag.Sha224 or HashAlgorithmTag.Sha256 or HashAlgorithmTag.Sha384 or HashAlgorithmTag.Sha512))
        {
            return Fail(RejectionReason.WeakHash, $"signature uses {hashName}; only SHA-2 hashes are accepted");
        }
        if (message.HashHeaders.Count > 0 && !message.HashHeaders.Contains(hashName))
        {
            return Fail(RejectionReason.Malformed, $"Hash header ({string.Join(",", message.HashHeaders)}) does not match the signature's hash {hashName}");
        }
        if (sig.SignatureType is not (PgpSignature.CanonicalTextDocument or PgpSignature.BinaryDocument))
        {
            return Fail(RejectionReason.BadSignature, $"signature has type 0x{sig.SignatureType:x2}, not a document signature");
        }
        if (UnknownCriticalSubpacket(sig) is { } critical)
        {
            return Fail(RejectionReason.UnsupportedSignature, $"signature carries an unknown critical subpacket (type {critical})");
        }

        bool valid;
        try
        {
            valid = SignatureMath.Verify(sig, match.Key, message.SignedText);
        }
        catch (PgpException e)
        {
            return Fail(RejectionReason.BadSignature, "signature cannot be checked: " + e.Message);
        }
        if (!valid)
        {
            return Fail(RejectionReason.BadSignature, $"BAD signature from {signer.Fingerprint}: the signed text or the signature was modified");
        }

        if (signedAt > now + ClockSkew)
        {
            return Fail(RejectionReason.BadSignature, $"signature was made in the future ({signedAt:yyyy-MM-dd HH:mm:ss}Z)");
        }
        DateTime keyCreated = match.Key.CreationTime.ToUniversalTime();
        if (signedAt < keyCreated)
        {
            // gpg: "Time conflict"; go-crypto: "signature is older than the key".
            return Fail(RejectionReason.BadSignature, $"signature ({signedAt:yyyy-MM-dd HH:mm:ss}Z) is older than its key ({keyCreated:yyyy-MM-dd HH:mm:ss}Z)");
        }
        // A signature's own expiry is its signer's statement about how long it should count: checked against now.
        long expirySeconds = sig.GetHashedSubPackets()?.GetSignatureExpirationTime() ?? 0;
        if (expirySeconds > 0 && signedAt.AddSeconds(expirySeconds) <= now)
        {
            return Fail(RejectionReason.KeyExpired, $"signature expired {signedAt.AddSeconds(expirySeconds):yyyy-MM-dd HH:mm:ss}Z");
        }

        // The math is not enough: BouncyCastle leaves key expiry, revocation, usage and bindings to us.
        DateTime validAt = policy.KeyValidAt == KeyValidityTime.SigningTime ? signedAt : now;
        var validity = KeyValidity.Check(match.Key, match.Ring, validAt);
        string when = policy.KeyValidAt == KeyValidityTime.SigningTime ? " when it signed" : "";
        DateTime? expiredSince = policy.KeyValidAt == KeyValidityTime.SigningTime && validity.IsValid
            && KeyValidity.Check(match.Key, match.Ring, now) is { Status: KeyStatus.Expired } later ? later.ExpiresAt : null;
        return validity.Status switch
        {
            KeyStatus.Valid => new(signer, signedAt, null) { KeyExpiredSince = expiredSince },
            KeyStatus.Expired => Fail(RejectionReason.KeyExpired, $"signing key {signer.KeyId} is expired{when}: {validity.Detail}"),
            KeyStatus.Revoked => Fail(RejectionReason.KeyRevoked, $"signing key {signer.KeyId} is revoked: {validity.Detail}"),
            _ => Fail(RejectionReason.BadSignature, $"signing key {signer.KeyId} is not valid for signing{when}: {validity.Detail}"),
        };
    }

    /// <summary>Every signature packet of an armored signature block (anything else in it is an error).</summary>
    internal static List<PgpSignature> ReadSignatures(string armored)
    {
        // The usual layout is decoded without BouncyCastle's armor stream (see Armor.TryDecodePlain), to the same bytes.
        using Stream input = Armor.TryDecodePlain(armored) is { } packets
            ? new MemoryStream(packets, writable: false)
            : new ArmoredInputStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
        var factory = new PgpObjectFactory(input);
        var signatures = new List<PgpSignature>();
        for (PgpObject? o = factory.NextPgpObject(); o is not null; o = factory.NextPgpObject())
        {
            if (o is not PgpSignatureList list)
            {
                throw new PgpException($"unexpected {o.GetType().Name} in the signature block");
            }
            for (int i = 0; i < list.Count; i++)
            {
                signatures.Add(list[i]);
            }
        }
        return signatures;
    }

    private static int? UnknownCriticalSubpacket(PgpSignature sig)
    {
        ReadOnlySpan<int> known = [2, 3, 4, 5, 7, 9, 11, 12, 16, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 32, 33];
        foreach (int tag in sig.GetHashedSubPackets()?.GetCriticalTags() ?? [])
        {
            if (!known.Contains(tag))
            {
                return tag;
            }
        }
        return null;
    }

    private static string HashName(HashAlgorithmTag tag) => tag switch
    {
        HashAlgorithmTag.MD5 => "MD5",
        HashAlgorithmTag.Sha1 => "SHA1",
        HashAlgorithmTag.RipeMD160 => "RIPEMD160",
        HashAlgorithmTag.Sha224 => "SHA224",
        HashAlgorithmTag.Sha256 => "SHA256",
        HashAlgorithmTag.Sha384 => "SHA384",
        HashAlgorithmTag.Sha512 => "SHA512",
        _ => tag.ToString().ToUpperInvariant(),
    };
}

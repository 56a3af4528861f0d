using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Keys;

/// <summary>A secret key chosen by <see cref="SigningKeySelector"/> to sign with; still locked.</summary>
public sealed class SigningKey
{
    internal SigningKey(PgpSecretKey secretKey, PgpPublicKeyRing publicRing, string userId, string sourceName)
    {
        SecretKey = secretKey;
        PublicRing = publicRing;
        UserId = userId;
        SourceName = sourceName;
        Fingerprint = KeyInfo.Fingerprint(secretKey.PublicKey);
        PrimaryFingerprint = KeyInfo.Fingerprint(publicRing.GetPublicKey());
    }

    /// <summary>The secret primary key or subkey that will sign.</summary>
    public PgpSecretKey SecretKey { get; }

    /// <summary>The certificate the key belongs to.</summary>
    public PgpPublicKeyRing PublicRing { get; }

    /// <summary>The user id the key was selected by, else the certificate's primary user id (else its fingerprint).</summary>
    public string UserId { get; }

    /// <summary>Fingerprint of the signing key itself (a subkey's, when a subkey signs).</summary>
    public string Fingerprint { get; }

    /// <summary>Fingerprint of the certificate's primary key.</summary>
    public string PrimaryFingerprint { get; }

    /// <summary>The keyring the key came from, for messages.</summary>
    public string SourceName { get; }

    /// <summary>Whether a passphrase protects the secret key.</summary>
    public bool IsEncrypted => SecretKey.S2kUsage != SecretKeyPacket.UsageNone;

    /// <summary>
    /// Decrypts the secret key. The passphrase is taken as UTF-8, as gpg does (BouncyCastle's plain
    /// <c>ExtractPrivateKey</c> mangles non-ASCII passphrases). The result is checked by a test
    /// signature, so a passphrase that slips past the old 16-bit checksum cannot yield a wrong key.
    /// </summary>
    /// <param name="passphrase">The passphrase; ignored for an unprotected key.</param>
    /// <exception cref="ChartsealException">
    /// No passphrase for a protected key, a wrong passphrase, or a damaged secret key.
    /// </exception>
    public PgpPrivateKey Unlock(string? passphrase) => Unlock(passphrase, origin: null);

    /// <summary>
    /// Decrypts the secret key, asking <paramref name="passphrases"/> only when a passphrase protects it. A wrong
    /// passphrase is reported with where it was read from (a stale <c>HELM_KEY_PASSPHRASE</c> is easy to forget).
    /// </summary>
    /// <exception cref="ChartsealException">As for <see cref="Unlock(string)"/>, or the passphrase could not be read.</exception>
    public PgpPrivateKey UnlockWith(PassphraseSource passphrases)
    {
        ArgumentNullException.ThrowIfNull(passphrases);
        if (!IsEncrypted)
        {
            return Unlock(null, origin: null);
        }
        string passphrase;
        try
        {
            passphrase = passphrases.GetPassphrase(UserId);
        }
        catch (ChartsealException e) when (e.File is null)
        {
            // No way to ask (no file, variable or terminal): the line names the keyring, as a wrong passphrase does.
            throw new ChartsealException(SourceName, e.Reason, e);
        }
        return Unlock(passphrase, passphrases.Origin);
    }

    private PgpPrivateKey Unlock(string? passphrase, string? origin)
    {
        if (IsEncrypted && passphrase is null)
        {
            throw new ChartsealException(SourceName, PassphraseSource.MissingMessage(UserId));
        }
        char[] chars = IsEncrypted ? passphrase!.ToCharArray() : [];
        PgpPrivateKey? key;
        try
        {
            key = SecretKey.ExtractPrivateKeyUtf8(chars);
        }
        catch (Exception e) when (BcFailures.IsExpected(e))
        {
            // A wrong passphrase shows up as "Checksum mismatch..." or as garbage key material.
            throw Failure(e, origin);
        }
        finally
        {
            Array.Clear(chars);
        }
        if (key is null || !SignsForPublicKey(key))
        {
            throw Failure(null, origin);
        }
        return key;
    }

    private ChartsealException Failure(Exception? inner, string? origin) => IsEncrypted
        ? new ChartsealException(SourceName, $"wrong passphrase for key \"{UserId}\"{(origin is null ? "" : $" (read from {origin})")}", inner)
        : new ChartsealException(SourceName, $"damaged secret key \"{UserId}\"", inner);

    private bool SignsForPublicKey(PgpPrivateKey key)
    {
        try
        {
            byte[] probe = Encoding.ASCII.GetBytes("chartseal key check");
            var generator = new PgpSignatureGenerator(SecretKey.PublicKey.Algorithm, HashAlgorithmTag.Sha256);
            generator.InitSign(PgpSignature.BinaryDocument, key);
            generator.Update(probe);
            PgpSignature signature = generator.Generate();
            // The certificate's copy of the key was fully validated when it was selected.
            PgpPublicKey publicKey = PublicRing.GetPublicKey(SecretKey.PublicKey.GetFingerprint()) ?? SecretKey.PublicKey;
            if (KeyMaterial.Validate(publicKey) is not null)
            {
                return false;
            }
            return OpenPgpPerformance.RunWithoutRepeatedKeyValidation(() =>
            {
                signature.InitVerify(publicKey);
                signature.Update(probe);
                return signature.Verify();
            });
        }
        catch (Exception e) when (BcFailures.IsExpected(e))
        {
            return false;
        }
    }
}

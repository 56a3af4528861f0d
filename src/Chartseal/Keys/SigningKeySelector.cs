using System.Text.RegularExpressions;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Keys;

/// <summary>Chooses the secret key to sign with, from a <c>--key</c> value and a keyring.</summary>
public static partial class SigningKeySelector
{
    /// <summary>
    /// How a key may be named to <see cref="Select"/> and <see cref="SelectPrimary"/>, in the words of every option that
    /// names one (<c>--key</c>, <c>--root-key</c>, <c>--index-key</c>, ...): "The root key: " + this.
    /// </summary>
    public const string HowToName = "its user id (exact, e-mail address or unique substring), fingerprint or key id (FPR! for exactly that key or subkey)";

    /// <summary>
    /// Finds the certificate named by <paramref name="id"/> among the secret keys of
    /// <paramref name="ring"/>, then the key within it that may sign at <paramref name="now"/>.
    /// </summary>
    /// <remarks>
    /// <para><paramref name="id"/> is a 40-hex-digit fingerprint or a 16-hex-digit key id (optional
    /// <c>0x</c>, spaces ignored; primary key or subkey; with gpg's <c>!</c> suffix exactly that key signs), or else a
    /// user id: an exact (case-sensitive) match wins, as in Helm (held by several keys, the only one that can sign is
    /// taken; else it is ambiguous); then an e-mail address (<c>jane@example.com</c> or <c>&lt;jane@example.com&gt;</c>)
    /// equal to a user id's address, ignoring case (narrowed the same way); otherwise the id must be contained
    /// (ignoring case, as gpg does) in the user ids of exactly one key.</para>
    /// <para>Within the certificate the primary key signs when it is valid for signing and its secret
    /// is present (what Helm always uses); otherwise the newest valid signing subkey with secret
    /// material does (what gpg does for certify-only primary keys). GnuPG stubs
    /// (<c>--export-secret-subkeys</c>, smartcards) are skipped.</para>
    /// </remarks>
    /// <exception cref="ChartsealException">
    /// No secret keys in the keyring; no key or several keys match; or no key of the certificate may
    /// sign (the message lists every candidate and why it was refused).
    /// </exception>
    public static SigningKey Select(Keyring ring, string id, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(id);
        id = id.Trim();
        if (id.Length == 0)
        {
            throw new ChartsealException(ring.SourceName, "no key named: give a user id, fingerprint or key id");
        }
        ThrowIfNoSecretKeys(ring);

        // gpg's FPR! (or KEYID!): exactly this primary key or subkey, not the certificate's best signing key.
        string? exactKey = null;
        if (id.EndsWith('!'))
        {
            exactKey = id[..^1].Replace(" ", "", StringComparison.Ordinal);
            if (!HexId().IsMatch(exactKey))
            {
                throw new ChartsealException(ring.SourceName, $"--key \"{id}\": the ! suffix (exactly this key, as in gpg) goes with a fingerprint or a 16-digit key id");
            }
            id = exactKey;
        }

        var refusals = new List<string>();
        (PgpSecretKeyRing secret, string? matchedUserId) = FindCertificate(ring, id, candidate => Choose(ring, candidate, now, []) is not null);
        PgpPublicKeyRing publicRing = ring.PublicRingOf(secret);
        string userId = matchedUserId ?? KeyInfo.PrimaryUserId(publicRing) ?? KeyInfo.Fingerprint(publicRing.GetPublicKey());
        PgpSecretKey? chosen = exactKey is null
            ? Choose(ring, secret, now, refusals)
            : Usable(publicRing, secret.GetSecretKeys().First(k => IsNamed(k.PublicKey, exactKey)), now, refusals);
        if (chosen is null)
        {
            // A stub is what gpg exports for a key on a smartcard (or kept offline): only gpg itself can sign with it.
            string hint = refusals.Exists(r => r.EndsWith(StubRefusal, StringComparison.Ordinal))
                ? " (a key on a smartcard, or whose secret only gpg holds: sign with --gpg)" : "";
            throw new ChartsealException(ring.SourceName, $"no usable signing key for \"{userId}\": {string.Join("; ", refusals)}{hint}");
        }
        return new SigningKey(chosen, publicRing, userId, ring.SourceName);
    }

    private const string StubRefusal = "no secret key material (a GnuPG stub)";

    // The key of the certificate that signs: the primary key when it may, else the newest subkey that may; each key
    // refused is added to refusals with why.
    private static PgpSecretKey? Choose(Keyring ring, PgpSecretKeyRing secret, DateTime now, List<string> refusals)
    {
        PgpPublicKeyRing publicRing = ring.PublicRingOf(secret);
        return Usable(publicRing, secret.GetSecretKey(), now, refusals) ?? secret.GetSecretKeys()
            .Where(k => !k.IsMasterKey)
            .OrderByDescending(k => k.PublicKey.CreationTime)
            .Select(k => Usable(publicRing, k, now, refusals))
            .ToList() // evaluate every subkey, so each refusal is reported
            .FirstOrDefault(k => k is not null);
    }

    // The key when it may sign now and its secret is here; else null, and why is added to refusals.
    private static PgpSecretKey? Usable(PgpPublicKeyRing publicRing, PgpSecretKey candidate, DateTime now, List<string> refusals)
    {
        PgpPublicKey key = publicRing.GetPublicKey(candidate.PublicKey.GetFingerprint()) ?? candidate.PublicKey;
        string label = $"{(key.IsMasterKey ? "primary key" : "subkey")} {KeyInfo.KeyId(key)} ({KeyInfo.AlgorithmName(key)})";
        if (candidate.IsPrivateKeyEmpty)
        {
            refusals.Add($"{label}: {StubRefusal}");
            return null;
        }
        KeyValidityResult validity = KeyValidity.Check(key, publicRing, now);
        if (!validity.IsValid)
        {
            refusals.Add($"{label}: {validity.Detail}");
            return null;
        }
        return candidate;
    }

    // Whether a hex id (40-digit fingerprint or 16-digit key id, optional 0x, any case) names this key.
    private static bool IsNamed(PgpPublicKey key, string hexId)
    {
        string wanted = HexId().Match(hexId).Groups[1].Value.ToUpperInvariant();
        return (wanted.Length == 40 ? KeyInfo.Fingerprint(key) : KeyInfo.KeyId(key)) == wanted;
    }

    /// <summary>
    /// The primary key of the certificate named by <paramref name="id"/> (matched as in <see cref="Select"/>),
    /// for certifications such as a revocation certificate. Its validity is not checked: an expired key
    /// can still be revoked.
    /// </summary>
    /// <exception cref="ChartsealException">No secret keys, no or several matches, or the primary secret key is a GnuPG stub.</exception>
    public static SigningKey SelectPrimary(Keyring ring, string id)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(id);
        ThrowIfNoSecretKeys(ring);
        id = id.Trim();
        // FPR! (as for Select) names exactly that key: here it must be the primary key, the one a revocation is made by.
        bool exact = id.EndsWith('!');
        if (exact)
        {
            id = id[..^1].Replace(" ", "", StringComparison.Ordinal);
            if (!HexId().IsMatch(id))
            {
                throw new ChartsealException(ring.SourceName, $"--key \"{id}!\": the ! suffix (exactly this key, as in gpg) goes with a fingerprint or a 16-digit key id");
            }
        }
        (PgpSecretKeyRing secret, string? matchedUserId) = FindCertificate(ring, id, canSign: null);
        if (exact && !IsNamed(secret.GetPublicKey(), id))
        {
            throw new ChartsealException(ring.SourceName, $"--key \"{id}!\" names a subkey: this is made by the primary key, {KeyInfo.Fingerprint(secret.GetPublicKey())}");
        }
        PgpPublicKeyRing publicRing = ring.PublicRingOf(secret);
        string userId = matchedUserId ?? KeyInfo.PrimaryUserId(publicRing) ?? KeyInfo.Fingerprint(publicRing.GetPublicKey());
        PgpSecretKey primary = secret.GetSecretKey();
        if (primary.IsPrivateKeyEmpty)
        {
            throw new ChartsealException(ring.SourceName, $"the primary key of \"{userId}\" has no secret key material here (a GnuPG stub)");
        }
        return new SigningKey(primary, publicRing, userId, ring.SourceName);
    }

    // canSign tells, for a user id held by several certificates, which of them can sign now (null: do not choose).
    private static (PgpSecretKeyRing Ring, string? UserId) FindCertificate(Keyring ring, string id, Func<PgpSecretKeyRing, bool>? canSign)
    {
        // A fingerprint may be written in groups, as gpg --fingerprint prints it.
        Match hex = HexId().Match(id.Replace(" ", "", StringComparison.Ordinal));
        if (hex.Success)
        {
            foreach (PgpSecretKeyRing secret in ring.SecretKeyRings)
            {
                if (secret.GetPublicKeys().Any(key => IsNamed(key, hex.Value)))
                {
                    return (secret, null);
                }
            }
        }

        // An exact user id match wins over substrings (as in Helm). Several certificates with that very user id (a
        // rotated key: gpg --export-secret-keys exports the old one too) are narrowed to the one that can sign, as gpg
        // does; never the first in file order by chance.
        var exact = ring.SecretKeyRings.Where(secret => UserIds(secret.GetPublicKey()).Contains(id, StringComparer.Ordinal)).ToList();
        if (exact.Count > 0)
        {
            return (OneOf(ring, exact, canSign, $"the user id \"{id}\""), id);
        }

        // Then an e-mail address (jane@example.com or <jane@example.com>) equal to a user id's address, ignoring case: what
        // gpg's <jane@example.com> matches. As a mere substring it would also match mary-jane@example.com, and after a
        // rotation the old key holds the same address: narrowed to the one that can sign, as above.
        Match email = EmailId().Match(id);
        if (email.Success)
        {
            string address = email.Groups[1].Value;
            var withAddress = ring.SecretKeyRings.Where(secret => UserIds(secret.GetPublicKey()).Any(uid => HasAddress(uid, address))).ToList();
            if (withAddress.Count > 0)
            {
                PgpSecretKeyRing chosen = OneOf(ring, withAddress, canSign, $"the e-mail address <{address}>");
                return (chosen, UserIds(chosen.GetPublicKey()).First(uid => HasAddress(uid, address)));
            }
        }

        var matches = ring.SecretKeyRings
            .Select(secret => (Ring: secret, UserIds: UserIds(secret.GetPublicKey()).Where(uid => uid.Contains(id, StringComparison.OrdinalIgnoreCase)).ToList()))
            .Where(m => m.UserIds.Count > 0)
            .ToList();
        if (matches.Count == 1)
        {
            return (matches[0].Ring, matches[0].UserIds[0]);
        }
        if (matches.Count > 1)
        {
            // With its fingerprint: two keys may well carry the same user id (a rotated key), and then only it tells them apart.
            string names = string.Join(", ", matches.SelectMany(m => m.UserIds.Select(uid => $"\"{uid}\" ({KeyInfo.Fingerprint(m.Ring.GetPublicKey())})")));
            throw new ChartsealException(ring.SourceName, $"more than one key matches \"{id}\": {names}; give a fingerprint or a longer id");
        }

        bool onlyPublic = ring.PublicKeyRings.Any(pub =>
            UserIds(pub.GetPublicKey()).Any(uid => uid.Contains(id, StringComparison.OrdinalIgnoreCase))
            || (hex.Success && pub.GetPublicKeys().Any(k => KeyInfo.Fingerprint(k).EndsWith(hex.Groups[1].Value.ToUpperInvariant(), StringComparison.Ordinal))));
        throw new ChartsealException(ring.SourceName, onlyPublic
            ? $"key \"{id}\" is here only as a public key; export its secret key with gpg --export-secret-keys"
            : ShortKeyId().IsMatch(id)
                ? $"no secret key matches \"{id}\" (a short 8-digit key id is not accepted: they collide easily; give the 16-digit key id or the fingerprint)"
                : $"no secret key matches \"{id}\"");
    }

    private static void ThrowIfNoSecretKeys(Keyring ring)
    {
        if (ring.PublicKeyRings.Count == 0)
        {
            throw new ChartsealException(ring.SourceName, "holds no keys at all (gpg --export-secret-keys writes an empty file when no key matches its name)");
        }
        if (ring.SecretKeyRings.Count == 0)
        {
            throw new ChartsealException(ring.SourceName, "no secret keys in this keyring (it holds only public keys); export them with gpg --export-secret-keys");
        }
    }

    // Several certificates match: the only one that can sign now (canSign), else an error listing their fingerprints.
    private static PgpSecretKeyRing OneOf(Keyring ring, List<PgpSecretKeyRing> matches, Func<PgpSecretKeyRing, bool>? canSign, string what)
    {
        if (matches.Count == 1)
        {
            return matches[0];
        }
        var usable = canSign is null ? [] : matches.Where(canSign).ToList();
        if (usable.Count == 1)
        {
            return usable[0];
        }
        string fingerprints = string.Join(", ", matches.Select(secret => KeyInfo.Fingerprint(secret.GetPublicKey())));
        string which = canSign is null ? "" : usable.Count == 0 ? " (none of them can sign now)" : $" ({usable.Count} of them can sign)";
        throw new ChartsealException(ring.SourceName, $"more than one key has {what}: {fingerprints}{which}; give a fingerprint");
    }

    // The address of "Name <addr>" (the last <...>), or a user id that is a bare address.
    private static bool HasAddress(string userId, string address)
    {
        int open = userId.LastIndexOf('<');
        string own = open >= 0 && userId.EndsWith('>') ? userId[(open + 1)..^1] : userId;
        return own.Trim().Equals(address, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("^<?([^<>\\s@]+@[^<>\\s@]+)>?$")]
    private static partial Regex EmailId();

    [GeneratedRegex("^(?:0[xX])?([0-9A-Fa-f]{40}|[0-9A-Fa-f]{16})$")]
    private static partial Regex HexId();

    [GeneratedRegex("^(?:0[xX])?[0-9A-Fa-f]{8}$")]
    private static partial Regex ShortKeyId();

    // The user ids as text (UTF-8; BouncyCastle's GetUserIds() would decode them as Latin-1).
    private static IEnumerable<string> UserIds(PgpPublicKey key) => PrimaryAnalysis.Utf8UserIds(key).Select(u => u.UserId);
}

using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.IO;
using Chartseal.OpenPgp;

namespace Chartseal.Keys;

/// <summary>
/// An immutable set of OpenPGP keys read from one file: binary or ASCII-armored (any number of armor
/// blocks), public or secret (<c>gpg --export-secret-keys</c>), or a GnuPG keybox (<c>pubring.kbx</c>).
/// Keys we cannot use (v3/v5/v6 keys, unknown algorithms, damaged packets) are left out and listed in
/// <see cref="Skipped"/>; they never make the whole file fail.
/// </summary>
/// <remarks>
/// Every secret key's public half is also in <see cref="PublicKeyRings"/>, so a secret keyring works
/// for verification, as it does in Helm. Several copies of one certificate (say, a public export
/// concatenated with a secret one) are merged, and stand-alone revocation certificates
/// (<c>gpg --gen-revoke</c> output appended to the file) are attached to their key, so that a
/// revocation anywhere in the file is seen.
/// Key parameters are validated once per key by <see cref="KeyValidity.Check"/>, not here: doing it
/// eagerly would cost seconds for a large <c>pubring.kbx</c> of RSA-4096 keys.
/// </remarks>
public sealed class Keyring
{
    /// <summary>Files larger than this are refused before parsing.</summary>
    public const long MaxFileSize = 64L * 1024 * 1024;

    private readonly Dictionary<string, KeyMatch> _byFingerprint = new(StringComparer.Ordinal);
    private readonly Dictionary<long, List<KeyMatch>> _byKeyId = [];
    private readonly HashSet<string> _primaryFingerprints = new(StringComparer.Ordinal);

    private Keyring(string sourceName, List<PgpPublicKeyRing> publicRings, List<PgpSecretKeyRing> secretRings, List<SkippedKey> skipped)
    {
        SourceName = sourceName;
        // Copies: the builder's lists must not reach into this immutable object.
        PublicKeyRings = publicRings.ToList().AsReadOnly();
        SecretKeyRings = secretRings.ToList().AsReadOnly();
        Skipped = skipped.ToList().AsReadOnly();
        foreach (PgpPublicKeyRing ring in PublicKeyRings)
        {
            _primaryFingerprints.Add(KeyInfo.Fingerprint(ring.GetPublicKey()));
            foreach (PgpPublicKey key in ring.GetPublicKeys())
            {
                var match = new KeyMatch(key, ring);
                _byFingerprint.TryAdd(KeyInfo.Fingerprint(key), match);
                if (!_byKeyId.TryGetValue(key.KeyId, out List<KeyMatch>? list))
                {
                    _byKeyId[key.KeyId] = list = [];
                }
                list.Add(match);
            }
        }
    }

    /// <summary>The file name (or description) the keys came from, for messages.</summary>
    public string SourceName { get; }

    /// <summary>All certificates, including the public half of every secret key, in file order.</summary>
    public IReadOnlyList<PgpPublicKeyRing> PublicKeyRings { get; }

    /// <summary>The secret keys (transferable secret keys), in file order.</summary>
    public IReadOnlyList<PgpSecretKeyRing> SecretKeyRings { get; }

    /// <summary>What was left out while reading, and why.</summary>
    public IReadOnlyList<SkippedKey> Skipped { get; }

    /// <summary>Reads a keyring file.</summary>
    /// <exception cref="ChartsealException">The file is missing, unreadable, too large, or holds no usable OpenPGP key data.</exception>
    public static Keyring Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            bool gnupgHome = File.Exists(Path.Combine(path, "pubring.kbx")) || Directory.Exists(Path.Combine(path, "private-keys-v1.d"));
            throw new ChartsealException(path, "is a directory, not a keyring file" + (gnupgHome
                ? " (a GnuPG home: give its pubring.kbx to verify; to sign, export the key with gpg --export-secret-keys, or sign with --gpg)"
                : ""));
        }
        // Through the one capped reader, which also reads pipes: --keyring <(gpg --export-secret-keys KEY).
        byte[] data = InputFile.ReadIfExists(path, MaxFileSize) ?? throw new ChartsealException(path, "keyring file not found");
        return Parse(data, path);
    }

    /// <summary>Reads keys from bytes in any of the supported formats.</summary>
    /// <param name="data">The file contents. Empty (or blank) data is an empty keyring.</param>
    /// <param name="sourceName">Where the bytes came from, used in messages.</param>
    /// <exception cref="ChartsealException">
    /// The data is not OpenPGP key material, or every key in it had to be skipped.
    /// </exception>
    public static Keyring Parse(ReadOnlyMemory<byte> data, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        var builder = new KeyringBuilder();
        KeyringReader.Read(data, sourceName, builder);
        Keyring keyring = builder.Build(sourceName);
        if (keyring.PublicKeyRings.Count == 0 && keyring.Skipped.Count > 0)
        {
            throw new ChartsealException(sourceName, "no usable OpenPGP key: " + keyring.Skipped[0]);
        }
        return keyring;
    }

    /// <summary>
    /// Combines keyrings into one (copies of the same certificate are merged); for building a
    /// keyring out of several files.
    /// </summary>
    public static Keyring Merge(string sourceName, IEnumerable<Keyring> keyrings)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(keyrings);
        var builder = new KeyringBuilder();
        foreach (Keyring keyring in keyrings)
        {
            foreach (PgpPublicKeyRing ring in keyring.PublicKeyRings)
            {
                builder.AddPublic(ring, keyring.SourceName);
            }
            foreach (PgpSecretKeyRing ring in keyring.SecretKeyRings)
            {
                builder.AddSecret(ring, keyring.SourceName, addPublicHalf: false);
            }
            builder.Skipped.AddRange(keyring.Skipped);
        }
        return builder.Build(sourceName);
    }

    /// <summary>A keyring of exactly one certificate (e.g. one root taken out of <c>root.pgp</c> by its fingerprint).</summary>
    public static Keyring Of(string sourceName, PgpPublicKeyRing ring)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(ring);
        var builder = new KeyringBuilder();
        builder.AddPublic(ring, sourceName);
        return builder.Build(sourceName);
    }

    /// <summary>
    /// The binary concatenation of <paramref name="rings"/>, exactly the layout of <c>gpg --export</c>
    /// and the only keyring format Helm reads.
    /// </summary>
    public static byte[] Concat(IEnumerable<PgpPublicKeyRing> rings)
    {
        ArgumentNullException.ThrowIfNull(rings);
        using var output = new MemoryStream();
        foreach (PgpPublicKeyRing ring in rings)
        {
            ring.Encode(output);
        }
        return output.ToArray();
    }

    /// <summary>All certificates as one binary keyring (see <see cref="Concat"/>).</summary>
    public byte[] ExportPublic() => Concat(PublicKeyRings);

    /// <summary>
    /// Finds the primary key or subkey that made a signature. A 20-byte v4 <paramref name="fingerprint"/>
    /// (the signature's issuer fingerprint subpacket) is authoritative when given; otherwise the first
    /// key with <paramref name="keyId"/> is returned (see <see cref="FindAll"/> for key id collisions).
    /// </summary>
    /// <returns>The key and its certificate, or null when the keyring does not hold it.</returns>
    public KeyMatch? Find(long keyId, byte[]? fingerprint)
    {
        if (fingerprint is { Length: 20 })
        {
            return _byFingerprint.GetValueOrDefault(Convert.ToHexString(fingerprint));
        }
        return _byKeyId.TryGetValue(keyId, out List<KeyMatch>? list) ? list[0] : null;
    }

    /// <summary>Every key with this 64-bit key id (normally zero or one; more only for colliding ids).</summary>
    public IReadOnlyList<KeyMatch> FindAll(long keyId) =>
        _byKeyId.TryGetValue(keyId, out List<KeyMatch>? list) ? list.AsReadOnly() : [];

    /// <summary>Whether a certificate with this primary key fingerprint is present (hex, any case, optional <c>0x</c> and spaces).</summary>
    public bool ContainsPrimary(string fingerprintHex)
    {
        ArgumentNullException.ThrowIfNull(fingerprintHex);
        return _primaryFingerprints.Contains(KeyInfo.NormalizeHex(fingerprintHex));
    }

    /// <summary>The certificate holding the public half of <paramref name="secretRing"/> (merged with any public copy).</summary>
    internal PgpPublicKeyRing PublicRingOf(PgpSecretKeyRing secretRing) =>
        _byFingerprint[KeyInfo.Fingerprint(secretRing.GetPublicKey())].Ring;

    /// <summary>Collects rings while reading, merging copies of the same certificate.</summary>
    internal sealed class KeyringBuilder
    {
        private readonly List<PgpPublicKeyRing> _public = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<PgpSecretKeyRing> _secret = [];
        private readonly List<(PgpSignature Signature, string Location)> _revocations = [];

        public List<SkippedKey> Skipped { get; } = [];

        public void AddPublic(PgpPublicKeyRing ring, string location)
        {
            string fingerprint = KeyInfo.Fingerprint(ring.GetPublicKey());
            if (!_index.TryGetValue(fingerprint, out int at))
            {
                _index[fingerprint] = _public.Count;
                _public.Add(ring);
                return;
            }
            try
            {
                _public[at] = PgpPublicKeyRing.Join(_public[at], ring);
            }
            catch (Exception e) when (BcFailures.IsExpected(e))
            {
                Skipped.Add(new SkippedKey(location, $"second copy of {fingerprint} could not be merged: {e.Message}"));
            }
        }

        public void AddSecret(PgpSecretKeyRing ring, string location, bool addPublicHalf = true)
        {
            if (addPublicHalf)
            {
                // Re-parse the public halves: BouncyCastle has no direct secret-to-public conversion.
                using var output = new MemoryStream();
                foreach (PgpPublicKey key in ring.GetPublicKeys())
                {
                    key.Encode(output);
                }
                AddPublic(new PgpPublicKeyRing(output.ToArray()), location);
            }
            // Another copy of a secret key already read (concatenated exports): one key, not two that --key could not
            // tell apart. The copy holding more secret material wins (the full export over an --export-secret-subkeys
            // one, whose primary is a stub); otherwise the first.
            byte[] fingerprint = ring.GetPublicKey().GetFingerprint();
            int at = _secret.FindIndex(r => r.GetPublicKey().GetFingerprint().AsSpan().SequenceEqual(fingerprint));
            if (at < 0)
            {
                _secret.Add(ring);
            }
            else if (SecretsIn(ring) > SecretsIn(_secret[at]))
            {
                _secret[at] = ring;
            }
        }

        private static int SecretsIn(PgpSecretKeyRing ring) => ring.GetSecretKeys().Count(k => !k.IsPrivateKeyEmpty);

        /// <summary>Remembers a stand-alone key revocation, to attach to its key once all keys are read.</summary>
        public void AddRevocation(PgpSignature revocation, string location) => _revocations.Add((revocation, location));

        public Keyring Build(string sourceName)
        {
            foreach ((PgpSignature revocation, string location) in _revocations)
            {
                byte[]? issuer = revocation.GetHashedSubPackets()?.GetIssuerFingerprint()?.GetFingerprint();
                int at = _public.FindIndex(r => issuer is not null
                    ? r.GetPublicKey().GetFingerprint().AsSpan().SequenceEqual(issuer)
                    : r.GetPublicKey().KeyId == revocation.KeyId);
                if (at < 0)
                {
                    Skipped.Add(new SkippedKey(location, $"revocation certificate for key {revocation.KeyId:X16}, which is not in the keyring"));
                    continue;
                }
                PgpPublicKey primary = _public[at].GetPublicKey();
                _public[at] = PgpPublicKeyRing.InsertPublicKey(_public[at], PgpPublicKey.AddCertification(primary, revocation));
            }
            return new Keyring(sourceName, _public, _secret, Skipped);
        }
    }
}

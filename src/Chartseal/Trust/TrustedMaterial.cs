using Chartseal.IO;
using System.Text;
using Chartseal.Keys;
using Chartseal.Provenance;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Trust;

/// <summary>
/// A repository's trust material after verification: the maintainers' keys, the revoked keys, the manifest
/// version and expiry. Immutable; the only way to get one is <see cref="Load"/>, which checks the root
/// signature, the file hashes, rollback and expiry, and parses only what it verified.
/// </summary>
public sealed class TrustedMaterial
{
    private readonly HashSet<string> _revokedFingerprints;

    private TrustedMaterial(TrustManifest manifest, string manifestSha256, string signedBy, DateTime signedAt, Keyring publicKeys, Keyring revoked, Keyring? indexKeys, string? indexKeysSha256)
    {
        IndexKeys = indexKeys;
        IndexKeysSha256 = indexKeysSha256;
        SignedAt = signedAt;
        Manifest = manifest;
        ManifestSha256 = manifestSha256;
        SignedBy = signedBy;
        PublicKeys = publicKeys;
        Revoked = revoked;
        _revokedFingerprints = new HashSet<string>(StringComparer.Ordinal);
        var revokedMaterial = new HashSet<string>(StringComparer.Ordinal);
        foreach (PgpPublicKeyRing ring in revoked.PublicKeyRings)
        {
            foreach (PgpPublicKey key in ring.GetPublicKeys())
            {
                // Every key of a revoked certificate, so a signature by a subkey is caught too.
                _revokedFingerprints.Add(KeyInfo.Fingerprint(key));
                revokedMaterial.Add(KeyInfo.MaterialId(key));
            }
        }
        // The same key material under another fingerprint (re-created with another creation date) is revoked too; in an
        // index key as in a maintainer key.
        foreach (PgpPublicKeyRing ring in indexKeys is null ? publicKeys.PublicKeyRings : publicKeys.PublicKeyRings.Concat(indexKeys.PublicKeyRings))
        {
            foreach (PgpPublicKey key in ring.GetPublicKeys())
            {
                if (revokedMaterial.Contains(KeyInfo.MaterialId(key)))
                {
                    _revokedFingerprints.Add(KeyInfo.Fingerprint(key));
                    _revokedFingerprints.Add(KeyInfo.Fingerprint(ring.GetPublicKey()));
                }
            }
        }
        RevokedMaterial = revokedMaterial;
        // The index keys too, so that a chart an index key signed is refused naming it (TrustDecision), not as unknown.
        VerificationKeyring = Keyring.Merge("repository keys", indexKeys is null ? [publicKeys, revoked] : [publicKeys, revoked, indexKeys]);
    }

    /// <summary>
    /// The keys the root delegated index snapshots to (<c>indexkeys.pgp</c>); null when the repository has none, and
    /// then its index is not signed. They can sign nothing else: a chart they sign is refused.
    /// </summary>
    public Keyring? IndexKeys { get; }

    /// <summary>Lower-case hex SHA-256 of <c>indexkeys.pgp</c> as accepted; null without index keys. Which snapshot lineage a client follows: a new set resets it.</summary>
    public string? IndexKeysSha256 { get; }

    /// <summary>Whether clients must refuse this repository's index without a good, fresh snapshot.</summary>
    public bool RequiresSnapshot => IndexKeys is not null;

    /// <summary>The longest a snapshot may live from its signature (the manifest's cap, or the default).</summary>
    public TimeSpan SnapshotMaxLifetime => Manifest.SnapshotMaxLifetime ?? TrustManifest.DefaultSnapshotMaxLifetime;

    /// <summary>Whether a primary key fingerprint is one of the repository's index keys.</summary>
    public bool IsIndexKey(string fingerprint) => IndexKeys?.ContainsPrimary(fingerprint.ToUpperInvariant()) ?? false;

    /// <summary>The verified manifest.</summary>
    public TrustManifest Manifest { get; }

    /// <summary>Manifest version.</summary>
    public long Version => Manifest.Version;

    /// <summary>Lower-case hex SHA-256 of the manifest file accepted.</summary>
    public string ManifestSha256 { get; }

    /// <summary>
    /// Fingerprint of the root that signed the manifest: the pinned one, or the root reached by following the
    /// hand-overs in <c>rotations.asc</c> from it.
    /// </summary>
    public string SignedBy { get; }

    /// <summary>When the root signed the manifest (its signature's creation time, UTC).</summary>
    public DateTime SignedAt { get; }

    /// <summary>The manifest's lifetime as its root chose it: from signing to expiry (kept by the next change unless changed on purpose).</summary>
    public TimeSpan Lifetime => Manifest.Expires - SignedAt;

    /// <summary>The root a client pins after accepting this material: <c>nextRoot</c> when present, else the signer.</summary>
    public string RootToPin => Manifest.NextRoot ?? SignedBy;

    /// <summary>The keys allowed to sign charts (<c>pubkeys.pgp</c>).</summary>
    public Keyring PublicKeys { get; }

    /// <summary>The keys never to trust (<c>revoked.pgp</c>).</summary>
    public Keyring Revoked { get; }

    /// <summary>
    /// <see cref="PublicKeys"/> and <see cref="Revoked"/> together: verify charts with this so the verifier
    /// names the signer even when the key is revoked, and <see cref="TrustDecision"/> decides.
    /// </summary>
    public Keyring VerificationKeyring { get; }

    /// <summary>The key material (<see cref="KeyInfo.MaterialId"/>) of every key in <c>revoked.pgp</c>.</summary>
    public IReadOnlySet<string> RevokedMaterial { get; }

    /// <summary>
    /// Whether a primary key or subkey fingerprint belongs to a certificate in <c>revoked.pgp</c>, or to a certificate of
    /// <c>pubkeys.pgp</c> or <c>indexkeys.pgp</c> that carries revoked key material under another fingerprint.
    /// </summary>
    public bool IsRevoked(string fingerprint) => _revokedFingerprints.Contains(fingerprint.ToUpperInvariant());

    /// <summary>Most hand-overs followed in <c>rotations.asc</c> in one load.</summary>
    public const int MaxRotationSteps = 32;

    /// <summary>The most entries read from <c>rotations.asc</c> (every root rotation a repository ever made).</summary>
    public const int MaxRotationEntries = 256;

    /// <summary>
    /// Verifies unverified trust files against a pinned root. When the manifest is signed by another root, the
    /// hand-overs in <c>rotations.asc</c> are followed from the pinned root (see <c>docs/trust-model.md</c>).
    /// </summary>
    /// <param name="files">The raw files.</param>
    /// <param name="pinned">The root the client trusts.</param>
    /// <param name="seen">The highest material already accepted for this repository, or null on first use.</param>
    /// <param name="now">The one clock reading of this operation.</param>
    /// <returns>
    /// <see cref="TrustResult.Accepted"/>, or <see cref="TrustResult.Rejected"/> with trust-unsigned,
    /// trust-bad-signature, trust-mismatch, trust-rollback or trust-expired.
    /// </returns>
    public static TrustResult Load(TrustFiles files, PinnedRoot pinned, SeenTrust? seen, DateTime now) =>
        LoadCore(files, pinned, seen, now, checkExpiry: true);

    /// <summary>
    /// Advances this material with newer files: the root to check is the one this material hands over to
    /// (<see cref="RootToPin"/>), and the new version must not be lower (an equal version must be this very
    /// manifest). Returns a new instance or a rejection; this instance never changes.
    /// </summary>
    public TrustResult Advance(TrustFiles files, DateTime now) =>
        Load(files, new PinnedRoot(RootToPin), new SeenTrust(Version, ManifestSha256), now);

    /// <summary>
    /// For the repository's own maintainers only: loads the current material even when it has expired, so that
    /// <c>trust renew</c> can unfreeze a repository. Clients never use this.
    /// </summary>
    internal static TrustResult LoadForUpdate(TrustFiles files, PinnedRoot pinned, DateTime now) =>
        LoadCore(files, pinned, null, now, checkExpiry: false);

    // Why "already accepted" may surprise: the version is remembered per root, not per location (so that a mirror or another
    // spelling of the URL cannot replay older material), which also makes two repositories under one root refuse each other.
    private const string WhereSeen = "(clients remember the highest trust version per root, wherever it came from: an older copy, or another repository that the same root signs)";

    private static TrustResult LoadCore(TrustFiles files, PinnedRoot pinned, SeenTrust? seen, DateTime now, bool checkExpiry)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(pinned);
        static TrustResult Reject(RejectionReason reason, string message) => new TrustResult.Rejected(reason, message);

        // 1. The manifest must exist and be a clear-signed document with a signature (else: unsigned).
        if (files.Manifest is not { } manifestBytes)
        {
            return Reject(RejectionReason.TrustUnsigned, $"no {TrustFiles.ManifestName}: {TrustFiles.NoManifestExplanation}");
        }
        if (manifestBytes.Length > TrustManifest.MaxLength)
        {
            return Reject(RejectionReason.TrustBadSignature, $"{TrustFiles.ManifestName} is larger than {TrustManifest.MaxLength} bytes");
        }
        if (ClearSignedMessage.TryParse(manifestBytes, out string framingError) is not { } message)
        {
            return Reject(RejectionReason.TrustUnsigned, $"{TrustFiles.ManifestName} is not a signed document: it {framingError}");
        }
        string manifestSha256 = ContentHash.Sha256Hex(manifestBytes);

        // 2. The signature must be made by the pinned root, valid now (the root in root.pgp is only
        //    a carrier: it is used because its fingerprint equals the pin, never because it is there).
        //    When another root signed it, the pinned root may have handed over in a rotation the client never
        //    saw: follow the hand-overs in rotations.asc from the pin, each signed by the root before it.
        Keyring? rootKeys = ParseRootKeys(files.RootKeys, pinned.Fingerprint, out string rootKeysError);
        string signer = pinned.Fingerprint;
        long? handOverVersion = null;
        if (VerifyBy(message, rootKeys, rootKeysError, signer, SignaturePolicy.ValidNow, now, "manifest", out bool notSignedByPin, out DateTime signedAt) is { } signatureFailure)
        {
            if (!notSignedByPin || files.Rotations is null)
            {
                return Reject(RejectionReason.TrustBadSignature, PinNotInRootKeys(rootKeys, pinned.Fingerprint) ?? signatureFailure);
            }
            var chain = FollowRotations(message, files.Rotations, rootKeys!, pinned.Fingerprint, seen?.Version ?? 0, now, signatureFailure);
            if (chain.Rejection is not null)
            {
                return chain.Rejection;
            }
            signer = chain.Root;
            handOverVersion = chain.Version;
            signedAt = chain.SignedAt;
        }

        // 3. Parse only what was verified; it must name the root that signed it.
        if (TrustManifest.TryParse(message.Plaintext, out string bodyError) is not { } manifest)
        {
            return Reject(RejectionReason.TrustMismatch, $"{TrustFiles.ManifestName} is signed but malformed: {bodyError}");
        }
        // Its own root signed it; or, for a rotation, the root it hands over to co-signed it (so that a client that
        // already pins the new root, or pins it from the start, accepts the very manifest that names it).
        if (manifest.Root != signer && manifest.NextRoot != signer)
        {
            return Reject(RejectionReason.TrustBadSignature, $"manifest names root {manifest.Root} but is signed by root {signer}");
        }
        if (handOverVersion is { } handedOverAt && manifest.Version <= handedOverAt)
        {
            return Reject(RejectionReason.TrustRollback, $"trust material version {manifest.Version} is not newer than the hand-over version {handedOverAt} to its root {signer}");
        }

        // 4. Mix-and-match: each keyring must be exactly the one the root signed.
        foreach (var (name, bytes) in new[] { (TrustFiles.PublicKeysName, files.PublicKeys), (TrustFiles.RevokedName, files.Revoked) })
        {
            if (bytes is null)
            {
                return Reject(RejectionReason.TrustMismatch, $"{name} is missing but the manifest lists it");
            }
            string actual = "sha256:" + ContentHash.Sha256Hex(bytes);
            if (!string.Equals(manifest.Files[name], actual, StringComparison.Ordinal))
            {
                return Reject(RejectionReason.TrustMismatch, $"{name} does not match the signed manifest: \"{manifest.Files[name]}\" != \"{actual}\"");
            }
        }

        // 4b. The index keys, when the root delegated snapshots: exactly the file it signed.
        string? indexKeysSha256 = null;
        if (manifest.HasIndexKeys)
        {
            if (files.IndexKeys is null)
            {
                return Reject(RejectionReason.TrustMismatch, $"{TrustFiles.IndexKeysName} is missing but the manifest lists it");
            }
            indexKeysSha256 = ContentHash.Sha256Hex(files.IndexKeys);
            if (!string.Equals(manifest.Files[TrustFiles.IndexKeysName], "sha256:" + indexKeysSha256, StringComparison.Ordinal))
            {
                return Reject(RejectionReason.TrustMismatch, $"{TrustFiles.IndexKeysName} does not match the signed manifest: \"{manifest.Files[TrustFiles.IndexKeysName]}\" != \"sha256:{indexKeysSha256}\"");
            }
        }

        // 5. Rollback: never older than what was accepted; an equal version must be the same manifest.
        if (seen is not null)
        {
            if (manifest.Version < seen.Version)
            {
                return Reject(RejectionReason.TrustRollback, $"trust material version {manifest.Version} is older than version {seen.Version} already accepted {WhereSeen}");
            }
            if (manifest.Version == seen.Version && manifest.Version > 0 && !string.Equals(manifestSha256, seen.ManifestSha256, StringComparison.Ordinal))
            {
                return Reject(RejectionReason.TrustRollback, $"trust material version {manifest.Version} differs from the version {seen.Version} already accepted {WhereSeen}");
            }
        }

        // 6. Freeze: an expired manifest is refused, so a stale mirror cannot hide a revocation forever.
        if (checkExpiry && manifest.Expires <= now)
        {
            return Reject(RejectionReason.TrustExpired, $"trust material version {manifest.Version} expired {TrustManifest.FormatTime(manifest.Expires)}");
        }

        // 7. The keyrings, parsed from the verified bytes.
        Keyring publicKeys, revoked;
        Keyring? indexKeys = null;
        try
        {
            publicKeys = Keyring.Parse(files.PublicKeys, TrustFiles.PublicKeysName);
            revoked = Keyring.Parse(files.Revoked, TrustFiles.RevokedName);
            if (indexKeysSha256 is not null)
            {
                indexKeys = Keyring.Parse(files.IndexKeys, TrustFiles.IndexKeysName);
            }
        }
        catch (ChartsealException e)
        {
            return Reject(RejectionReason.TrustMismatch, "a signed keyring cannot be read: " + e.Message);
        }
        // An index key signs snapshots and nothing else: the same key may never also sign charts.
        if (indexKeys is not null && indexKeys.PublicKeyRings.SelectMany(r => r.GetPublicKeys()).Select(KeyInfo.MaterialId)
                .Intersect(publicKeys.PublicKeyRings.SelectMany(r => r.GetPublicKeys()).Select(KeyInfo.MaterialId), StringComparer.Ordinal).Any())
        {
            return Reject(RejectionReason.TrustMismatch, $"a key is both in {TrustFiles.PublicKeysName} and in {TrustFiles.IndexKeysName}: an index key may sign index snapshots only");
        }
        return new TrustResult.Accepted(new TrustedMaterial(manifest, manifestSha256, signer, signedAt, publicKeys, revoked, indexKeys, indexKeysSha256));
    }

    /// <summary>The outcome of following <c>rotations.asc</c>: the root that signed the manifest and the last hand-over's version, or a rejection.</summary>
    private readonly record struct ChainEnd(string Root, long Version, TrustResult.Rejected? Rejection, DateTime SignedAt = default);

    /// <summary>
    /// Walks the hand-overs from <paramref name="pinned"/>: at each step exactly one hand-over must be signed by the
    /// current root (its key taken from <c>root.pgp</c> by that fingerprint only), name it as <c>root</c>, be newer
    /// than the previous step (at first: than the version the client accepted) and hand over to a root not met
    /// before; the walk ends at the first root that signed <paramref name="manifest"/>. Hand-overs' expiry is
    /// ignored (they are old by design); each root key must have been valid when it signed its hand-over.
    /// </summary>
    private static ChainEnd FollowRotations(ClearSignedMessage manifest, byte[] rotationsBytes, Keyring rootKeys, string pinned, long seenVersion, DateTime now, string pinFailure)
    {
        static ChainEnd Fail(RejectionReason reason, string message) => new("", 0, new TrustResult.Rejected(reason, message));
        const string Name = TrustFiles.RotationsName;
        if (rotationsBytes.LongLength > TrustFiles.MaxRotationsSize)
        {
            return Fail(RejectionReason.TrustMismatch, $"{Name} is larger than {TrustFiles.MaxRotationsSize} bytes");
        }
        if (SplitRotations(rotationsBytes, out string splitError) is not { } handOvers)
        {
            return Fail(RejectionReason.TrustMismatch, $"{pinFailure}; and {Name} cannot be read: {splitError}");
        }
        // Each step looks at every entry: a bounded count keeps a hostile file from costing minutes of CPU.
        if (handOvers.Count > MaxRotationEntries)
        {
            return Fail(RejectionReason.TrustMismatch, $"{Name} holds {handOvers.Count} entries; at most {MaxRotationEntries} root hand-overs are read");
        }

        string current = pinned;
        long previousVersion = seenVersion;
        var visited = new HashSet<string>(StringComparer.Ordinal) { current };
        for (int step = 0; step < MaxRotationSteps; step++)
        {
            var found = new List<TrustManifest>();
            for (int i = 0; i < handOvers.Count; i++)
            {
                string what = $"{Name} entry {i + 1}";
                if (VerifyBy(handOvers[i], rootKeys, "", current, SignaturePolicy.ValidWhenSigned, now, what, out bool notSigned) is { } failure)
                {
                    if (notSigned)
                    {
                        continue; // another root's hand-over (or not one at all): not a step from this root
                    }
                    return Fail(RejectionReason.TrustBadSignature, $"hand-over {what} from root {current}: {failure}");
                }
                if (TrustManifest.TryParse(handOvers[i].Plaintext, out string bodyError) is not { } body)
                {
                    return Fail(RejectionReason.TrustMismatch, $"hand-over {what} from root {current} is signed but malformed: {bodyError}");
                }
                if (body.Root != current)
                {
                    if (body.NextRoot == current)
                    {
                        continue; // the hand-over TO this root, which it co-signed: not a step from it
                    }
                    return Fail(RejectionReason.TrustBadSignature, $"hand-over version {body.Version} in {Name} is signed by root {current} but names root {body.Root}");
                }
                if (body.NextRoot is null || body.NextRoot == current)
                {
                    return Fail(RejectionReason.TrustBadSignature, $"{what} (version {body.Version}) is signed by root {current} but hands over to no other root");
                }
                if (!found.Any(h => h.Version == body.Version && h.NextRoot == body.NextRoot))
                {
                    found.Add(body);
                }
            }
            if (found.Count == 0)
            {
                return Fail(RejectionReason.TrustBadSignature, step == 0
                    ? $"{pinFailure}, and {Name} holds no hand-over signed by it"
                    : $"{pinFailure}, and the hand-overs in {Name} lead to root {current}, which neither signed the manifest nor handed over");
            }
            if (found.Count > 1)
            {
                return Fail(RejectionReason.TrustBadSignature, $"{Name} holds {found.Count} different hand-overs signed by root {current} (versions {string.Join(", ", found.Select(h => h.Version))})");
            }
            TrustManifest handOver = found[0];
            if (handOver.Version <= previousVersion)
            {
                return Fail(RejectionReason.TrustRollback, step == 0
                    ? $"hand-over version {handOver.Version} from root {current} in {Name} is not newer than version {previousVersion} already accepted"
                    : $"hand-over version {handOver.Version} from root {current} in {Name} is not newer than the previous hand-over (version {previousVersion})");
            }
            string next = handOver.NextRoot!;
            if (!visited.Add(next))
            {
                return Fail(RejectionReason.TrustBadSignature, $"hand-over version {handOver.Version} in {Name} hands root {current} back to root {next}, met earlier in the chain");
            }
            current = next;
            previousVersion = handOver.Version;
            if (VerifyBy(manifest, rootKeys, "", current, SignaturePolicy.ValidNow, now, "manifest", out bool notSignedByNext, out DateTime manifestSignedAt) is not { } manifestFailure)
            {
                return new ChainEnd(current, previousVersion, null, manifestSignedAt);
            }
            if (!notSignedByNext)
            {
                return Fail(RejectionReason.TrustBadSignature, $"{manifestFailure} (root reached through hand-over version {previousVersion} in {Name})");
            }
        }
        return Fail(RejectionReason.TrustBadSignature, $"{Name}: more than {MaxRotationSteps} hand-overs from root {pinned} without reaching the manifest's signer");
    }

    /// <summary>Splits a concatenation of clear-signed documents at each BEGIN line (dash-escaping keeps it out of a body).</summary>
    private static List<ClearSignedMessage>? SplitRotations(byte[] bytes, out string error)
    {
        const string Begin = "-----BEGIN PGP SIGNED MESSAGE-----";
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            error = "it is not UTF-8 text";
            return null;
        }
        var starts = new List<int>();
        for (int at = 0; at < text.Length;)
        {
            int end = text.IndexOf('\n', at);
            string line = (end < 0 ? text[at..] : text[at..end]).TrimEnd('\r', ' ', '\t');
            if (line == Begin)
            {
                starts.Add(at);
            }
            else if (starts.Count == 0 && line.Length > 0)
            {
                error = "it does not start with a signed document";
                return null;
            }
            at = end < 0 ? text.Length : end + 1;
        }
        var messages = new List<ClearSignedMessage>();
        for (int i = 0; i < starts.Count; i++)
        {
            int end = i + 1 < starts.Count ? starts[i + 1] : text.Length;
            if (ClearSignedMessage.TryParse(Encoding.UTF8.GetBytes(text[starts[i]..end]), out string framingError) is not { } message)
            {
                error = $"entry {i + 1} {framingError}";
                return null;
            }
            messages.Add(message);
        }
        error = "";
        return messages;
    }

    private static Keyring? ParseRootKeys(byte[]? rootKeyBytes, string pinned, out string error)
    {
        if (rootKeyBytes is null)
        {
            error = $"no {TrustFiles.RootKeysName}: the root certificate {pinned} is not available";
            return null;
        }
        try
        {
            error = "";
            return Keyring.Parse(rootKeyBytes, TrustFiles.RootKeysName);
        }
        catch (ChartsealException e)
        {
            error = "cannot read the root certificates: " + e.Message;
            return null;
        }
    }

    // root.pgp indexed once per keyring: the chain walk looks a root up for every entry at every step, and a
    // hostile root.pgp may hold many certificates. Each root is its own one-certificate keyring, so a document
    // counts as signed by a root only when that very root's key made the signature.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Keyring, Dictionary<string, Keyring>> RootIndex = [];

    private static Dictionary<string, Keyring> RootsByFingerprint(Keyring rootKeys) =>
        RootIndex.GetValue(rootKeys, keys =>
        {
            var byFingerprint = new Dictionary<string, Keyring>(StringComparer.Ordinal);
            foreach (var ring in keys.PublicKeyRings)
            {
                string fingerprint = KeyInfo.Fingerprint(ring.GetPublicKey());
                if (!byFingerprint.ContainsKey(fingerprint))
                {
                    byFingerprint[fingerprint] = Keyring.Of($"root {fingerprint}", ring);
                }
            }
            return byFingerprint;
        });

    /// <summary>
    /// When the pinned root is not among the certificates of root.pgp, the line for it: what root.pgp holds, and the two
    /// explanations (a mistyped pin, often a maintainer's fingerprint copied for the root's; or other trust material).
    /// Null when root.pgp could not be read or holds the pin.
    /// </summary>
    private static string? PinNotInRootKeys(Keyring? rootKeys, string pinned)
    {
        if (rootKeys is null || RootsByFingerprint(rootKeys) is not { Count: > 0 } roots || roots.ContainsKey(pinned))
        {
            return null;
        }
        const int Shown = 3;
        string held = string.Join(", ", roots.Keys.Take(Shown)) + (roots.Count > Shown ? $" and {roots.Count - Shown} more" : "");
        return $"the pinned root {pinned} is not in {TrustFiles.RootKeysName}, which holds {held}: either the pin is mistyped " +
            "(ask the repository's maintainers for its root fingerprint) or this is not that repository's trust material";
    }

    /// <summary>
    /// Checks that <paramref name="message"/> carries a good signature by root <paramref name="root"/> (looked up in
    /// <paramref name="rootKeys"/> by that fingerprint), with the one <see cref="SignatureVerifier"/> and its policy.
    /// Returns null when it does; else the failure, with <paramref name="notSignedBy"/> set when the document simply
    /// carries no signature by that root.
    /// </summary>
    private static string? VerifyBy(ClearSignedMessage message, Keyring? rootKeys, string rootKeysError, string root, SignaturePolicy policy, DateTime now, string what, out bool notSignedBy) =>
        VerifyBy(message, rootKeys, rootKeysError, root, policy, now, what, out notSignedBy, out _);

    private static string? VerifyBy(ClearSignedMessage message, Keyring? rootKeys, string rootKeysError, string root, SignaturePolicy policy, DateTime now, string what, out bool notSignedBy, out DateTime signedAt)
    {
        notSignedBy = false;
        signedAt = default;
        if (rootKeys is null)
        {
            return rootKeysError;
        }
        if (!RootsByFingerprint(rootKeys).TryGetValue(root, out Keyring? rootRing))
        {
            return $"the root {root} is not in {TrustFiles.RootKeysName}";
        }
        SignatureCheck check = SignatureVerifier.Verify(message, rootRing, policy, now);
        signedAt = check.SignedAt ?? default;
        if (check.NoSignatureByTheseKeys)
        {
            notSignedBy = true;
            return $"{what} is not signed by the pinned root {root} ({check.Failure!.Message})";
        }
        return check.Failure is { } failure ? $"root {root}'s signature over the {what}: {failure.Message}" : null;
    }

}

using System.Security.Cryptography;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.Provenance;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.Client;
using Chartseal.OpenPgp;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>
/// The maintainers' side: creates and changes a repository's trust files. Every change reads and verifies the
/// current material, applies one edit, bumps the version and re-signs the manifest with the root key.
/// </summary>
/// <remarks>
/// A change is staged first: the complete new set (keyrings, then the manifest, then <c>rotations.asc</c>) is
/// written to <c>.trust-next/</c>, and only then each file is written into place (atomically: a temporary file
/// renamed over it), the manifest after the keyrings, and <c>.trust-next/</c> removed (its manifest first). A reader
/// that finds a complete staged set reads it (<see cref="FolderRepositorySource"/>), so it sees the old material or
/// the new one, never a mixture, even when the writer was killed between two renames; the next change (or a
/// server's start) completes an interrupted one before anything else. A rotation manifest is appended to
/// <c>rotations.asc</c> with the change that makes it, so that file never holds a hand-over that did not happen.
/// <para>
/// <c>pubkeys.pgp</c> lists the certificates whose primary key Helm 3 cannot read (Ed25519) before all the others,
/// so that Helm 3 keeps every RSA key when it is given the file as <c>--keyring</c> (<see cref="Helm3KeyringOrder"/>).
/// Every write applies that order, so the next change (or <c>trust renew</c>) fixes a file written before.
/// </para>
/// </remarks>
public static class TrustRepository
{
    /// <summary>The default manifest lifetime (<c>trust init</c>); later changes keep the lifetime the repository has.</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(90);

    /// <summary>The folder a change is staged in, complete, before it is written into place.</summary>
    public const string StagingFolder = FolderRepositorySource.StagedTrustFolder;

    /// <summary>Creates version 1 (no maintainers, nothing revoked) in <paramref name="directory"/>.</summary>
    /// <exception cref="ChartsealException">The folder already holds trust material.</exception>
    public static async Task<TrustManifest> InitAsync(string directory, RootSigner root, TimeSpan validity, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        OutputFolder.Create(directory);
        await using var repositoryLock = await RepositoryLock.AcquireAsync(directory, cancellationToken).ConfigureAwait(false);
        if (File.Exists(Path.Combine(directory, TrustFiles.ManifestName)))
        {
            throw new ChartsealException(Path.Combine(directory, TrustFiles.ManifestName), "already exists; use trust add/remove/revoke/renew");
        }
        await CompleteInterruptedChangeAsync(directory, cancellationToken).ConfigureAwait(false);
        var draft = new Draft(0, root.Fingerprint, null, [], [], [root.Key.PublicRing], [], null);
        return await WriteAsync(directory, draft, [root], validity, null, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds maintainers' certificates. Refuses revoked, expired and non-signing keys, index keys and the root's.</summary>
    public static Task<TrustManifest> AddAsync(string directory, RootSigner root, Keyring keys, TimeSpan? validity, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return MutateAsync(directory, [root], validity, now, draft =>
        {
            foreach (PgpPublicKeyRing ring in Certificates(keys))
            {
                string fpr = KeyInfo.Fingerprint(ring.GetPublicKey());
                if (draft.Revoked.Any(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr))
                {
                    throw new ChartsealException(keys.SourceName, $"key {fpr} is in {TrustFiles.RevokedName}; a revoked key is never trusted again");
                }
                if (SharesMaterial(ring, draft.IndexKeys) is { } indexKey)
                {
                    throw new ChartsealException(keys.SourceName, $"key {fpr} holds the key material of index key {indexKey}: an index key signs index snapshots only, never charts (use another key)");
                }
                CheckNotRoot(ring, draft, keys.SourceName, "a maintainer");
                // The same key material re-created under another fingerprint (another creation date) is the same key.
                if (SharesMaterial(ring, draft.Revoked) is { } revokedKey)
                {
                    throw new ChartsealException(keys.SourceName, $"key {fpr} holds the key material of revoked key {revokedKey} (the same secret under a new fingerprint); a revoked key is never trusted again");
                }
                CheckUsable(ring, now, keys.SourceName, "be trusted");
                int at = draft.PublicKeys.FindIndex(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr);
                if (at >= 0)
                {
                    draft.PublicKeys[at] = PgpPublicKeyRing.Join(draft.PublicKeys[at], ring);
                }
                else
                {
                    draft.PublicKeys.Add(ring);
                }
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Delegates index snapshots to <paramref name="keys"/> (<c>indexkeys.pgp</c>): from the next version on, clients
    /// refuse the repository's index without a fresh snapshot signed by one of them. An index key may not be a
    /// maintainer's, a root's or a revoked key. <paramref name="maxLifetime"/> caps every snapshot's lifetime (null: keep the
    /// repository's cap, else <see cref="TrustManifest.DefaultSnapshotMaxLifetime"/>).
    /// </summary>
    public static Task<TrustManifest> AddIndexKeyAsync(string directory, RootSigner root, Keyring keys, TimeSpan? maxLifetime, TimeSpan? validity, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        // What the manifest's reader accepts, else every client (and the next change) would refuse the signed manifest.
        if (maxLifetime is { } requested && (requested < TimeSpan.FromSeconds(1) || requested > TrustManifest.MaxSnapshotMaxLifetime))
        {
            throw new ChartsealException(null, $"a snapshot lifetime cap of {Duration.ForPeople(requested)} is outside what a trust manifest may hold: from 1 second to at most {Duration.ForPeople(TrustManifest.MaxSnapshotMaxLifetime)}");
        }
        return MutateAsync(directory, [root], validity, now, draft =>
        {
            foreach (PgpPublicKeyRing ring in Certificates(keys))
            {
                string fpr = KeyInfo.Fingerprint(ring.GetPublicKey());
                if (SharesMaterial(ring, draft.PublicKeys) is { } maintainer)
                {
                    throw new ChartsealException(keys.SourceName, $"key {fpr} holds the key material of maintainer key {maintainer}: an index key must be a key of its own, which can sign nothing but snapshots");
                }
                CheckNotRoot(ring, draft, keys.SourceName, "an index key");
                if (SharesMaterial(ring, draft.Revoked) is { } revokedKey)
                {
                    throw new ChartsealException(keys.SourceName, $"key {fpr} holds the key material of revoked key {revokedKey}; a revoked key is never trusted again");
                }
                CheckUsable(ring, now, keys.SourceName, "be an index key");
                draft.IndexKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr);
                draft.IndexKeys.Add(ring);
            }
            if (maxLifetime is { } max)
            {
                draft.SnapshotMaxLifetime = max;
            }
            draft.SnapshotMaxLifetime ??= TrustManifest.DefaultSnapshotMaxLifetime;
        }, cancellationToken);
    }

    /// <summary>
    /// Stops trusting index keys (a compromised or retired one). Clients recover without re-pinning: the snapshot
    /// version they remember is reset with the new set of index keys. Removing the last one turns snapshots off.
    /// </summary>
    public static Task<TrustManifest> RemoveIndexKeyAsync(string directory, RootSigner root, IReadOnlyList<string> fingerprints, TimeSpan? validity, DateTime now, CancellationToken cancellationToken = default) =>
        MutateAsync(directory, [root], validity, now, draft =>
        {
            foreach (string fingerprint in fingerprints)
            {
                string fpr = new PinnedRoot(fingerprint).Fingerprint;
                if (draft.IndexKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr) == 0)
                {
                    throw new ChartsealException(TrustFiles.IndexKeysName, $"no index key {fpr}");
                }
            }
            if (draft.IndexKeys.Count == 0)
            {
                draft.SnapshotMaxLifetime = null;
            }
        }, cancellationToken);

    // The certificates of a key file given to add: at least one.
    private static IReadOnlyList<PgpPublicKeyRing> Certificates(Keyring keys) =>
        keys.PublicKeyRings.Count > 0 ? keys.PublicKeyRings : throw new ChartsealException(keys.SourceName, "holds no public key");

    // A certificate a repository may list: its primary key neither revoked, expired, broken nor from the future, and one
    // of its keys valid for signing.
    private static void CheckUsable(PgpPublicKeyRing ring, DateTime now, string sourceName, string role)
    {
        string fpr = KeyInfo.Fingerprint(ring.GetPublicKey());
        var primary = KeyValidity.Check(ring.GetPublicKey(), ring, now);
        if (primary.Status is KeyStatus.Revoked or KeyStatus.Expired or KeyStatus.InvalidSelfSignature or KeyStatus.InvalidKeyMaterial or KeyStatus.NotYetValid)
        {
            throw new ChartsealException(sourceName, $"key {fpr} cannot {role}: {primary.Status}: {primary.Detail}");
        }
        if (!ring.GetPublicKeys().Any(k => KeyValidity.Check(k, ring, now).IsValid))
        {
            throw new ChartsealException(sourceName, $"key {fpr} has no key valid for signing: {primary.Detail}");
        }
    }

    // The fingerprint of a key in rings that holds any of ring's key material, or null.
    // The root signs only the manifest and stays offline: as an index key it would live on a server or in CI, as a
    // maintainer it would sign charts. Every root in root.pgp counts (one handed over from, one handed over to).
    private static void CheckNotRoot(PgpPublicKeyRing ring, Draft draft, string source, string role)
    {
        if (SharesMaterial(ring, draft.RootKeys) is { } rootKey)
        {
            throw new ChartsealException(source, $"key {KeyInfo.Fingerprint(ring.GetPublicKey())} holds the key material of root key {rootKey}: the root signs the trust manifest only, and cannot also be {role} (use another key)");
        }
    }

    private static string? SharesMaterial(PgpPublicKeyRing ring, IEnumerable<PgpPublicKeyRing> rings)
    {
        var material = ring.GetPublicKeys().Select(KeyInfo.MaterialId).ToHashSet(StringComparer.Ordinal);
        return rings.SelectMany(r => r.GetPublicKeys()).FirstOrDefault(k => material.Contains(KeyInfo.MaterialId(k))) is { } found
            ? KeyInfo.Fingerprint(found)
            : null;
    }

    /// <summary>Removes maintainers (they may simply have left: nothing is added to <c>revoked.pgp</c>).</summary>
    public static Task<TrustManifest> RemoveAsync(string directory, RootSigner root, IReadOnlyList<string> fingerprints, TimeSpan? validity, DateTime now, CancellationToken cancellationToken = default) =>
        MutateAsync(directory, [root], validity, now, draft =>
        {
            foreach (string fingerprint in fingerprints)
            {
                string fpr = new PinnedRoot(fingerprint).Fingerprint;
                if (draft.PublicKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr) == 0)
                {
                    throw new ChartsealException(TrustFiles.PublicKeysName, SubkeyOf(draft, fpr, "remove") ?? $"no key {fpr}");
                }
            }
        }, cancellationToken);

    /// <summary>
    /// Moves a key to <c>revoked.pgp</c> (from <c>pubkeys.pgp</c> or <c>indexkeys.pgp</c>, or from <paramref name="certificate"/>
    /// when it was already removed), attaching a revocation certificate when given.
    /// </summary>
    public static Task<TrustManifest> RevokeAsync(string directory, RootSigner root, string fingerprint, Keyring? certificate, byte[]? revocationCertificate, TimeSpan? validity, DateTime now, CancellationToken cancellationToken = default) =>
        RevokeAsync(directory, root, fingerprint, certificate, revocationCertificate, "revocation certificate", validity, now, cancellationToken);

    /// <summary>
    /// As <see cref="RevokeAsync(string, RootSigner, string, Keyring?, byte[], TimeSpan?, DateTime, CancellationToken)"/>;
    /// <paramref name="revocationCertificateName"/> (its file) names the certificate in errors.
    /// </summary>
    /// <exception cref="ChartsealException">The key is unknown or a root key, already revoked and no certificate given, or the certificate holds no new revocation of it by itself.</exception>
    public static Task<TrustManifest> RevokeAsync(string directory, RootSigner root, string fingerprint, Keyring? certificate, byte[]? revocationCertificate, string revocationCertificateName, TimeSpan? validity, DateTime now, CancellationToken cancellationToken = default) =>
        MutateAsync(directory, [root], validity, now, draft =>
        {
            string fpr = new PinnedRoot(fingerprint).Fingerprint;
            // revoked.pgp lists keys that may no longer sign charts or snapshots; a root there would change nothing for the
            // clients that pin it, while the team would believe it revoked.
            if (fpr == draft.Root || draft.RootKeys.Any(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr))
            {
                throw new ChartsealException(TrustFiles.RootKeysName, $"{fpr} is a root key of this repository, which revoked.pgp cannot take back (clients pin the root): " +
                    "hand over to a new root with chartseal trust rotate-root, or, after a root compromise, publish a new root's fingerprint out of band and have clients re-pin (docs/trust-model.md, \"Root rotation\")");
            }
            PgpPublicKeyRing? ring = draft.PublicKeys.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr)
                ?? draft.IndexKeys.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr)
                ?? certificate?.PublicKeyRings.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr)
                ?? draft.Revoked.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr);
            if (ring is null)
            {
                throw new ChartsealException(TrustFiles.PublicKeysName, SubkeyOf(draft, fpr, "revoke") ?? $"no key {fpr}; give its certificate with --public-key FILE");
            }
            if (revocationCertificate is null && draft.Revoked.Any(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr))
            {
                // Signing a new version that changes nothing would only look, in the history, like a second revocation.
                throw new ChartsealException(TrustFiles.RevokedName, $"already holds {fpr}: it is revoked, nothing to change (--revocation-cert FILE attaches its revocation certificate)");
            }
            if (revocationCertificate is not null)
            {
                // The keyring reader attaches stand-alone revocation certificates to their key.
                int before = PrimaryAnalysis.Of(ring.GetPublicKey()).Revocations.Count;
                byte[] combined = [.. ring.GetEncoded(), .. Unarmor(revocationCertificate)];
                ring = Keyring.Parse(combined, revocationCertificateName).PublicKeyRings.Single();
                // Whatever it does not add (another key's revocation, garbage) would be dropped without a word.
                if (PrimaryAnalysis.Of(ring.GetPublicKey()).Revocations.Count <= before)
                {
                    throw new ChartsealException(revocationCertificateName, $"holds no revocation of {fpr} signed by that key (that {TrustFiles.RevokedName} does not already hold)");
                }
            }
            draft.PublicKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr);
            // A revoked index key signs no more snapshots either (removing the last one turns snapshots off, as index-key remove does).
            if (draft.IndexKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr) > 0 && draft.IndexKeys.Count == 0)
            {
                draft.SnapshotMaxLifetime = null;
            }
            draft.Revoked.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr);
            draft.Revoked.Add(ring);
        }, cancellationToken);

    /// <summary>
    /// When <paramref name="fingerprint"/> is a subkey of a maintainer or index key (the signing subkey an audit row or a
    /// <c>.prov</c>'s issuer shows), says which key it belongs to: keys are trusted, removed and revoked whole, by their
    /// primary fingerprint. Null when it is no subkey of theirs.
    /// </summary>
    private static string? SubkeyOf(Draft draft, string fingerprint, string verb)
    {
        foreach (var ring in draft.PublicKeys.Concat(draft.IndexKeys).Concat(draft.Revoked))
        {
            if (ring.GetPublicKeys().Skip(1).Any(k => KeyInfo.Fingerprint(k) == fingerprint))
            {
                string primary = KeyInfo.Fingerprint(ring.GetPublicKey());
                string who = KeyInfo.PrimaryUserId(ring) is { } uid ? $" ({uid})" : "";
                return draft.Revoked.Contains(ring)
                    ? $"{fingerprint} is a subkey of {primary}{who}, which {TrustFiles.RevokedName} already holds"
                    : $"{fingerprint} is a subkey of {primary}{who}; keys are {verb}d whole: {verb} {primary}";
            }
        }
        return null;
    }

    /// <summary>Re-signs the same keys with a new expiry (and a new version); a null <paramref name="validity"/> keeps the repository's lifetime.</summary>
    public static Task<TrustManifest> RenewAsync(string directory, RootSigner root, TimeSpan? validity, DateTime now, CancellationToken cancellationToken = default) =>
        MutateAsync(directory, [root], validity, now, _ => { }, cancellationToken);

    /// <summary>
    /// Starts a root rotation: a manifest naming <paramref name="newRoot"/> as <c>nextRoot</c>, signed by the current
    /// root AND by the new one. Clients pinned to the current root accept it and pin the new root; clients pinned to
    /// the new root (the ones that just moved, and new users given the new fingerprint) accept the same manifest by
    /// the new root's signature. Later changes are signed by the new root. The rotation manifest is also appended to
    /// <c>rotations.asc</c>, so that a client that never saw it can still follow the hand-over from the root it pinned.
    /// </summary>
    public static Task<TrustManifest> RotateRootAsync(string directory, RootSigner root, RootSigner newRoot, TimeSpan? validity, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newRoot);
        if (newRoot.Fingerprint == root.Fingerprint)
        {
            throw new ChartsealException(null, "the new root is the current root");
        }
        return MutateAsync(directory, [root, newRoot], validity, now, draft =>
        {
            // The root stays offline and signs only the manifest: not the online index key, not a maintainer's key.
            if (SharesMaterial(newRoot.Key.PublicRing, draft.IndexKeys) is { } indexKey)
            {
                throw new ChartsealException(null, $"the new root {newRoot.Fingerprint} holds the key material of index key {indexKey}: the root signs the trust manifest only (use another key)");
            }
            if (SharesMaterial(newRoot.Key.PublicRing, draft.PublicKeys) is { } maintainer)
            {
                throw new ChartsealException(null, $"the new root {newRoot.Fingerprint} holds the key material of maintainer key {maintainer}: the root signs the trust manifest only (use another key)");
            }
            string next = newRoot.Fingerprint;
            draft.NextRoot = next;
            draft.RootKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == next);
            draft.RootKeys.Add(newRoot.Key.PublicRing);
        }, cancellationToken);
    }

    /// <summary>
    /// Reads and verifies a repository's current material against the root its own manifest declares (the
    /// trust-on-first-use rule), expiry ignored: for <c>trust show</c> and for the maintainers' own changes.
    /// </summary>
    /// <exception cref="ChartsealException">No manifest, or material its declared root does not verify.</exception>
    public static async Task<TrustedMaterial> ReadCurrentAsync(RepositorySource source, DateTime now, CancellationToken cancellationToken = default) =>
        (await ReadCurrentWithFilesAsync(source, now, cancellationToken).ConfigureAwait(false)).Material;

    // The files read once, the material they verify to against their declared root, and that root.
    private static async Task<(TrustFiles Files, TrustedMaterial Material, string DeclaredRoot)> ReadCurrentWithFilesAsync(RepositorySource source, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var declared = await TrustOnFirstUse.ClaimAsync(source, cancellationToken).ConfigureAwait(false);
        TrustFiles files = await source.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
        return (files, LoadPinned(source, files, declared.Fingerprint, now), declared.Fingerprint);
    }

    private static TrustedMaterial LoadPinned(RepositorySource source, TrustFiles files, string root, DateTime now) =>
        TrustedMaterial.LoadForUpdate(files, new PinnedRoot(root), now) switch
        {
            TrustResult.Accepted a => a.Material,
            TrustResult.Rejected r => throw new ChartsealException(source.AddressOf(TrustFiles.ManifestName), r.Refusal.ToString()),
            _ => throw new InvalidOperationException(),
        };

    private sealed class Draft(long version, string root, string? nextRoot, List<PgpPublicKeyRing> publicKeys, List<PgpPublicKeyRing> revoked, List<PgpPublicKeyRing> rootKeys, List<PgpPublicKeyRing> indexKeys, TimeSpan? snapshotMaxLifetime)
    {
        public List<PgpPublicKeyRing> IndexKeys { get; } = indexKeys;
        public TimeSpan? SnapshotMaxLifetime { get; set; } = snapshotMaxLifetime;
        public long Version { get; } = version;
        public string Root { get; set; } = root;
        public string? NextRoot { get; set; } = nextRoot;
        public List<PgpPublicKeyRing> PublicKeys { get; } = publicKeys;
        public List<PgpPublicKeyRing> Revoked { get; } = revoked;
        public List<PgpPublicKeyRing> RootKeys { get; } = rootKeys;
    }

    private static async Task<TrustManifest> MutateAsync(string directory, IReadOnlyList<RootSigner> signers, TimeSpan? validity, DateTime now, Action<Draft> edit, CancellationToken cancellationToken)
    {
        RootSigner root = signers[0];
        ArgumentNullException.ThrowIfNull(root);
        // The repository lock: publishes and uploads decide against the material as it is when they write.
        await using var repositoryLock = await RepositoryLock.AcquireAsync(directory, cancellationToken).ConfigureAwait(false);
        await CompleteInterruptedChangeAsync(directory, cancellationToken).ConfigureAwait(false);
        var source = new FolderRepositorySource(directory);
        var (files, current, declaredRoot) = await ReadCurrentWithFilesAsync(source, now, cancellationToken).ConfigureAwait(false);
        // Only the current root may sign the next version; after a hand-over, only the root it handed over to
        // (clients that accepted the rotation pin the new root and would refuse anything the old root signs).
        string allowed = current.RootToPin;
        if (root.Fingerprint != allowed)
        {
            throw new ChartsealException(source.AddressOf(TrustFiles.ManifestName),
                current.Manifest.NextRoot is null
                    ? $"is signed by root {current.SignedBy}, not by {root.Fingerprint}"
                    : $"hands over from root {current.SignedBy} to {allowed}; sign with the new root, not {root.Fingerprint}");
        }
        // Never sign over trust material older than what this root signed here: a rolled-back repository would
        // otherwise re-trust, for every new client, a key that a later version revoked.
        long signedBefore = root.Memory?.HighestSigned(root.Fingerprint, root.RememberedAs ?? source.Location) ?? 0;
        if (current.Version < signedBefore && !root.AllowRollback)
        {
            throw new ChartsealException(source.AddressOf(TrustFiles.ManifestName),
                $"is version {current.Version}, but root {root.Fingerprint} already signed version {signedBefore} of this repository: the trust files were rolled back "
                + "(a restore from backup, a mirror sync, or an attacker). Restore the newest trust files; only if you are sure, --allow-rollback signs "
                + $"version {signedBefore + 1} on top of version {current.Version}, re-trusting whatever it trusted");
        }
        // The root the files declare is only a claim: a manifest that another root signed and that "hands over" to this
        // one names this root as the one to pin without this root ever having signed it. Sign only over material that
        // verifies against this very root (its signature, its co-signature of a hand-over, or hand-overs from it), as
        // every client pinned to it checks. (When it is the declared root, that is the check just made.)
        if (declaredRoot != root.Fingerprint)
        {
            current = LoadPinned(source, files, root.Fingerprint, now);
        }
        var rootKeys = files.RootKeys is { } rk ? Keyring.Parse(rk, TrustFiles.RootKeysName).PublicKeyRings.ToList() : [];
        var draft = new Draft(Math.Max(current.Version, signedBefore), root.Fingerprint, null, current.PublicKeys.PublicKeyRings.ToList(), current.Revoked.PublicKeyRings.ToList(), rootKeys,
            current.IndexKeys?.PublicKeyRings.ToList() ?? [], current.RequiresSnapshot ? current.SnapshotMaxLifetime : null);
        if (!rootKeys.Any(r => KeyInfo.Fingerprint(r.GetPublicKey()) == root.Fingerprint))
        {
            draft.RootKeys.Add(root.Key.PublicRing);
        }
        edit(draft);
        // A rotation written by an older Chartseal that stopped before rotations.asc: keep its hand-over now.
        byte[]? rotations = files.Rotations;
        if (current.Manifest.NextRoot is not null && files.Manifest is { } currentManifest)
        {
            rotations = AppendHandOver(directory, rotations ?? [], currentManifest);
        }
        // The lifetime the repository has (chosen at init or by an explicit --expires) stays unless changed on purpose.
        return await WriteAsync(directory, draft, signers, validity ?? current.Lifetime, rotations, now, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TrustManifest> WriteAsync(string directory, Draft draft, IReadOnlyList<RootSigner> signers, TimeSpan validity, byte[]? rotations, DateTime now, CancellationToken cancellationToken)
    {
        if (validity <= TimeSpan.Zero)
        {
            throw new ChartsealException(null, "the trust material's lifetime must be positive");
        }
        long version;
        try
        {
            version = checked(draft.Version + 1);
        }
        catch (OverflowException)
        {
            throw new ChartsealException(Path.Combine(directory, TrustFiles.ManifestName), $"version {draft.Version} is the highest a manifest can have; it cannot grow (start a new lineage: a new root and trust init in a new repository)");
        }
        // Helm 3 users pass pubkeys.pgp as --keyring: order it so that Helm 3 keeps every key it can read.
        byte[] pubkeys = Keyring.Concat(Helm3KeyringOrder.Order(draft.PublicKeys));
        byte[] revoked = Keyring.Concat(draft.Revoked);
        byte[] rootKeys = Keyring.Concat(draft.RootKeys);
        byte[]? indexKeys = draft.IndexKeys.Count > 0 ? Keyring.Concat(draft.IndexKeys) : null;
        DateTime signedAt = TruncateToSeconds(now);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TrustFiles.PublicKeysName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(pubkeys)),
            [TrustFiles.RevokedName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(revoked)),
        };
        if (indexKeys is not null)
        {
            hashes[TrustFiles.IndexKeysName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(indexKeys));
        }
        var manifest = new TrustManifest(version, signedAt + validity, draft.Root, draft.NextRoot, hashes)
        {
            SnapshotMaxLifetime = indexKeys is null ? null : draft.SnapshotMaxLifetime,
        };
        byte[] signed = ProvenanceSigner.Sign(manifest.Serialize(), signers.Select(r => (r.PrivateKey, r.Key.SecretKey.PublicKey)).ToList(), signedAt);
        var set = new List<(string Name, byte[] Bytes)>
        {
            (TrustFiles.PublicKeysName, pubkeys),
            (TrustFiles.RevokedName, revoked),
            (TrustFiles.RootKeysName, rootKeys),
        };
        if (indexKeys is not null)
        {
            set.Add((TrustFiles.IndexKeysName, indexKeys));
        }
        // A hand-over is kept for good: every rotation manifest, once, in the order written.
        byte[]? chain = manifest.NextRoot is not null ? AppendHandOver(directory, rotations ?? [], signed) : rotations;
        if (chain is not null)
        {
            set.Add((TrustFiles.RotationsName, chain));
        }
        set.Add((TrustFiles.ManifestName, signed));

        // 1. Stage the complete new set (its manifest last: a staged manifest means a complete set).
        string staging = Path.Combine(directory, StagingFolder);
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
        Directory.CreateDirectory(staging);
        foreach (var (name, bytes) in set)
        {
            await AtomicFile.WriteAllBytesAsync(Path.Combine(staging, name), bytes, cancellationToken).ConfigureAwait(false);
        }
        // 2. Into place, then unstage.
        await CompleteInterruptedChangeAsync(directory, cancellationToken).ConfigureAwait(false);
        foreach (var signer in signers)
        {
            signer.Memory?.RecordSigned(signer.Fingerprint, signer.RememberedAs ?? new FolderRepositorySource(directory).Location, version);
        }
        return manifest;
    }

    /// <summary>
    /// Completes a change that was staged but not (entirely) written into place: each staged file is written over the
    /// published one (keyrings, then <c>rotations.asc</c>, then the manifest), then the staging folder is removed, its
    /// manifest first. A staging folder without a manifest is an incomplete stage that never took effect: it is removed.
    /// Idempotent; called under the repository lock by every change and by the server at start-up.
    /// </summary>
    public static async Task CompleteInterruptedChangeAsync(string directory, CancellationToken cancellationToken = default)
    {
        string staging = Path.Combine(directory, StagingFolder);
        if (!Directory.Exists(staging))
        {
            return;
        }
        string stagedManifest = Path.Combine(staging, TrustFiles.ManifestName);
        if (File.Exists(stagedManifest))
        {
            foreach (string name in TrustFiles.AllNames)
            {
                string staged = Path.Combine(staging, name);
                if (File.Exists(staged))
                {
                    byte[] bytes = await InputFile.ReadAsync(staged, TrustFiles.MaxFileSize, cancellationToken).ConfigureAwait(false);
                    await AtomicFile.WriteAllBytesAsync(Path.Combine(directory, name), bytes, cancellationToken).ConfigureAwait(false);
                }
            }
            File.Delete(stagedManifest); // readers stop preferring the staged set before any of it goes
        }
        Directory.Delete(staging, recursive: true);
    }

    private static byte[] AppendHandOver(string directory, byte[] previous, byte[] signed)
    {
        if (previous.AsSpan().IndexOf(signed) >= 0)
        {
            return previous;
        }
        byte[] separator = previous.Length > 0 && previous[^1] != (byte)'\n' ? [(byte)'\n'] : [];
        byte[] rotations = [.. previous, .. separator, .. signed];
        if (rotations.Length > TrustFiles.MaxRotationsSize)
        {
            throw new ChartsealException(Path.Combine(directory, TrustFiles.RotationsName), $"would grow beyond {TrustFiles.MaxRotationsSize} bytes");
        }
        return rotations;
    }

    private static DateTime TruncateToSeconds(DateTime time)
    {
        DateTime utc = time.ToUniversalTime();
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private static byte[] Unarmor(byte[] data)
    {
        if (!Armor.LooksArmored(data))
        {
            return data;
        }
        return Armor.Split(data).SelectMany(Armor.Decode).ToArray();
    }
}

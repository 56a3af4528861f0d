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
/// Write order: <c>pubkeys.pgp</c>, <c>revoked.pgp</c>, <c>root.pgp</c>, then <c>trust.yaml.asc</c>, each
/// atomically (temporary file in the same folder, renamed into place). A reader that races a writer can
/// see new keyrings with the old manifest; their hashes then differ from the signed ones, so the reader gets
/// trust-mismatch (fails closed) and <see cref="TrustUpdater"/> re-reads once. A reader never accepts a
/// keyring that the manifest it accepted did not sign. A rotation manifest is appended to <c>rotations.asc</c> only
/// after it is in effect (and by the next change, if the writer stopped in between), so that file never holds a
/// hand-over that did not happen.
/// <para>
/// <c>pubkeys.pgp</c> lists the certificates whose primary key Helm 3 cannot read (Ed25519) before all the others,
/// so that Helm 3 keeps every RSA key when it is given the file as <c>--keyring</c> (<see cref="Helm3KeyringOrder"/>).
/// Every write applies that order, so the next change (or <c>trust renew</c>) fixes a file written before.
/// </para>
/// </remarks>
public static class TrustRepository
{
    /// <summary>The default manifest lifetime.</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(90);

    /// <summary>Creates version 1 (no maintainers, nothing revoked) in <paramref name="directory"/>.</summary>
    /// <exception cref="ChartsealException">The folder already holds trust material.</exception>
    public static async Task<TrustManifest> InitAsync(string directory, RootSigner root, TimeSpan validity, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        Directory.CreateDirectory(directory);
        await using var repositoryLock = await RepositoryLock.AcquireAsync(directory, cancellationToken).ConfigureAwait(false);
        if (File.Exists(Path.Combine(directory, TrustFiles.ManifestName)))
        {
            throw new ChartsealException(Path.Combine(directory, TrustFiles.ManifestName), "already exists; use trust add/remove/revoke/renew");
        }
        var draft = new Draft(0, root.Fingerprint, null, [], [], [root.Key.PublicRing]);
        return await WriteAsync(directory, draft, root, validity, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds maintainers' certificates. Refuses revoked, expired and non-signing keys.</summary>
    public static Task<TrustManifest> AddAsync(string directory, RootSigner root, Keyring keys, TimeSpan validity, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return MutateAsync(directory, root, validity, now, draft =>
        {
            if (keys.PublicKeyRings.Count == 0)
            {
                throw new ChartsealException(keys.SourceName, "holds no public key");
            }
            foreach (PgpPublicKeyRing ring in keys.PublicKeyRings)
            {
                string fpr = KeyInfo.Fingerprint(ring.GetPublicKey());
                if (draft.Revoked.Any(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr))
                {
                    throw new ChartsealException(keys.SourceName, $"key {fpr} is in {TrustFiles.RevokedName}; a revoked key is never trusted again");
                }
                var primary = KeyValidity.Check(ring.GetPublicKey(), ring, now);
                if (primary.Status is KeyStatus.Revoked or KeyStatus.Expired or KeyStatus.InvalidSelfSignature or KeyStatus.InvalidKeyMaterial or KeyStatus.NotYetValid)
                {
                    throw new ChartsealException(keys.SourceName, $"key {fpr} cannot be trusted: {primary.Status}: {primary.Detail}");
                }
                if (!ring.GetPublicKeys().Any(k => KeyValidity.Check(k, ring, now).IsValid))
                {
                    throw new ChartsealException(keys.SourceName, $"key {fpr} has no key valid for signing: {primary.Detail}");
                }
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

    /// <summary>Removes maintainers (they may simply have left: nothing is added to <c>revoked.pgp</c>).</summary>
    public static Task<TrustManifest> RemoveAsync(string directory, RootSigner root, IReadOnlyList<string> fingerprints, TimeSpan validity, DateTime now, CancellationToken cancellationToken = default) =>
        MutateAsync(directory, root, validity, now, draft =>
        {
            foreach (string fingerprint in fingerprints)
            {
                string fpr = new PinnedRoot(fingerprint).Fingerprint;
                if (draft.PublicKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr) == 0)
                {
                    throw new ChartsealException(TrustFiles.PublicKeysName, $"no key {fpr}");
                }
            }
        }, cancellationToken);

    /// <summary>
    /// Moves a key to <c>revoked.pgp</c> (from <c>pubkeys.pgp</c>, or from <paramref name="certificate"/> when it was
    /// already removed), attaching a revocation certificate when given.
    /// </summary>
    public static Task<TrustManifest> RevokeAsync(string directory, RootSigner root, string fingerprint, Keyring? certificate, byte[]? revocationCertificate, TimeSpan validity, DateTime now, CancellationToken cancellationToken = default) =>
        MutateAsync(directory, root, validity, now, draft =>
        {
            string fpr = new PinnedRoot(fingerprint).Fingerprint;
            PgpPublicKeyRing? ring = draft.PublicKeys.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr)
                ?? certificate?.PublicKeyRings.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr)
                ?? draft.Revoked.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr);
            if (ring is null)
            {
                throw new ChartsealException(TrustFiles.PublicKeysName, $"no key {fpr}; give its certificate with --key-file");
            }
            if (revocationCertificate is not null)
            {
                // The keyring reader attaches stand-alone revocation certificates to their key.
                byte[] combined = [.. ring.GetEncoded(), .. Unarmor(revocationCertificate)];
                ring = Keyring.Parse(combined, "revocation certificate").PublicKeyRings.Single();
            }
            draft.PublicKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr);
            draft.Revoked.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fpr);
            draft.Revoked.Add(ring);
        }, cancellationToken);

    /// <summary>Re-signs the same keys with a new expiry (and a new version).</summary>
    public static Task<TrustManifest> RenewAsync(string directory, RootSigner root, TimeSpan validity, DateTime now, CancellationToken cancellationToken = default) =>
        MutateAsync(directory, root, validity, now, _ => { }, cancellationToken);

    /// <summary>
    /// Starts a root rotation: the current root signs a manifest naming <paramref name="newRoot"/> as
    /// <c>nextRoot</c>; clients that accept it pin the new root. Later changes are signed by the new root.
    /// The signed rotation manifest is also appended to <c>rotations.asc</c>, so that a client that never saw it
    /// (a later version replaced it first) can still follow the hand-over from the root it pinned.
    /// </summary>
    public static Task<TrustManifest> RotateRootAsync(string directory, RootSigner root, PgpPublicKeyRing newRoot, TimeSpan validity, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newRoot);
        return MutateAsync(directory, root, validity, now, draft =>
        {
            string next = KeyInfo.Fingerprint(newRoot.GetPublicKey());
            if (next == root.Fingerprint)
            {
                throw new ChartsealException(null, "the new root is the current root");
            }
            draft.NextRoot = next;
            draft.RootKeys.RemoveAll(r => KeyInfo.Fingerprint(r.GetPublicKey()) == next);
            draft.RootKeys.Add(newRoot);
        }, cancellationToken);
    }

    /// <summary>
    /// Reads and verifies a repository's current material against the root its own manifest declares (the
    /// trust-on-first-use rule), expiry ignored: for <c>trust show</c> and for the maintainers' own changes.
    /// </summary>
    /// <exception cref="ChartsealException">No manifest, or material its declared root does not verify.</exception>
    public static async Task<TrustedMaterial> ReadCurrentAsync(RepositorySource source, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        string manifestPath = source.AddressOf(TrustFiles.ManifestName);
        var declared = await TrustOnFirstUse.ClaimAsync(source, cancellationToken).ConfigureAwait(false);
        TrustFiles files = await source.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
        return TrustedMaterial.LoadForUpdate(files, new PinnedRoot(declared.Fingerprint), now) switch
        {
            TrustResult.Accepted a => a.Material,
            TrustResult.Rejected r => throw new ChartsealException(manifestPath, r.Refusal.ToString()),
            _ => throw new InvalidOperationException(),
        };
    }

    private sealed class Draft(long version, string root, string? nextRoot, List<PgpPublicKeyRing> publicKeys, List<PgpPublicKeyRing> revoked, List<PgpPublicKeyRing> rootKeys)
    {
        public long Version { get; } = version;
        public string Root { get; set; } = root;
        public string? NextRoot { get; set; } = nextRoot;
        public List<PgpPublicKeyRing> PublicKeys { get; } = publicKeys;
        public List<PgpPublicKeyRing> Revoked { get; } = revoked;
        public List<PgpPublicKeyRing> RootKeys { get; } = rootKeys;
    }

    private static async Task<TrustManifest> MutateAsync(string directory, RootSigner root, TimeSpan validity, DateTime now, Action<Draft> edit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        // The repository lock: publishes and uploads decide against the material as it is when they write.
        await using var repositoryLock = await RepositoryLock.AcquireAsync(directory, cancellationToken).ConfigureAwait(false);
        TrustedMaterial current = await ReadCurrentAsync(new FolderRepositorySource(directory), now, cancellationToken).ConfigureAwait(false);
        // Only the current root may sign the next version; after a hand-over, only the root it handed over to
        // (clients that accepted the rotation pin the new root and would refuse anything the old root signs).
        string allowed = current.RootToPin;
        if (root.Fingerprint != allowed)
        {
            throw new ChartsealException(Path.Combine(directory, TrustFiles.ManifestName),
                current.Manifest.NextRoot is null
                    ? $"is signed by root {current.SignedBy}, not by {root.Fingerprint}"
                    : $"hands over from root {current.SignedBy} to {allowed}; sign with the new root, not {root.Fingerprint}");
        }
        TrustFiles files = await new FolderRepositorySource(directory).ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
        if (current.Manifest.NextRoot is not null && files.Manifest is { } currentManifest)
        {
            // A rotation interrupted after its manifest and before rotations.asc: keep its hand-over now.
            await KeepHandOverAsync(directory, currentManifest, cancellationToken).ConfigureAwait(false);
        }
        var rootKeys = files.RootKeys is { } rk ? Keyring.Parse(rk, TrustFiles.RootKeysName).PublicKeyRings.ToList() : [];
        var draft = new Draft(current.Version, root.Fingerprint, null, current.PublicKeys.PublicKeyRings.ToList(), current.Revoked.PublicKeyRings.ToList(), rootKeys);
        if (!rootKeys.Any(r => KeyInfo.Fingerprint(r.GetPublicKey()) == root.Fingerprint))
        {
            draft.RootKeys.Add(root.Key.PublicRing);
        }
        edit(draft);
        return await WriteAsync(directory, draft, root, validity, now, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TrustManifest> WriteAsync(string directory, Draft draft, RootSigner root, TimeSpan validity, DateTime now, CancellationToken cancellationToken)
    {
        // Helm 3 users pass pubkeys.pgp as --keyring: order it so that Helm 3 keeps every key it can read.
        byte[] pubkeys = Keyring.Concat(Helm3KeyringOrder.Order(draft.PublicKeys));
        byte[] revoked = Keyring.Concat(draft.Revoked);
        byte[] rootKeys = Keyring.Concat(draft.RootKeys);
        DateTime signedAt = TruncateToSeconds(now);
        var manifest = new TrustManifest(
            draft.Version + 1,
            signedAt + validity,
            draft.Root,
            draft.NextRoot,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [TrustFiles.PublicKeysName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(pubkeys)),
                [TrustFiles.RevokedName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(revoked)),
            });
        byte[] signed = ProvenanceSigner.Sign(manifest.Serialize(), root.PrivateKey, root.Key.SecretKey.PublicKey, signedAt);

        // Keyrings first, manifest last (see the remarks on this class).
        await AtomicFile.WriteAllBytesAsync(Path.Combine(directory, TrustFiles.PublicKeysName), pubkeys, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(directory, TrustFiles.RevokedName), revoked, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(directory, TrustFiles.RootKeysName), rootKeys, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(directory, TrustFiles.ManifestName), signed, cancellationToken).ConfigureAwait(false);
        if (manifest.NextRoot is not null)
        {
            // Kept only once the hand-over is in effect: a rotation that failed before its manifest was written
            // must not leave a signed hand-over behind (a later, different one would fork the chain).
            await KeepHandOverAsync(directory, signed, cancellationToken).ConfigureAwait(false);
        }
        return manifest;
    }

    // A hand-over is kept for good: every rotation manifest, once, in the order written.
    private static async Task KeepHandOverAsync(string directory, byte[] signed, CancellationToken cancellationToken)
    {
        string rotationsPath = Path.Combine(directory, TrustFiles.RotationsName);
        byte[] previous = File.Exists(rotationsPath)
            ? await InputFile.ReadAsync(rotationsPath, TrustFiles.MaxRotationsSize, cancellationToken).ConfigureAwait(false)
            : [];
        if (previous.AsSpan().IndexOf(signed) >= 0)
        {
            return;
        }
        byte[] separator = previous.Length > 0 && previous[^1] != (byte)'\n' ? [(byte)'\n'] : [];
        byte[] rotations = [.. previous, .. separator, .. signed];
        if (rotations.Length > TrustFiles.MaxRotationsSize)
        {
            throw new ChartsealException(rotationsPath, $"would grow beyond {TrustFiles.MaxRotationsSize} bytes");
        }
        await AtomicFile.WriteAllBytesAsync(rotationsPath, rotations, cancellationToken).ConfigureAwait(false);
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

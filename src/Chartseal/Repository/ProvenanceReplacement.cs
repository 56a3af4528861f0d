using System.Security.Cryptography;
using System.Text;
using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Provenance;
using Chartseal.Trust;
using Chartseal.Client;

namespace Chartseal.Repository;

/// <summary>
/// Re-signing a published chart (<c>publish --resign-only</c>, and the server's <c>POST /api/prov</c>): a new
/// <c>.prov</c> replaces the old one for a version the repository already holds, only when it covers the very
/// archive stored there and its signer is trusted now. The archive and its <c>index.yaml</c> digest never change.
/// </summary>
public static class ProvenanceReplacement
{
    /// <summary>
    /// Replaces the provenance file of an existing chart version, under the repository lock.
    /// </summary>
    /// <param name="repositoryDir">The repository folder (index.yaml, archives, trust material).</param>
    /// <param name="root">The pinned root of the repository's trust material.</param>
    /// <param name="provenance">The new <c>.prov</c> bytes; the chart name, version and archive file name are read from them.</param>
    /// <param name="sourceName">Where the bytes came from, for messages (a file path or an upload).</param>
    /// <param name="store">The client trust state (rollback protection).</param>
    /// <param name="now">The one clock reading of this operation.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock and the file I/O.</param>
    /// <returns>
    /// <see cref="PublishResult.Published"/> with the unchanged index entry, or <see cref="PublishResult.Rejected"/> with
    /// malformed, version-not-found, missing-archive, digest-mismatch, file-not-in-provenance, hash-mismatch (a
    /// different archive), or any trust and verification reason of the new signature (e.g. signer-not-trusted).
    /// </returns>
    /// <exception cref="ChartsealException">index.yaml or the archive cannot be read.</exception>
    public static async Task<PublishResult> ReplaceAsync(string repositoryDir, PinnedRoot root, byte[] provenance, string sourceName, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryDir);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(provenance);
        static PublishResult Reject(RejectionReason reason, string message) => new PublishResult.Rejected(reason, message);

        // 1. Which chart the new .prov is for (unverified: only to find the stored archive it will be verified against).
        if (ReadTarget(provenance, sourceName, out string fileName, out var metadata) is { } malformed)
        {
            return malformed;
        }

        // Under the repository lock, which the trust commands take too: the decision is made against the trust
        // material and the stored archive as they are when the .prov is replaced.
        ArgumentNullException.ThrowIfNull(store);
        store.CheckSeparateFrom(repositoryDir);
        await using var repositoryLock = await RepositoryLock.AcquireAsync(repositoryDir, cancellationToken).ConfigureAwait(false);

        // 2. The repository's trust material, checked against the pinned root.
        var trust = await TrustClient.RefreshAsync(repositoryDir, root, store, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return Reject(t.Reason, t.Message);
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // 3. The version must be published, and the .prov must cover its stored archive.
        string indexPath = Path.Combine(repositoryDir, RepositoryIndexer.IndexFileName);
        IndexEntry? entry = File.Exists(indexPath)
            ? (await ChartIndex.LoadAsync(indexPath, cancellationToken).ConfigureAwait(false)).Find(metadata.Name, metadata.Version)
            : null;
        if (entry is null)
        {
            return Reject(RejectionReason.VersionNotFound, $"{metadata.Name} {metadata.Version} is not in the repository's index.yaml; --resign-only replaces the .prov of a published version (publish it instead)");
        }
        string? archivePath = entry.Urls.Count > 0 ? RepositoryIndexer.LocalArchivePath(repositoryDir, entry.Urls[0]) : null;
        if (archivePath is null)
        {
            return Reject(RejectionReason.MissingArchive, $"the index entry for {metadata.Name} {metadata.Version} has no archive in the repository");
        }
        if (Path.GetFileName(archivePath) != fileName)
        {
            return Reject(RejectionReason.FileNotInProvenance, $"the index's archive for {metadata.Name} {metadata.Version} is \"{Path.GetFileName(archivePath)}\", but the provenance signs \"{fileName}\"");
        }
        if (!File.Exists(archivePath))
        {
            return Reject(RejectionReason.MissingArchive, $"{fileName} is in index.yaml but not in the repository");
        }
        byte[] archive = await InputFile.ReadAsync(archivePath, cancellationToken: cancellationToken).ConfigureAwait(false);
        string stored = Convert.ToHexStringLower(SHA256.HashData(archive));
        if (!string.Equals(stored, entry.Digest, StringComparison.OrdinalIgnoreCase))
        {
            return Reject(RejectionReason.DigestMismatch, $"the stored {fileName} (sha256 {stored}) disagrees with index.yaml (digest {entry.Digest}); nothing was replaced");
        }

        // 4. THE decision about the new signature over the stored archive (a .prov for another archive is hash-mismatch).
        var verification = ChartVerifier.Verify(archive, fileName, provenance, material.VerificationKeyring, now);
        var decision = TrustDecision.Decide(verification, material, localKeyring: null);
        if (decision is TrustDecision.Rejected rejected)
        {
            return Reject(rejected.Reason, rejected.Message);
        }
        var trusted = (TrustDecision.Trusted)decision;

        // 5. Only the .prov changes; the archive and index.yaml (and so every digest) stay as they are.
        await AtomicFile.WriteAllBytesAsync(archivePath + ".prov", provenance, cancellationToken).ConfigureAwait(false);
        return new PublishResult.Published(entry, trusted);
    }

    /// <summary>
    /// The archive file name and chart a <c>.prov</c> is for, read WITHOUT checking its signature: only to find the
    /// archive it will be verified against.
    /// </summary>
    /// <returns>Null when found; otherwise why not (malformed).</returns>
    internal static PublishResult.Rejected? ReadTarget(byte[] provenance, string sourceName, out string fileName, out ChartMetadata metadata)
    {
        fileName = "";
        metadata = null!;
        if (ChartResigning.ReadUnverifiedBody(provenance, out string bodyError) is not { } body)
        {
            return new(RejectionReason.Malformed, bodyError);
        }
        if (body.Files.Count != 1)
        {
            return new(RejectionReason.Malformed, $"provenance must list exactly one archive in files:, not {body.Files.Count}");
        }
        string named = body.Files.Keys.Single();
        if (named != Path.GetFileName(named) || named is "." or ".." || named.Contains('\\', StringComparison.Ordinal) || !named.EndsWith(".tgz", StringComparison.Ordinal))
        {
            return new(RejectionReason.Malformed, $"provenance names \"{named}\", which is not an archive file name");
        }
        try
        {
            metadata = ChartYaml.Parse(Encoding.UTF8.GetBytes(body.MetadataYaml), sourceName);
        }
        catch (ChartsealException e)
        {
            return new(RejectionReason.Malformed, "signed metadata is not valid chart metadata: " + e.Reason);
        }
        fileName = named;
        return null;
    }
}

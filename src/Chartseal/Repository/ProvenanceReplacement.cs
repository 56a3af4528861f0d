using System.Text;
using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Provenance;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.Gate;

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
    /// different archive, or a stored archive its current .prov does not cover), or any trust and verification reason of the new signature (e.g. signer-not-trusted).
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
        var source = new FolderRepositorySource(repositoryDir);
        var trust = await TrustUpdater.RefreshAsync(source, root, store, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return new PublishResult.Rejected(t.Refusal);
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // 3. The version must be published; its stored archive is what the new .prov is judged against.
        string indexPath = source.AddressOf(ChartIndex.FileName);
        IndexEntry? entry = File.Exists(indexPath)
            ? (await ChartIndex.LoadAsync(indexPath, cancellationToken).ConfigureAwait(false)).Find(metadata.Name, metadata.Version)
            : null;
        if (entry is null)
        {
            return Reject(RejectionReason.VersionNotFound, $"{metadata.Name} {metadata.Version} is not in the repository's index.yaml; --resign-only replaces the .prov of a published version (publish it instead)");
        }
        if ((entry.Urls.Count > 0 ? source.Locate(entry.Urls[0]) : null) is not { } stored)
        {
            return Reject(RejectionReason.MissingArchive, $"the index entry for {metadata.Name} {metadata.Version} has no archive in the repository");
        }
        byte[]? archive = await source.ReadArchiveAsync(stored, null, null, cancellationToken).ConfigureAwait(false);

        // 4. THE gate: the new signature over the stored archive (a .prov for another archive is hash-mismatch, for
        //    another file name file-not-in-provenance), and the stored archive must be the one the index lists.
        var expectations = new GateExpectations(entry.Metadata.Name, entry.Metadata.Version, Digest: entry.Digest);
        var verdict = TrustGate.Judge(stored.FileName, archive, provenance, new TrustBasis.Repository(material), expectations, now);
        if (verdict is Verdict.Refused refused)
        {
            return new PublishResult.Rejected(refused.Refusal);
        }

        // 5. Re-signing vouches for the archive that was signed before, not for one swapped in since (with its index
        //    digest rewritten to match): the current .prov, when it names this archive, must name these bytes.
        byte[]? current = await source.ReadProvenanceAsync(stored, cancellationToken).ConfigureAwait(false);
        if (ChartResigning.CheckStoredArchiveUnchanged(archive!, stored.FileName, current) is { } changed)
        {
            return new PublishResult.Rejected(changed);
        }

        // 6. Only the .prov changes; the archive and index.yaml (and so every digest) stay as they are.
        await AtomicFile.WriteAllBytesAsync(stored.Address + ".prov", provenance, cancellationToken).ConfigureAwait(false);
        return new PublishResult.Published(entry, (Verdict.Trusted)verdict, ProvenanceAdded: current is null);
    }

    /// <summary>
    /// The archive file name a <c>.prov</c> claims to sign (its one <c>files:</c> entry, a plain <c>*.tgz</c> name), read
    /// WITHOUT checking its signature: only to name a <c>.prov</c> that came without a file name (a request body) in
    /// messages and logs. Null when it names none.
    /// </summary>
    public static string? ClaimedArchiveName(byte[] provenance)
    {
        ArgumentNullException.ThrowIfNull(provenance);
        // A file name, not a megabyte of claim in every log line.
        return ReadTarget(provenance, "provenance", out string fileName, out _) is null && fileName.Length <= 255 ? fileName : null;
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

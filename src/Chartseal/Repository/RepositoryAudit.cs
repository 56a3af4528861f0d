using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Chartseal.Client;
using Chartseal.Fetch;
using Chartseal.Gate;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Trust;
using Chartseal.Charts;

namespace Chartseal.Repository;

/// <summary>
/// Key-compromise response: verifies every chart version in a repository's <c>index.yaml</c> against the
/// repository's current trust material (<see cref="TrustDecision.Decide"/>), in parallel, streaming: each
/// archive is read, checked and dropped, so at most one archive per worker is in memory, and all the archives held at
/// once fit in one <see cref="MemoryBudget"/> (<see cref="AuditOptions.MaxBytesInFlight"/>).
/// </summary>
public static class RepositoryAudit
{
    /// <summary>
    /// Audits a repository, read through its source (a folder, an http(s) URL, or a registry namespace, whose charts are
    /// those its source finds: <see cref="OciRepositorySource.Enumeration"/>).
    /// </summary>
    /// <returns>
    /// <see cref="AuditResult.Completed"/> with one row per chart version, each trusted or rejected with any verification
    /// or trust reason, missing-archive or digest-mismatch (for a registry namespace that signs its tags, also one row per tag
    /// it holds outside the signed tag map: <see cref="OciRepositorySource.ReadUnlistedEntriesAsync"/>, never trusted); or <see cref="AuditResult.Rejected"/> when the trust material or the index snapshot is refused.
    /// </returns>
    /// <exception cref="ChartsealException">No or an invalid index.yaml, an unreadable file, or a failed download.</exception>
    public static async Task<AuditResult> AuditAsync(RepositorySource source, PinnedRoot root, TrustStateStore store, DateTime now, AuditOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new AuditOptions();
        string? signerFilter = options.SignerFingerprint is { } f ? new PinnedRoot(f).Fingerprint : null;

        var trust = await TrustUpdater.RefreshAsync(source, root, store, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return new AuditResult.Rejected(source.AddressOf(TrustFiles.ManifestName), t.Refusal);
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // The index is parsed on one thread and streamed through a bounded channel to the workers, so checking
        // starts with the first entry; each worker reads one archive, decides, and drops it. When the repository signs
        // its index, it is the very index its fresh snapshot signs (else audit would pass a trimmed one).
        var (opened, refused) = await IndexUpdater.OpenCurrentAsync(source, root, store, material, now, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            // The trust material was verified before its snapshot was refused: what it is stays known.
            return new AuditResult.Rejected(refused.File, refused.Refusal, material.Version, material.SignedBy);
        }
        using var index = opened!;
        // A registry namespace that signs its tags: also every tag the registry holds outside the signed map (a rogue or
        // pending push, a moved tag), each judged by the gate, which never trusts it; else it would stay unseen until the
        // next index sign.
        IReadOnlyList<IndexEntry> unlisted = source is OciRepositorySource { SignedTags: not null } registry
            ? await registry.ReadUnlistedEntriesAsync(cancellationToken).ConfigureAwait(false)
            : [];
        return await AuditIndexAsync(source, index, source.AddressOf(ChartIndex.FileName), unlisted, material, signerFilter, options, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Audits the given index entries (already read, e.g. by a server that holds its index in memory) against trust
    /// material already accepted: each entry through the same per-version check as <see cref="AuditAsync"/> (its files
    /// read through <paramref name="source"/>, judged by the gate under one
    /// <see cref="MemoryBudget"/>.
    /// </summary>
    /// <returns>One row per entry, in the order given (the signer filter of <paramref name="options"/> is not applied).</returns>
    /// <exception cref="ChartsealException">An unreadable file.</exception>
    public static async Task<IReadOnlyList<AuditRow>> AuditEntriesAsync(RepositorySource source, IReadOnlyList<IndexEntry> entries, TrustedMaterial material, DateTime now, AuditOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(material);
        options ??= new AuditOptions();
        var rows = new AuditRow[entries.Count];
        var revocations = new ConcurrentDictionary<string, RevocationInfo?>(StringComparer.Ordinal);
        var budget = options.Budget ?? new MemoryBudget(options.MaxBytesInFlight);
        int done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, entries.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism(source, options), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                using var lease = budget.Lease();
                rows[i] = await AuditEntryAsync(entries[i], source, material, revocations, lease, now, ct).ConfigureAwait(false);
                options.Progress?.Invoke(Interlocked.Increment(ref done), entries.Count);
            }).ConfigureAwait(false);
        return rows;
    }

    private static int Parallelism(RepositorySource source, AuditOptions options) =>
        Math.Max(1, options.MaxParallelism ?? (source.IsRemote ? Math.Min(16, 4 * Environment.ProcessorCount) : Environment.ProcessorCount));

    private static async Task<AuditResult> AuditIndexAsync(RepositorySource source, Stream index, string indexName, IReadOnlyList<IndexEntry> unlisted, TrustedMaterial material, string? signerFilter, AuditOptions options, DateTime now, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Entries go through in batches: the reader is many times faster than the workers, so the channel is full, and one
        // entry at a time meant waking the reader (and a pool thread to wake it) for every entry taken: a sixth of an audit.
        var channel = Channel.CreateBounded<(int Sequence, IndexEntry Entry)[]>(new BoundedChannelOptions(QueuedEntries / Batch) { SingleWriter = true });
        int total = 0;
        bool indexRead = false;
        Task producer = Task.Factory.StartNew(() =>
        {
            try
            {
                var batch = new List<(int Sequence, IndexEntry Entry)>(Batch);
                void Send()
                {
                    (int, IndexEntry)[] items = [.. batch];
                    batch.Clear();
                    while (!channel.Writer.TryWrite(items))
                    {
                        channel.Writer.WaitToWriteAsync(stop.Token).AsTask().GetAwaiter().GetResult();
                    }
                }
                void Add(IndexEntry entry)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    batch.Add((total, entry));
                    Interlocked.Increment(ref total);
                    if (batch.Count == Batch)
                    {
                        Send();
                    }
                }
                ChartIndex.ReadEntries(index, indexName, Add);
                foreach (IndexEntry entry in unlisted)
                {
                    Add(entry);
                }
                if (batch.Count > 0)
                {
                    Send();
                }
                Volatile.Write(ref indexRead, true);
            }
            finally
            {
                channel.Writer.Complete();
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var rows = new ConcurrentBag<(int Sequence, AuditRow Row)>();
        var revocations = new ConcurrentDictionary<string, RevocationInfo?>(StringComparer.Ordinal);
        int done = 0;
        // Sixteen downloads of a hostile server's 100 MiB answers must not mean 1.6 GB held: each archive is reserved
        // in one budget before it is read (its announced length, or twice the archive limit when the answer is compressed).
        var budget = options.Budget ?? new MemoryBudget(options.MaxBytesInFlight);
        try
        {
            await Parallel.ForEachAsync(
                Unbatched(channel.Reader, stop.Token),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism(source, options), CancellationToken = stop.Token },
                async (item, ct) =>
                {
                    using var lease = budget.Lease();
                    rows.Add((item.Sequence, await AuditEntryAsync(item.Entry, source, material, revocations, lease, now, ct).ConfigureAwait(false)));
                    int finished = Interlocked.Increment(ref done);
                    options.Progress?.Invoke(finished, Volatile.Read(ref indexRead) ? Volatile.Read(ref total) : 0);
                }).ConfigureAwait(false);
        }
        catch
        {
            // A worker failed (a download, an unreadable file): stop the index reader before the stream goes away.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ChartsealException)
            {
                // The worker's failure is the one to report.
            }
            throw;
        }
        await producer.ConfigureAwait(false); // an invalid index fails the audit here
        options.Progress?.Invoke(done, total);

        var ordered = rows.OrderBy(r => r.Sequence).Select(r => r.Row);
        IReadOnlyList<AuditRow> result = (signerFilter is null ? ordered : ordered.Where(r => r.IsSignedBy(signerFilter))).ToList();
        return new AuditResult.Completed(result, material.Version, material.SignedBy) { Audited = rows.Count };
    }

    /// <summary>Index entries read ahead of the workers (the bound on what the index reader holds).</summary>
    private const int QueuedEntries = 1024;

    /// <summary>Entries handed from the index reader to the workers at a time.</summary>
    private const int Batch = 64;

    private static async IAsyncEnumerable<(int Sequence, IndexEntry Entry)> Unbatched(ChannelReader<(int Sequence, IndexEntry Entry)[]> reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in batch)
            {
                yield return item;
            }
        }
    }

    private static async Task<AuditRow> AuditEntryAsync(IndexEntry entry, RepositorySource source, TrustedMaterial material, ConcurrentDictionary<string, RevocationInfo?> revocations, MemoryLease lease, DateTime now, CancellationToken ct)
    {
        string name = entry.Metadata.Name, version = entry.Metadata.Version;
        string archiveUrl = entry.Urls.Count > 0 ? entry.Urls[0] : "";
        AuditRow Row(RejectionReason reason, string message) => new(name, version, archiveUrl, new Refusal(reason, message), null, null, null, null, null);

        if (archiveUrl.Length == 0)
        {
            return Row(RejectionReason.MissingArchive, "the index entry has no URL");
        }
        if (source.Locate(archiveUrl) is not { } location)
        {
            return Row(RejectionReason.MissingArchive, $"{archiveUrl} is outside the repository (not in its folder, or not an http(s) URL)");
        }
        byte[]? archive = await source.ReadArchiveAsync(location, null, lease, ct).ConfigureAwait(false);
        byte[]? prov = await source.ReadProvenanceAsync(location, ct).ConfigureAwait(false);

        // THE gate, with only the repository's keys and what the index (or the registry reference) says of this version.
        var verdict = TrustGate.Judge(source.ArchiveNameFor(location, prov), archive, prov, new TrustBasis.Repository(material), source.ExpectationsFor(entry), now);
        Refusal? refusal = (verdict as Verdict.Refused)?.Refusal;

        // Who signed it: the verified signer, or, when the key is in neither keyring, the signature's own claim (reported, never trusted).
        SignerInfo? signer = verdict.Evidence?.Signer;
        SignatureIssuer? issuer;
        if (signer is null)
        {
            var identified = ProvenanceIssuer.Identify(prov, material.VerificationKeyring);
            (signer, issuer) = (identified?.Signer, identified?.Issuer);
        }
        else
        {
            issuer = new SignatureIssuer(signer.KeyId, signer.SigningKeyFingerprint);
        }
        RevocationInfo? revocation = refusal?.Reason == RejectionReason.SignerRevoked && signer is not null
            ? revocations.GetOrAdd(signer.Fingerprint, fpr => RevocationOf(material, fpr, now))
            : null;
        return new AuditRow(name, version, archiveUrl, refusal, signer, issuer, verdict.Evidence?.SignedAt, verdict.Evidence?.Sha256, revocation);
    }

    /// <summary>The revocation that <c>revoked.pgp</c> holds for a key (e.g. from <c>trust revoke --revocation-cert</c>), if any.</summary>
    private static RevocationInfo? RevocationOf(TrustedMaterial material, string fingerprint, DateTime now)
    {
        var ring = material.Revoked.PublicKeyRings.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fingerprint);
        return ring is null ? null : KeyValidity.Check(ring.GetPublicKey(), ring, now).Revocation;
    }
}

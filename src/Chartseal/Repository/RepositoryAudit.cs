using System.Collections.Concurrent;
using System.Threading.Channels;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Trust;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.Fetch;

namespace Chartseal.Repository;

/// <summary>
/// Key-compromise response: verifies every chart version in a repository's <c>index.yaml</c> against the
/// repository's current trust material (<see cref="TrustDecision.Decide"/>), in parallel, streaming: each
/// archive is read, checked and dropped, so at most one archive per worker is in memory.
/// </summary>
public static class RepositoryAudit
{
    /// <summary>Audits a repository folder or http(s) URL.</summary>
    /// <returns>
    /// <see cref="AuditResult.Completed"/> with one row per chart version, each trusted or rejected with any verification
    /// or trust reason, missing-archive or digest-mismatch; or <see cref="AuditResult.Rejected"/> when the trust material is refused.
    /// </returns>
    /// <exception cref="ChartsealException">No or an invalid index.yaml, an unreadable file, or a failed download.</exception>
    public static async Task<AuditResult> AuditAsync(string location, PinnedRoot root, TrustStateStore store, DateTime now, AuditOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        options ??= new AuditOptions();
        string? signerFilter = options.SignerFingerprint is { } f ? new PinnedRoot(f).Fingerprint : null;

        var trust = await TrustClient.RefreshAsync(location, root, store, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return new AuditResult.Rejected(t.Reason, t.Message);
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // The index is parsed on one thread and streamed through a bounded channel to the workers, so checking
        // starts with the first entry; each worker reads one archive, decides, and drops it.
        var source = ArchiveSource.For(location);
        using var index = await source.OpenIndexAsync(cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<(int Sequence, IndexEntry Entry)>(new BoundedChannelOptions(1024) { SingleWriter = true });
        int total = 0;
        bool indexRead = false;
        Task producer = Task.Factory.StartNew(() =>
        {
            try
            {
                ChartIndex.ReadEntries(index.Stream, index.Name, entry =>
                {
                    stop.Token.ThrowIfCancellationRequested();
                    var item = (total, entry);
                    while (!channel.Writer.TryWrite(item))
                    {
                        channel.Writer.WaitToWriteAsync(stop.Token).AsTask().GetAwaiter().GetResult();
                    }
                    Interlocked.Increment(ref total);
                });
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
        int parallelism = options.MaxParallelism ?? (source.IsRemote ? Math.Min(16, 4 * Environment.ProcessorCount) : Environment.ProcessorCount);
        try
        {
            await Parallel.ForEachAsync(
                channel.Reader.ReadAllAsync(stop.Token),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = stop.Token },
                async (item, ct) =>
                {
                    rows.Add((item.Sequence, await AuditEntryAsync(item.Entry, source, material, revocations, now, ct).ConfigureAwait(false)));
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
        return new AuditResult.Completed(result, material.Version, material.SignedBy);
    }

    private static async Task<AuditRow> AuditEntryAsync(IndexEntry entry, ArchiveSource source, TrustedMaterial material, ConcurrentDictionary<string, RevocationInfo?> revocations, DateTime now, CancellationToken ct)
    {
        string name = entry.Metadata.Name, version = entry.Metadata.Version;
        string archiveUrl = entry.Urls.Count > 0 ? entry.Urls[0] : "";
        AuditRow Row(RejectionReason? reason, string message) => new(name, version, archiveUrl, reason, message, null, null, null, null, null);

        if (archiveUrl.Length == 0)
        {
            return Row(RejectionReason.MissingArchive, "the index entry has no URL");
        }
        if (source.Locate(archiveUrl) is not { } location)
        {
            return Row(RejectionReason.MissingArchive, $"{archiveUrl} is outside the repository (not in its folder, or not an http(s) URL)");
        }
        var (archive, prov) = await source.ReadAsync(location, ct).ConfigureAwait(false);
        if (archive is null)
        {
            var identified = ProvenanceIssuer.Identify(prov, material.VerificationKeyring);
            return Row(RejectionReason.MissingArchive, $"{archiveUrl} does not exist") with { Signer = identified?.Signer, Issuer = identified?.Issuer };
        }

        // THE decision, with only the repository's keys; then what the index says must be what was verified.
        var verification = ChartVerifier.Verify(archive, location.FileName, prov, material.VerificationKeyring, now);
        var decision = TrustDecision.Decide(verification, material, localKeyring: null);
        string sha256 = verification.Sha256!;
        (RejectionReason? reason, string message) = decision switch
        {
            TrustDecision.Rejected { Reason: RejectionReason.SignerRevoked } r => (r.Reason, r.Message),
            _ when !string.Equals(entry.Digest, sha256, StringComparison.OrdinalIgnoreCase) =>
                (RejectionReason.DigestMismatch, $"index.yaml digest \"{entry.Digest}\" != archive sha256 \"{sha256}\""),
            TrustDecision.Rejected r => (r.Reason, r.Message),
            TrustDecision.Trusted tr when tr.Verification.Chart.Name != name || tr.Verification.Chart.Version != version =>
                (RejectionReason.NameVersionMismatch, $"index.yaml lists {name} {version}, but the archive holds {tr.Verification.Chart.Name} {tr.Verification.Chart.Version}"),
            _ => ((RejectionReason?)null, "trusted"),
        };

        SignerInfo? signer = verification.Signer;
        SignatureIssuer? issuer = null;
        if (signer is null)
        {
            var identified = ProvenanceIssuer.Identify(prov, material.VerificationKeyring);
            (signer, issuer) = (identified?.Signer, identified?.Issuer);
        }
        else
        {
            issuer = new SignatureIssuer(signer.KeyId, signer.SigningKeyFingerprint);
        }
        RevocationInfo? revocation = reason == RejectionReason.SignerRevoked && signer is not null
            ? revocations.GetOrAdd(signer.Fingerprint, fpr => RevocationOf(material, fpr, now))
            : null;
        return new AuditRow(name, version, archiveUrl, reason, message, signer, issuer, verification.SignedAt, sha256, revocation);
    }

    /// <summary>The revocation that <c>revoked.pgp</c> holds for a key (e.g. from <c>trust revoke --revocation-cert</c>), if any.</summary>
    private static RevocationInfo? RevocationOf(TrustedMaterial material, string fingerprint, DateTime now)
    {
        var ring = material.Revoked.PublicKeyRings.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == fingerprint);
        return ring is null ? null : KeyValidity.Check(ring.GetPublicKey(), ring, now).Revocation;
    }

    /// <summary>An open index.yaml and the name to use in messages.</summary>
    private sealed record IndexStream(Stream Stream, string Name) : IDisposable
    {
        public void Dispose() => Stream.Dispose();
    }

    /// <summary>Where an index entry's archive is: a local path or a URL, and the file name the <c>.prov</c> signs.</summary>
    private sealed record ArchiveLocation(string Path, string FileName);

    /// <summary>Reads the index and the archives of a local folder (directly) or an http(s) repository (downloads).</summary>
    private sealed class ArchiveSource
    {
        private readonly string _location;
        private readonly string? _fullDir;

        private ArchiveSource(string location, bool remote)
        {
            _location = location;
            IsRemote = remote;
            _fullDir = remote ? null : System.IO.Path.GetFullPath(location);
        }

        public bool IsRemote { get; }

        public static ArchiveSource For(string location) => new(location, HttpFetcher.IsUrl(location));

        /// <summary>Opens index.yaml: a file stream for a folder (after a size check), the downloaded bytes for a URL.</summary>
        public async Task<IndexStream> OpenIndexAsync(CancellationToken ct)
        {
            if (!IsRemote)
            {
                string path = System.IO.Path.Combine(_location, RepositoryIndexer.IndexFileName);
                byte[] bytes = ReadLocal(path, ChartIndex.MaxIndexSize) ?? throw new ChartsealException(path, "no such file");
                return new IndexStream(new MemoryStream(bytes, writable: false), path);
            }
            Uri uri = HttpFetcher.FileUri(_location, RepositoryIndexer.IndexFileName);
            byte[] downloaded = await HttpFetcher.GetAsync(uri, ChartIndex.MaxIndexSize, ct).ConfigureAwait(false)
                ?? throw new ChartsealException(uri.ToString(), "no index.yaml (server answered 404)");
            return new IndexStream(new MemoryStream(downloaded, writable: false), uri.ToString());
        }

        /// <summary>Resolves an index URL; null when a local repository's entry points outside its folder.</summary>
        public ArchiveLocation? Locate(string url)
        {
            bool absolute = Uri.TryCreate(url, UriKind.Absolute, out Uri? abs) && (abs.Scheme == Uri.UriSchemeHttp || abs.Scheme == Uri.UriSchemeHttps);
            if (IsRemote)
            {
                // Only http(s): an index entry must not make the auditor read file: or other schemes.
                Uri? uri = absolute ? abs : Uri.TryCreate(new Uri(_location.TrimEnd('/') + "/"), url, out Uri? relative) ? relative : null;
                if (uri is null || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    return null;
                }
                return new ArchiveLocation(uri.ToString(), RepositoryIndexer.FileNameOf(uri.AbsolutePath));
            }
            return RepositoryIndexer.LocalArchivePath(_fullDir!, url) is { } full ? new ArchiveLocation(full, System.IO.Path.GetFileName(full)) : null;
        }

        /// <summary>The archive (null when it does not exist) and its <c>.prov</c> (null when it does not exist).</summary>
        public async Task<(byte[]? Archive, byte[]? Provenance)> ReadAsync(ArchiveLocation location, CancellationToken ct)
        {
            if (!IsRemote)
            {
                // Local files are read synchronously: small, page-cached, and the worker is busy with them anyway.
                return (ReadLocal(location.Path, InputFile.DefaultMaxBytes),
                    ReadLocal(location.Path + ".prov", ChartVerifier.MaxProvenanceLength, oversizedStandIn: true));
            }
            var uri = new Uri(location.Path);
            byte[]? archive = await HttpFetcher.GetAsync(uri, InputFile.DefaultMaxBytes, ct).ConfigureAwait(false);
            byte[]? prov = await HttpFetcher.GetAsync(new Uri(location.Path + ".prov"), ChartVerifier.MaxProvenanceLength, ct).ConfigureAwait(false);
            return (archive, prov);
        }

        /// <summary>
        /// Reads a local file; null when it does not exist. Over <paramref name="maxBytes"/>: a one-line error, or with
        /// <paramref name="oversizedStandIn"/> an over-limit buffer the verifier refuses as malformed (content never read).
        /// </summary>
        private static byte[]? ReadLocal(string path, long maxBytes, bool oversizedStandIn = false)
        {
            try
            {
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                long length = RandomAccess.GetLength(handle);
                if (length > maxBytes)
                {
                    return oversizedStandIn ? new byte[maxBytes + 1] : throw new ChartsealException(path, $"is larger than the {maxBytes} byte limit");
                }
                byte[] data = new byte[length];
                int offset = 0;
                while (offset < data.Length)
                {
                    int read = RandomAccess.Read(handle, data.AsSpan(offset), offset);
                    if (read == 0)
                    {
                        throw new ChartsealException(path, "changed while it was read");
                    }
                    offset += read;
                }
                return data;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                throw new ChartsealException(path, "permission denied");
            }
            catch (IOException e)
            {
                throw new ChartsealException(path, "cannot be read: " + e.Message);
            }
        }
    }
}

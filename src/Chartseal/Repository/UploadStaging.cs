using System.Diagnostics.CodeAnalysis;
using Chartseal.Charts;
using Chartseal.Client;

namespace Chartseal.Repository;

/// <summary>
/// ChartMuseum clients' two-request upload: the archive in one request and its <c>.prov</c> in another, in either
/// order. The half that arrives first is held here, in memory only: never written to the repository and never
/// served, bounded in count and bytes (overall and per uploader, <see cref="StagingLimits"/>), matched only with a
/// half from the same uploader, and dropped when it expires or the server stops. When the other half arrives, both
/// go through <see cref="ChartPublisher.PublishAsync(ChartUpload, PublishOptions, TrustStateStore, DateTime, CancellationToken)"/>
/// together, so nothing is published until the pair passes the gate. A <c>.prov</c> for a version that is already
/// published, with no chart waiting for it, re-signs that version (<see cref="ProvenanceReplacement"/>) as before.
/// </summary>
/// <param name="limits">The bounds of the staging area.</param>
public sealed class UploadStaging(StagingLimits limits)
{
    private const string ChartHalf = "chart";
    private const string ProvenanceHalf = "prov";

    private readonly Dictionary<(string Uploader, string FileName), Half> _held = [];
    private readonly Lock _lock = new();

    private sealed record Half(string Kind, byte[] Bytes, bool Force, DateTime ExpiresAt);

    /// <summary>The halves held now (expired ones included until the next submission drops them).</summary>
    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>The bytes held now.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _held.Values.Sum(h => (long)h.Bytes.Length);
            }
        }
    }

    /// <summary>
    /// A chart archive without its <c>.prov</c>. It is named after its own <c>Chart.yaml</c>
    /// (<c>NAME-VERSION.tgz</c>, as ChartMuseum does for a raw body); if this uploader's <c>.prov</c> for that file
    /// is waiting, both go through the gate now; otherwise the archive is held.
    /// </summary>
    /// <param name="uploader">Who sent it (a token, user or address): halves pair only with the same uploader's.</param>
    /// <param name="archive">The <c>.tgz</c> bytes (kept, not copied).</param>
    /// <param name="sourceName">Names the upload in messages.</param>
    /// <param name="options">The repository and root; <see cref="PublishOptions.Force"/> when the caller allows replacing.</param>
    /// <param name="store">The trust state (rollback protection).</param>
    /// <param name="now">The one clock reading of this request.</param>
    /// <param name="cancellationToken">Cancels the gate's I/O.</param>
    /// <returns>
    /// <see cref="StagingResult.Done"/> with the gate's result, or with unsafe-archive or version-exists (refused at
    /// once, nothing held); <see cref="StagingResult.Held"/>; or <see cref="StagingResult.Full"/>.
    /// </returns>
    /// <exception cref="ChartsealException">index.yaml cannot be read.</exception>
    public async Task<StagingResult> SubmitChartAsync(string uploader, byte[] archive, string sourceName, PublishOptions options,
        TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(options);
        if (!TryName(archive, sourceName, out var metadata, out string fileName, out var refused))
        {
            return refused;
        }
        if (Take(uploader, fileName, ProvenanceHalf, now) is { } waiting)
        {
            return await PairAsync(fileName, archive, waiting.Bytes, options, waiting.Force, store, now, cancellationToken).ConfigureAwait(false);
        }
        // A published version is refused at the first request, as ChartMuseum does, rather than after the second.
        if (!options.Force && await ChartPublisher.IsPublishedAsync(options.RepositoryDir, metadata.Name, metadata.Version, cancellationToken).ConfigureAwait(false))
        {
            return new StagingResult.Done(ChartPublisher.VersionExists(metadata.Name, metadata.Version));
        }
        return await HoldOrPairAsync(uploader, fileName, new Half(ChartHalf, archive, options.Force, now + limits.Lifetime), options, store, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A <c>.prov</c> on its own. If this uploader's chart for the archive it names is waiting, both go through the
    /// gate now. Otherwise, for a published version, it re-signs that version (<see cref="ProvenanceReplacement"/>);
    /// for an unpublished one, it is held until the chart arrives. With <see cref="PublishOptions.Force"/>, a
    /// <c>.prov</c> that does not cover the published archive is held too, for the replacing chart.
    /// </summary>
    /// <param name="uploader">Who sent it (a token, user or address): halves pair only with the same uploader's.</param>
    /// <param name="provenance">The <c>.prov</c> bytes (kept, not copied).</param>
    /// <param name="sourceName">Names the upload in messages.</param>
    /// <param name="options">The repository and root; <see cref="PublishOptions.Force"/> when the caller allows replacing.</param>
    /// <param name="store">The trust state (rollback protection).</param>
    /// <param name="now">The one clock reading of this request.</param>
    /// <param name="cancellationToken">Cancels the gate's I/O.</param>
    /// <returns>
    /// <see cref="StagingResult.Done"/> with the gate's or the re-signing's result (malformed when the document names
    /// no archive); <see cref="StagingResult.Held"/>; or <see cref="StagingResult.Full"/>.
    /// </returns>
    /// <exception cref="ChartsealException">index.yaml or a stored archive cannot be read.</exception>
    public async Task<StagingResult> SubmitProvenanceAsync(string uploader, byte[] provenance, string sourceName, PublishOptions options,
        TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provenance);
        ArgumentNullException.ThrowIfNull(options);
        if (ProvenanceReplacement.ReadTarget(provenance, sourceName, out string fileName, out _) is { } malformed)
        {
            return new StagingResult.Done(malformed);
        }
        if (Take(uploader, fileName, ChartHalf, now) is { } waiting)
        {
            return await PairAsync(fileName, waiting.Bytes, provenance, options, waiting.Force, store, now, cancellationToken).ConfigureAwait(false);
        }
        var resigned = await ProvenanceReplacement.ReplaceAsync(options.RepositoryDir, options.Root, provenance, sourceName, store, now, cancellationToken).ConfigureAwait(false);
        bool awaitsChart = resigned is PublishResult.Rejected { Reason: RejectionReason.VersionNotFound }
            || (options.Force && resigned is PublishResult.Rejected { Reason: RejectionReason.HashMismatch });
        return awaitsChart
            ? await HoldOrPairAsync(uploader, fileName, new Half(ProvenanceHalf, provenance, options.Force, now + limits.Lifetime), options, store, now, cancellationToken).ConfigureAwait(false)
            : new StagingResult.Done(resigned, Resigned: resigned is PublishResult.Published);
    }

    /// <summary>
    /// A chart and its <c>.prov</c> in one request. The archive is named as its <c>.prov</c> signs it, never after the
    /// file name the client sent with it (<c>curl -F chart=@dist/out.tgz</c>, a Windows path), as ChartMuseum names an
    /// upload after its content; the gate then refuses it unless that name is the archive's own
    /// <c>NAME-VERSION.tgz</c>. Both go through the gate now; once published, any half of the same archive held from
    /// an earlier attempt is dropped, so that it cannot pair with a later re-signing <c>.prov</c>.
    /// </summary>
    /// <param name="archive">The <c>.tgz</c> bytes.</param>
    /// <param name="provenance">The <c>.prov</c> bytes.</param>
    /// <param name="sourceName">Names the upload in messages.</param>
    /// <param name="options">The repository and root; <see cref="PublishOptions.Force"/> when the caller allows replacing.</param>
    /// <param name="store">The trust state (rollback protection).</param>
    /// <param name="now">The one clock reading of this request.</param>
    /// <param name="cancellationToken">Cancels the gate's I/O.</param>
    /// <returns><see cref="StagingResult.Done"/> with the gate's result (or unsafe-archive when neither the .prov nor the archive names the file).</returns>
    /// <exception cref="ChartsealException">index.yaml cannot be read.</exception>
    public async Task<StagingResult> SubmitPairAsync(byte[] archive, byte[] provenance, string sourceName, PublishOptions options,
        TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(provenance);
        ArgumentNullException.ThrowIfNull(options);
        // The name the .prov signs (read unverified: the gate checks that the archive is the one signed under it and that
        // it is the archive's own NAME-VERSION.tgz); the archive's own name when the .prov names none (the gate refuses it).
        string fileName;
        if (ProvenanceReplacement.ReadTarget(provenance, sourceName, out string signedName, out _) is null)
        {
            fileName = signedName;
        }
        else if (!TryName(archive, sourceName, out _, out fileName, out var refused))
        {
            return refused;
        }
        var result = await ChartPublisher.PublishAsync(new ChartUpload(fileName, archive, provenance), options, store, now, cancellationToken).ConfigureAwait(false);
        if (result is PublishResult.Published)
        {
            Forget(fileName);
        }
        return new StagingResult.Done(result);
    }

    /// <summary>Drops every held half for this archive file name (it was just published by a one-request upload).</summary>
    public void Forget(string fileName)
    {
        lock (_lock)
        {
            foreach (var key in _held.Keys.Where(k => k.FileName == fileName).ToList())
            {
                _held.Remove(key);
            }
        }
    }

    private static StagingResult Refused(RejectionReason reason, string message) => new StagingResult.Done(new PublishResult.Rejected(reason, message));

    // Which chart an archive holds, read only to name it NAME-VERSION.tgz (the gate verifies it); else the refusal.
    private static bool TryName(byte[] archive, string sourceName, [NotNullWhen(true)] out ChartMetadata? metadata, out string fileName,
        [NotNullWhen(false)] out StagingResult? refused)
    {
        fileName = "";
        refused = null;
        try
        {
            metadata = ChartArchive.Read(archive, sourceName).Metadata;
        }
        catch (UnsafeArchiveException e)
        {
            metadata = null;
            refused = Refused(RejectionReason.UnsafeArchive, e.Message);
            return false;
        }
        fileName = $"{metadata.Name}-{metadata.Version}.tgz";
        if (fileName != Path.GetFileName(fileName) || fileName.StartsWith('.'))
        {
            refused = Refused(RejectionReason.Malformed, $"{sourceName}: {metadata.Name} {metadata.Version} does not make a plain archive file name");
            metadata = null;
            return false;
        }
        return true;
    }

    private static async Task<StagingResult> PairAsync(string fileName, byte[] archive, byte[] provenance, PublishOptions options, bool heldForce,
        TrustStateStore store, DateTime now, CancellationToken cancellationToken)
    {
        var pairOptions = options with { Force = options.Force || heldForce };
        var result = await ChartPublisher.PublishAsync(new ChartUpload(fileName, archive, provenance), pairOptions, store, now, cancellationToken).ConfigureAwait(false);
        return new StagingResult.Done(result);
    }

    // Removes and returns this uploader's live half of the given kind for the file, if any.
    private Half? Take(string uploader, string fileName, string kind, DateTime now)
    {
        lock (_lock)
        {
            DropExpired(now);
            if (_held.TryGetValue((uploader, fileName), out var half) && half.Kind == kind)
            {
                _held.Remove((uploader, fileName));
                return half;
            }
            return null;
        }
    }

    // In one step, so that two halves arriving at the same moment cannot both be held: take the other half if it
    // came in meanwhile (and pair), else hold this one (replacing an earlier half of the same kind), if it fits.
    private async Task<StagingResult> HoldOrPairAsync(string uploader, string fileName, Half half, PublishOptions options,
        TrustStateStore store, DateTime now, CancellationToken cancellationToken)
    {
        var key = (uploader, fileName);
        Half? other = null;
        lock (_lock)
        {
            DropExpired(now);
            if (_held.TryGetValue(key, out var existing) && existing.Kind != half.Kind)
            {
                other = existing;
                _held.Remove(key);
            }
            else
            {
                long replaced = existing?.Bytes.Length ?? 0;
                int replacedCount = existing is null ? 0 : 1;
                var mine = _held.Where(h => h.Key.Uploader == uploader).Select(h => h.Value).ToList();
                string? full =
                    _held.Count - replacedCount >= limits.MaxHalves ? $"{limits.MaxHalves} upload halves are already waiting for their other half"
                    : mine.Count - replacedCount >= limits.MaxHalvesPerUploader ? $"{limits.MaxHalvesPerUploader} of this uploader's halves are already waiting for their other half"
                    : _held.Values.Sum(h => (long)h.Bytes.Length) - replaced + half.Bytes.Length > limits.MaxBytes ? $"the waiting upload halves would exceed {limits.MaxBytes} bytes"
                    : mine.Sum(h => (long)h.Bytes.Length) - replaced + half.Bytes.Length > limits.MaxBytesPerUploader ? $"this uploader's waiting halves would exceed {limits.MaxBytesPerUploader} bytes"
                    : null;
                if (full is not null)
                {
                    return new StagingResult.Full($"{fileName}: {full}; send the other halves (or chart and prov in one request) first");
                }
                _held[key] = half;
                return new StagingResult.Held(fileName, half.Kind == ChartHalf ? ProvenanceHalf : ChartHalf, half.ExpiresAt);
            }
        }
        return half.Kind == ChartHalf
            ? await PairAsync(fileName, half.Bytes, other.Bytes, options, other.Force || half.Force, store, now, cancellationToken).ConfigureAwait(false)
            : await PairAsync(fileName, other.Bytes, half.Bytes, options, other.Force || half.Force, store, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the halves whose time is up (also done at every submission; a timer calls this between them).</summary>
    public void RemoveExpired(DateTime now)
    {
        lock (_lock)
        {
            DropExpired(now);
        }
    }

    private void DropExpired(DateTime now)
    {
        foreach (var key in _held.Where(h => h.Value.ExpiresAt <= now).Select(h => h.Key).ToList())
        {
            _held.Remove(key);
        }
    }
}

using System.Diagnostics;
using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Trust;
using Microsoft.Extensions.Logging;

namespace Chartseal.Server;

/// <summary>
/// What the operator's endpoints report: whether the server can do its work (<c>/ready</c>) and the trust and index
/// figures of <c>/metrics</c>. Ready means the repository folder can be read (index.yaml included) and its trust
/// material verifies against the pinned root (or, before any upload pinned one, the root it declares) now: present,
/// signed, not rolled back, not expired. Nothing is remembered: the check reads, it never advances the trust state, so
/// it turns ready again as soon as the material is mended, without a restart. Each check is kept for a second, so a
/// flood of probes costs at most one check a second. The first check (at start) and every change of state a check finds
/// are logged once: ready with the trust version, or not ready with the reason (a new reason is a new state; new details
/// of the same reason are not).
/// </summary>
internal sealed class ServerStatus(ServerOptions options, IndexFile index, RootPin pin, ILogger logger)
{
    /// <summary>How long one check is reused.</summary>
    public static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _checking = new(1, 1);
    private Report? _last;
    private long _checkedAt;

    /// <summary>One check's result.</summary>
    /// <param name="Problem">Null when ready; else one line: why not.</param>
    /// <param name="Trust">The verified trust material, when it verified.</param>
    /// <param name="IndexEntries">Chart versions in index.yaml (0 without one; null when the folder or the index cannot be read).</param>
    /// <param name="IndexBytes">The size of index.yaml in bytes (0 without one; null when it cannot be read).</param>
    /// <param name="IndexWritten">When index.yaml was last written, or null without one.</param>
    /// <param name="Snapshot">The verified index snapshot, when the trust material names index keys and it verifies (also
    /// when it has expired or the index it names is missing: not ready then, and its figures stay in /metrics).</param>
    public sealed record Report(string? Problem, TrustedMaterial? Trust, long? IndexEntries, long? IndexBytes, DateTime? IndexWritten, TrustedSnapshot? Snapshot = null)
    {
        /// <summary>
        /// The trust material refused only for having expired: its version and expiry stay in <c>/metrics</c>, so that an
        /// alert on the expiry time keeps firing once it has passed rather than lose its data. Never trusted.
        /// </summary>
        public TrustedMaterial? Expired { get; init; }

        /// <summary>The material whose figures <c>/metrics</c> exports: the verified one, else the expired one.</summary>
        public TrustedMaterial? Reported => Trust ?? Expired;

        /// <summary>The server's count of its own writes when the check began (a write makes the check stale at once).</summary>
        internal int Generation { get; init; }

        /// <summary>Whether the server is ready.</summary>
        public bool Ready => Problem is null;
    }

    /// <summary>The last check (null before the first).</summary>
    public Report? Last => Volatile.Read(ref _last);

    /// <summary>The current state: the last check when it is less than <see cref="ReuseFor"/> old, else a new one.</summary>
    public async Task<Report> CheckAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } fresh)
        {
            return fresh;
        }
        await _checking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } other)
            {
                return other;
            }
            int generation = index.Generation;
            var report = await RunAsync(cancellationToken).ConfigureAwait(false) with { Generation = generation };
            if (Volatile.Read(ref _last) is not { } previous || Cause(previous.Problem) != Cause(report.Problem))
            {
                Log(report);
            }
            Volatile.Write(ref _last, report);
            Volatile.Write(ref _checkedAt, Stopwatch.GetTimestamp());
            return report;
        }
        finally
        {
            _checking.Release();
        }
    }

    // What a problem is, without its details: the text before its first ": " (a reason code such as index-expired, or the
    // file that cannot be read). Its details may change from one check to the next ("expired …, 3 minutes ago"), and
    // each would otherwise be a log line.
    private static string? Cause(string? problem) =>
        problem is null ? null : problem.IndexOf(": ", StringComparison.Ordinal) is var colon and > 0 ? problem[..colon] : problem;

    private void Log(Report report)
    {
        if (report.Problem is { } problem)
        {
            ServerLog.NotReady(logger, problem);
        }
        else
        {
            ServerLog.Ready(logger, report.Trust!.Version, TrustManifest.FormatTime(report.Trust.Manifest.Expires), report.IndexEntries ?? 0);
        }
    }

    // Reused for a second, unless the server wrote since (its own uploads show in the next scrape).
    private Report? Fresh() =>
        Volatile.Read(ref _last) is { } last && last.Generation == index.Generation && Stopwatch.GetElapsedTime(Volatile.Read(ref _checkedAt)) < ReuseFor
            ? last
            : null;

    private async Task<Report> RunAsync(CancellationToken cancellationToken)
    {
        string repository = options.RepositoryDir;
        if (FolderProblem(repository) is { } folder)
        {
            return new Report(folder, null, null, null, null);
        }
        long entries = 0, bytes = 0;
        DateTime? written = null;
        string indexPath = Path.Combine(repository, Charts.ChartIndex.FileName);
        try
        {
            if (Path.Exists(indexPath))
            {
                // The server answers a missing index.yaml with an empty one; one that is there must be readable.
                using var readable = new FileStream(indexPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            }
            var snapshot = await index.CurrentAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot.Length >= 0)
            {
                entries = snapshot.Parsed.Count;
                bytes = snapshot.Length;
                written = snapshot.Modified;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ChartsealException)
        {
            return new Report($"{indexPath} cannot be read: {e.Message}", null, null, null, null);
        }
        var (problem, trust, expired) = await TrustAsync(repository, cancellationToken).ConfigureAwait(false);
        TrustedSnapshot? signed = null;
        if (trust is { RequiresSnapshot: true })
        {
            (problem, signed) = await SnapshotAsync(repository, trust, cancellationToken).ConfigureAwait(false);
        }
        return new Report(problem, trust, entries, bytes, written, signed) { Expired = expired };
    }

    // What a client would say of the snapshot served now (not its rollback check: the server remembers none), and that
    // the index it names is there to be downloaded.
    private async Task<(string? Problem, TrustedSnapshot? Snapshot)> SnapshotAsync(string repository, TrustedMaterial trust, CancellationToken cancellationToken)
    {
        try
        {
            byte[]? bytes = await InputFile.ReadIfExistsAsync(Path.Combine(repository, IndexSnapshot.FileName), IndexSnapshot.MaxLength, truncate: true, cancellationToken).ConfigureAwait(false);
            DateTime now = options.Clock.GetUtcNow().UtcDateTime;
            SnapshotResult result = TrustedSnapshot.Load(bytes, trust, null, now);
            if (result is not SnapshotResult.Accepted { Snapshot: var snapshot })
            {
                var refusal = ((SnapshotResult.Rejected)result).Refusal;
                // An expired snapshot keeps its figures in /metrics, as expired trust material does.
                return ($"{refusal.Name}: {refusal.Message}", refusal.Reason == RejectionReason.IndexExpired ? TrustedSnapshot.ReadExpired(bytes, trust, now) : null);
            }
            var named = new FileInfo(Path.Combine(repository, IndexSnapshot.ContentAddressedIndexName(snapshot.Snapshot.IndexSha256)));
            return named.Exists && named.Length == snapshot.Snapshot.IndexSize
                ? (null, snapshot)
                : ($"{RejectionReason.IndexMismatch.Name()}: {named.FullName}, the index that {IndexSnapshot.FileName} version {snapshot.Version} signs, is missing or has another size", snapshot);
        }
        catch (Exception e) when (e is ChartsealException or IOException or UnauthorizedAccessException)
        {
            // A client cannot use it either: for it the index is unsigned.
            return ($"{RejectionReason.IndexUnsigned.Name()}: the index snapshot cannot be read: {e.Message}", null);
        }
    }

    private static string? FolderProblem(string repository)
    {
        if (!Directory.Exists(repository))
        {
            return $"{repository}: the repository folder does not exist (is its volume mounted?)";
        }
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(repository).GetEnumerator();
            entries.MoveNext();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{repository}: the repository folder cannot be read: {e.Message}";
        }
    }

    // Verifies the trust material as an upload would, without recording anything.
    private async Task<(string? Problem, TrustedMaterial? Trust, TrustedMaterial? Expired)> TrustAsync(string repository, CancellationToken cancellationToken)
    {
        var source = new FolderRepositorySource(repository);
        try
        {
            if (!File.Exists(Path.Combine(repository, TrustFiles.ManifestName)))
            {
                return ($"{RejectionReason.TrustUnsigned.Name()}: {Path.Combine(repository, TrustFiles.ManifestName)} is missing: the repository has no trust material (run chartseal trust init)", null, null);
            }
            PinnedRoot root = pin.Current
                ?? new PinnedRoot((await TrustOnFirstUse.ClaimAsync(source, cancellationToken).ConfigureAwait(false)).Fingerprint);
            DateTime now = options.Clock.GetUtcNow().UtcDateTime;
            var files = await source.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
            var result = TrustUpdater.CheckHeld(files, root, options.TrustState, now);
            if (result is TrustResult.Rejected { Reason: RejectionReason.TrustMismatch })
            {
                // A trust command may be between renaming the keyrings and the manifest: read once more.
                files = await source.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
                result = TrustUpdater.CheckHeld(files, root, options.TrustState, now);
            }
            return result switch
            {
                TrustResult.Accepted accepted => (null, accepted.Material, null),
                TrustResult.Rejected { Reason: RejectionReason.TrustExpired } rejected =>
                    ($"{rejected.Reason.Name()}: {rejected.Message}", null, TrustUpdater.ReadExpired(files, root, options.TrustState, now)),
                TrustResult.Rejected rejected => ($"{rejected.Reason.Name()}: {rejected.Message}", null, null),
                _ => ("the trust material could not be checked", null, null),
            };
        }
        catch (Exception e) when (e is ChartsealException or IOException or UnauthorizedAccessException)
        {
            // Led by a reason code as every other trust problem: the one the page shows and an upload is refused with
            // when no trust material can be used.
            return ($"{RejectionReason.TrustUnsigned.Name()}: the trust material cannot be read: {e.Message}", null, null);
        }
    }
}

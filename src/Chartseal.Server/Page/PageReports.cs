using Chartseal.Client;
using Chartseal.Repository;
using Chartseal.Trust;

namespace Chartseal.Server.Page;

/// <summary>
/// The repository page's report, held in memory and built again when what it was decided on changed: another version
/// of <c>index.yaml</c> (<see cref="IndexFile"/>), another trust manifest (published or staged: every trust change
/// writes one), the clock passing the manifest's expiry, or <see cref="RecheckAfter"/> since it was built (an archive or
/// <c>.prov</c> replaced without an index change; keys expire). A rebuild judges only the versions whose verdict may
/// have changed (<see cref="RepositoryReporter"/>).
/// </summary>
/// <param name="options">The server's options.</param>
/// <param name="index">The index held in memory.</param>
/// <param name="pin">The root the reports are judged against.</param>
/// <param name="stopping">Ends a build when the server stops (a build outlives the request that started it, not the server).</param>
internal sealed class PageReports(ServerOptions options, IndexFile index, RootPin pin, CancellationToken stopping)
{
    /// <summary>How long a report is served without looking at the repository's files again.</summary>
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(10);

    private readonly RepositoryReporter _reporter = new(options.RepositoryDir, options.TrustState);
    private readonly SemaphoreSlim _building = new(1, 1);
    private readonly FolderRepositorySource _source = new(options.RepositoryDir);
    private Held? _held;

    /// <summary>A report, or why there is none, with the index version it describes.</summary>
    public sealed record Current(RepositoryReport? Report, string? Problem, IndexFile.Snapshot Snapshot, DateTime Now);

    private sealed record Held(Current Current, TrustStamp Stamp, DateTime RecheckAt);

    private readonly record struct TrustStamp(long Length, long Ticks, long StagedLength, long StagedTicks);

    /// <summary>
    /// <paramref name="message"/> with the repository folder's own path left out (<c>index.yaml: …</c>): visitors learn
    /// what is wrong, not where the server keeps its files (the log and <c>/ready</c> keep the full path for operators).
    /// </summary>
    public string ForVisitors(string message) =>
        message.Replace(Path.TrimEndingDirectorySeparator(options.RepositoryDir) + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);

    /// <summary>How many chart versions were judged so far (tests: a page view must not judge again).</summary>
    public long Judged => _reporter.Judged;

    /// <summary>The report for the repository as it is now.</summary>
    /// <remarks>
    /// A new index or trust manifest, or the manifest's expiry, is waited for: the answer is never older than the
    /// repository. A report merely due for its periodic recheck is answered at once while one request rebuilds it in the
    /// background.
    /// </remarks>
    /// <exception cref="ChartsealException">The index or a file cannot be read.</exception>
    public async Task<Current> CurrentAsync(CancellationToken cancellationToken)
    {
        var snapshot = await index.CurrentAsync(cancellationToken).ConfigureAwait(false);
        DateTime now = options.Clock.GetUtcNow().UtcDateTime;
        var stamp = Stamp();
        var held = Volatile.Read(ref _held);
        switch (Check(held, snapshot, stamp, now))
        {
            case Freshness.Fresh:
                return held!.Current with { Now = now };
            case Freshness.DueForRecheck:
                if (_building.Wait(0))
                {
                    _ = RebuildInBackgroundAsync(snapshot, stamp, now);
                }
                return held!.Current with { Now = now };
        }
        await _building.WaitAsync(cancellationToken).ConfigureAwait(false);
        // Another request may have built it while this one waited.
        held = Volatile.Read(ref _held);
        if (Check(held, snapshot, stamp, now) == Freshness.Fresh)
        {
            _building.Release();
            return held!.Current with { Now = now };
        }
        // Built to the end even if this request goes away: judging a large repository can take longer than a visitor or a
        // proxy waits, and a build cancelled with its request would be started over from nothing by the next one.
        return await RebuildInSlotAsync(snapshot, stamp, now).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private enum Freshness
    {
        Stale,
        DueForRecheck,
        Fresh,
    }

    private static Freshness Check(Held? held, IndexFile.Snapshot snapshot, TrustStamp stamp, DateTime now)
    {
        if (held is null || !ReferenceEquals(held.Current.Snapshot, snapshot) || held.Stamp != stamp || now < held.Current.Now)
        {
            return Freshness.Stale;
        }
        // Trust material that expired meanwhile is refused from that instant on.
        if (held.Current.Report is { TrustRefusal: null, TrustExpires: { } expires } && now >= expires)
        {
            return Freshness.Stale;
        }
        return now >= held.RecheckAt ? Freshness.DueForRecheck : Freshness.Fresh;
    }

    // A recheck while the held report is answered: its failure is the next request's to report.
    private async Task RebuildInBackgroundAsync(IndexFile.Snapshot snapshot, TrustStamp stamp, DateTime now)
    {
        await Task.Yield();
        try
        {
            await RebuildInSlotAsync(snapshot, stamp, now).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ChartsealException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
        }
    }

    // Holds the build slot (taken by the caller) until done, whoever still waits for it. A failure drops the held report,
    // and the next request tries again (and, if it fails too, answers the error).
    private async Task<Current> RebuildInSlotAsync(IndexFile.Snapshot snapshot, TrustStamp stamp, DateTime now)
    {
        try
        {
            var current = await BuildAsync(snapshot, now, stopping).ConfigureAwait(false);
            Volatile.Write(ref _held, new Held(current, stamp, now + RecheckAfter));
            return current;
        }
        catch (Exception e) when (e is ChartsealException or IOException or UnauthorizedAccessException)
        {
            Volatile.Write(ref _held, null);
            throw;
        }
        finally
        {
            _building.Release();
        }
    }

    private async Task<Current> BuildAsync(IndexFile.Snapshot snapshot, DateTime now, CancellationToken cancellationToken)
    {
        PinnedRoot root;
        try
        {
            // A server started without --root-fingerprint pins the root the repository declares, once for uploads too.
            root = (await pin.GetAsync(cancellationToken).ConfigureAwait(false)).Root;
        }
        catch (ChartsealException e)
        {
            return new Current(null, "This repository publishes no trust material yet, so no chart can be verified: " + ForVisitors(e.Message), snapshot, now);
        }
        var report = await _reporter.ReportAsync(snapshot.Parsed, root, now, cancellationToken).ConfigureAwait(false);
        return new Current(report, null, snapshot, now);
    }

    // Every trust change writes a new manifest (staged first, then published), so its size and time say when to look again.
    private TrustStamp Stamp()
    {
        var published = new FileInfo(_source.AddressOf(TrustFiles.ManifestName));
        var staged = new FileInfo(Path.Combine(_source.Location, FolderRepositorySource.StagedTrustFolder, TrustFiles.ManifestName));
        return new TrustStamp(
            published.Exists ? published.Length : -1, published.Exists ? published.LastWriteTimeUtc.Ticks : 0,
            staged.Exists ? staged.Length : -1, staged.Exists ? staged.LastWriteTimeUtc.Ticks : 0);
    }
}

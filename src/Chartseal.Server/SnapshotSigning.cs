using Chartseal.Repository;
using Chartseal.Trust;
using Microsoft.Extensions.Logging;

namespace Chartseal.Server;

/// <summary>
/// The server's side of index snapshots (when started with an index key): sign after each change it makes and on a
/// timer (<see cref="IndexSnapshotKeeper"/> decides when), logging each snapshot; a failure is logged once while its
/// cause stays the same and kept for readiness, never an upload's failure (the chart is published; clients see it once a snapshot covers it).
/// </summary>
internal sealed class SnapshotSigning(IndexSnapshotKeeper? keeper, TimeProvider clock, ILogger logger) : IDisposable
{
    private ITimer? _timer;

    /// <summary>Whether the server signs snapshots at all.</summary>
    public bool Enabled => keeper is not null;

    /// <summary>The last signing failure (for readiness), or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>Signs what is due at start (a key that is not the repository's index key stops the start) and starts the timer.</summary>
    /// <exception cref="ChartsealException">The key cannot sign this repository's snapshots.</exception>
    public async Task StartAsync(string repositoryDir, CancellationToken cancellationToken)
    {
        if (keeper is null)
        {
            return;
        }
        if (File.Exists(Path.Combine(repositoryDir, TrustFiles.ManifestName)))
        {
            Log(await keeper.RefreshIfDueAsync(clock.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false), "start");
        }
        _timer = clock.CreateTimer(_ => _ = TickAsync(), null, keeper.CheckInterval, keeper.CheckInterval);
    }

    /// <summary>
    /// Signs after a change the server made (an accepted upload, a deletion). Not cancelled with the request: the change
    /// is made, so its snapshot and its audit line must follow even when the client has gone away meanwhile; and a
    /// failure is the snapshot's (logged, for readiness), never the write's.
    /// </summary>
    public async Task AfterChangeAsync()
    {
        if (keeper is null)
        {
            return;
        }
        try
        {
            Log(await keeper.SignAsync(clock.GetUtcNow().UtcDateTime).ConfigureAwait(false), "change");
        }
        catch (Exception e) when (IsSigningFailure(e))
        {
            Fail(e.Message);
        }
    }

    private async Task TickAsync()
    {
        try
        {
            Log(await keeper!.RefreshIfDueAsync(clock.GetUtcNow().UtcDateTime).ConfigureAwait(false), "due");
        }
        catch (Exception e) when (IsSigningFailure(e))
        {
            Fail(e.Message);
        }
    }

    private static bool IsSigningFailure(Exception e) => e is ChartsealException or IOException or UnauthorizedAccessException;

    private void Log(IndexSnapshot? snapshot, string why)
    {
        if (snapshot is not null)
        {
            Failure = null;
            ServerLog.SignedSnapshot(logger, snapshot.Version, why, snapshot.IndexSha256, snapshot.TrustVersion, TrustManifest.FormatTime(snapshot.Expires));
        }
    }

    // Logged when it starts, not at every check: a cause that stays (the root removed the server's index key) is one
    // line until it changes or a snapshot is signed again.
    private void Fail(string message)
    {
        if (message == Failure)
        {
            return;
        }
        Failure = message;
        ServerLog.SnapshotFailed(logger, message);
    }

    public void Dispose() => _timer?.Dispose();
}

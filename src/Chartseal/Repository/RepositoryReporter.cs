using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.Keys;
using Chartseal.Trust;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Repository;

/// <summary>
/// Builds a <see cref="RepositoryReport"/> of a repository folder for a server that holds its index in memory: the
/// trust material through <see cref="TrustUpdater"/> (the server's pin and rollback state), and each chart version's
/// verdict through <see cref="RepositoryAudit.AuditEntriesAsync"/> (the audit's per-version check, THE gate).
/// </summary>
/// <remarks>
/// A verdict is kept between reports while nothing it was decided on changed: the same trust material (manifest
/// SHA-256 and root), the same index entry (name, version, digest, URL), the same archive and <c>.prov</c> files (size
/// and modification time), and judged less than <see cref="ReuseWindow"/> ago (a key can expire meanwhile). So after
/// one upload into a repository of thousands of versions only the new version is judged; after a trust change, all.
/// One report is built at a time.
/// </remarks>
public sealed class RepositoryReporter
{
    /// <summary>How long a verdict is reused while nothing it depends on changed.</summary>
    public static readonly TimeSpan ReuseWindow = TimeSpan.FromMinutes(10);

    private readonly FolderRepositorySource _source;
    private readonly string _directory;
    private readonly TrustStateStore _store;
    private readonly SemaphoreSlim _building = new(1, 1);
    private Dictionary<EntryKey, (AuditRow Row, DateTime JudgedAt)> _verdicts = [];
    private string _materialKey = "";
    private long _judged;

    /// <summary>A reporter for the repository in <paramref name="repositoryDir"/>, remembering accepted trust in <paramref name="store"/>.</summary>
    public RepositoryReporter(string repositoryDir, TrustStateStore store)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryDir);
        ArgumentNullException.ThrowIfNull(store);
        _directory = Path.GetFullPath(repositoryDir);
        _source = new FolderRepositorySource(_directory);
        _store = store;
    }

    /// <summary>How many chart versions were judged by the gate so far (verdicts reused are not counted).</summary>
    public long Judged => Interlocked.Read(ref _judged);

    /// <summary>Reports on <paramref name="index"/> (the repository's current index) at <paramref name="now"/>.</summary>
    /// <param name="index">The index, as the server holds it.</param>
    /// <param name="root">The root the server pins.</param>
    /// <param name="now">The one clock reading of this report.</param>
    /// <param name="cancellationToken">Cancels the report.</param>
    /// <exception cref="ChartsealException">A trust file or an archive cannot be read, or the trust state is damaged.</exception>
    public async Task<RepositoryReport> ReportAsync(ChartIndex index, PinnedRoot root, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(root);
        await _building.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await BuildAsync(index, root, now, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _building.Release();
        }
    }

    private async Task<RepositoryReport> BuildAsync(ChartIndex index, PinnedRoot root, DateTime now, CancellationToken cancellationToken)
    {
        var entries = index.Entries.SelectMany(e => e.Value.Select(v => (Chart: e.Key, Entry: v))).ToList();
        var trust = await TrustUpdater.RefreshAsync(_source, root, _store, now, cancellationToken).ConfigureAwait(false);
        AuditRow[] rows = new AuditRow[entries.Count];
        if (trust is TrustResult.Rejected rejected)
        {
            // As the audit: no chart version is looked at when the trust material is refused; every one of them is
            // refused for that reason (a client's pull would be).
            for (int i = 0; i < entries.Count; i++)
            {
                var entry = entries[i].Entry;
                rows[i] = new AuditRow(entry.Metadata.Name, entry.Metadata.Version, entry.Urls.Count > 0 ? entry.Urls[0] : "", rejected.Refusal, null, null, null, null, null);
            }
            _verdicts = [];
            _materialKey = "";
            // Expired material is still shown (version, expiry, keys) for what it is: expired. Nothing else is.
            var expired = rejected.Reason == RejectionReason.TrustExpired ? await ReadExpiredAsync(root, now, cancellationToken).ConfigureAwait(false) : null;
            return Assemble(entries, rows, expired, rejected.Refusal, root, now);
        }
        var material = ((TrustResult.Accepted)trust).Material;
        string materialKey = material.SignedBy + ":" + material.ManifestSha256;
        var previous = materialKey == _materialKey ? _verdicts : [];
        var next = new Dictionary<EntryKey, (AuditRow Row, DateTime JudgedAt)>(entries.Count);
        var keys = new EntryKey[entries.Count];
        var toJudge = new List<int>();
        for (int i = 0; i < entries.Count; i++)
        {
            keys[i] = KeyOf(entries[i].Entry);
            if (previous.TryGetValue(keys[i], out var kept) && kept.JudgedAt <= now && now - kept.JudgedAt < ReuseWindow)
            {
                rows[i] = kept.Row;
                next[keys[i]] = kept;
            }
            else
            {
                toJudge.Add(i);
            }
        }
        if (toJudge.Count > 0)
        {
            var judged = await RepositoryAudit.AuditEntriesAsync(_source, toJudge.Select(i => entries[i].Entry).ToList(), material, now, null, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _judged, judged.Count);
            for (int j = 0; j < judged.Count; j++)
            {
                int i = toJudge[j];
                rows[i] = judged[j];
                next[keys[i]] = (judged[j], now);
            }
        }
        _verdicts = next;
        _materialKey = materialKey;
        // What a client would say of the snapshot served now (it remembers none here: no rollback check).
        SnapshotResult? snapshot = material.RequiresSnapshot
            ? TrustedSnapshot.Load(await _source.ReadFileAsync(IndexSnapshot.FileName, IndexSnapshot.MaxLength, cancellationToken).ConfigureAwait(false), material, null, now)
            : null;
        return Assemble(entries, rows, material, null, root, now, snapshot);
    }

    private async Task<TrustedMaterial?> ReadExpiredAsync(PinnedRoot root, DateTime now, CancellationToken cancellationToken)
    {
        var files = await _source.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
        return TrustUpdater.ReadExpired(files, root, _store, now);
    }

    private static RepositoryReport Assemble(List<(string Chart, IndexEntry Entry)> entries, AuditRow[] rows, TrustedMaterial? material, Refusal? refusal, PinnedRoot root, DateTime now,
        SnapshotResult? snapshot = null)
    {
        var charts = new Dictionary<string, List<ReportVersion>>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            if (!charts.TryGetValue(entries[i].Chart, out var versions))
            {
                charts[entries[i].Chart] = versions = [];
            }
            versions.Add(new ReportVersion(entries[i].Entry, rows[i]));
        }
        var chartList = charts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new ReportChart(c.Key, c.Value)).ToList();
        var maintainers = new List<ReportKey>();
        var revoked = new List<ReportKey>();
        if (material is not null)
        {
            foreach (PgpPublicKeyRing ring in material.PublicKeys.PublicKeyRings)
            {
                string fingerprint = KeyInfo.Fingerprint(ring.GetPublicKey());
                // A maintainer's certificate that carries revoked key material is a revoked key, not a maintainer.
                (material.IsRevoked(fingerprint) ? revoked : maintainers).Add(KeyOf(ring, rows, now));
            }
            revoked.AddRange(material.Revoked.PublicKeyRings.Select(ring => KeyOf(ring, rows, now)));
        }
        var indexKeys = material?.IndexKeys?.PublicKeyRings.Select(ring => KeyOf(ring, rows, now)).ToList();
        return new RepositoryReport(root.Fingerprint, material, refusal, maintainers, revoked, chartList, now, snapshot, indexKeys);
    }

    private static ReportKey KeyOf(PgpPublicKeyRing ring, AuditRow[] rows, DateTime now)
    {
        PgpPublicKey primary = ring.GetPublicKey();
        string fingerprint = KeyInfo.Fingerprint(primary);
        // Its primary key or any subkey: a row names the primary when the key is known, else the issuer (maybe a subkey).
        var fingerprints = ring.GetPublicKeys().Cast<PgpPublicKey>().Select(KeyInfo.Fingerprint).ToList();
        return new ReportKey(
            fingerprint,
            KeyInfo.PrimaryUserId(ring),
            KeyInfo.AlgorithmName(primary),
            KeyInfo.Created(primary),
            KeyInfo.ExpiresAt(primary, ring),
            KeyValidity.Check(primary, ring, now).Revocation,
            rows.Count(r => fingerprints.Exists(r.IsSignedBy)));
    }

    // What a verdict was decided on, besides the trust material: the entry and its files as they are on disk.
    private EntryKey KeyOf(IndexEntry entry)
    {
        string url = entry.Urls.Count > 0 ? entry.Urls[0] : "";
        string? path = url.Length > 0 ? FolderRepositorySource.LocalArchivePath(_directory, url) : null;
        return new EntryKey(entry.Metadata.Name, entry.Metadata.Version, entry.Digest, url, Stamp(path), Stamp(path is null ? null : path + ".prov"));
    }

    private static (long Length, long Ticks) Stamp(string? path)
    {
        if (path is null)
        {
            return (-1, 0);
        }
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc.Ticks) : (-1, 0);
    }

    private readonly record struct EntryKey(string Name, string Version, string Digest, string Url, (long Length, long Ticks) Archive, (long Length, long Ticks) Provenance);
}

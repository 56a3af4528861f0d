using System.Diagnostics;
using System.Diagnostics.Metrics;
using Chartseal.Repository;

namespace Chartseal.Server;

/// <summary>
/// The server's own instruments (meter <see cref="MeterName"/>), exported at <c>/metrics</c> in Prometheus text beside
/// ASP.NET Core's <c>http.server.request.duration</c>. Names, units and labels are listed in docs/operations.md; the
/// exporter turns <c>chartseal.uploads</c> into <c>chartseal_uploads_total</c>, a unit <c>s</c> into a
/// <c>_seconds</c> suffix and <c>By</c> into <c>_bytes</c>.
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Chartseal.Server";

    private readonly Counter<long> _uploads;
    private readonly Counter<long> _deletes;
    private readonly Counter<long> _verifications;

    public ServerMetrics(IMeterFactory meters, ServerStatus status, UploadStaging staging, Tls.ServerTls? tls = null)
    {
        ArgumentNullException.ThrowIfNull(meters);
        // Disposed with the server's services (the factory owns it).
        var meter = meters.Create(MeterName);
        _uploads = meter.CreateCounter<long>("chartseal.uploads", "{upload}",
            "Uploads of charts and .prov files by operation (upload, provenance-upload), outcome (published, resigned, held, refused) and, when refused, reason");
        _deletes = meter.CreateCounter<long>("chartseal.deletes", "{delete}",
            "Deletes by outcome (deleted, refused) and, when refused, reason");
        _verifications = meter.CreateCounter<long>("chartseal.verifications", "{verification}",
            "Gate verdicts on uploads by result (trusted, refused) and, when refused, reason");
        StartAtZero();
        meter.CreateObservableGauge("chartseal.ready", () => status.Last is { } last ? [new Measurement<int>(last.Ready ? 1 : 0)] : Array.Empty<Measurement<int>>(),
            null, "1 when /ready answers ready, 0 when not");
        meter.CreateObservableGauge("chartseal.trust.version", () => status.Last?.Reported is { } trust ? [new Measurement<long>(trust.Version)] : Array.Empty<Measurement<long>>(),
            null, "The version of the verified trust manifest, expired or not (absent while it does not verify)");
        meter.CreateObservableGauge("chartseal.trust.expiry_timestamp",
            () => status.Last?.Reported is { } trust ? [new Measurement<long>(UnixSeconds(trust.Manifest.Expires))] : Array.Empty<Measurement<long>>(),
            "s", "When the verified trust manifest expires or expired, in Unix seconds: uploads and verifying clients stop then");
        meter.CreateObservableGauge("chartseal.index.snapshot.version",
            () => status.Last?.Snapshot is { } snapshot ? [new Measurement<long>(snapshot.Version)] : Array.Empty<Measurement<long>>(),
            null, "The version of the verified index snapshot (absent when the repository signs no index, or it does not verify)");
        meter.CreateObservableGauge("chartseal.index.snapshot.expiry_timestamp",
            () => status.Last?.Snapshot is { } snapshot ? [new Measurement<long>(UnixSeconds(snapshot.Expires))] : Array.Empty<Measurement<long>>(),
            "s", "When the verified index snapshot expires, in Unix seconds: clients refuse the index then (index-expired)");
        meter.CreateObservableGauge("chartseal.index.entries", () => status.Last?.IndexEntries is { } entries ? [new Measurement<long>(entries)] : Array.Empty<Measurement<long>>(),
            "{version}", "Chart versions listed in index.yaml (absent while it cannot be read)");
        meter.CreateObservableGauge("chartseal.index.size", () => status.Last?.IndexBytes is { } size ? [new Measurement<long>(size)] : Array.Empty<Measurement<long>>(),
            "By", "The size of index.yaml (absent while it cannot be read)");
        meter.CreateObservableGauge("chartseal.index.regenerated_timestamp",
            () => status.Last?.IndexWritten is { } written ? [new Measurement<long>(UnixSeconds(written))] : Array.Empty<Measurement<long>>(),
            "s", "When index.yaml was last written, in Unix seconds");
        if (tls is not null)
        {
            meter.CreateObservableGauge("chartseal.tls.certificate.expiry_timestamp", () => UnixSeconds(tls.Current.NotAfter),
                "s", "When the TLS certificate served now expires, in Unix seconds (it moves when a renewal is served)");
        }
        meter.CreateObservableGauge("chartseal.staging.halves", () => staging.HeldCount, "{half}",
            "Halves of two-request uploads held in memory, waiting for their other half");
        meter.CreateObservableGauge("chartseal.staging.size", () => staging.HeldBytes, "By",
            "Bytes of the held halves");
    }

    /// <summary>Counts one chart or .prov upload: <paramref name="outcome"/> is published, resigned, held or refused.</summary>
    public void Upload(string operation, string outcome, string? reason)
    {
        var tags = new TagList { { "operation", operation }, { "outcome", outcome } };
        AddReason(ref tags, reason);
        _uploads.Add(1, in tags);
    }

    /// <summary>Counts one delete: <paramref name="outcome"/> is deleted or refused.</summary>
    public void Delete(string outcome, string? reason)
    {
        var tags = new TagList { { "outcome", outcome } };
        AddReason(ref tags, reason);
        _deletes.Add(1, in tags);
    }

    /// <summary>Counts one verdict of the gate: trusted (no reason), or refused for <paramref name="reason"/>.</summary>
    public void Verification(string? reason)
    {
        var tags = new TagList { { "result", reason is null ? "trusted" : "refused" } };
        AddReason(ref tags, reason);
        _verifications.Add(1, in tags);
    }

    // Prometheus' increase() and rate() take a series' first sample as its start, so a series that first appears at 1
    // hides its first event: an alert on refused verifications would miss the first refusal of each reason. Every
    // series whose labels are known in advance is therefore exported from the start, at 0: each verdict a gate can give
    // an upload (chart verification, trust material, the gate's own checks; not index freshness, which only clients
    // judge, nor the clashes answered 400, 404 or 409), each outcome of each upload, refused credentials, and deletes.
    private void StartAtZero()
    {
        Zero(_verifications, new TagList { { "result", "trusted" } });
        foreach (var reason in RejectionReasons.All)
        {
            if (reason != RejectionReason.Unknown && ChartApi.StatusFor(reason) == 422 && !reason.Code().StartsWith("CSL4", StringComparison.Ordinal))
            {
                Zero(_verifications, new TagList { { "result", "refused" }, { "reason", reason.Name() } });
            }
        }
        foreach (string operation in new[] { WriteAudit.Upload, WriteAudit.ProvenanceUpload })
        {
            foreach (string outcome in new[] { "published", "resigned", "held" })
            {
                Zero(_uploads, new TagList { { "operation", operation }, { "outcome", outcome } });
            }
            Zero(_uploads, new TagList { { "operation", operation }, { "outcome", "refused" }, { "reason", "unauthorized" } });
        }
        Zero(_deletes, new TagList { { "outcome", "deleted" } });
    }

    private static void Zero(Counter<long> counter, TagList tags) => counter.Add(0, in tags);

    private static void AddReason(ref TagList tags, string? reason)
    {
        if (reason is not null)
        {
            tags.Add("reason", reason);
        }
    }

    private static long UnixSeconds(DateTime time) => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeSeconds();
}

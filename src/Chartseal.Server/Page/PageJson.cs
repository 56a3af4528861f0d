using System.Text.Encodings.Web;
using System.Text.Json;
using Chartseal.Gate;
using Chartseal.Keys;
using Chartseal.Repository;

namespace Chartseal.Server.Page;

/// <summary>
/// The repository page's facts as JSON (<c>GET /api/repository</c>, <c>GET /api/repository/charts/NAME</c>), for
/// dashboards and scripts: written with <see cref="Utf8JsonWriter"/> (NativeAOT), every non-ASCII and HTML-sensitive
/// character escaped, chart text cut to the page's bounds and lists paged.
/// </summary>
internal static class PageJson
{
    public const string RepositorySchema = "chartseal.repository/v1";
    public const string ChartSchema = "chartseal.repository-chart/v1";

    // \u-escapes for everything outside ASCII and for < > & ' + `: safe to embed anywhere, and plain to parse.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.Default };

    public static byte[] Repository(PageView view, string query, int requestedPage)
    {
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("schema", RepositorySchema);
            Trust(json, view);
            var report = view.Report;
            json.WriteStartObject("maintainers");
            Keys(json, report?.Maintainers ?? [], view.Now);
            json.WriteEndObject();
            json.WriteStartObject("revoked");
            Keys(json, report?.RevokedKeys ?? [], view.Now);
            json.WriteEndObject();
            Index(json, report, view.Now);

            json.WriteStartObject("summary");
            json.WriteNumber("charts", report?.Charts.Count ?? 0);
            json.WriteNumber("versions", report?.VersionCount ?? 0);
            json.WriteNumber("trusted", report?.TrustedCount ?? 0);
            json.WriteNumber("refused", (report?.VersionCount ?? 0) - (report?.TrustedCount ?? 0));
            json.WriteEndObject();

            var found = view.Search(query);
            var (page, pages) = PageView.Paging(found.Count, PageLimits.JsonPerPage, requestedPage);
            json.WriteStartObject("charts");
            json.WriteString("query", query);
            Paging(json, found.Count, page, pages);
            json.WriteStartArray("items");
            foreach (var chart in found.Skip((page - 1) * PageLimits.JsonPerPage).Take(PageLimits.JsonPerPage))
            {
                var latest = chart.Latest;
                json.WriteStartObject();
                Text(json, "name", chart.Name, PageLimits.ShortText);
                Text(json, "description", latest.Entry.Metadata.Description, PageLimits.Summary);
                VerdictJson.WriteOptional(json, "icon", PageView.SafeIcon(latest.Entry.Metadata.Icon));
                json.WriteStartObject("latest");
                Text(json, "version", latest.Version, PageLimits.ShortText);
                Verdict(json, latest.Row, message: false);
                json.WriteEndObject();
                json.WriteNumber("versions", chart.Versions.Count);
                json.WriteNumber("trustedVersions", chart.TrustedCount);
                Outcomes(json, chart);
                VerdictJson.WriteOptional(json, "page", view.ChartHref(chart.Name));
                VerdictJson.WriteOptional(json, "api", view.ChartApiHref(chart.Name));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    public static byte[] Chart(PageView view, ReportChart chart, int requestedPage)
    {
        return Write(json =>
        {
            var metadata = chart.Latest.Entry.Metadata;
            json.WriteStartObject();
            json.WriteString("schema", ChartSchema);
            Text(json, "name", chart.Name, PageLimits.ShortText);
            Text(json, "description", metadata.Description, PageLimits.LongText);
            VerdictJson.WriteOptional(json, "icon", PageView.SafeIcon(metadata.Icon));
            VerdictJson.WriteOptional(json, "home", PageView.SafeLink(metadata.Home));
            json.WriteBoolean("deprecated", metadata.Deprecated);
            Trust(json, view);
            json.WriteNumber("trustedVersions", chart.TrustedCount);
            Outcomes(json, chart);
            var (page, pages) = PageView.Paging(chart.Versions.Count, PageLimits.JsonPerPage, requestedPage);
            json.WriteStartObject("versions");
            Paging(json, chart.Versions.Count, page, pages);
            json.WriteStartArray("items");
            foreach (var version in chart.Versions.Skip((page - 1) * PageLimits.JsonPerPage).Take(PageLimits.JsonPerPage))
            {
                Version(json, view, chart.Name, version);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    private static void Version(Utf8JsonWriter json, PageView view, string name, ReportVersion version)
    {
        var row = version.Row;
        var entry = version.Entry;
        json.WriteStartObject();
        Text(json, "version", version.Version, PageLimits.ShortText);
        Text(json, "appVersion", entry.Metadata.AppVersion, PageLimits.ShortText);
        Text(json, "created", entry.Created, PageLimits.ShortText);
        Verdict(json, row, message: true);
        VerdictJson.WriteSigner(json, row.Signer);
        VerdictJson.WriteIssuer(json, row.Signer is null ? row.Issuer : null);
        VerdictJson.WriteOptional(json, "signedAt", row.SignedAt is { } at ? VerdictJson.Time(at) : null);
        Text(json, "digest", entry.Digest, PageLimits.ShortText);
        VerdictJson.WriteOptional(json, "sha256", row.Sha256);
        Revocation(json, row.Revocation);
        var archive = view.ServedFile(entry.Urls);
        VerdictJson.WriteOptional(json, "archive", archive?.Href);
        VerdictJson.WriteOptional(json, "provenance", archive is null || row.Reason == RejectionReason.MissingProvenance ? null : view.ServedFile(entry.Urls, ".prov")?.Href);
        bool pasteable = PageView.Pasteable(name, version.Version) && view.RepoAddCommand is not null;
        VerdictJson.WriteOptional(json, "chartsealPull", pasteable ? PageView.ChartsealPull(name, version.Version) : null);
        VerdictJson.WriteOptional(json, "helmPull", pasteable ? view.HelmPull(name, version.Version) : null);
        json.WriteEndObject();
    }

    // The trust material: the root to pin, the manifest's version and expiry, or why it is refused.
    private static void Trust(Utf8JsonWriter json, PageView view)
    {
        var report = view.Report;
        VerdictJson.WriteOptional(json, "judgedAt", report is null ? null : VerdictJson.Time(report.JudgedAt));
        VerdictJson.WriteOptional(json, "root", report?.Root);
        VerdictJson.WriteOptional(json, "repoAdd", view.RepoAddCommand);
        json.WriteStartObject("trust");
        json.WriteBoolean("accepted", report is { TrustRefusal: null });
        var refusal = report?.TrustRefusal;
        VerdictJson.WriteOptional(json, "reason", refusal?.Name ?? (report is null ? RejectionReason.TrustUnsigned.Name() : null));
        VerdictJson.WriteOptional(json, "code", refusal?.Code ?? (report is null ? RejectionReason.TrustUnsigned.Code() : null));
        Text(json, "message", refusal?.Message ?? view.Current.Problem, PageLimits.LongText);
        if (report?.TrustVersion is { } version)
        {
            json.WriteNumber("version", version);
        }
        else
        {
            json.WriteNull("version");
        }
        VerdictJson.WriteOptional(json, "signedAt", report?.TrustSignedAt is { } signed ? VerdictJson.Time(signed) : null);
        VerdictJson.WriteOptional(json, "expires", report?.TrustExpires is { } expires ? VerdictJson.Time(expires) : null);
        json.WriteBoolean("expired", report?.TrustExpires is { } e && e <= view.Now);
        json.WriteBoolean("expiresSoon", report?.TrustExpiresSoon(view.Now) == true);
        VerdictJson.WriteOptional(json, "warningFrom", report?.TrustWarningFrom is { } from ? VerdictJson.Time(from) : null);
        VerdictJson.WriteOptional(json, "nextRoot", report?.NextRoot);
        json.WriteEndObject();
    }

    // The signed index: whether clients would accept the snapshot served now, and the keys that may sign it.
    private static void Index(Utf8JsonWriter json, Repository.RepositoryReport? report, DateTime now)
    {
        json.WriteStartObject("index");
        json.WriteBoolean("signed", report is { IndexKeys.Count: > 0 });
        json.WriteBoolean("accepted", report?.Snapshot is not null);
        var snapshot = report?.Snapshot;
        if (snapshot is not null)
        {
            json.WriteNumber("snapshotVersion", snapshot.Version);
        }
        else
        {
            json.WriteNull("snapshotVersion");
        }
        VerdictJson.WriteOptional(json, "expires", snapshot is null ? null : VerdictJson.Time(snapshot.Expires));
        VerdictJson.WriteOptional(json, "signedBy", snapshot?.SignedBy);
        var refusal = report?.SnapshotRefusal;
        VerdictJson.WriteOptional(json, "reason", refusal?.Name);
        VerdictJson.WriteOptional(json, "code", refusal?.Code);
        Text(json, "message", refusal?.Message, PageLimits.LongText);
        json.WriteStartObject("keys");
        Keys(json, report?.IndexKeys ?? [], now);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Keys(Utf8JsonWriter json, IReadOnlyList<ReportKey> keys, DateTime now)
    {
        json.WriteNumber("total", keys.Count);
        json.WriteStartArray("items");
        foreach (var key in keys.Take(PageLimits.Keys))
        {
            json.WriteStartObject();
            json.WriteString("fingerprint", key.Fingerprint);
            Text(json, "userId", key.UserId, PageLimits.ShortText);
            json.WriteString("algorithm", key.Algorithm);
            json.WriteString("created", VerdictJson.Time(key.Created));
            VerdictJson.WriteOptional(json, "expires", key.Expires is { } at ? VerdictJson.Time(at) : null);
            json.WriteBoolean("expired", key.IsExpired(now));
            json.WriteNumber("signedVersions", key.SignedVersions);
            Revocation(json, key.Revocation);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void Verdict(Utf8JsonWriter json, AuditRow row, bool message)
    {
        json.WriteBoolean("trusted", row.IsTrusted);
        VerdictJson.WriteOptional(json, "reason", row.Reason?.Name());
        VerdictJson.WriteOptional(json, "code", row.Reason?.Code());
        VerdictJson.WriteOptional(json, "summary", row.Reason?.Summary());
        if (message)
        {
            Text(json, "message", row.Message, PageLimits.LongText);
        }
    }

    private static void Outcomes(Utf8JsonWriter json, ReportChart chart)
    {
        json.WriteStartObject("outcomes");
        foreach (var (outcome, count) in chart.Outcomes)
        {
            json.WriteNumber(outcome, count);
        }
        json.WriteEndObject();
    }

    private static void Paging(Utf8JsonWriter json, int total, int page, int pages)
    {
        json.WriteNumber("total", total);
        json.WriteNumber("page", page);
        json.WriteNumber("pages", pages);
        json.WriteNumber("perPage", PageLimits.JsonPerPage);
    }

    // Text from a chart or key: cut to the bound (the characters themselves are kept, \u-escaped); null stays null.
    private static void Revocation(Utf8JsonWriter json, RevocationInfo? revocation) =>
        VerdictJson.WriteRevocation(json, revocation, revocation is null ? null : Bounded(revocation.Description, PageLimits.Summary));

    private static string Bounded(string value, int max)
    {
        string cut = PageText.Cut(value, max, out int more);
        return more > 0 ? cut + "…" : cut;
    }

    private static void Text(Utf8JsonWriter json, string name, string? value, int max)
    {
        if (value is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteString(name, Bounded(value, max));
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            write(json);
        }
        return buffer.ToArray();
    }
}

using Chartseal.IO;
using Chartseal.Repository;

namespace Chartseal.Server.Page;

/// <summary>
/// <c>/</c>: the repository at a glance. The root to pin (with the <c>repo add</c> command), the trust manifest's
/// version and expiry, the trusted maintainers, the revoked keys, and the charts (searched and paged on the server).
/// </summary>
internal static class OverviewPage
{
    public static byte[] Render(PageView view, string query, int requestedPage)
    {
        var html = new PageHtml();
        PageLayout.Start(html, view, "Chart repository");
        html.Raw("<header><h1>Chart repository</h1><p class=\"muted\">Signed Helm charts. Each version below shows whether a key this repository trusts signed it.</p></header>")
            .Raw("<main id=\"main\">");
        PageLayout.TrustBanner(html, view);
        if (view.Report is { } report)
        {
            Pin(html, view, report);
            Keys(html, view, report.Maintainers, "maintainers", "Trusted maintainers", revoked: false, view.Now);
            Keys(html, view, report.RevokedKeys, "revoked", "Revoked keys", revoked: true, view.Now);
            IndexKeys(html, report.IndexKeys, view.Now);
        }
        Charts(html, view, query, requestedPage);
        html.Raw("</main>");
        PageLayout.End(html, view);
        return html.ToUtf8();
    }

    private static void Pin(PageHtml html, PageView view, RepositoryReport report)
    {
        html.Raw("<section aria-labelledby=\"pin\"><h2 id=\"pin\">Add this repository</h2>")
            .Raw("<p>Pin this root fingerprint: every chart is checked against the keys it vouches for.</p>")
            .Raw("<p class=\"fpr\" id=\"root-fingerprint\">").Text(report.Root).Raw("</p>");
        html.Command("Add it (once):", view.RepoAddCommand!);
        html.Raw("<dl class=\"facts\">");
        if (report.TrustVersion is { } version)
        {
            html.Raw("<dt>Trust manifest</dt><dd>version ").Number(version);
            if (report.TrustSignedAt is { } signed)
            {
                html.Raw(", signed ").Text(PageView.Time(signed));
            }
            html.Raw("</dd>");
        }
        if (report.TrustExpires is { } expires)
        {
            html.Raw("<dt>Expires</dt><dd id=\"trust-expires\">").Text(PageView.Time(expires)).Raw(" (").Text(PageView.Relative(expires, view.Now)).Raw(")</dd>");
        }
        if (report.NextRoot is { } next)
        {
            html.Raw("<dt>Next root</dt><dd class=\"fpr\">").Text(next).Raw(" (a root rotation is under way)</dd>");
        }
        if (report.IndexKeys.Count > 0)
        {
            // The chart list's own signature: what keeps a mirror from hiding the newest versions.
            html.Raw("<dt>Index</dt><dd id=\"index-snapshot\">");
            if (report.Snapshot is { } snapshot)
            {
                html.Raw("signed (snapshot version ").Number(snapshot.Version).Raw("), valid until ").Text(PageView.Time(snapshot.Expires))
                    .Raw(" (").Text(PageView.Relative(snapshot.Expires, view.Now)).Raw("), by index key <span class=\"fpr\">").Text(snapshot.SignedBy).Raw("</span>");
            }
            else if (report.SnapshotRefusal is { } refusal)
            {
                html.Raw("<strong>clients refuse it now</strong>: ").Text(refusal.Name).Raw(": ").Text(refusal.Message, PageLimits.LongText);
            }
            html.Raw("</dd>");
        }
        html.Raw("<dt>Chart versions</dt><dd>").Number(report.VersionCount).Raw(" (").Number(report.TrustedCount).Raw(" trusted)</dd></dl></section>");
    }

    // The keys that may sign the index snapshot: when the last one expires, clients refuse the index (a freeze), so an
    // operator wants their expiry in view. Only for repositories that sign their index.
    private static void IndexKeys(PageHtml html, IReadOnlyList<ReportKey> keys, DateTime now)
    {
        if (keys.Count == 0)
        {
            return;
        }
        html.Raw("<section aria-labelledby=\"index-keys\"><h2 id=\"index-keys\">Index keys (").Number(keys.Count).Raw(")</h2>")
            .Raw("<p class=\"muted\">They sign the chart list (the index snapshot), never a chart.</p>")
            .Raw("<div class=\"table\"><table class=\"cards\" id=\"index-keys-table\"><thead><tr><th scope=\"col\">User ID</th><th scope=\"col\">Fingerprint</th>")
            .Raw("<th scope=\"col\">Algorithm</th><th scope=\"col\">Expires</th></tr></thead><tbody>");
        foreach (var key in keys.Take(PageLimits.Keys))
        {
            html.Raw("<tr><td data-label=\"User ID\">").Text(key.UserId ?? "(no user id)")
                .Raw("</td><td data-label=\"Fingerprint\" class=\"fpr\">").Text(key.Fingerprint)
                .Raw("</td><td data-label=\"Algorithm\">").Text(key.Algorithm)
                .Raw("</td><td data-label=\"Expires\">").Text(key.Expires is { } at ? PageView.Time(at) + (key.IsExpired(now) ? " (expired)" : "") : "never").Raw("</td></tr>");
        }
        html.Raw("</tbody></table></div>");
        if (keys.Count > PageLimits.Keys)
        {
            html.Raw("<p class=\"muted\">and ").Number(keys.Count - PageLimits.Keys).Raw(" more</p>");
        }
        html.Raw("</section>");
    }

    private static void Keys(PageHtml html, PageView view, IReadOnlyList<ReportKey> keys, string id, string title, bool revoked, DateTime now)
    {
        html.Raw("<section").Attribute("aria-labelledby", id).Raw("><h2").Attribute("id", id).Raw(">").Text(title).Raw(" (").Number(keys.Count).Raw(")</h2>");
        if (keys.Count == 0)
        {
            html.Raw("<p class=\"muted\">").Text(revoked ? "No key has been revoked." : "No maintainer key is trusted: no chart can be published.").Raw("</p></section>");
            return;
        }
        html.Raw("<div class=\"table\"><table class=\"cards\"").Attribute("id", id + "-table").Raw("><thead><tr><th scope=\"col\">User ID</th><th scope=\"col\">Fingerprint</th><th scope=\"col\">Algorithm</th>")
            .Raw(revoked ? "<th scope=\"col\">Revoked</th>" : "<th scope=\"col\">Expires</th>")
            .Raw("<th scope=\"col\">Chart versions signed</th></tr></thead><tbody>");
        foreach (var key in keys.Take(PageLimits.Keys))
        {
            html.Raw("<tr><td data-label=\"User ID\">").Text(key.UserId ?? "(no user id)")
                .Raw("</td><td data-label=\"Fingerprint\" class=\"fpr\">").Text(key.Fingerprint)
                .Raw("</td><td data-label=\"Algorithm\">").Text(key.Algorithm).Raw("</td>");
            if (revoked)
            {
                html.Raw("<td data-label=\"Revoked\">");
                if (key.Revocation is { } revocation)
                {
                    html.Text(PageView.Time(revocation.RevokedAt)).Raw("<span class=\"reason\">").Text(revocation.Reason.ToString());
                    if (revocation.Description.Length > 0)
                    {
                        html.Raw(": ").Text(revocation.Description, PageLimits.Summary);
                    }
                    html.Raw("</span>");
                }
                else
                {
                    html.Raw("<span class=\"muted\">revoked by the repository (no revocation certificate: no date or reason recorded)</span>");
                }
                html.Raw("</td>");
            }
            else
            {
                html.Raw("<td data-label=\"Expires\">").Text(key.Expires is { } at ? PageView.Time(at) + (key.IsExpired(now) ? " (expired)" : "") : "never").Raw("</td>");
            }
            html.Raw("<td data-label=\"Chart versions signed\">").Number(key.SignedVersions).Raw("</td></tr>");
        }
        html.Raw("</tbody></table></div>");
        if (keys.Count > PageLimits.Keys)
        {
            html.Raw("<p class=\"muted\">and ").Number(keys.Count - PageLimits.Keys).Raw(" more (all of them: ").Link(view.Href(revoked ? "revoked.pgp" : "pubkeys.pgp"), revoked ? "revoked.pgp" : "pubkeys.pgp").Raw(")</p>");
        }
        html.Raw("</section>");
    }

    // Without trust material there is no report, but the index may well list charts: saying "no charts" would be false.
    private static string NoChartsShown(PageView view)
    {
        if (view.Report is not null || view.Current.Snapshot.Parsed is not { Count: > 0 } index)
        {
            return "No charts yet.";
        }
        return $"index.yaml lists {Plural.Count(index.Entries.Count, "chart")}, {Plural.Count(index.Count, "version")}, but none can be verified until this repository publishes its trust material.";
    }

    private static void Charts(PageHtml html, PageView view, string query, int requestedPage)
    {
        var found = view.Search(query);
        var (page, pages) = PageView.Paging(found.Count, PageLimits.ChartsPerPage, requestedPage);
        int total = view.Report?.Charts.Count ?? 0;
        html.Raw("<section aria-labelledby=\"charts\"><h2 id=\"charts\">Charts (").Number(total).Raw(")</h2>")
            .Raw("<form class=\"search\" method=\"get\" role=\"search\"").Attribute("action", view.Href("")).Raw(">")
            .Raw("<label for=\"q\">Search charts by name, description or keyword</label>")
            .Raw("<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"100\"").Attribute("value", query).Raw("><button type=\"submit\">Search</button></form>");
        if (found.Count == 0)
        {
            html.Raw("<p id=\"chart-count\">").Text(query.Length > 0 ? $"No chart matches “{query}”." : NoChartsShown(view)).Raw("</p></section>");
            return;
        }
        int first = (page - 1) * PageLimits.ChartsPerPage;
        var shown = found.Skip(first).Take(PageLimits.ChartsPerPage).ToList();
        html.Raw("<p id=\"chart-count\" role=\"status\">").Text(query.Length > 0 ? $"{found.Count} of {Plural.Count(total, "chart")} {(found.Count == 1 ? "matches" : "match")} “{query}”" : Plural.Count(total, "chart"))
            .Text($"; showing {first + 1}–{first + shown.Count}.").Raw("</p>");
        html.Raw("<div class=\"table\"><table class=\"cards\" id=\"charts-table\"><thead><tr><th scope=\"col\">Chart</th><th scope=\"col\">Latest version</th>")
            .Raw("<th scope=\"col\">Latest verdict</th><th scope=\"col\">Description</th><th scope=\"col\">All versions</th></tr></thead><tbody>");
        foreach (var chart in shown)
        {
            var latest = chart.Latest;
            html.Raw("<tr><td data-label=\"Chart\"><span class=\"chart-name\">");
            PageLayout.Icon(html, latest.Entry.Metadata.Icon);
            if (view.ChartHref(chart.Name) is { } href)
            {
                html.Link(href, chart.Name);
            }
            else
            {
                html.Text(chart.Name);
            }
            html.Raw("</span></td>")
                .Raw("<td data-label=\"Latest version\">").Text(latest.Version).Raw("</td>")
                .Raw("<td data-label=\"Latest verdict\">");
            PageLayout.Verdict(html, latest.Row, withMessage: false);
            html.Raw("</td><td data-label=\"Description\">").Text(latest.Entry.Metadata.Description, PageLimits.Summary).Raw("</td>")
                .Raw("<td data-label=\"All versions\" class=\"counts\">").Number(chart.Versions.Count).Raw(": ").Text(PageLayout.Outcomes(chart)).Raw("</td></tr>");
        }
        html.Raw("</tbody></table></div>");
        PageLayout.Pages(html, page, pages, p => view.OverviewHref(query, p), "Chart pages");
        html.Raw("</section>");
    }
}

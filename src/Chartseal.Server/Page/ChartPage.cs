using Chartseal.Repository;

namespace Chartseal.Server.Page;

/// <summary>
/// <c>/charts/NAME</c>: every version of one chart with its verdict (trusted, or the reason, its code, its one-line
/// summary and the gate's message), who signed it (the subkey too), when, the digest, links to the files, and the
/// commands to pull it verified with <c>chartseal</c> and with <c>helm pull --verify</c>.
/// </summary>
internal static class ChartPage
{
    public static byte[] Render(PageView view, ReportChart chart, int requestedPage)
    {
        var html = new PageHtml();
        var latest = chart.Latest;
        var metadata = latest.Entry.Metadata;
        PageLayout.Start(html, view, chart.Name + " – chart repository");
        html.Raw("<header><nav aria-label=\"Breadcrumb\"><a").Attribute("href", view.Href("")).Raw(">← All charts</a></nav><h1>");
        PageLayout.Icon(html, metadata.Icon);
        html.Raw("<span id=\"chart-name\">").Text(chart.Name).Raw("</span></h1>");
        if (!string.IsNullOrEmpty(metadata.Description))
        {
            html.Raw("<p id=\"description\">").Text(metadata.Description, PageLimits.LongText).Raw("</p>");
        }
        html.Raw("</header><main id=\"main\">");
        PageLayout.TrustBanner(html, view);
        html.Raw("<dl class=\"facts\"><dt>Latest version</dt><dd>").Text(latest.Version).Raw(" ");
        PageLayout.Verdict(html, latest.Row, withMessage: false);
        html.Raw("</dd>");
        if (!string.IsNullOrEmpty(metadata.AppVersion))
        {
            html.Raw("<dt>App version</dt><dd>").Text(metadata.AppVersion).Raw("</dd>");
        }
        if (PageView.SafeLink(metadata.Home) is { } home)
        {
            html.Raw("<dt>Home</dt><dd><a rel=\"nofollow noopener noreferrer\"").Attribute("href", home).Raw(">").Text(home).Raw("</a></dd>");
        }
        if (metadata.Deprecated)
        {
            html.Raw("<dt>Deprecated</dt><dd>yes</dd>");
        }
        html.Raw("<dt>Versions</dt><dd>").Number(chart.Versions.Count).Raw(": ").Text(PageLayout.Outcomes(chart)).Raw("</dd></dl>");

        Pull(html, view, chart.Name, latest);
        Versions(html, view, chart, requestedPage);
        html.Raw("</main>");
        PageLayout.End(html, view);
        return html.ToUtf8();
    }

    private static void Pull(PageHtml html, PageView view, string name, ReportVersion latest)
    {
        html.Raw("<section aria-labelledby=\"pull\"><h2 id=\"pull\">Pull it verified</h2>");
        if (!PageView.Pasteable(name, latest.Version) || view.RepoAddCommand is not { } add)
        {
            html.Raw("<p class=\"muted\">No command is offered: this chart's name or version is outside the naming rule (or the repository has no trust material).</p></section>");
            return;
        }
        html.Command("With Chartseal (checks the signature, the repository's trust material, revocations and the index digest):",
            add + "\n" + PageView.ChartsealPull(name, latest.Version));
        html.Command("With Helm alone (checks only that a key in pubkeys.pgp signed it; Ed25519 keys need Helm 4):",
            view.HelmPull(name, latest.Version));
        html.Raw("</section>");
    }

    private static void Versions(PageHtml html, PageView view, ReportChart chart, int requestedPage)
    {
        var (page, pages) = PageView.Paging(chart.Versions.Count, PageLimits.VersionsPerPage, requestedPage);
        int first = (page - 1) * PageLimits.VersionsPerPage;
        var shown = chart.Versions.Skip(first).Take(PageLimits.VersionsPerPage).ToList();
        html.Raw("<section aria-labelledby=\"versions\"><h2 id=\"versions\">Versions (").Number(chart.Versions.Count).Raw(")</h2>");
        if (pages > 1)
        {
            html.Raw("<p>").Text($"Showing {first + 1}–{first + shown.Count} of {chart.Versions.Count}.").Raw("</p>");
        }
        html.Raw("<div class=\"table\"><table class=\"cards\" id=\"versions-table\"><thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Verdict</th>")
            .Raw("<th scope=\"col\">Signer</th><th scope=\"col\">Signed</th><th scope=\"col\">Digest</th><th scope=\"col\">Files and commands</th></tr></thead><tbody>");
        foreach (var version in shown)
        {
            Row(html, view, chart.Name, version);
        }
        html.Raw("</tbody></table></div>");
        // A name too long to link was asked for directly: its other pages stay unlinked (the current page's own URL).
        PageLayout.Pages(html, page, pages, p => view.ChartHref(chart.Name, p) ?? "", "Version pages");
        html.Raw("</section>");
    }

    private static void Row(PageHtml html, PageView view, string name, ReportVersion version)
    {
        var row = version.Row;
        html.Raw("<tr").Attribute("data-version", PageText.Inert(version.Version, PageLimits.ShortText)).Attribute("data-verdict", row.Reason?.Name() ?? "trusted")
            .Raw("><th scope=\"row\" data-label=\"Version\">").Text(version.Version).Raw("</th><td data-label=\"Verdict\">");
        PageLayout.Verdict(html, row, withMessage: true);
        html.Raw("</td><td data-label=\"Signer\">");
        if (row.Signer is { } signer)
        {
            html.Text(signer.UserIds.FirstOrDefault() ?? "(no user id)").Raw("<span class=\"reason fpr\">").Text(signer.Fingerprint).Raw("</span>");
            if (signer.SigningKeyFingerprint != signer.Fingerprint)
            {
                html.Raw("<span class=\"reason fpr\">subkey ").Text(signer.SigningKeyFingerprint).Raw("</span>");
            }
        }
        else if (row.Issuer is { } issuer)
        {
            html.Raw("<span class=\"muted\">a key this repository does not know:</span><span class=\"reason fpr\">").Text(issuer.Fingerprint ?? "key id " + issuer.KeyId).Raw("</span>");
        }
        else
        {
            html.Raw("<span class=\"muted\">none</span>");
        }
        html.Raw("</td><td data-label=\"Signed\">").Text(row.SignedAt is { } at ? PageView.Time(at) : "–")
            .Raw("</td><td data-label=\"Digest\" class=\"fpr\">sha256:").Text(version.Entry.Digest, PageLimits.ShortText);
        if (row.Sha256 is { } actual && !string.Equals(actual, version.Entry.Digest, StringComparison.OrdinalIgnoreCase))
        {
            html.Raw("<span class=\"reason\">the archive served: sha256:").Text(actual).Raw("</span>");
        }
        html.Raw("</td><td data-label=\"Files and commands\">");
        if (view.ServedFile(version.Entry.Urls) is { } archive)
        {
            html.Link(archive.Href, ".tgz", "Download " + archive.Name);
            if (row.Reason != RejectionReason.MissingProvenance && view.ServedFile(version.Entry.Urls, ".prov") is { } prov)
            {
                html.Raw(" · ").Link(prov.Href, ".prov", "Download " + prov.Name);
            }
        }
        else
        {
            html.Raw("<span class=\"muted\">not served here</span>");
        }
        if (PageView.Pasteable(name, version.Version) && view.RepoAddCommand is not null)
        {
            html.Raw("<details><summary>Pull commands</summary>");
            html.Command("Chartseal:", PageView.ChartsealPull(name, version.Version));
            html.Command("Helm:", view.HelmPull(name, version.Version));
            html.Raw("</details>");
        }
        html.Raw("</td></tr>");
    }
}

using Chartseal.Repository;

namespace Chartseal.Server.Page;

/// <summary>What every repository page shares: the document head, the trust banner, verdicts, paging and the footer.</summary>
internal static class PageLayout
{
    public static void Start(PageHtml html, PageView view, string title)
    {
        html.Raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<meta name=\"referrer\" content=\"no-referrer\">")
            .Raw("<title>").Text(title).Raw("</title>")
            .Raw("<link rel=\"stylesheet\"").Attribute("href", view.Href("static/page.css?v=" + PageStyle.Version)).Raw(">")
            .Raw("</head><body><a class=\"skip\" href=\"#main\">Skip to content</a>");
    }

    public static void End(PageHtml html, PageView view)
    {
        html.Raw("<footer><p>Verdicts are decided on this server by Chartseal's trust gate (the same check as <code>chartseal audit</code>), ")
            .Raw("with only this repository's keys");
        if (view.Report is { } report)
        {
            html.Raw(", at ").Text(PageView.Time(report.JudgedAt));
        }
        html.Raw(". Your own <code>chartseal pull</code> checks everything again.</p><p>Files: ");
        bool first = true;
        foreach (var (href, name) in view.TrustFileLinks().Prepend((view.Href("index.yaml"), "index.yaml")))
        {
            html.Raw(first ? "" : " · ").Link(href, name);
            first = false;
        }
        html.Raw(" · JSON: ").Link(view.Href("api/repository"), "api/repository")
            .Raw("</p></footer></body></html>\n");
    }

    /// <summary>The trust material's state: refused, expired, expiring soon, or fine (version and expiry).</summary>
    public static void TrustBanner(PageHtml html, PageView view)
    {
        if (view.Report is not { } report)
        {
            html.Raw("<div class=\"banner bad\" role=\"alert\"><strong>No trust material</strong>").Text(view.Current.Problem, PageLimits.LongText).Raw("</div>");
            return;
        }
        if (report.TrustRefusal is { } refusal)
        {
            html.Raw("<div class=\"banner bad\" role=\"alert\"><strong>")
                .Text(refusal.Reason == RejectionReason.TrustExpired ? "The trust material has expired: clients refuse every chart of this repository" : "The trust material is refused: clients refuse every chart of this repository")
                .Raw("</strong>").Text($"{refusal.Name} ({refusal.Code}): {refusal.Message}", PageLimits.LongText).Raw("</div>");
            return;
        }
        if (report.TrustExpiresSoon(view.Now) && report.TrustExpires is { } expires)
        {
            html.Raw("<div class=\"banner warn\" role=\"status\"><strong>")
                .Text($"The trust material expires {PageView.Relative(expires, view.Now)} ({PageView.Time(expires)})")
                .Raw("</strong>")
                .Text("After that, clients refuse every chart here until the repository's root signs it again (chartseal trust renew).")
                .Raw("</div>");
        }
    }

    /// <summary>A verdict: "✔ Trusted", or "✘ reason (code)" with the reason's one-line summary and, when asked, the message.</summary>
    public static void Verdict(PageHtml html, AuditRow row, bool withMessage)
    {
        if (row.Reason is not { } reason)
        {
            html.Raw("<span class=\"verdict ok\">✔ Trusted</span>");
            return;
        }
        html.Raw("<span class=\"verdict bad\">✘ Refused: ").Text(reason.Name()).Raw(" <span class=\"muted\">(").Text(reason.Code()).Raw(")</span>")
            .Raw("<span class=\"reason\">").Text(reason.Summary(), PageLimits.LongText).Raw("</span>");
        if (withMessage)
        {
            html.Raw("<span class=\"reason muted\">").Text(row.Message, PageLimits.LongText).Raw("</span>");
        }
        html.Raw("</span>");
    }

    /// <summary>"Previous · Page i of n · Next" links, when there is more than one page.</summary>
    public static void Pages(PageHtml html, int page, int pages, Func<int, string> href, string label)
    {
        if (pages <= 1)
        {
            return;
        }
        html.Raw("<nav class=\"pages\"").Attribute("aria-label", label).Raw(">");
        if (page > 1)
        {
            html.Raw("<a rel=\"prev\"").Attribute("href", href(page - 1)).Raw(">← Previous</a>");
        }
        html.Raw("<span aria-current=\"page\">Page ").Number(page).Raw(" of ").Number(pages).Raw("</span>");
        if (page < pages)
        {
            html.Raw("<a rel=\"next\"").Attribute("href", href(page + 1)).Raw(">Next →</a>");
        }
        html.Raw("</nav>");
    }

    /// <summary>An icon, when its URL is safe (https): decorative, the chart's name is next to it.</summary>
    public static void Icon(PageHtml html, string? icon)
    {
        if (PageView.SafeIcon(icon) is { } src)
        {
            html.Raw("<img class=\"icon\" alt=\"\" width=\"32\" height=\"32\" loading=\"lazy\" decoding=\"async\" referrerpolicy=\"no-referrer\"").Attribute("src", src).Raw(">");
        }
    }

    /// <summary>"3 trusted, 1 signer-revoked".</summary>
    public static string Outcomes(ReportChart chart) => string.Join(", ", chart.Outcomes.Select(o => $"{o.Count} {o.Outcome}"));
}

using System.Globalization;
using Chartseal.Repository;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Chartseal.Server.Page;

/// <summary>
/// The repository page's routes: <c>/</c> (the overview), <c>/charts/NAME</c>, its stylesheet, and the same facts as
/// JSON under <c>/api/repository</c>. Everything is decided by the library (<see cref="RepositoryReporter"/>); this
/// only renders it, with a strict Content-Security-Policy: no script at all, styles only from the served stylesheet,
/// images only over https.
/// </summary>
internal static class RepositoryPage
{
    /// <summary>No script, no inline style, no frames, no plugins; the stylesheet from this server; icons over https only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>For every answer that is not a page (JSON, files, errors): nothing may load or run, nothing may frame it.</summary>
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static void Map(IEndpointRouteBuilder app)
    {
        var reports = app.ServiceProvider.GetRequiredService<PageReports>();
        string[] read = ["GET", "HEAD"];
        app.MapMethods("/", read, (RequestDelegate)(context => OverviewAsync(context, reports)));
        app.MapMethods("/charts/{name}", read, (RequestDelegate)(context => ChartAsync(context, reports)));
        app.MapMethods("/static/page.css", read, (RequestDelegate)StyleAsync);
        app.MapMethods("/api/repository", read, (RequestDelegate)(context => RepositoryJsonAsync(context, reports)));
        app.MapMethods("/api/repository/charts/{name}", read, (RequestDelegate)(context => ChartJsonAsync(context, reports)));
    }

    private static async Task OverviewAsync(HttpContext context, PageReports reports)
    {
        if (await ViewAsync(context, reports, html: true).ConfigureAwait(false) is not { } view)
        {
            return;
        }
        await SendAsync(context, StatusCodes.Status200OK, "text/html; charset=utf-8", ContentSecurityPolicy,
            OverviewPage.Render(view, Query(context), PageNumber(context))).ConfigureAwait(false);
    }

    private static async Task ChartAsync(HttpContext context, PageReports reports)
    {
        if (await ViewAsync(context, reports, html: true).ConfigureAwait(false) is not { } view)
        {
            return;
        }
        if (Find(view, context) is not { } chart)
        {
            await ErrorPageAsync(context, view, StatusCodes.Status404NotFound, "No such chart", NoSuchChart(view, context)).ConfigureAwait(false);
            return;
        }
        await SendAsync(context, StatusCodes.Status200OK, "text/html; charset=utf-8", ContentSecurityPolicy,
            ChartPage.Render(view, chart, PageNumber(context))).ConfigureAwait(false);
    }

    private static async Task RepositoryJsonAsync(HttpContext context, PageReports reports)
    {
        if (await ViewAsync(context, reports, html: false).ConfigureAwait(false) is not { } view)
        {
            return;
        }
        await SendAsync(context, StatusCodes.Status200OK, "application/json; charset=utf-8", ApiPolicy,
            PageJson.Repository(view, Query(context), PageNumber(context))).ConfigureAwait(false);
    }

    private static async Task ChartJsonAsync(HttpContext context, PageReports reports)
    {
        if (await ViewAsync(context, reports, html: false).ConfigureAwait(false) is not { } view)
        {
            return;
        }
        if (Find(view, context) is not { } chart)
        {
            await ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found", NoSuchChart(view, context)).ConfigureAwait(false);
            return;
        }
        await SendAsync(context, StatusCodes.Status200OK, "application/json; charset=utf-8", ApiPolicy,
            PageJson.Chart(view, chart, PageNumber(context))).ConfigureAwait(false);
    }

    private static Task StyleAsync(HttpContext context)
    {
        // Its URL carries its hash (?v=), so it may be cached for long.
        context.Response.Headers.CacheControl = "public, max-age=86400";
        return SendAsync(context, StatusCodes.Status200OK, "text/css; charset=utf-8", ApiPolicy, PageStyle.Bytes);
    }

    // The report as of now, or null after answering with the error (an unreadable index or file).
    private static async Task<PageView?> ViewAsync(HttpContext context, PageReports reports, bool html)
    {
        PageReports.Current current;
        try
        {
            current = await reports.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (ChartsealException e)
        {
            if (html)
            {
                await SendAsync(context, StatusCodes.Status500InternalServerError, "text/html; charset=utf-8", ContentSecurityPolicy,
                    ErrorPage(context, "The repository cannot be read", reports.ForVisitors(e.Message))).ConfigureAwait(false);
            }
            else
            {
                await ApiJson.ErrorAsync(context, StatusCodes.Status500InternalServerError, "server-error", reports.ForVisitors(e.Message)).ConfigureAwait(false);
            }
            return null;
        }
        return PageView.For(context, current);
    }

    private static ReportChart? Find(PageView view, HttpContext context)
    {
        string name = RouteName(context);
        return view.Report?.Chart(name) ?? view.Report?.Chart(Uri.UnescapeDataString(name));
    }

    // A chart the index lists has no verdicts while the repository publishes no trust material: say that, not "no such chart".
    private static string NoSuchChart(PageView view, HttpContext context)
    {
        string name = PageText.Inert(RouteName(context), PageLimits.ShortText);
        return view.Report is null && view.Current.Snapshot.Parsed.Entries.ContainsKey(RouteName(context))
            ? $"index.yaml lists the chart “{name}”, but no version of it can be verified until this repository publishes its trust material."
            : $"This repository has no chart named “{name}”.";
    }

    private static string RouteName(HttpContext context) => context.Request.RouteValues["name"] as string ?? "";

    private static string Query(HttpContext context) =>
        PageText.Cut(context.Request.Query["q"].ToString().Trim(), PageLimits.Query, out _);

    private static int PageNumber(HttpContext context) =>
        int.TryParse(context.Request.Query["page"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int page) && page > 0 ? page : 1;

    private static Task ErrorPageAsync(HttpContext context, PageView view, int status, string title, string message) =>
        SendAsync(context, status, "text/html; charset=utf-8", ContentSecurityPolicy, ErrorPage(context, title, message, view.Href("")));

    private static byte[] ErrorPage(HttpContext context, string title, string message, string? home = null)
    {
        var html = new PageHtml();
        string basePath = context.Request.PathBase.Value ?? "";
        html.Raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
            .Text(title).Raw("</title><link rel=\"stylesheet\"").Attribute("href", basePath + "/static/page.css?v=" + PageStyle.Version)
            .Raw("></head><body><main id=\"main\"><h1>").Text(title).Raw("</h1><p>").Text(message, PageLimits.LongText).Raw("</p><p><a")
            .Attribute("href", home ?? basePath + "/").Raw(">All charts</a></p></main></body></html>\n");
        return html.ToUtf8();
    }

    private static async Task SendAsync(HttpContext context, int status, string contentType, string policy, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.Headers.ContentSecurityPolicy = policy;
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        if (string.IsNullOrEmpty(response.Headers.CacheControl))
        {
            // Verdicts change with the repository: always ask again.
            response.Headers.CacheControl = "no-cache";
        }
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}

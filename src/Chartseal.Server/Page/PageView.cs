using System.Globalization;
using Chartseal.Charts;
using Chartseal.Repository;
using Chartseal.Trust;
using Microsoft.AspNetCore.Http;

namespace Chartseal.Server.Page;

/// <summary>One request's view of the repository page: the report, the paths under which things are served, and the
/// commands to copy (built only from values that are safe to paste into a shell).</summary>
internal sealed class PageView
{
    /// <summary>The local name the copy-paste commands give the repository.</summary>
    public const string RepositoryName = "charts";

    private PageView(PageReports.Current current, string basePath, string repositoryUrl, bool plainHttp)
    {
        Current = current;
        BasePath = basePath;
        RepositoryUrl = repositoryUrl;
        PlainHttp = plainHttp;
    }

    public PageReports.Current Current { get; }
    public RepositoryReport? Report => Current.Report;
    public DateTime Now => Current.Now;

    /// <summary>The path prefix of every link (the context path, or empty).</summary>
    public string BasePath { get; }

    /// <summary>The repository's URL as the client asked for it (ends in <c>/</c>), or a placeholder when it cannot be pasted safely.</summary>
    public string RepositoryUrl { get; }

    /// <summary>Whether the repository is reached over plain http (the commands then need <c>--plain-http</c>).</summary>
    public bool PlainHttp { get; }

    public static PageView For(HttpContext context, PageReports.Current current)
    {
        var request = context.Request;
        // Behind a TLS proxy the request arrives as http; the proxy says what the client used.
        string forwarded = request.Headers["X-Forwarded-Proto"].ToString();
        string scheme = forwarded is "https" or "http" ? forwarded : request.Scheme;
        string basePath = request.PathBase.Value ?? "";
        string url = $"{scheme}://{request.Host.Value}{basePath}/";
        // Only what is safe to paste into a shell (Kestrel checks the Host header, but a command is no place to trust it).
        if (url.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/[]") >= 0)
        {
            url = "https://REPOSITORY-HOST/";
        }
        return new PageView(current, basePath, url, scheme == "http");
    }

    /// <summary>A link to a path of this repository (<paramref name="relative"/> without a leading slash).</summary>
    public string Href(string relative) => BasePath + "/" + relative;

    /// <summary>
    /// The link to a chart's page (its name escaped), at <paramref name="page"/>; null for a name too long to link
    /// (<see cref="LinkableName"/>).
    /// </summary>
    public string? ChartHref(string name, int page = 1) =>
        LinkableName(name) is { } escaped
            ? Href("charts/" + escaped) + (page > 1 ? "?page=" + page.ToString(CultureInfo.InvariantCulture) : "")
            : null;

    /// <summary>The link to a chart's JSON; null for a name too long to link (<see cref="LinkableName"/>).</summary>
    public string? ChartApiHref(string name) => LinkableName(name) is { } escaped ? Href("api/repository/charts/" + escaped) : null;

    /// <summary>
    /// A chart name escaped for a path, or null when it is longer than <see cref="PageLimits.Url"/> escaped: an index
    /// entry written by hand may carry a name of any length, which as a link would make the page as long (and no
    /// server takes a request line that long).
    /// </summary>
    private static string? LinkableName(string name) =>
        name.Length <= PageLimits.Url && Uri.EscapeDataString(name) is { Length: <= PageLimits.Url } escaped ? escaped : null;

    /// <summary>The link to the overview for a search and page.</summary>
    public string OverviewHref(string query, int page)
    {
        var parts = new List<string>();
        if (query.Length > 0)
        {
            parts.Add("q=" + Uri.EscapeDataString(query));
        }
        if (page > 1)
        {
            parts.Add("page=" + page.ToString(CultureInfo.InvariantCulture));
        }
        return Href(parts.Count == 0 ? "" : "?" + string.Join("&", parts));
    }

    /// <summary>
    /// The served file an index URL names (an archive at the top of the folder that the current index lists), as a link
    /// and a file name; null when the server does not serve it.
    /// </summary>
    public (string Href, string Name)? ServedFile(IReadOnlyList<string> urls, string suffix = "")
    {
        if (urls.Count == 0)
        {
            return null;
        }
        string url = urls[0];
        string name = Uri.TryCreate(url, UriKind.Absolute, out Uri? absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps)
            ? Uri.UnescapeDataString(absolute.AbsolutePath[(absolute.AbsolutePath.LastIndexOf('/') + 1)..])
            : Uri.UnescapeDataString(url);
        return name.Length > 0 && !name.Contains('/', StringComparison.Ordinal) && Current.Snapshot.Lists(name)
            ? (Href(Uri.EscapeDataString(name + suffix)), name + suffix)
            : null;
    }

    /// <summary>The trust files the server serves, each with a link.</summary>
    public IEnumerable<(string Href, string Name)> TrustFileLinks()
    {
        foreach (string name in new[] { TrustFiles.ManifestName, TrustFiles.PublicKeysName, TrustFiles.RevokedName, TrustFiles.RootKeysName })
        {
            yield return (Href(name), name);
        }
    }

    /// <summary><c>chartseal repo add</c> with the root to pin, or null without a root.</summary>
    public string? RepoAddCommand => Report is { } report
        ? $"chartseal repo add {RepositoryName} {RepositoryUrl} --root-fingerprint {report.Root}{(PlainHttp ? " --plain-http" : "")}"
        : null;

    /// <summary>Whether a chart's name and version can go into a command (the naming rule: nothing a shell reads).</summary>
    public static bool Pasteable(string name, string version) =>
        ChartName.IsValid(name) && ChartName.VersionProblem(version) is null
        && version.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-") < 0;

    /// <summary><c>chartseal pull</c> of one version.</summary>
    public static string ChartsealPull(string name, string version) => $"chartseal pull {RepositoryName}/{name} --version {version}";

    /// <summary>Helm's own check: the repository's keyring, then <c>helm pull --verify</c>.</summary>
    public string HelmPull(string name, string version) =>
        $"curl -fsSLo pubkeys.pgp {RepositoryUrl}{TrustFiles.PublicKeysName}\nhelm repo add {RepositoryName} {RepositoryUrl}\n"
        + $"helm pull {RepositoryName}/{name} --version {version} --verify --keyring pubkeys.pgp";

    /// <summary>The charts whose name, description or keywords contain <paramref name="query"/> (any case), in name order.</summary>
    public IReadOnlyList<ReportChart> Search(string query)
    {
        if (Report is not { } report)
        {
            return [];
        }
        if (query.Length == 0)
        {
            return report.Charts;
        }
        bool Has(string? text) => text is not null && text.Contains(query, StringComparison.OrdinalIgnoreCase);
        return report.Charts.Where(c => Has(c.Name) || Has(c.Latest.Entry.Metadata.Description) || c.Latest.Entry.Metadata.Keywords?.Exists(Has) == true).ToList();
    }

    /// <summary>An icon URL that is safe to load: absolute https, no user name or password, not too long; else null.</summary>
    public static string? SafeIcon(string? icon) =>
        icon is { Length: > 0 and <= PageLimits.Url } && Uri.TryCreate(icon.Trim(), UriKind.Absolute, out Uri? uri)
            && uri.Scheme == Uri.UriSchemeHttps && uri.UserInfo.Length == 0 && uri.Host.Length > 0
            ? uri.AbsoluteUri
            : null;

    /// <summary>A home page link that is safe to follow: absolute http(s), no user name or password; else null.</summary>
    public static string? SafeLink(string? link) =>
        link is { Length: > 0 and <= PageLimits.Url } && Uri.TryCreate(link.Trim(), UriKind.Absolute, out Uri? uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.UserInfo.Length == 0 && uri.Host.Length > 0
            ? uri.AbsoluteUri
            : null;

    /// <summary>The number of pages for <paramref name="count"/> items, and <paramref name="page"/> brought into range.</summary>
    public static (int Page, int Pages) Paging(int count, int perPage, int page)
    {
        int pages = Math.Max(1, (count + perPage - 1) / perPage);
        return (Math.Clamp(page, 1, pages), pages);
    }

    /// <summary>A time for people: <c>2026-01-01 00:00 UTC</c>.</summary>
    public static string Time(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>How long until <paramref name="then"/>, for people (<c>in 12 days</c>, <c>3 hours ago</c>).</summary>
    public static string Relative(DateTime then, DateTime now)
    {
        TimeSpan span = then - now;
        string amount = Keys.Duration.ForPeople(span);
        return span >= TimeSpan.Zero ? "in " + amount : amount + " ago";
    }
}

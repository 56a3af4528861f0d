using Chartseal.Server.Page;
using OpenQA.Selenium;

namespace Chartseal.Server.Tests.Page;

/// <summary>
/// The repository page in a real headless Chromium (Selenium WebDriver): what people see, that hostile metadata runs
/// nothing, that search and paging work without script, that a revocation shows without a restart, and that it reads
/// on a phone.
/// </summary>
public sealed class RepositoryPageBrowserTests(ChromeFixture chrome) : IClassFixture<ChromeFixture>
{
    private IWebDriver Web => chrome.Web;

    private void Open(PageFixture f, string path)
    {
        Web.Navigate().GoToUrl(f.S.Url + path);
        Assert.Empty(Alerts());
    }

    // An alert would block the page; WebDriver reports it here.
    private List<string> Alerts()
    {
        try
        {
            var alert = Web.SwitchTo().Alert();
            string text = alert.Text ?? "";
            alert.Dismiss();
            return [text];
        }
        catch (NoAlertPresentException)
        {
            return [];
        }
    }

    private object? Js(string script) => ((IJavaScriptExecutor)Web).ExecuteScript(script);

    // Version → the verdict's visible text, from the chart page's table.
    private Dictionary<string, string> VersionVerdicts() =>
        Web.FindElements(By.CssSelector("#versions-table tbody tr")).ToDictionary(
            row => row.FindElement(By.CssSelector("th")).Text,
            row => row.FindElement(By.CssSelector("td[data-label=Verdict] .verdict")).Text);

    [Fact]
    public async Task OverviewAndChartPages_ShowTheRightVerdictForEachVersion()
    {
        var web = Web;
        await using var f = await PageFixture.StartAsync();
        chrome.Resize(1280, 1000);

        Open(f, "/");
        Assert.Equal("Chart repository", web.FindElement(By.TagName("h1")).Text);
        Assert.Equal(f.S.Trust.Root.Fingerprint, web.FindElement(By.Id("root-fingerprint")).Text);
        Assert.Contains($"--root-fingerprint {f.S.Trust.Root.Fingerprint}", web.FindElement(By.CssSelector("figure.command pre")).Text, StringComparison.Ordinal);
        Assert.Contains(f.S.Trust.Alice.Fingerprint, web.FindElement(By.Id("maintainers-table")).Text, StringComparison.Ordinal);
        Assert.Contains(f.S.Trust.Bob.Fingerprint, web.FindElement(By.Id("revoked-table")).Text, StringComparison.Ordinal);
        var latest = web.FindElements(By.CssSelector("#charts-table tbody tr")).ToDictionary(
            row => row.FindElement(By.CssSelector("td[data-label=Chart] a")).Text,
            row => row.FindElement(By.CssSelector("td[data-label='Latest verdict'] .verdict")).Text);
        Assert.StartsWith("✔ Trusted", latest["web"], StringComparison.Ordinal);
        Assert.StartsWith("✘ Refused: signer-revoked (CSL2007)", latest["legacy"], StringComparison.Ordinal);
        Assert.StartsWith("✘ Refused: signer-not-trusted (CSL2006)", latest["stranger"], StringComparison.Ordinal);
        Assert.StartsWith("✘ Refused: missing-provenance (CSL1011)", latest["unsigned"], StringComparison.Ordinal);
        chrome.Resize(1280, 1700);
        chrome.Screenshot("repository-page-overview");

        web.FindElement(By.LinkText("web")).Click();
        Assert.EndsWith("/charts/web", web.Url, StringComparison.Ordinal);
        var verdicts = VersionVerdicts();
        Assert.StartsWith("✔ Trusted", verdicts["1.1.0"], StringComparison.Ordinal);
        Assert.StartsWith("✔ Trusted", verdicts["1.0.0"], StringComparison.Ordinal);
        Assert.StartsWith("✘ Refused: hash-mismatch (CSL1006)", verdicts["0.9.0"], StringComparison.Ordinal);
        Assert.Contains("chartseal pull charts/web --version 1.1.0", web.FindElement(By.Id("pull")).FindElement(By.XPath("..")).Text, StringComparison.Ordinal);
        chrome.Screenshot("repository-page-chart");

        foreach (var (chart, verdict) in new[] { ("legacy", "signer-revoked"), ("stranger", "signer-not-trusted"), ("unsigned", "missing-provenance") })
        {
            Open(f, "/charts/" + chart);
            Assert.Contains(verdict, Assert.Single(VersionVerdicts()).Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HostileChart_ExecutesNothing_AndShowsItsTextInert()
    {
        var web = Web;
        await using var f = await PageFixture.StartAsync();
        chrome.Resize(1280, 1000);
        using var headers = await f.S.Http.GetAsync("charts/hostile", TestContext.Current.CancellationToken);
        Assert.StartsWith("default-src 'none';", Assert.Single(headers.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        foreach (string path in new[] { "/", "/charts/hostile", "/charts/" + Uri.EscapeDataString(PageFixture.HostileName), "/?q=" + Uri.EscapeDataString("<script>") })
        {
            Open(f, path);
            await Task.Delay(300, TestContext.Current.CancellationToken); // time for a late onerror or a lazy image
            Assert.Empty(Alerts());
            Assert.Equal(0L, Js("return document.scripts.length;"));
            Assert.Equal(0L, Js("return document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover],[style],iframe,object,embed').length;"));
            Assert.Equal(0L, Js("return [...document.querySelectorAll('a[href],img[src]')].filter(e => !/^(https?:)/.test(e.href || e.src)).length;"));
            Assert.Equal(false, Js("return document.body.innerText.includes('\\u202E') || document.body.innerText.includes('\\u200B');"));
            Assert.True((long)Js("return document.documentElement.outerHTML.length;")! < 300_000);
        }

        Open(f, "/charts/hostile");
        string description = web.FindElement(By.Id("description")).Text;
        Assert.StartsWith(PageFixture.HostileScript, description, StringComparison.Ordinal);
        Assert.Contains("[U+202E]esrever[U+202C] zero[U+200B]width", description, StringComparison.Ordinal);
        Assert.Matches(@"… \(\d+ more characters\)$", description);
        Assert.Empty(web.FindElements(By.CssSelector("img")));
        chrome.Screenshot("repository-page-hostile");
    }

    [Fact]
    public async Task SearchAndPaging_WorkWithoutScript()
    {
        var web = Web;
        await using var f = await PageFixture.StartAsync();
        for (int i = 0; i < 30; i++)
        {
            f.Put($"app-{i:D2}", "1.0.0", f.S.Trust.Alice, description: i == 7 ? "the needle" : "hay");
        }
        await f.WriteIndexAsync();
        chrome.Resize(1280, 1000);

        Open(f, "/");
        var search = web.FindElement(By.Id("q"));
        Assert.Equal("q", web.FindElement(By.CssSelector("label[for=q]")).GetDomAttribute("for"));
        search.SendKeys("needle");
        search.SendKeys(OpenQA.Selenium.Keys.Enter);
        Assert.Contains("?q=needle", web.Url, StringComparison.Ordinal);
        Assert.Equal(["app-07"], web.FindElements(By.CssSelector("#charts-table tbody td[data-label=Chart] a")).Select(a => a.Text));
        Assert.Equal("needle", web.FindElement(By.Id("q")).GetDomProperty("value"));

        Open(f, "/");
        Assert.Equal(PageLimits.ChartsPerPage, web.FindElements(By.CssSelector("#charts-table tbody tr")).Count);
        web.FindElement(By.LinkText("Next →")).Click();
        Assert.Contains("page=2", web.Url, StringComparison.Ordinal);
        Assert.Equal("Page 2 of 2", web.FindElement(By.CssSelector("nav.pages [aria-current=page]")).Text);
        Assert.Equal(35 - PageLimits.ChartsPerPage, web.FindElements(By.CssSelector("#charts-table tbody tr")).Count);
        web.FindElement(By.LinkText("← Previous")).Click();
        Assert.Equal("Page 1 of 2", web.FindElement(By.CssSelector("nav.pages [aria-current=page]")).Text);
    }

    [Fact]
    public async Task AfterTrustRevoke_TheSamePageShowsTheRevokedSigner_WithoutARestart()
    {
        var web = Web;
        await using var f = await PageFixture.StartAsync(revokeBob: false);
        chrome.Resize(1280, 1000);

        Open(f, "/charts/legacy");
        Assert.StartsWith("✔ Trusted", Assert.Single(VersionVerdicts()).Value, StringComparison.Ordinal);

        await f.RevokeBobAsync();
        web.Navigate().Refresh();

        Assert.StartsWith("✘ Refused: signer-revoked (CSL2007)", Assert.Single(VersionVerdicts()).Value, StringComparison.Ordinal);
        Open(f, "/");
        Assert.Contains(f.S.Trust.Bob.Fingerprint, web.FindElement(By.Id("revoked-table")).Text, StringComparison.Ordinal);
        Assert.Contains("laptop stolen", web.FindElement(By.Id("revoked-table")).Text, StringComparison.Ordinal);
        chrome.Screenshot("repository-page-after-revoke");
    }

    [Fact]
    public async Task OnAPhone_NothingOverflowsSideways_AndTheKeyboardReachesTheContent()
    {
        var web = Web;
        await using var f = await PageFixture.StartAsync();
        chrome.Resize(390, 844);
        try
        {
            foreach (string path in new[] { "/", "/charts/web", "/charts/hostile" })
            {
                Open(f, path);
                long overflow = (long)Js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")!;
                Assert.True(overflow <= 0, $"{path}: {overflow} px wider than the screen");
            }
            Open(f, "/charts/web");
            // Each version is a card with labelled fields (the table's header row is hidden on a narrow screen).
            Assert.Equal("block", Js("return getComputedStyle(document.querySelector('#versions-table tbody tr')).display;"));
            chrome.Screenshot("repository-page-phone");

            Open(f, "/");
            web.FindElement(By.TagName("body")).SendKeys(OpenQA.Selenium.Keys.Tab);
            Assert.Equal("Skip to content", web.SwitchTo().ActiveElement().Text);
            Assert.Equal("en", web.FindElement(By.TagName("html")).GetDomAttribute("lang"));
        }
        finally
        {
            chrome.Resize(1280, 1000);
        }
    }
}

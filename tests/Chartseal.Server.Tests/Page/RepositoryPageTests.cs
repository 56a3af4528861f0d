#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Net;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.Repository;
using Chartseal.Server.Page;
using Chartseal.Tests.Trust;

namespace Chartseal.Server.Tests.Page;

/// <summary>The repository page (<c>/</c>, <c>/charts/NAME</c>) and its JSON (<c>/api/repository…</c>) over HTTP.</summary>
public sealed class RepositoryPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(ServerFixture s, string path)
    {
        var response = await s.Http.GetAsync(path.TrimStart('/'), Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ChartPages_ShowTheGatesVerdictForEveryKindOfVersion_TheSameAsAudit()
    {
        await using var f = await PageFixture.StartAsync();

        var web = PageFixture.Verdicts((await GetAsync(f.S, "/charts/web")).Body);
        var legacy = PageFixture.Verdicts((await GetAsync(f.S, "/charts/legacy")).Body);
        var stranger = PageFixture.Verdicts((await GetAsync(f.S, "/charts/stranger")).Body);
        var unsigned = PageFixture.Verdicts((await GetAsync(f.S, "/charts/unsigned")).Body);

        Assert.Equal(new Dictionary<string, string> { ["1.1.0"] = "trusted", ["1.0.0"] = "trusted", ["0.9.0"] = "hash-mismatch" }, web);
        Assert.Equal("signer-revoked", Assert.Single(legacy).Value);
        Assert.Equal("signer-not-trusted", Assert.Single(stranger).Value);
        Assert.Equal("missing-provenance", Assert.Single(unsigned).Value);

        // THE audit, run on the same folder with the same trust state, says the same of every version.
        var audit = Assert.IsType<AuditResult.Completed>(await RepositoryAudit.AuditAsync(new FolderRepositorySource(f.S.Repo), f.S.Trust.Pin, f.S.Trust.Store, f.Now));
        using var json = JsonDocument.Parse(await f.S.Http.GetStringAsync("api/repository?page=1", Ct));
        foreach (var row in audit.Rows)
        {
            using var chart = JsonDocument.Parse(await f.S.Http.GetStringAsync("api/repository/charts/" + Uri.EscapeDataString(row.Name), Ct));
            var version = chart.RootElement.GetProperty("versions").GetProperty("items").EnumerateArray().Single(v => v.GetProperty("version").GetString() == row.Version);
            Assert.Equal(row.IsTrusted, version.GetProperty("trusted").GetBoolean());
            Assert.Equal(row.Reason?.Name(), version.GetProperty("reason").GetString());
            Assert.Equal(row.Signer?.Fingerprint, version.GetProperty("signer").ValueKind == JsonValueKind.Null ? null : version.GetProperty("signer").GetProperty("fingerprint").GetString());
        }
    }

    [Fact]
    public async Task ChartPage_ShowsSignerSigningTimeDigestFilesAndPullCommands()
    {
        await using var f = await PageFixture.StartAsync();

        var (response, html) = await GetAsync(f.S, "/charts/web");
        var (_, legacy) = await GetAsync(f.S, "/charts/legacy");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("Alice &lt;alice@example.com&gt;", html, StringComparison.Ordinal);
        Assert.Contains(f.S.Trust.Alice.Fingerprint, html, StringComparison.Ordinal);
        Assert.Contains(PageView.Time(f.Now), html, StringComparison.Ordinal);
        string digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(f.S.Repo, "web-1.1.0.tgz"), Ct)));
        Assert.Contains("sha256:" + digest, html, StringComparison.Ordinal);
        Assert.Contains("href=\"/web-1.1.0.tgz\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/web-1.1.0.tgz.prov\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/pubkeys.pgp\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/trust.yaml.asc\"", html, StringComparison.Ordinal);
        Assert.Contains($"chartseal repo add charts {f.S.Url}/ --root-fingerprint {f.S.Trust.Root.Fingerprint} --plain-http", html, StringComparison.Ordinal);
        Assert.Contains("chartseal pull charts/web --version 1.1.0", html, StringComparison.Ordinal);
        Assert.Contains("helm pull charts/web --version 1.1.0 --verify --keyring pubkeys.pgp", html, StringComparison.Ordinal);
        // The tampered version: its reason's code, its one-line summary and the gate's own message.
        Assert.Contains("hash-mismatch <span class=\"muted\">(CSL1006)", html, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(RejectionReason.HashMismatch.Summary()), html, StringComparison.Ordinal);
        // The revoked signer is still named, with the reason.
        Assert.Contains(f.S.Trust.Bob.Fingerprint, legacy, StringComparison.Ordinal);
        Assert.Contains("signer-revoked", legacy, StringComparison.Ordinal);
        // Every served link works.
        foreach (string path in new[] { "web-1.1.0.tgz", "web-1.1.0.tgz.prov", "pubkeys.pgp", "trust.yaml.asc", "static/page.css?v=" + PageStyle.Version })
        {
            using var file = await f.S.Http.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        }
    }

    [Fact]
    public async Task ChartPage_WhenASubkeySigned_NamesTheSubkeyToo()
    {
        Assert.SkipUnless(Chartseal.Tests.Support.GpgHome.IsAvailable, "gpg is not installed");
        await using var f = await PageFixture.StartAsync();
        // gpg's usual layout: a certify-only primary key and a signing subkey (made before the fixture's clock).
        using var gpg = new Chartseal.Tests.Support.GpgHome();
        string[] before = ["--faked-system-time", "20251201T000000!"];
        string primary = gpg.GenerateKey("Carol <carol@example.com>", "ed25519", usage: "cert", extraArgs: before);
        gpg.RunChecked([.. before, "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", primary, "ed25519", "sign", "never"]);
        string subkey = gpg.ColonFields(primary).Where(r => r[0] == "fpr").Select(r => r[9]).Last();
        await TrustRepository.AddAsync(f.S.Repo, f.S.Trust.Root.RootSigner(f.Now), Chartseal.Keys.Keyring.Parse(gpg.ExportPublic(primary), "carol"), TrustFixture.Validity, f.Now);
        var key = Chartseal.Keys.SigningKeySelector.Select(Chartseal.Keys.Keyring.Parse(gpg.ExportSecret(primary), "carol (secret)"), primary, f.Now);
        Assert.Equal(subkey, key.Fingerprint);
        var packaged = Chartseal.Charts.ChartPackager.Package(Chartseal.Tests.Charts.ChartFixtures.WriteSimpleChart(f.S.Trust.Temp.File("carol-src"), "carols", "1.0.0"));
        await File.WriteAllBytesAsync(Path.Combine(f.S.Repo, packaged.FileName), packaged.Archive, Ct);
        await File.WriteAllBytesAsync(Path.Combine(f.S.Repo, packaged.FileName + ".prov"), Chartseal.Provenance.ChartSigning.Sign(packaged.Archive, packaged.FileName, key, key.Unlock(null), f.Now), Ct);
        await f.WriteIndexAsync();

        var (_, html) = await GetAsync(f.S, "/charts/carols");

        Assert.Equal("trusted", Assert.Single(PageFixture.Verdicts(html)).Value);
        Assert.Contains(primary, html, StringComparison.Ordinal);
        Assert.Contains("subkey " + subkey, html, StringComparison.Ordinal);
        Assert.Contains("Carol &lt;carol@example.com&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_ShowsRootToPinTrustVersionMaintainersRevokedKeysAndCharts()
    {
        await using var f = await PageFixture.StartAsync();

        var (response, html) = await GetAsync(f.S, "/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<p class=\"fpr\" id=\"root-fingerprint\">{f.S.Trust.Root.Fingerprint}</p>", html, StringComparison.Ordinal);
        Assert.Contains("--root-fingerprint " + f.S.Trust.Root.Fingerprint, html, StringComparison.Ordinal);
        Assert.Contains("<dt>Trust manifest</dt><dd>version 3,", html, StringComparison.Ordinal);
        Assert.Contains(PageView.Time(f.Now + TrustFixture.Validity), html, StringComparison.Ordinal);
        Assert.DoesNotContain("banner", html, StringComparison.Ordinal); // 90 days left: no warning yet
        string maintainers = Section(html, "maintainers");
        string revoked = Section(html, "revoked");
        Assert.Contains(f.S.Trust.Alice.Fingerprint, maintainers, StringComparison.Ordinal);
        Assert.Contains("ed25519", maintainers, StringComparison.Ordinal);
        Assert.DoesNotContain(f.S.Trust.Bob.Fingerprint, maintainers, StringComparison.Ordinal);
        Assert.Contains(f.S.Trust.Bob.Fingerprint, revoked, StringComparison.Ordinal);
        Assert.Contains("KeyCompromised: laptop stolen", revoked, StringComparison.Ordinal);
        Assert.Contains(PageView.Time(f.Now), revoked, StringComparison.Ordinal);
        // Bob signed one version; Alice four (web x3, hostile).
        Assert.Contains("<td data-label=\"Chart versions signed\">1</td>", revoked, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Chart versions signed\">4</td>", maintainers, StringComparison.Ordinal);
        string charts = Section(html, "charts");
        foreach (string name in new[] { "web", "legacy", "stranger", "unsigned", "hostile" })
        {
            Assert.Contains($"href=\"/charts/{name}\"", charts, StringComparison.Ordinal);
        }
        Assert.Contains("3: 2 trusted, 1 hash-mismatch", charts, StringComparison.Ordinal);
        Assert.Contains("src=\"" + PageFixture.SafeIcon + "\"", charts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_RepositoryAndChart_CarryTheSameFacts()
    {
        await using var f = await PageFixture.StartAsync();

        using var response = await f.S.Http.GetAsync("api/repository", Ct);
        var repository = await ServerFixture.JsonOfAsync(response);
        var chart = JsonDocument.Parse(await f.S.Http.GetStringAsync("api/repository/charts/web", Ct)).RootElement;
        using var missing = await f.S.Http.GetAsync("api/repository/charts/nope", Ct);

        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("chartseal.repository/v1", repository.GetProperty("schema").GetString());
        Assert.Equal(f.S.Trust.Root.Fingerprint, repository.GetProperty("root").GetString());
        var trust = repository.GetProperty("trust");
        Assert.True(trust.GetProperty("accepted").GetBoolean());
        Assert.Equal(3, trust.GetProperty("version").GetInt64());
        Assert.False(trust.GetProperty("expiresSoon").GetBoolean());
        Assert.Equal(f.S.Trust.Alice.Fingerprint, Assert.Single(repository.GetProperty("maintainers").GetProperty("items").EnumerateArray()).GetProperty("fingerprint").GetString());
        var bob = Assert.Single(repository.GetProperty("revoked").GetProperty("items").EnumerateArray());
        Assert.Equal((f.S.Trust.Bob.Fingerprint, 1, "laptop stolen"), (bob.GetProperty("fingerprint").GetString(), bob.GetProperty("signedVersions").GetInt32(), bob.GetProperty("revocation").GetProperty("description").GetString()));
        var summary = repository.GetProperty("summary");
        Assert.Equal((6, 8, 3), (summary.GetProperty("charts").GetInt32(), summary.GetProperty("versions").GetInt32(), summary.GetProperty("trusted").GetInt32()));
        var webItem = repository.GetProperty("charts").GetProperty("items").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "web");
        Assert.Equal(("1.1.0", true), (webItem.GetProperty("latest").GetProperty("version").GetString(), webItem.GetProperty("latest").GetProperty("trusted").GetBoolean()));
        Assert.Equal(PageFixture.SafeIcon, webItem.GetProperty("icon").GetString());

        Assert.Equal("chartseal.repository-chart/v1", chart.GetProperty("schema").GetString());
        var versions = chart.GetProperty("versions").GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["1.1.0", "1.0.0", "0.9.0"], versions.Select(v => v.GetProperty("version").GetString()));
        var tampered = versions[2];
        Assert.Equal(("hash-mismatch", "CSL1006"), (tampered.GetProperty("reason").GetString(), tampered.GetProperty("code").GetString()));
        Assert.Equal(RejectionReason.HashMismatch.Summary(), tampered.GetProperty("summary").GetString());
        Assert.Equal("/web-1.1.0.tgz", versions[0].GetProperty("archive").GetString());
        Assert.Equal("/web-1.1.0.tgz.prov", versions[0].GetProperty("provenance").GetString());
        Assert.Equal(f.S.Trust.Alice.Fingerprint, versions[0].GetProperty("signer").GetProperty("fingerprint").GetString());
        Assert.Equal("chartseal pull charts/web --version 1.1.0", versions[0].GetProperty("chartsealPull").GetString());
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), ((await ServerFixture.ErrorOfAsync(missing)).Status, (await ServerFixture.ErrorOfAsync(missing)).Error));
        // The ChartMuseum API beside it is unchanged.
        var museum = JsonDocument.Parse(await f.S.Http.GetStringAsync("api/charts/web", Ct)).RootElement;
        Assert.Equal(3, museum.GetArrayLength());
    }

    [Fact]
    public async Task HostileMetadata_IsShownInertAndBounded()
    {
        await using var f = await PageFixture.StartAsync();

        foreach (string path in new[] { "/", "/charts/hostile", "/charts/" + Uri.EscapeDataString(PageFixture.HostileName), "/?q=evil" })
        {
            var (response, html) = await GetAsync(f.S, path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(html.Length < 300_000, $"{path}: {html.Length} characters");
            // Only the page's own markup: no script element, no event handler, no javascript: URL, no inline style.
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(@"<(?!img class=""icon"")img\b", html);
            Assert.DoesNotMatch(@"<[a-z][^>]*\son[a-z]+\s*=", html);
            Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
            // Bidi and zero-width characters never reach the page; they are shown for what they are.
            Assert.DoesNotContain('\u202E', html);
            Assert.DoesNotContain('\u200B', html);
            Assert.DoesNotContain('\u2066', html);
        }
        var (_, hostile) = await GetAsync(f.S, "/charts/hostile");
        Assert.Contains("&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;", hostile, StringComparison.Ordinal);
        Assert.Contains("[U+202E]esrever[U+202C] zero[U+200B]width", WebUtility.HtmlDecode(hostile), StringComparison.Ordinal);
        Assert.Matches(@"… \(\d+ more characters\)", hostile);
        Assert.DoesNotContain("class=\"icon\"", hostile, StringComparison.Ordinal);
        Assert.Equal("trusted", Assert.Single(PageFixture.Verdicts(hostile)).Value);
        var (_, evil) = await GetAsync(f.S, "/charts/" + Uri.EscapeDataString(PageFixture.HostileName));
        Assert.Contains("evil[U+202E]gnp.exe[U+200B]", WebUtility.HtmlDecode(evil), StringComparison.Ordinal);
        Assert.Equal("missing-archive", Assert.Single(PageFixture.Verdicts(evil)).Value);
        // No command to paste for a name a shell could misread.
        Assert.DoesNotContain("chartseal pull charts/", evil, StringComparison.Ordinal);
        Assert.DoesNotContain("helm pull", evil, StringComparison.Ordinal);

        string json = await f.S.Http.GetStringAsync("api/repository/charts/hostile", Ct);
        Assert.True(json.Length < 30_000, json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain("<", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", json, StringComparison.Ordinal);
        var chart = JsonDocument.Parse(json).RootElement;
        Assert.StartsWith(PageFixture.HostileScript, chart.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, chart.GetProperty("icon").ValueKind);
        Assert.Equal(JsonValueKind.Null, chart.GetProperty("home").ValueKind);
    }

    [Fact]
    public async Task IndexEntriesWhoseUrlNamesNoFile_AreMissingArchive_AndEverythingElseIsStillServed()
    {
        await using var f = await PageFixture.StartAsync();
        // A NUL (raw or escaped) and a file name longer than the file system allows: no file can have such a name.
        string[] urls = ["nul\0-1.0.0.tgz", "nul%00-2.0.0.tgz", new string('a', 300) + ".tgz"];
        await f.WriteIndexAsync(index =>
        {
            for (int i = 0; i < urls.Length; i++)
            {
                index.Add(new IndexEntry { Metadata = new ChartMetadata { ApiVersion = "v2", Name = "odd", Version = $"{i + 1}.0.0" }, Urls = [urls[i]], Digest = new string('0', 64) });
            }
        });

        var (page, html) = await GetAsync(f.S, "/");
        var (chart, odd) = await GetAsync(f.S, "/charts/odd");
        using var api = await f.S.Http.GetAsync("api/repository", Ct);
        using var download = await f.S.Http.GetAsync("web-1.1.0.tgz", Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (page.StatusCode, chart.StatusCode, api.StatusCode, download.StatusCode));
        Assert.Contains("href=\"/charts/odd\"", html, StringComparison.Ordinal);
        Assert.Equal(["missing-archive"], PageFixture.Verdicts(odd).Values.Distinct());
        Assert.Equal(3, PageFixture.Verdicts(odd).Count);
        Assert.Equal("trusted", PageFixture.Verdicts((await GetAsync(f.S, "/charts/web")).Body)["1.1.0"]);
    }

    [Fact]
    public async Task ChartNamesTooLongToLink_AreListedWithoutALink_SoThePageStaysSmall()
    {
        await using var f = await PageFixture.StartAsync();
        // Index entries written by hand: names of 20,000 characters (a link no server takes: the request line is limited).
        await f.WriteIndexAsync(index =>
        {
            for (int i = 0; i < 30; i++)
            {
                string name = $"{i:D2}" + new string('a', 20_000);
                index.Add(new IndexEntry { Metadata = new ChartMetadata { ApiVersion = "v2", Name = name, Version = "1.0.0" }, Urls = ["x.tgz"], Digest = new string('0', 64) });
            }
        });

        var (response, html) = await GetAsync(f.S, "/");
        string json = await f.S.Http.GetStringAsync("api/repository", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(html.Length < 300_000, $"the overview is {html.Length} characters");
        Assert.True(json.Length < 300_000, $"the JSON is {json.Length} characters");
        Assert.Contains("00aaaa", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/charts/00a", html, StringComparison.Ordinal);
        var items = JsonDocument.Parse(json).RootElement.GetProperty("charts").GetProperty("items").EnumerateArray().ToList();
        var tooLong = items.First(c => c.GetProperty("name").GetString()!.StartsWith("00a", StringComparison.Ordinal));
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (tooLong.GetProperty("page").ValueKind, tooLong.GetProperty("api").ValueKind));
        // Names that fit are linked as before.
        var (_, second) = await GetAsync(f.S, "/?page=2");
        Assert.Contains("href=\"/charts/web\"", second, StringComparison.Ordinal);
        Assert.Equal("/api/repository/charts/web", items.First(c => c.GetProperty("name").GetString() == "web").GetProperty("api").GetString());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/charts/web")]
    [InlineData("/charts/nope")]
    public async Task Pages_CarryAStrictContentSecurityPolicyAndNoScript(string path)
    {
        await using var f = await PageFixture.StartAsync();

        var (response, html) = await GetAsync(f.S, path);

        Assert.Equal(path == "/charts/nope" ? HttpStatusCode.NotFound : HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("default-src 'none'; style-src 'self'; img-src https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.StartsWith("<!doctype html>\n<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        using var css = await f.S.Http.GetAsync("static/page.css", Ct);
        Assert.Equal("text/css; charset=utf-8", css.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Tables_HaveHeadersAndTheSearchFieldALabel()
    {
        await using var f = await PageFixture.StartAsync();

        var (_, overview) = await GetAsync(f.S, "/");
        var (_, chart) = await GetAsync(f.S, "/charts/web");

        Assert.Contains("<label for=\"q\">", overview, StringComparison.Ordinal);
        Assert.Contains("<input id=\"q\" name=\"q\" type=\"search\"", overview, StringComparison.Ordinal);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(overview, "<thead><tr><th scope=\"col\">"));
        Assert.Contains("<th scope=\"row\" data-label=\"Version\">1.1.0</th>", chart, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(chart, "<h1>"));
    }

    [Fact]
    public async Task SearchAndPaging_AreDoneOnTheServer()
    {
        await using var f = await PageFixture.StartAsync();
        for (int i = 0; i < 30; i++)
        {
            f.Put($"app-{i:D2}", "1.0.0", f.S.Trust.Alice, description: i == 7 ? "the needle" : "hay");
        }
        for (int i = 0; i < PageLimits.VersionsPerPage + 5; i++)
        {
            f.Put("many", $"1.{i}.0", f.S.Trust.Alice);
        }
        await f.WriteIndexAsync();

        var (_, first) = await GetAsync(f.S, "/");
        var (_, second) = await GetAsync(f.S, "/?page=2");
        var (_, search) = await GetAsync(f.S, "/?q=APP-1");
        var (_, needle) = await GetAsync(f.S, "/?q=needle");
        var (_, none) = await GetAsync(f.S, "/?q=%3Cb%3Ezzz");
        var (_, many1) = await GetAsync(f.S, "/charts/many");
        var (_, many2) = await GetAsync(f.S, "/charts/many?page=2");

        // 36 charts (the folder indexed again: the fixture's hand-written entry is gone): 25 on the first page, 11 on the second.
        Assert.Equal(PageLimits.ChartsPerPage, ChartLinks(first).Count);
        Assert.Equal(36 - PageLimits.ChartsPerPage, ChartLinks(second).Count);
        Assert.Contains("href=\"/?page=2\"", first, StringComparison.Ordinal);
        Assert.Contains("Page 2 of 2", second, StringComparison.Ordinal);
        Assert.Equal(["app-00", "app-01"], ChartLinks(first).Take(2));
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"app-{i}"), ChartLinks(search));
        Assert.Contains("value=\"APP-1\"", search, StringComparison.Ordinal);
        Assert.Equal(["app-07"], ChartLinks(needle));
        // The count line agrees in number: "10 of 36 charts match", "1 of 36 charts matches".
        Assert.Contains("10 of 36 charts match “APP-1”", search, StringComparison.Ordinal);
        Assert.Contains("1 of 36 charts matches “needle”", needle, StringComparison.Ordinal);
        Assert.Contains("No chart matches “&lt;b&gt;zzz”.", none, StringComparison.Ordinal);
        Assert.Equal(PageLimits.VersionsPerPage, PageFixture.Verdicts(many1).Count);
        Assert.Equal(5, PageFixture.Verdicts(many2).Count);
        Assert.All(PageFixture.Verdicts(many1).Values.Concat(PageFixture.Verdicts(many2).Values), v => Assert.Equal("trusted", v));
        Assert.Contains("href=\"/charts/many?page=2\"", many1, StringComparison.Ordinal);
        // The JSON pages the same way.
        var json = JsonDocument.Parse(await f.S.Http.GetStringAsync("api/repository?q=app-1", Ct)).RootElement.GetProperty("charts");
        Assert.Equal((10, 1), (json.GetProperty("total").GetInt32(), json.GetProperty("pages").GetInt32()));
    }

    [Fact]
    public async Task Page_FollowsTrustRevokeAndUploads_WithoutRestart_JudgingOnlyWhatChanged()
    {
        await using var f = await PageFixture.StartAsync(revokeBob: false);
        Assert.Equal("trusted", Assert.Single(PageFixture.Verdicts((await GetAsync(f.S, "/charts/legacy")).Body)).Value);
        long judged = f.S.Server.PageReports.Judged;
        Assert.Equal(8, judged);

        // Views of an unchanged repository judge nothing again.
        await GetAsync(f.S, "/");
        await GetAsync(f.S, "/charts/web");
        await f.S.Http.GetStringAsync("api/repository", Ct);
        Assert.Equal(judged, f.S.Server.PageReports.Judged);

        // One upload: one more version judged, not all of them.
        using (var upload = await f.S.UploadAsync(f.S.Chart("fresh", "1.0.0", f.S.Trust.Alice)))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }
        Assert.Equal("trusted", Assert.Single(PageFixture.Verdicts((await GetAsync(f.S, "/charts/fresh")).Body)).Value);
        Assert.Equal(judged + 1, f.S.Server.PageReports.Judged);

        // chartseal trust revoke beside the running server: the next view shows it.
        await f.RevokeBobAsync();
        Assert.Equal("signer-revoked", Assert.Single(PageFixture.Verdicts((await GetAsync(f.S, "/charts/legacy")).Body)).Value);
        Assert.Contains(f.S.Trust.Bob.Fingerprint, Section((await GetAsync(f.S, "/")).Body, "revoked"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstViewOfALargeRepository_VisitorGivesUp_TheJudgingIsFinishedAnyway_NotStartedOverByTheNext()
    {
        await using var f = await PageFixture.StartAsync(revokeBob: false);
        for (int i = 0; i < 1000; i++)
        {
            f.Put("many", $"1.0.{i}", f.S.Trust.Alice);
        }
        await f.WriteIndexAsync();
        int versions = (await ChartIndex.LoadAsync(Path.Combine(f.S.Repo, ChartIndex.FileName))).Entries.Values.Sum(v => v.Count);

        // A visitor (or a proxy's timeout) gives up while the first report is being judged.
        using (var tcp = new System.Net.Sockets.TcpClient())
        {
            await tcp.ConnectAsync(f.S.Server.Address.Host, f.S.Server.Address.Port, Ct);
            await tcp.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), Ct);
            await Task.Delay(100, Ct);
        }

        // The judging goes on without it: a repository that takes longer to judge than a proxy waits still gets its page.
        for (int i = 0; i < 600 && f.S.Server.PageReports.Judged < versions; i++)
        {
            await Task.Delay(50, Ct);
        }
        Assert.Equal(versions, f.S.Server.PageReports.Judged);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(f.S, "/")).Response.StatusCode);
        Assert.Equal(versions, f.S.Server.PageReports.Judged);
    }

    [Fact]
    public async Task AProvReplacedWithoutAnIndexChange_ShowsAfterTheRecheck_JudgingOnlyThatVersion()
    {
        await using var f = await PageFixture.StartAsync();
        Assert.Equal("signer-revoked", Assert.Single(PageFixture.Verdicts((await GetAsync(f.S, "/charts/legacy")).Body)).Value);
        long judged = f.S.Server.PageReports.Judged;

        // Re-signed by Alice, as publish --resign-only from another process does it: index.yaml does not change.
        byte[] archive = await File.ReadAllBytesAsync(Path.Combine(f.S.Repo, "legacy-2.0.0.tgz"), Ct);
        await File.WriteAllBytesAsync(Path.Combine(f.S.Repo, "legacy-2.0.0.tgz.prov"), f.S.Trust.Alice.Sign(archive, "legacy-2.0.0.tgz", f.Now), Ct);
        f.S.Clock.Now += PageReports.RecheckAfter;
        string verdict = "";
        // The first view is answered from the held report and starts the recheck in the background.
        for (int i = 0; i < 200 && verdict != "trusted"; i++)
        {
            verdict = Assert.Single(PageFixture.Verdicts((await GetAsync(f.S, "/charts/legacy")).Body)).Value;
            await Task.Delay(i == 0 ? 0 : 50, Ct);
        }

        Assert.Equal("trusted", verdict);
        Assert.Equal(judged + 1, f.S.Server.PageReports.Judged);
    }

    [Fact]
    public async Task TrustExpiry_WarnedWellBefore_AndEveryVersionRefusedAfter()
    {
        await using var f = await PageFixture.StartAsync();

        f.S.Clock.Now = f.Now.AddDays(65);
        var (_, soon) = await GetAsync(f.S, "/");
        var soonJson = JsonDocument.Parse(await f.S.Http.GetStringAsync("api/repository", Ct)).RootElement.GetProperty("trust");
        f.S.Clock.Now = f.Now.AddDays(30);
        var (_, expired) = await GetAsync(f.S, "/");
        var (_, web) = await GetAsync(f.S, "/charts/web");

        Assert.Contains("<div class=\"banner warn\" role=\"status\"><strong>The trust material expires in 25 days", soon, StringComparison.Ordinal);
        Assert.True(soonJson.GetProperty("expiresSoon").GetBoolean());
        Assert.Contains("<div class=\"banner bad\" role=\"alert\"><strong>The trust material has expired", expired, StringComparison.Ordinal);
        Assert.Contains("trust-expired (CSL2005)", expired, StringComparison.Ordinal);
        Assert.All(PageFixture.Verdicts(web).Values, v => Assert.Equal("trust-expired", v));
        // The expired material is still described for what it was.
        Assert.Contains("<dt>Trust manifest</dt><dd>version 3,", expired, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContextPath_ThePageAndEveryLinkLiveBelowIt()
    {
        await using var f = await PageFixture.StartAsync(configure: o => o with { ContextPath = "/helm" });

        var (response, html) = await GetAsync(f.S, "/");
        var (_, chart) = await GetAsync(f.S, "charts/web");
        using var outside = await f.S.Http.GetAsync(new Uri(f.S.Server.Address, "/charts/web"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("href=\"/helm/charts/web\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/helm/static/page.css?v=", html, StringComparison.Ordinal);
        Assert.Contains($"chartseal repo add charts {f.S.Url}/ --root-fingerprint", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/helm/web-1.1.0.tgz\"", chart, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
    }

    [Fact]
    public async Task EmptyRepository_AndNoTrustMaterial_ThePageSaysSo()
    {
        await using var s = await ServerFixture.StartAsync();
        var (_, empty) = await GetAsync(s, "/");
        Assert.Contains("No charts yet.", empty, StringComparison.Ordinal);
        Assert.Contains("--root-fingerprint " + s.Trust.Root.Fingerprint, empty, StringComparison.Ordinal);

        await using var bare = await ServerFixture.StartAsync(pinRoot: false);
        foreach (string name in new[] { "trust.yaml.asc", "pubkeys.pgp", "revoked.pgp", "root.pgp" })
        {
            File.Delete(Path.Combine(bare.Repo, name));
        }
        var (response, html) = await GetAsync(bare, "/");
        var json = JsonDocument.Parse(await bare.Http.GetStringAsync("api/repository", Ct)).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<div class=\"banner bad\" role=\"alert\"><strong>No trust material</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("chartseal repo add", html, StringComparison.Ordinal);
        Assert.False(json.GetProperty("trust").GetProperty("accepted").GetBoolean());
        Assert.Equal("trust-unsigned", json.GetProperty("trust").GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("root").ValueKind);
    }

    [Fact]
    public async Task ChartsButNoTrustMaterial_ThePageSaysTheChartsCannotBeVerified_NotThatThereAreNone()
    {
        // Without trust material there is no report: the overview said "No charts yet." and every chart's page "no chart
        // named ...", although index.yaml listed them.
        await using var bare = await ServerFixture.StartAsync(pinRoot: false);
        foreach (string name in new[] { "trust.yaml.asc", "pubkeys.pgp", "revoked.pgp", "root.pgp" })
        {
            File.Delete(Path.Combine(bare.Repo, name));
        }
        foreach (string version in new[] { "1.0.0", "1.1.0" })
        {
            var chart = bare.Chart("web", version, bare.Trust.Alice);
            File.WriteAllBytes(Path.Combine(bare.Repo, chart.FileName), chart.Archive);
            File.WriteAllBytes(Path.Combine(bare.Repo, chart.FileName + ".prov"), chart.Provenance!);
        }
        var (index, _) = await RepositoryIndexer.IndexDirectoryAsync(bare.Repo, null, null, DateTimeOffset.UtcNow);
        await index.WriteAsync(Path.Combine(bare.Repo, ChartIndex.FileName));

        var (_, overview) = await GetAsync(bare, "/");
        var (chartStatus, chartPage) = await GetAsync(bare, "/charts/web");
        var (otherStatus, otherPage) = await GetAsync(bare, "/charts/nope");

        Assert.DoesNotContain("No charts yet.", overview, StringComparison.Ordinal);
        Assert.Contains("index.yaml lists 1 chart, 2 versions, but none can be verified until this repository publishes its trust material.", overview, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, chartStatus.StatusCode);
        Assert.Contains("index.yaml lists the chart “web”, but no version of it can be verified until this repository publishes its trust material.", chartPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, otherStatus.StatusCode);
        Assert.Contains("This repository has no chart named “nope”.", otherPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreadableIndex_ThePageAndItsJsonSayWhy_WithoutTheServersOwnPaths()
    {
        await using var s = await ServerFixture.StartAsync();
        File.WriteAllText(Path.Combine(s.Repo, ChartIndex.FileName), "apiVersion: v1\nentries: [unclosed\n");

        var (response, html) = await GetAsync(s, "/");
        using var api = await s.Http.GetAsync("api/repository", Ct);
        string json = await api.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Contains("index.yaml", html, StringComparison.Ordinal);
        Assert.Contains("index.yaml", json, StringComparison.Ordinal);
        Assert.DoesNotContain(s.Repo, html, StringComparison.Ordinal);
        Assert.DoesNotContain(s.Repo, json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_AnswersWithoutABody()
    {
        await using var f = await PageFixture.StartAsync();
        using var head = await f.S.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "charts/web"), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.True(head.Content.Headers.ContentLength > 0);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
    }

    private static List<string> ChartLinks(string html) =>
        System.Text.RegularExpressions.Regex.Matches(Section(html, "charts"), "<a href=\"/charts/([^\"?]+)\">").Select(m => Uri.UnescapeDataString(m.Groups[1].Value)).ToList();

    // The <section> whose heading has this id.
    private static string Section(string html, string id)
    {
        int start = html.IndexOf($"<section aria-labelledby=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }
}

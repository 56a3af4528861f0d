using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chartseal.Repository;
using Chartseal.Charts;

namespace Chartseal.Server.Tests;

/// <summary>The open read side: index.yaml (ETag, gzip), files, the JSON API, and what is never served.</summary>
public sealed class ReadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Index_EmptyRepository_ServesAnEmptyIndex()
    {
        await using var s = await ServerFixture.StartAsync();
        var index = ChartIndex.Load(await s.Http.GetStreamAsync("/index.yaml", Ct), "index.yaml");
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public async Task Index_IfNoneMatchWithItsETag_304UntilTheIndexChanges()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        using var first = await s.Http.GetAsync("/index.yaml", Ct);
        var etag = first.Headers.ETag!;

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/index.yaml") { Headers = { IfNoneMatch = { etag } } };
        using var notModified = await s.Http.SendAsync(revalidate, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        (await s.UploadAsync(s.Chart("redis", "1.0.0", s.Trust.Bob))).Dispose();
        using var again = new HttpRequestMessage(HttpMethod.Get, "/index.yaml") { Headers = { IfNoneMatch = { etag } } };
        using var changed = await s.Http.SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Contains("redis", await changed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_ClientAcceptsGzip_GetsTheSameIndexCompressed()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        byte[] plain = await s.Http.GetByteArrayAsync("/index.yaml", Ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/index.yaml") { Headers = { AcceptEncoding = { new StringWithQualityHeaderValue("gzip") } } };

        using var response = await s.Http.SendAsync(request, Ct);

        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(Ct), CompressionMode.Decompress);
        using var decompressed = new MemoryStream();
        await gzip.CopyToAsync(decompressed, Ct);
        Assert.Equal(plain, decompressed.ToArray());
        Assert.Equal(plain, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "index.yaml"), Ct));
    }

    [Fact]
    public async Task Index_ChangedOnDiskByAnotherWriter_IsServedFresh()
    {
        await using var s = await ServerFixture.StartAsync();
        _ = await s.Http.GetStringAsync("/index.yaml", Ct);
        var index = new ChartIndex { Generated = "2026-01-01T00:00:00Z" };
        index.Add(RepositoryIndexer.EntryFor(s.Chart("cli", "9.9.9", null).Archive, "cli-9.9.9.tgz", null, "2026-01-01T00:00:00Z"));
        await index.WriteAsync(Path.Combine(s.Repo, "index.yaml"), Ct);

        Assert.Contains("cli-9.9.9.tgz", await s.Http.GetStringAsync("/index.yaml", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotations_AfterARootRotation_IsServedAsItIsOnDisk()
    {
        await using var s = await ServerFixture.StartAsync();
        using (var before = await s.Http.GetAsync("/" + Chartseal.Trust.TrustFiles.RotationsName, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }
        var newRoot = new Chartseal.Tests.Trust.TestKey("New Root <root2@example.com>", Chartseal.Tests.Trust.TrustFixture.T0);
        await Chartseal.Repository.TrustRepository.RotateRootAsync(s.Repo, s.Trust.Root.RootSigner(ServerFixture.Now), newRoot.RootSigner(ServerFixture.Now),
            Chartseal.Tests.Trust.TrustFixture.Validity, ServerFixture.Now, Ct);

        byte[] served = await s.Http.GetByteArrayAsync("/" + Chartseal.Trust.TrustFiles.RotationsName, Ct);

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(s.Repo, Chartseal.Trust.TrustFiles.RotationsName), Ct), served);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(s.Repo, Chartseal.Trust.TrustFiles.ManifestName), Ct), served);
    }

    [Fact]
    public async Task TrustMaterial_IsServedAsItIsOnDisk()
    {
        await using var s = await ServerFixture.StartAsync();
        foreach (string name in new[] { "trust.yaml.asc", "pubkeys.pgp", "revoked.pgp", "root.pgp" })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(s.Repo, name), Ct), await s.Http.GetByteArrayAsync("/" + name, Ct));
        }
    }

    // A manifest renewed right after a change has the same size; with a tag made of the size and the time to the second, a
    // cache revalidating it was told 304 and kept the older manifest.
    [Fact]
    public async Task TrustManifest_RenewedWithinTheSameSecond_ACacheRevalidatingItGetsTheNewOne_Not304()
    {
        await using var s = await ServerFixture.StartAsync();
        string path = Path.Combine(s.Repo, Chartseal.Trust.TrustFiles.ManifestName);
        DateTime second = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, second.AddMilliseconds(100));
        using var first = await s.Http.GetAsync("/" + Chartseal.Trust.TrustFiles.ManifestName, Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        long size = new FileInfo(path).Length;

        await TrustRepository.RenewAsync(s.Repo, s.Trust.Root.RootSigner(ServerFixture.Now), Chartseal.Tests.Trust.TrustFixture.Validity, ServerFixture.Now.AddDays(1), Ct);
        Assert.Equal(size, new FileInfo(path).Length);
        File.SetLastWriteTimeUtc(path, second.AddMilliseconds(900));

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/" + Chartseal.Trust.TrustFiles.ManifestName);
        revalidate.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        revalidate.Headers.IfModifiedSince = first.Content.Headers.LastModified ?? second;
        using var response = await s.Http.SendAsync(revalidate, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(path, Ct), await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.True(response.Headers.CacheControl?.NoCache == true);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());

        // Unchanged, it is revalidated with a 304; the keys keep their media type.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/" + Chartseal.Trust.TrustFiles.ManifestName);
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await s.Http.SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        using var keys = await s.Http.GetAsync("/" + Chartseal.Trust.TrustFiles.PublicKeysName, Ct);
        Assert.Equal("application/pgp-keys", keys.Content.Headers.ContentType?.MediaType);
    }

    // Hashing is bounded: a trust file over CurrentStateFile.MaxHashedLength is served as any static file (size-and-time
    // validators), still never cached without revalidation.
    [Fact]
    public async Task TrustFile_LargerThanTheHashedLimit_ServedWholeByTheStaticFiles_NoCache()
    {
        await using var s = await ServerFixture.StartAsync();
        byte[] large = new byte[CurrentStateFile.MaxHashedLength + 1];
        Random.Shared.NextBytes(large);
        await File.WriteAllBytesAsync(Path.Combine(s.Repo, Chartseal.Trust.TrustFiles.PublicKeysName), large, Ct);

        using var response = await s.Http.GetAsync("/" + Chartseal.Trust.TrustFiles.PublicKeysName, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(large, await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.True(response.Headers.CacheControl?.NoCache == true);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    // A trust file's validators are its content's hash; the other forms of If-None-Match a cache may send still work as
    // they did with the static files: a weak tag, a list, and "*" (any version of a file that exists: 304).
    [Theory]
    [InlineData("*")]
    [InlineData("W/{0}")]
    [InlineData("\"0123\", {0}")]
    public async Task TrustFile_IfNoneMatchStarWeakOrList_304(string header)
    {
        await using var s = await ServerFixture.StartAsync();
        string name = "/" + Chartseal.Trust.TrustFiles.ManifestName;
        using var first = await s.Http.GetAsync(name, Ct);
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, name);
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", string.Format(System.Globalization.CultureInfo.InvariantCulture, header, first.Headers.ETag!.Tag));

        using var response = await s.Http.SendAsync(revalidate, Ct);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(first.Headers.ETag, response.Headers.ETag);
    }

    [Theory]
    [InlineData("/.chartseal.lock")]
    [InlineData("/.mysql-1.2.3.tgz.0123.tmp")]
    [InlineData("/secrets.txt")]
    [InlineData("/../state/x.json")]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/root.sec.asc")]
    [InlineData("/.secret/root.sec.asc")]
    [InlineData("/sub/mysql-1.2.3.tgz")]
    public async Task NonRepositoryFiles_AreNeverServed(string path)
    {
        await using var s = await ServerFixture.StartAsync();
        // A secret key generated in the served folder by mistake, and files in sub-folders.
        await File.WriteAllTextAsync(Path.Combine(s.Repo, "root.sec.asc"), "-----BEGIN PGP PRIVATE KEY BLOCK-----", Ct);
        Directory.CreateDirectory(Path.Combine(s.Repo, ".secret"));
        await File.WriteAllTextAsync(Path.Combine(s.Repo, ".secret", "root.sec.asc"), "secret", Ct);
        Directory.CreateDirectory(Path.Combine(s.Repo, "sub"));
        await File.WriteAllTextAsync(Path.Combine(s.Repo, "sub", "mysql-1.2.3.tgz"), "x", Ct);
        await File.WriteAllTextAsync(Path.Combine(s.Repo, ".chartseal.lock"), "", Ct);
        await File.WriteAllTextAsync(Path.Combine(s.Repo, ".mysql-1.2.3.tgz.0123.tmp"), "half", Ct);
        await File.WriteAllTextAsync(Path.Combine(s.Repo, "secrets.txt"), "no", Ct);
        using var response = await s.Http.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not-found", (await ServerFixture.ErrorOfAsync(response)).Error);
    }

    [Theory]
    [InlineData("GET", "/nope-1.0.0.tgz")]
    [InlineData("GET", "/nope-1.0.0.tgz.prov")]
    [InlineData("HEAD", "/nope-1.0.0.tgz")]
    [InlineData("GET", "/api/charts/nope/1.0.0")]
    [InlineData("GET", "/no/such/page")]
    public async Task UnknownFilesAndRoutes_404Json(string method, string path)
    {
        await using var s = await ServerFixture.StartAsync();
        using var response = await s.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        if (method == "GET")
        {
            Assert.Equal("not-found", (await ServerFixture.ErrorOfAsync(response)).Error);
        }
    }

    [Theory]
    [InlineData("PUT", "/api/charts")]
    [InlineData("POST", "/index.yaml")]
    [InlineData("PATCH", "/api/charts/mysql/1.2.3")]
    public async Task WrongMethodOnAKnownRoute_405Json(string method, string path)
    {
        await using var s = await ServerFixture.StartAsync();
        using var response = await s.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent([1]) }, Ct);
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method-not-allowed"), ((await ServerFixture.ErrorOfAsync(response)).Status, (await ServerFixture.ErrorOfAsync(response)).Error));
    }

    [Fact]
    public async Task SymbolicLink_IsNeverFollowed()
    {
        await using var s = await ServerFixture.StartAsync();
        string outside = s.Trust.Temp.File("outside.txt");
        await File.WriteAllTextAsync(outside, "not part of the repository", Ct);
        File.CreateSymbolicLink(Path.Combine(s.Repo, "evil-1.0.0.tgz"), outside);

        using var response = await s.Http.GetAsync("/evil-1.0.0.tgz", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Api_ListsChartsAndVersionsAsJson()
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        (await s.UploadAsync(s.Chart("mysql", "1.3.0", s.Trust.Alice))).Dispose();

        using var all = JsonDocument.Parse(await s.Http.GetStringAsync("/api/charts", Ct));
        using var versions = JsonDocument.Parse(await s.Http.GetStringAsync("/api/charts/mysql", Ct));
        using var latest = JsonDocument.Parse(await s.Http.GetStringAsync("/api/charts/mysql/latest", Ct));
        using var missing = await s.Http.GetAsync("/api/charts/nope", Ct);

        Assert.Equal(2, all.RootElement.GetProperty("mysql").GetArrayLength());
        Assert.Equal(["1.3.0", "1.2.3"], versions.RootElement.EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        Assert.Equal("1.3.0", latest.RootElement.GetProperty("version").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Health_IsOk()
    {
        await using var s = await ServerFixture.StartAsync();
        using var health = JsonDocument.Parse(await s.Http.GetStringAsync("/health", Ct));
        Assert.True(health.RootElement.GetProperty("healthy").GetBoolean());
    }
}

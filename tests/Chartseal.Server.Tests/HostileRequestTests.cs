using System.Net.Sockets;
using System.Text;

namespace Chartseal.Server.Tests;

/// <summary>
/// Requests no HTTP client library would send (repeated slashes, broken chunked bodies), written byte for byte to a real
/// server: each gets a one-line JSON refusal, never a file the allow-list keeps back, never a 500.
/// </summary>
public sealed class HostileRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Sends the request as written and reads the answer until the server closes the connection.
    private static async Task<(int Status, string Response)> RawAsync(ServerFixture s, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(s.Server.Address.Host, s.Server.Address.Port, Ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string response = await reader.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        return (int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture), response);
    }

    [Theory]
    [InlineData("GET", "//other-1.0.0.tgz")]
    [InlineData("HEAD", "//other-1.0.0.tgz")]
    [InlineData("GET", "//other-1.0.0.tgz.prov")]
    [InlineData("GET", "///other-1.0.0.tgz")]
    public async Task ArchiveTheIndexDoesNotList_IsNotServedThroughRepeatedSlashes(string method, string path)
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        await File.WriteAllTextAsync(Path.Combine(s.Repo, "other-1.0.0.tgz"), "secret", Ct);
        await File.WriteAllTextAsync(Path.Combine(s.Repo, "other-1.0.0.tgz.prov"), "secret", Ct);

        var (status, response) = await RawAsync(s, $"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.Equal(404, status);
        Assert.DoesNotContain("secret", response, StringComparison.Ordinal);
    }

    // Error answers echo the path asked for: like the pages, no answer may be sniffed into a page or run anything.
    [Theory]
    [InlineData("GET", "/helm/nope%3Cscript%3E")]
    [InlineData("GET", "/outside%3Cscript%3E")]
    [InlineData("GET", "/helm/api/repository/charts/%3Cscript%3E")]
    [InlineData("GET", "/helm/api/charts/%3Cscript%3E")]
    [InlineData("DELETE", "/helm/index.yaml")]
    [InlineData("GET", "/helm/index.yaml")]
    [InlineData("GET", "/helm/pubkeys.pgp")]
    public async Task EveryAnswer_ErrorsIncluded_IsNeverSniffedAndAllowsNoContent(string method, string path)
    {
        await using var s = await ServerFixture.StartAsync(o => o with { ContextPath = "/helm" });

        var (_, response) = await RawAsync(s, $"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        string headers = response[..response.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.Contains("\r\nX-Content-Type-Options: nosniff\r\n", headers, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n", headers, StringComparison.Ordinal);
    }

    // ChartMuseum's download path /charts/NAME-VERSION.tgz(.prov) serves only what the index lists, by its plain name.
    [Theory]
    [InlineData("GET", "/charts/other-1.0.0.tgz")]
    [InlineData("HEAD", "/charts/other-1.0.0.tgz")]
    [InlineData("GET", "/charts/other-1.0.0.tgz.prov")]
    [InlineData("GET", "/charts/./other-1.0.0.tgz")]
    [InlineData("GET", "/charts/mysql/../other-1.0.0.tgz")]
    [InlineData("GET", "/charts/%2e%2e/other-1.0.0.tgz")]
    [InlineData("GET", "/charts/..%2Fother-1.0.0.tgz")]
    [InlineData("GET", "/charts/mysql-1.2.3.tgz%2F..%2Fother-1.0.0.tgz")]
    [InlineData("GET", "/charts/..%5Cother-1.0.0.tgz")]
    [InlineData("GET", "/charts/%2Fother-1.0.0.tgz")]
    [InlineData("GET", "/charts//other-1.0.0.tgz")]
    [InlineData("GET", "/charts/mysql-1.2.3.tgz/other-1.0.0.tgz")]
    [InlineData("GET", "/charts/other-1.0.0.tgz%00")]
    [InlineData("GET", "/charts/other-1.0.0.tgz%00.prov")]
    [InlineData("GET", "/charts/.hidden-1.0.0.tgz")]
    [InlineData("GET", "/charts/.deleted-versions.json")]
    [InlineData("GET", "/charts/secret.txt")]
    [InlineData("GET", "/charts/pubkeys.pgp")]
    [InlineData("GET", "/charts/trust.yaml.asc")]
    [InlineData("GET", "/charts/index.yaml")]
    [InlineData("GET", "/charts/MYSQL-1.2.3.tgz")]
    [InlineData("GET", "/charts/mysql-1.2.3.tgz.prov.prov")]
    [InlineData("HEAD", "/charts/..%2F..%2Fetc%2Fpasswd")]
    public async Task ChartMuseumDownloadPath_ServesNothingTheIndexDoesNotListByThatName(string method, string path)
    {
        await using var s = await ServerFixture.StartAsync();
        (await s.UploadAsync(s.Chart("mysql", "1.2.3", s.Trust.Alice))).Dispose();
        foreach (string file in new[] { "other-1.0.0.tgz", "other-1.0.0.tgz.prov", ".hidden-1.0.0.tgz", "secret.txt" })
        {
            await File.WriteAllTextAsync(Path.Combine(s.Repo, file), "unlisted-file-content", Ct);
        }

        var (status, response) = await RawAsync(s, $"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        // A chart page's 404 (or Kestrel's 400 for a NUL in the path), never a file.
        Assert.True(status is 404 or 400, response);
        Assert.DoesNotContain("unlisted-file-content", response, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN PGP", response, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nContent-Type: application/gzip", response, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nContent-Type: application/pgp", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArchiveTheIndexDoesNotList_IsNotServedThroughRepeatedSlashesUnderAContextPath()
    {
        await using var s = await ServerFixture.StartAsync(o => o with { ContextPath = "/charts" });
        await File.WriteAllTextAsync(Path.Combine(s.Repo, "other-1.0.0.tgz"), "secret", Ct);

        var (status, response) = await RawAsync(s, "GET /charts//other-1.0.0.tgz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.Equal(404, status);
        Assert.DoesNotContain("secret", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/charts")]
    [InlineData("/api/prov")]
    public async Task RawBodyWithABrokenChunkedEncoding_400MalformedNot500(string path)
    {
        await using var s = await ServerFixture.StartAsync();
        string[] before = s.AllNames();

        var (status, response) = await RawAsync(s, $"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ServerFixture.Token}\r\n"
            + "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n");

        Assert.Equal(400, status);
        Assert.Contains("{\"error\":\"malformed\",\"message\":\"unreadable request body: ", response, StringComparison.Ordinal);
        Assert.Equal(before, s.AllNames());
    }

    [Theory]
    [InlineData("/api/charts")]
    [InlineData("/api/prov")]
    public async Task MultipartDeclaredButTheBodyHasNoSuchBoundary_400MalformedNot500(string path)
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        string[] before = s.AllNames();
        using var content = new ByteArrayContent(path == "/api/prov" ? chart.Provenance! : chart.Archive);
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=abc");
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = content };
        request.Headers.Authorization = ServerFixture.Bearer;

        using var response = await s.Http.SendAsync(request, Ct);

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "malformed"), (status, error));
        Assert.StartsWith("unreadable multipart body: ", message, StringComparison.Ordinal);
        Assert.Equal(before, s.AllNames());
    }

    [Theory]
    [InlineData("multipart/form-datax; boundary=abc")]
    [InlineData("multipart/form-data-archive")]
    public async Task ContentTypeThatOnlyStartsLikeMultipart_IsTheRawArchiveNot500(string contentType)
    {
        await using var s = await ServerFixture.StartAsync();
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using var content = new ByteArrayContent(chart.Archive);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/charts") { Content = content };
        request.Headers.Authorization = ServerFixture.Bearer;

        using var response = await s.Http.SendAsync(request, Ct);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("mysql-1.2.3.tgz", (await ServerFixture.JsonOfAsync(response)).GetProperty("held").GetString());
    }
}

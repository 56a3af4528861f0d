using System.Diagnostics;
using System.Text.Json;

namespace Chartseal.Server.Tests;

/// <summary>The real curl, as ChartMuseum users' scripts call it: raw bodies (--data-binary), multipart (-F), Basic auth (-u).</summary>
public sealed class CurlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record CurlResult(int ExitCode, int Status, JsonElement Body, string StdErr);

    // curl ARGS; the body and the status code come back separately (-o and -w).
    private static CurlResult Curl(string workDir, params string[] args)
    {
        string bodyFile = Path.Combine(workDir, "curl-body-" + Guid.NewGuid().ToString("N")[..6]);
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDir };
        foreach (string a in (string[])["-sS", "-o", bodyFile, "-w", "%{http_code}", .. args])
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "curl did not finish");
        var body = File.Exists(bodyFile) && new FileInfo(bodyFile).Length > 0 ? JsonDocument.Parse(File.ReadAllText(bodyFile)).RootElement.Clone() : default;
        return new CurlResult(process.ExitCode, int.Parse(stdout, System.Globalization.CultureInfo.InvariantCulture), body, stderr);
    }

    private static async Task<(ServerFixture Server, SignedChart Chart, string Dir)> StartAsync(string contextPath = "")
    {
        var users = await BasicAuthUsers.LoadAsync("ci", "s3cret", null, Ct);
        var s = await ServerFixture.StartAsync(o => o with { BasicAuth = users, ContextPath = contextPath });
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        string dir = s.Trust.Temp.File("curl");
        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, chart.FileName), chart.Archive, Ct);
        await File.WriteAllBytesAsync(Path.Combine(dir, chart.FileName + ".prov"), chart.Provenance!, Ct);
        return (s, chart, dir);
    }

    [Fact]
    public async Task DataBinaryChartThenProv_WithUserAndPassword_Publishes()
    {
        var (s, chart, dir) = await StartAsync();
        await using var _ = s;

        var first = Curl(dir, "--fail", "-u", "ci:s3cret", "--data-binary", "@mysql-1.2.3.tgz", s.Url + "/api/charts");
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Equal(202, first.Status);
        Assert.Equal("prov", first.Body.GetProperty("waitingFor").GetString());
        Assert.Empty(s.RepositoryFiles());

        var second = Curl(dir, "--fail", "-u", "ci:s3cret", "--data-binary", "@mysql-1.2.3.tgz.prov", s.Url + "/api/prov");
        Assert.True(second.ExitCode == 0, second.StdErr);
        Assert.Equal(201, second.Status);
        Assert.Equal(s.Trust.Alice.Fingerprint, second.Body.GetProperty("signer").GetString());
        Assert.Equal(chart.Archive, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz", Ct));
    }

    [Fact]
    public async Task WrongPassword_CurlFailsWithTheJsonErrorAndNothingIsWritten()
    {
        var (s, _, dir) = await StartAsync();
        await using var _ = s;

        var result = Curl(dir, "--fail-with-body", "-u", "ci:guess", "--data-binary", "@mysql-1.2.3.tgz", s.Url + "/api/charts");

        Assert.Equal(22, result.ExitCode);
        Assert.Equal(401, result.Status);
        Assert.Equal("unauthorized", result.Body.GetProperty("error").GetString());
        // Had it been held, this .prov would complete it.
        var prov = Curl(dir, "-u", "ci:s3cret", "--data-binary", "@mysql-1.2.3.tgz.prov", s.Url + "/api/prov");
        Assert.Equal(202, prov.Status);
        Assert.Empty(s.RepositoryFiles());
    }

    [Fact]
    public async Task MultipartUnderAContextPath_WithUserAndPassword_Publishes()
    {
        var (s, chart, dir) = await StartAsync("/charts");
        await using var _ = s;

        var result = Curl(dir, "--fail", "-u", "ci:s3cret", "-F", "chart=@mysql-1.2.3.tgz", "-F", "prov=@mysql-1.2.3.tgz.prov", s.Url + "/api/charts");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(201, result.Status);
        Assert.Equal(chart.Provenance, await s.Http.GetByteArrayAsync("mysql-1.2.3.tgz.prov", Ct));
    }
}

using System.Net;
using Chartseal.Tests.Support;

namespace Chartseal.Server.Tests;

/// <summary>The real Helm 4 client against the server with Basic auth under a context path, as a migrated ChartMuseum team uses it.</summary>
public sealed class HelmBasicAuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HelmRepoAddWithUsernameAndPassword_ThenPull_UnderAContextPath()
    {
        var users = await BasicAuthUsers.LoadAsync("ci", "s3cret", null, Ct);
        await using var s = await ServerFixture.StartAsync(o => o with { BasicAuth = users, UploadTokens = [], ContextPath = "/helm" });
        var chart = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        using (var upload = await s.UploadAsync(chart, token: null, auth: ServerFixture.Basic("ci", "s3cret")))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }
        string work = s.Trust.Temp.File("helm");
        Directory.CreateDirectory(Path.Combine(work, "pulled"));
        Directory.CreateDirectory(Path.Combine(work, "pulled-prov"));

        HelmPeer.V4.RunChecked(work, "repo", "add", "museum", s.Url, "--username", "ci", "--password", "s3cret");
        HelmPeer.V4.RunChecked(work, "pull", "museum/mysql", "--version", "1.2.3", "-d", "pulled");
        HelmPeer.V4.RunChecked(work, "pull", "museum/mysql", "--version", "1.2.3", "-d", "pulled-prov", "--prov");

        Assert.Equal(chart.Archive, await File.ReadAllBytesAsync(Path.Combine(work, "pulled", "mysql-1.2.3.tgz"), Ct));
        Assert.Equal(chart.Provenance, await File.ReadAllBytesAsync(Path.Combine(work, "pulled-prov", "mysql-1.2.3.tgz.prov"), Ct));
    }
}

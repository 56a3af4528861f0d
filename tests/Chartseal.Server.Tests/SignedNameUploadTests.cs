using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Trust;

namespace Chartseal.Server.Tests;

/// <summary>
/// A one-request upload (chart and .prov in one multipart request) is stored under the archive name its .prov signs.
/// An uploader holding a trusted key controls that name: it must never reach a file outside the repository folder or
/// another chart's files, and every refusal is one JSON error with a reason code.
/// </summary>
public sealed class SignedNameUploadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> HostileNames() =>
    [
        "../x.tgz",
        "../../x.tgz",
        "/x.tgz",
        "sub/mysql-1.2.3.tgz",
        @"..\x.tgz",
        @"a\..\..\x.tgz",
        "mysql-1.2.3.tgz\0",
        "mysql-1.2.3.tgz\0../x.tgz",
        "mysql-1.2.3.tgz\n../x.tgz",
        "mysql-1.2.3.tgz\r",
        "\u043Cysql-1.2.3.tgz", // Cyrillic em for m
        "mysql-1.2.3.tgz\u200B",
        "..\uFF0Fx.tgz", // fullwidth solidus
        ".",
        "..",
        ".tgz",
        ".mysql-1.2.3.tgz",
        "-mysql-1.2.3.tgz",
        "MYSQL-1.2.3.tgz",
        "mysql-1.2.3.TGZ",
        "mysql-1.2.3",
        "mysql-v1.2.3.tgz",
        "redis-1.0.0.tgz", // another published chart
        "index.yaml",
        "pubkeys.pgp",
        new string('a', 60_000) + ".tgz",
    ];

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task OneRequestUpload_ProvSigningAHostileName_IsOneJsonRefusalAndWritesNothing(string signedName)
    {
        await using var s = await ServerFixture.StartAsync();
        using (var redis = await s.UploadAsync(s.Chart("redis", "1.0.0", s.Trust.Alice)))
        {
            Assert.Equal(HttpStatusCode.Created, redis.StatusCode);
        }
        var mysql = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        var repository = Snapshot(s.Repo);
        var around = Snapshot(Path.GetDirectoryName(s.Repo)!, s.Repo);

        // Signed by a trusted maintainer: only the name is hostile.
        using var response = await s.UploadAsync(mysql with { Provenance = SignBody(s.Trust.Alice, BodyFor(mysql.Archive, signedName)) });

        Assert.NotEqual(HttpStatusCode.Created, response.StatusCode);
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}");
        await AssertOneJsonErrorAsync(response);
        Assert.Equal(repository, Snapshot(s.Repo));
        Assert.Equal(around, Snapshot(Path.GetDirectoryName(s.Repo)!, s.Repo));
        Assert.False(File.Exists("/x.tgz"));
    }

    [Fact]
    public async Task OneRequestUpload_ProvListingSeveralFiles_CannotWriteTheOtherName()
    {
        await using var s = await ServerFixture.StartAsync();
        using (var redis = await s.UploadAsync(s.Chart("redis", "1.0.0", s.Trust.Alice)))
        {
            Assert.Equal(HttpStatusCode.Created, redis.StatusCode);
        }
        byte[] redisArchive = await File.ReadAllBytesAsync(Path.Combine(s.Repo, "redis-1.0.0.tgz"), Ct);
        byte[] redisProv = await File.ReadAllBytesAsync(Path.Combine(s.Repo, "redis-1.0.0.tgz.prov"), Ct);
        var mysql = s.Chart("mysql", "1.2.3", s.Trust.Alice);
        string sha = Convert.ToHexStringLower(SHA256.HashData(mysql.Archive));
        string body = BodyFor(mysql.Archive, "redis-1.0.0.tgz") + $"  ../x.tgz: sha256:{sha}\n  mysql-1.2.3.tgz: sha256:{sha}\n";

        using var response = await s.UploadAsync(mysql with { Provenance = SignBody(s.Trust.Alice, body) });

        // Whatever the answer, the other chart's files are as they were and nothing left the folder.
        if (response.StatusCode != HttpStatusCode.Created)
        {
            await AssertOneJsonErrorAsync(response);
        }
        Assert.Equal(redisArchive, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "redis-1.0.0.tgz"), Ct));
        Assert.Equal(redisProv, await File.ReadAllBytesAsync(Path.Combine(s.Repo, "redis-1.0.0.tgz.prov"), Ct));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(s.Repo)!, "x.tgz")));
        Assert.All(s.RepositoryFiles(), f => Assert.Contains(f, new[] { "redis-1.0.0.tgz", "redis-1.0.0.tgz.prov", "mysql-1.2.3.tgz", "mysql-1.2.3.tgz.prov" }));
    }

    // The .prov body Helm writes for this archive, under any archive name.
    private static string BodyFor(byte[] archive, string name)
    {
        var metadata = ChartArchive.Read(archive, "upload.tgz").Metadata;
        return ProvenanceBody.Build(ChartYaml.Serialize(metadata), name, Convert.ToHexStringLower(SHA256.HashData(archive)));
    }

    private static byte[] SignBody(TestKey signer, string body)
    {
        var key = SigningKeySelector.Select(signer.Secret, signer.Fingerprint, ServerFixture.Now);
        return ProvenanceSigner.Sign(body, key.Unlock(null), key.SecretKey.PublicKey, ServerFixture.Now);
    }

    private static async Task AssertOneJsonErrorAsync(HttpResponseMessage response)
    {
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        string error = json.RootElement.GetProperty("error").GetString()!;
        Assert.Matches("^[a-z]+(-[a-z]+)*$", error);
        Assert.NotEqual("server-error", error);
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("message").GetString()));
    }

    // Every name under a folder with its content's digest (a file written or changed shows).
    private static string[] Snapshot(string folder, string? except = null) =>
    [
        .. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(p => except is null || !p.StartsWith(except + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).StartsWith(".lock", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(folder, p) + " " + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(p))))
            .Order(StringComparer.Ordinal),
    ];
}

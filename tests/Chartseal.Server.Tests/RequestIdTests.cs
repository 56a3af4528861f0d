using System.Net;

namespace Chartseal.Server.Tests;

/// <summary>Every answer carries an <c>X-Request-Id</c>: the client's when it is sane, else a new one.</summary>
public sealed class RequestIdTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> RequestIdOfAsync(ServerFixture s, string path, string[]? sent, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (sent is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Request-Id", sent);
        }
        using var response = await s.Http.SendAsync(request, Ct);
        return Assert.Single(response.Headers.GetValues("X-Request-Id"));
    }

    [Theory]
    [InlineData("index.yaml")]
    [InlineData("health")]
    [InlineData("no-such-file")] // a 404
    [InlineData("api/charts")]
    public async Task RequestId_SaneIdFromTheClient_IsEchoed(string path)
    {
        await using var s = await ServerFixture.StartAsync();

        Assert.Equal("ci-run-42:step.7_b", await RequestIdOfAsync(s, path, ["ci-run-42:step.7_b"]));
        string uuid = Guid.NewGuid().ToString();
        Assert.Equal(uuid, await RequestIdOfAsync(s, path, [uuid]));
    }

    [Fact]
    public async Task RequestId_OnARefusedWrite_IsEchoed()
    {
        await using var s = await ServerFixture.StartAsync();

        Assert.Equal("upload-1", await RequestIdOfAsync(s, "api/charts", ["upload-1"], HttpMethod.Post));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("<script>")]
    [InlineData("a\"quote")]
    public async Task RequestId_MissingOrUnsafe_ANewOneIsGiven(string? sent)
    {
        await using var s = await ServerFixture.StartAsync();

        string id = await RequestIdOfAsync(s, "index.yaml", sent is null ? null : [sent]);

        Assert.Matches("^[0-9a-f]{16}$", id);
        Assert.NotEqual(id, await RequestIdOfAsync(s, "index.yaml", sent is null ? null : [sent]));
    }

    [Fact]
    public async Task RequestId_TooLongOrTwoValues_ANewOneIsGiven()
    {
        await using var s = await ServerFixture.StartAsync();

        Assert.Equal(new string('a', 128), await RequestIdOfAsync(s, "health", [new string('a', 128)]));
        Assert.Matches("^[0-9a-f]{16}$", await RequestIdOfAsync(s, "health", [new string('a', 129)]));
        Assert.Matches("^[0-9a-f]{16}$", await RequestIdOfAsync(s, "health", ["one", "two"]));
    }
}

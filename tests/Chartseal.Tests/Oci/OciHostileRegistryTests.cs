using System.Text;
using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Oci;

/// <summary>The client against a registry (a proxy in front of the real one) whose answers are hostile or broken.</summary>
public class OciHostileRegistryTests(OciHostileRegistryTests.Registry registry) : IClassFixture<OciHostileRegistryTests.Registry>
{
    public sealed class Registry() : OciTestRegistry(RegistryAuth.None);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_few_empty_pages_that_name_another_as_a_filtering_registry_answers_are_followed()
    {
        using var proxy = new RegistryProxy(registry.Host);
        int pages = 0;
        proxy.Intercept = context =>
        {
            int page = Interlocked.Increment(ref pages);
            var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/json") };
            if (page < 4)
            {
                headers.Add(new("Link", $"</v2/hostile/filtered/tags/list?n=1&last=p{page}>; rel=\"next\""));
            }
            RegistryProxy.Reply(context, 200, headers, Encoding.UTF8.GetBytes(page is 2 or 4 ? $"{{\"name\":\"hostile/filtered\",\"tags\":[\"1.0.{page}\"]}}" : """{"name":"hostile/filtered","tags":[]}"""));
            return Task.FromResult(true);
        };
        using var client = new OciRegistryClient(registry.ClientOptions());

        var tags = await client.ListTagsAsync(OciReference.Parse($"oci://{proxy.Host}/hostile/filtered"), 1, Ct);

        Assert.Equal(["1.0.2", "1.0.4"], tags);
    }

    [Fact]
    public async Task Empty_tag_pages_that_always_name_another_page_are_refused_not_followed_forever()
    {
        using var proxy = new RegistryProxy(registry.Host);
        int pages = 0;
        proxy.Intercept = context =>
        {
            int page = Interlocked.Increment(ref pages);
            RegistryProxy.Reply(context, 200, [new("Content-Type", "application/json"), new("Link", $"</v2/hostile/empty/tags/list?n=1&last=p{page}>; rel=\"next\"")],
                """{"name":"hostile/empty","tags":[]}"""u8.ToArray());
            return Task.FromResult(true);
        };
        using var client = new OciRegistryClient(registry.ClientOptions());
        OciReference viaProxy = OciReference.Parse($"oci://{proxy.Host}/hostile/empty");
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bounded.CancelAfter(TimeSpan.FromSeconds(20));

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.ListTagsAsync(viaProxy, 1, bounded.Token));

        Assert.Equal($"{viaProxy}: the registry answered more than 100 empty pages of tags that name a next page (the last: http://{proxy.Host}/v2/hostile/empty/tags/list), which is refused", e.Message);
        Assert.Equal(101, pages);
    }

    [Fact]
    public async Task A_tag_list_entry_longer_than_any_tag_is_refused()
    {
        using var proxy = new RegistryProxy(registry.Host);
        string huge = new('a', 1024 * 1024);
        int pages = 0;
        proxy.Intercept = context =>
        {
            // Unbounded, this held a page's worth of memory per page until the process died; 20 pages are enough to tell.
            int page = Interlocked.Increment(ref pages);
            var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/json") };
            if (page < 20)
            {
                headers.Add(new("Link", $"</v2/hostile/huge/tags/list?last=p{page}>; rel=\"next\""));
            }
            RegistryProxy.Reply(context, 200, headers,
                Encoding.UTF8.GetBytes($"{{\"name\":\"hostile/huge\",\"tags\":[\"{huge}\"]}}"));
            return Task.FromResult(true);
        };
        using var client = new OciRegistryClient(registry.ClientOptions());
        OciReference viaProxy = OciReference.Parse($"oci://{proxy.Host}/hostile/huge");

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.ListTagsAsync(viaProxy, 0, Ct));

        Assert.Equal($"{viaProxy}: the registry's tags list holds an entry of {huge.Length} characters, longer than any tag (128)", e.Message);
        Assert.Equal(1, pages);
    }

    [Theory]
    [InlineData("tok\u00e9n")]
    [InlineData("token\r\nX-Injected: 1")]
    public async Task A_token_that_cannot_be_sent_in_a_header_is_a_token_service_error(string issued)
    {
        using var proxy = new RegistryProxy(registry.Host);
        proxy.Intercept = context =>
        {
            if (context.Request.Url!.AbsolutePath == "/token")
            {
                RegistryProxy.Reply(context, 200, [new("Content-Type", "application/json")],
                    Encoding.UTF8.GetBytes("{\"token\":\"" + System.Text.Json.JsonEncodedText.Encode(issued, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"}"));
                return Task.FromResult(true);
            }
            RegistryProxy.Reply(context, 401, [new("WWW-Authenticate", $"Bearer realm=\"http://{proxy.Host}/token\",service=\"hostile\"")], []);
            return Task.FromResult(true);
        };
        using var client = new OciRegistryClient(registry.ClientOptions());
        OciReference viaProxy = OciReference.Parse($"oci://{proxy.Host}/hostile/token:v1");

        var e = await Assert.ThrowsAsync<OciRegistryException>(() => client.GetManifestAsync(viaProxy, Ct));

        Assert.Equal($"{viaProxy}: the token service http://{proxy.Host}/token answered a token with a character that cannot be sent in a header (only printable ASCII can)", e.Message);
    }
    [Fact]
    public async Task A_Link_header_naming_the_previous_page_before_the_next_one_is_followed_forward()
    {
        // RFC 8288 allows several links in one header value; the previous page's link comes first here.
        string[] tags = ["a1", "a2", "b1", "b2", "c1"];
        using var proxy = new RegistryProxy(registry.Host);
        proxy.Intercept = context =>
        {
            string path = context.Request.Url!.AbsolutePath;
            string? last = context.Request.QueryString["last"];
            List<string> page = tags.Where(t => last is null || string.CompareOrdinal(t, last) > 0).Take(2).ToList();
            var links = new List<string>();
            if (last is not null)
            {
                links.Add($"<{path}?n=2>; rel=\"prev\"");
            }
            if (page[^1] != tags[^1])
            {
                links.Add($"<{path}?n=2&last={page[^1]}>; rel=\"next\"");
            }
            var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/json") };
            if (links.Count > 0)
            {
                headers.Add(new("Link", string.Join(", ", links)));
            }
            RegistryProxy.Reply(context, 200, headers, Encoding.UTF8.GetBytes("{\"name\":\"hostile/linked\",\"tags\":[" + string.Join(",", page.Select(t => $"\"{t}\"")) + "]}"));
            return Task.FromResult(true);
        };
        using var client = new OciRegistryClient(registry.ClientOptions());

        Assert.Equal(tags, await client.ListTagsAsync(OciReference.Parse($"oci://{proxy.Host}/hostile/linked"), 2, Ct));

        Assert.Equal(["/v2/hostile/linked/tags/list?n=2", "/v2/hostile/linked/tags/list?n=2&last=a2", "/v2/hostile/linked/tags/list?n=2&last=b2"],
            proxy.Requests.Select(r => r.PathAndQuery));
    }
}

using System.Text;
using Chartseal.Client;

namespace Chartseal.Tests.Client;

/// <summary>The signed tag map of a registry namespace: one canonical form, and anything else refused with why.</summary>
public sealed class OciTagMapTests
{
    private static readonly string Digest = "sha256:" + new string('a', 64);

    [Fact]
    public void Map_RoundTrips_InOneCanonicalForm_WhateverTheOrderItWasGiven()
    {
        var map = new OciTagMap([("web", "1.0.0", Digest), ("api", "0.2.0", Digest), ("web", "0.9.0", Digest)]);
        var other = new OciTagMap([("web", "0.9.0", Digest), ("web", "1.0.0", Digest), ("api", "0.2.0", Digest)]);

        Assert.Equal(map.ToJson(), other.ToJson());
        Assert.Equal($"{{\"charts\":{{\"api\":{{\"0.2.0\":\"{Digest}\"}},\"web\":{{\"0.9.0\":\"{Digest}\",\"1.0.0\":\"{Digest}\"}}}}}}", Encoding.UTF8.GetString(map.ToJson()));
        var read = OciTagMap.TryParse(map.ToJson(), out _)!;
        Assert.Equal(map.ToJson(), read.ToJson());
        Assert.Equal(Digest, read.DigestOf("web", "1.0.0"));
        Assert.Null(read.DigestOf("web", "2.0.0"));
    }

    [Theory]
    [InlineData("{\"charts\":{\"Web\":{\"1.0.0\":\"DIGEST\"}}}", "is not a chart name")]
    [InlineData("{\"charts\":{\"chartseal-trust\":{\"1.0.0\":\"DIGEST\"}}}", "is not a chart name")]
    [InlineData("{\"charts\":{\"web\":{\"1.0.0+build\":\"DIGEST\"}}}", "is not a tag")]
    [InlineData("{\"charts\":{\"web\":{\"../x\":\"DIGEST\"}}}", "is not a tag")]
    [InlineData("{\"charts\":{\"web\":{\"1.0.0\":\"md5:00\"}}}", "no valid manifest digest")]
    [InlineData("{\"tags\":{}}", "not a tag map")]
    [InlineData("not json", "not a tag map")]
    public void HostileMap_IsRefused_SayingWhy(string json, string why)
    {
        Assert.Null(OciTagMap.TryParse(Encoding.UTF8.GetBytes(json.Replace("DIGEST", Digest, StringComparison.Ordinal)), out string error));
        Assert.Contains(why, error, StringComparison.Ordinal);
    }
}

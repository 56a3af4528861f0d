using Chartseal.IO;

namespace Chartseal.Tests.IO;

/// <summary>Counts in messages: the noun agrees with the number.</summary>
public sealed class PluralTests
{
    [Theory]
    [InlineData(0, "chart version", null, "0 chart versions")]
    [InlineData(1, "chart version", null, "1 chart version")]
    [InlineData(2, "maintainer key", null, "2 maintainer keys")]
    [InlineData(-1, "key", null, "-1 keys")]
    [InlineData(1, "index", "indexes", "1 index")]
    [InlineData(3, "index", "indexes", "3 indexes")]
    [InlineData(12345, "chart", null, "12345 charts")]
    public void Count_NounAgreesWithTheNumber(long count, string singular, string? plural, string expected) =>
        Assert.Equal(expected, Plural.Count(count, singular, plural));
}

using Chartseal.Compat;

namespace Chartseal.Tests.Compat;

public sealed class SemanticVersionTests
{
    [Theory]
    [InlineData("1.2.3", 1, 2, 3, "", "")]
    [InlineData("v1.2.3", 1, 2, 3, "", "")]
    [InlineData("1.2", 1, 2, 0, "", "")]
    [InlineData("1", 1, 0, 0, "", "")]
    [InlineData("1.1.3-23658", 1, 1, 3, "23658", "")]
    [InlineData("1.0.0-alpha.1+build.5", 1, 0, 0, "alpha.1", "build.5")]
    [InlineData("1.0.0+001", 1, 0, 0, "", "001")]
    public void TryParse_LenientHelmForms_Accepted(string text, int major, int minor, int patch, string pre, string meta)
    {
        Assert.True(SemanticVersion.TryParse(text, out var v));
        Assert.Equal((ulong)major, v.Major);
        Assert.Equal((ulong)minor, v.Minor);
        Assert.Equal((ulong)patch, v.Patch);
        Assert.Equal(pre, v.Prerelease);
        Assert.Equal(meta, v.Metadata);
        Assert.Equal(text, v.ToString());
    }

    [Fact]
    public void Parse_NumericPrereleaseWithLeadingZero_ReportsSegmentStartsWithZero()
    {
        var ex = Assert.Throws<FormatException>(() => SemanticVersion.Parse("1.1.3-023658"));
        Assert.Equal("version segment starts with 0", ex.Message);
    }

    [Theory]
    [InlineData("1.1.3.sd.023658")]
    [InlineData("abc")]
    [InlineData("1.2.3-")]
    [InlineData("1.2.3-a..b")]
    [InlineData("1.2.3+")]
    [InlineData("V1.2.3")]
    [InlineData("1.2.3 ")]
    [InlineData("99999999999999999999.0.0")]
    public void TryParse_Malformed_Refused(string text)
    {
        Assert.False(SemanticVersion.TryParse(text, out _, out string? error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1")]
    [InlineData("1.0.0-alpha.1", "1.0.0-alpha.beta")]
    [InlineData("1.0.0-alpha.beta", "1.0.0-beta")]
    [InlineData("1.0.0-beta.2", "1.0.0-beta.11")]
    [InlineData("1.0.0-rc.1", "1.0.0")]
    [InlineData("1.9.0", "1.10.0")]
    [InlineData("1.2", "1.2.1")]
    public void CompareTo_SemVerPrecedence_Ordered(string lower, string higher)
    {
        Assert.True(SemanticVersion.Parse(lower) < SemanticVersion.Parse(higher));
        Assert.True(SemanticVersion.Parse(higher).CompareTo(SemanticVersion.Parse(lower)) > 0);
    }

    [Fact]
    public void Equals_DifferentBuildMetadata_EqualPrecedence()
    {
        Assert.Equal(SemanticVersion.Parse("1.0.0+a"), SemanticVersion.Parse("1.0.0+b"));
        Assert.Equal(SemanticVersion.Parse("v1.0"), SemanticVersion.Parse("1.0.0"));
    }
}

public sealed class VersionRangeTests
{
    [Theory]
    [InlineData("^1.2", "1.2.0", true)]
    [InlineData("^1.2", "1.9.9", true)]
    [InlineData("^1.2", "2.0.0", false)]
    [InlineData("^1.2", "1.1.9", false)]
    [InlineData("^0.2.3", "0.2.9", true)]
    [InlineData("^0.2.3", "0.3.0", false)]
    [InlineData("^0.0.3", "0.0.4", false)]
    [InlineData("~1.2.3", "1.2.9", true)]
    [InlineData("~1.2.3", "1.3.0", false)]
    [InlineData("~1", "1.9.0", true)]
    [InlineData(">=1.0 <2.0", "1.5.0", true)]
    [InlineData(">=1.0 <2.0", "2.0.0", false)]
    [InlineData(">=1.0, <2.0", "1.0.0", true)]
    [InlineData("1.2.x", "1.2.7", true)]
    [InlineData("1.2.x", "1.3.0", false)]
    [InlineData("*", "7.0.0", true)]
    [InlineData("*", "1.0.0-beta", false)]
    [InlineData("<1.0 || >=3.0", "3.1.0", true)]
    [InlineData("<1.0 || >=3.0", "2.0.0", false)]
    [InlineData("1.0 - 2.0", "2.0.0", true)]
    [InlineData("1.0 - 2.0", "2.0.1", true)]
    [InlineData("1.0 - 2.0.0", "2.0.1", false)]
    [InlineData("!=1.2.3", "1.2.3", false)]
    [InlineData("!=1.2.3", "1.2.4", true)]
    [InlineData(">1.1", "1.1.5", false)]
    [InlineData(">1.1", "1.2.0", true)]
    [InlineData("=1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "1.2.4", false)]
    [InlineData(">=1.0", "1.5.0-beta", false)]
    [InlineData(">=1.0-0", "1.5.0-beta", true)]
    [InlineData("<=1.2.x", "1.2.9", true)]
    [InlineData("<=1.2.x", "1.3.0", false)]
    public void Contains_Constraint_MatchesMasterminds(string range, string version, bool expected)
    {
        Assert.Equal(expected, VersionRange.Parse(range).Contains(SemanticVersion.Parse(version)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(">=")]
    [InlineData(">=1.0,,<2")]
    [InlineData("1.2.3.4")]
    [InlineData("abc")]
    [InlineData(">1<2")]
    public void TryParse_Malformed_Refused(string range)
    {
        Assert.False(VersionRange.TryParse(range, out _));
    }
}

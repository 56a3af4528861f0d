using Chartseal.Keys;

namespace Chartseal.Tests.Keys;

public sealed class DurationTests
{
    [Theory]
    [InlineData("90d", 90)]
    [InlineData("12w", 84)]
    [InlineData("6m", 180)]
    [InlineData("2y", 730)]
    [InlineData("2Y", 730)]
    [InlineData(" 30 ", 30)]
    public void Parse_WithUnit_ReturnsDaysAsGpgCountsThem(string value, int days)
    {
        Assert.Equal(TimeSpan.FromDays(days), Duration.Parse(value));
    }

    [Theory]
    [InlineData("12h", 12 * 60)]
    [InlineData("30min", 30)]
    [InlineData("90MIN", 90)]
    public void Parse_HoursAndMinutes_ForShortSnapshotLifetimes_MinNotMBecauseMIsAMonth(string value, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), Duration.Parse(value));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("never")]
    public void Parse_ZeroOrNever_ReturnsNull(string value)
    {
        Assert.Null(Duration.Parse(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("d")]
    [InlineData("-1d")]
    [InlineData("1.5y")]
    [InlineData("3s")]
    [InlineData("0d")]
    [InlineData("min")]
    [InlineData("0min")]
    [InlineData("5mins")]
    [InlineData("tomorrow")]
    public void Parse_Malformed_ThrowsWithExamples(string value)
    {
        var error = Assert.Throws<ChartsealException>(() => Duration.Parse(value));

        Assert.Contains("90d", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongerThanAKeyCanLive_Throws()
    {
        var error = Assert.Throws<ChartsealException>(() => Duration.Parse("200y"));

        Assert.Contains("too long", error.Reason, StringComparison.Ordinal);
    }
}

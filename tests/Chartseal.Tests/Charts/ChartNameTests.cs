using Chartseal.Charts;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Charts;

/// <summary>The one naming rule, checked against what the real <c>helm create</c> accepts.</summary>
public sealed class ChartNameTests
{
    private static readonly string[] Names =
    [
        "hello", "_under", "My.Chart_2", "a-b", "1abc", "UPPER", "a..b", "x-",
        "a#b", "my chart", "café", "cafe\u0301", "a/b", "a\\b", "a%2fb", "a+b", "a:b", "ä",
    ];

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void IsValid_AcceptsExactlyWhatHelmCreateAccepts(string helmVersion)
    {
        var helm = HelmPeer.Of(helmVersion);
        using var temp = new TempDirectory();
        foreach (string name in Names)
        {
            var created = helm.Run(temp.Path, "create", name);
            Assert.True(ChartName.IsValid(name) == (created.ExitCode == 0), $"{name}: ours {ChartName.IsValid(name)}, helm create: {created}");
        }
    }

    [Theory]
    [InlineData(".hidden")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("-dash")]
    [InlineData("--force")]
    public void IsValid_RefusesHiddenNamesAndNamesThatLookLikeOptions_WhichHelmCreateWouldMake(string name)
    {
        Assert.False(ChartName.IsValid(name));
    }

    [Fact]
    public void IsValid_RefusesNamesLongerThanTheLimit()
    {
        Assert.True(ChartName.IsValid(new string('a', ChartName.MaxLength)));
        Assert.Contains("longer than 100 characters", ChartName.Problem(new string('a', ChartName.MaxLength + 1)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello-0.1.0.tgz", true)]
    [InlineData("my-chart-1.2.3-rc.1+build.5.tgz", true)]
    [InlineData("hello-v1.0.0.tgz", true)]
    [InlineData("_under-1.0.0.tgz", true)]
    [InlineData("root-key-backup.tgz", false)]
    [InlineData("hello.tgz", false)]
    [InlineData("a#b-1.0.0.tgz", false)]
    [InlineData("my chart-1.0.0.tgz", false)]
    [InlineData(".hello-1.0.0.tgz", false)]
    [InlineData("hello-1.0.0.tar.gz", false)]
    public void IsArchiveFileName_OnlyNameVersionTgzUnderTheRule(string fileName, bool expected)
    {
        Assert.Equal(expected, ChartName.IsArchiveFileName(fileName));
    }
}

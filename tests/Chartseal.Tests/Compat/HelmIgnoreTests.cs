using System.Text;
using Chartseal.Compat;

namespace Chartseal.Tests.Compat;

public sealed class HelmIgnoreTests
{
    private static HelmIgnore Rules(string text) => HelmIgnore.Parse(Encoding.UTF8.GetBytes(text), ".helmignore");

    [Theory]
    [InlineData("*.txt", "a.txt", false, true)]
    [InlineData("*.txt", "dir/a.txt", false, true)] // no slash: base name only
    [InlineData("dir/*.txt", "dir/a.txt", false, true)]
    [InlineData("dir/*.txt", "other/dir/a.txt", false, false)] // with a slash: whole path
    [InlineData("/a.txt", "a.txt", false, true)] // anchored
    [InlineData("/a.txt", "sub/a.txt", false, false)]
    [InlineData("secrets/", "secrets", true, true)] // directories only
    [InlineData("secrets/", "secrets", false, false)]
    [InlineData("a?c", "abc", false, true)]
    [InlineData("a?c", "a/c", false, false)]
    [InlineData("[a-c]x", "bx", false, true)]
    [InlineData("[^a-c]x", "bx", false, false)]
    [InlineData("\\*x", "*x", false, true)]
    [InlineData(".git", ".git", true, true)]
    [InlineData("# comment", "# comment", false, false)]
    public void Ignore_Pattern_MatchesLikeHelm(string pattern, string path, bool isDirectory, bool ignored)
    {
        Assert.Equal(ignored, Rules(pattern).Ignore(path, isDirectory));
    }

    [Fact]
    public void Ignore_DefaultRule_IgnoresDotFilesInTemplates()
    {
        var rules = HelmIgnore.Default();
        Assert.True(rules.Ignore("templates/.hidden", false));
        Assert.False(rules.Ignore("templates/visible.yaml", false));
        Assert.False(rules.Ignore(".hidden", false));
    }

    [Fact]
    public void Ignore_NegatedRule_IgnoresEverythingItDoesNotMatch()
    {
        // Helm's quirk: "!keep.txt" alone ignores every other path, and lets keep.txt through.
        var rules = Rules("!keep.txt\n");
        Assert.False(rules.Ignore("keep.txt", false));
        Assert.True(rules.Ignore("other.txt", false));
        Assert.True(Rules("!dir/\n").Ignore("file.txt", false));
    }

    [Fact]
    public void Ignore_FirstPositiveRuleWins_LaterNegationCannotReinclude()
    {
        var rules = Rules("*.txt\n!keep.txt\n");
        Assert.True(rules.Ignore("keep.txt", false));
    }

    [Fact]
    public void Ignore_RootPath_NeverIgnored()
    {
        Assert.False(Rules("*\n").Ignore(".", true));
        Assert.False(Rules("*\n").Ignore("", true));
    }

    [Theory]
    [InlineData("**/*.txt", "double-star")]
    [InlineData("[a-", "syntax error in pattern")]
    [InlineData("abc\\", "syntax error in pattern")]
    public void Parse_BadPattern_Refused(string pattern, string message)
    {
        var ex = Assert.Throws<ChartsealException>(() => Rules("ok\n" + pattern));
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BomAndCrLf_Handled()
    {
        var rules = HelmIgnore.Parse([.. "\uFEFF"u8, .. "a.txt\r\n  b.txt  \r\n"u8], ".helmignore");
        Assert.True(rules.Ignore("a.txt", false));
        Assert.True(rules.Ignore("b.txt", false));
    }
}

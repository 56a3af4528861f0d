using Chartseal.Server.Page;

namespace Chartseal.Server.Tests.Page;

/// <summary>Text from charts made inert and bounded before it is HTML-encoded.</summary>
public sealed class PageTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("café 日本語 ✔", "café 日本語 ✔")]
    [InlineData("a\u202Eb\u202Cc", "a[U+202E]b[U+202C]c")]
    [InlineData("\u2066x\u2069\u200E\u200F\u061C", "[U+2066]x[U+2069][U+200E][U+200F][U+061C]")]
    [InlineData("zero\u200B\u200C\u200Dwidth\u2060\uFEFF", "zero[U+200B][U+200C][U+200D]width[U+2060][U+FEFF]")]
    [InlineData("soft\u00ADhyphen", "soft[U+00AD]hyphen")]
    [InlineData("blank\u3164filler\u115F", "blank[U+3164]filler[U+115F]")]
    [InlineData("bell\u0007 null\u0000", "bell[U+0007] null[U+0000]")]
    [InlineData("line\u2028para\u2029", "line[U+2028]para[U+2029]")]
    [InlineData("private\uE000", "private[U+E000]")]
    [InlineData("one\ntwo\r\tthree", "one two  three")]
    public void Inert_ShowsInvisibleCharactersForWhatTheyAre(string text, string shown) =>
        Assert.Equal(shown, PageText.Inert(text, 1000));

    [Fact]
    public void Inert_CutsLongText_AndSaysHowMuchIsLeftOut()
    {
        Assert.Equal("abcde… (5 more characters)", PageText.Inert("abcdefghij", 5));
        Assert.Equal("", PageText.Inert(null, 5));
        // Never half a surrogate pair.
        Assert.Equal("ab… (3 more characters)", PageText.Inert("ab😀c", 3));
    }

    [Fact]
    public void Inert_CutsRunsOfCombiningMarks()
    {
        string zalgo = "Z" + new string('\u0301', 50) + "a";
        Assert.Equal("Z\u0301\u0301\u0301a", PageText.Inert(zalgo, 1000));
        Assert.Equal("e\u0301", PageText.Inert("e\u0301", 10));
    }

    [Fact]
    public void Inert_ALoneSurrogate_IsTheReplacementCharacter() =>
        Assert.Equal("lone \uFFFD surrogate", PageText.Inert("lone \uD800 surrogate", 100));

    [Fact]
    public void Inert_KeepsLineBreaksWhenAsked() =>
        Assert.Equal("one\ntwo", PageText.Inert("one\ntwo", 100, keepLines: true));
}

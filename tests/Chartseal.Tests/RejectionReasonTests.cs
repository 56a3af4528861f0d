namespace Chartseal.Tests;

public class RejectionReasonTests
{
    [Fact]
    public void EveryReason_HasUniqueNameAndCode()
    {
        var values = Enum.GetValues<RejectionReason>();
        Assert.Equal(values.Length, RejectionReasons.All.Count);
        Assert.Equal(values.Length, values.Select(v => v.Name()).Distinct().Count());
        Assert.Equal(values.Length, values.Select(v => v.Code()).Distinct().Count());
        foreach (var v in values)
        {
            Assert.Equal(v, RejectionReasons.FromName(v.Name()));
        }
    }

    [Fact]
    public void EveryReason_IsDocumentedInReasonsMd_AndEveryDocumentedCodeExists()
    {
        string doc = File.ReadAllText(Path.Combine(Support.TestPaths.RepoRoot, "docs", "reasons.md"));
        // The table row and the section heading of each code.
        var rows = System.Text.RegularExpressions.Regex.Matches(doc, @"^\| (CSL\d{4}) \| `([a-z-]+)` \|", System.Text.RegularExpressions.RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var headings = System.Text.RegularExpressions.Regex.Matches(doc, @"^## (CSL\d{4}) `([a-z-]+)`$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var actual = Enum.GetValues<RejectionReason>().ToDictionary(r => r.Code(), r => r.Name());

        Assert.Equal(actual.OrderBy(p => p.Key), rows.OrderBy(p => p.Key));
        Assert.Equal(actual.OrderBy(p => p.Key), headings.OrderBy(p => p.Key));
    }

    [Fact]
    public void EveryReason_HasItsOwnOneLineSummary()
    {
        var values = Enum.GetValues<RejectionReason>();
        var summaries = values.Select(v => v.Summary()).ToList();
        Assert.Equal(values.Length, summaries.Distinct().Count());
        Assert.All(summaries, s => Assert.True(s.Length is > 10 and < 120 && !s.Contains('\n', StringComparison.Ordinal) && s.EndsWith('.'), s));
    }
}

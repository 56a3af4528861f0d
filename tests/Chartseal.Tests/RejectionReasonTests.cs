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
}

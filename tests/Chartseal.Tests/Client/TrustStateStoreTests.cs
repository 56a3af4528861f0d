using Chartseal.Client;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Tests.Client;

/// <summary>The client's remembered trust state, when its file was damaged on disk (a bad edit, a disk error, another tool).</summary>
public sealed class TrustStateStoreTests
{
    [Theory]
    [InlineData("not json at all")]
    [InlineData("{}")]
    [InlineData("""{"currentRoot": 5, "version": 2, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": "not a fingerprint", "version": 2, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": null, "version": 2, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 1.5, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 99999999999999999999, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 2, "manifestSha256": "ab", "snapshot": {"version": "7"}}""")]
    public async Task A_damaged_state_file_is_one_error_naming_it_never_an_internal_error(string content)
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        f.Store.Accept(f.Pin, f.Repo, await f.MaterialAsync(TrustFixture.At(2)));
        string file = Assert.Single(Directory.GetFiles(f.Store.Directory, "*.json"));
        File.WriteAllText(file, content.Replace("ROOT", f.Root.Fingerprint, StringComparison.Ordinal));

        var e = Assert.Throws<ChartsealException>(() => f.Store.Get(f.Pin));

        Assert.StartsWith($"{file}: trust state is damaged: ", e.Message, StringComparison.Ordinal);
    }
}

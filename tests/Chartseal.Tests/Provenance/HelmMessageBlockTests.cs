using Chartseal.Provenance;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Provenance;

public class HelmMessageBlockTests
{
    [Fact]
    public async Task BuildBody_HashtestVector_IsHelmsMessageBlockByteForByte()
    {
        byte[] archive = await File.ReadAllBytesAsync(TestPaths.Helm("hashtest-1.2.3.tgz"), TestContext.Current.CancellationToken);
        string expected = await File.ReadAllTextAsync(TestPaths.Helm("msgblock.yaml"), TestContext.Current.CancellationToken);

        Assert.Equal(expected, ChartSigning.BuildBody(archive, "hashtest-1.2.3.tgz"));
    }
}

using Chartseal.Tests.Support;
using static Chartseal.Cli.Tests.Helm.RenderParity;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// Paths that do not fit a USTAR entry: a file name over 100 bytes, and a path over 256 bytes. Helm packages them
/// with PAX long names; <c>chartseal package</c> writes the same headers (see <c>GoTarWriter</c>) and the archive
/// renders the same.
/// </summary>
public sealed class LongPathRenderParityTests
{
    [Fact]
    public void ChartsealPackage_PathsBeyondUstar_RenderLikeHelmPackage()
    {
        using var temp = new TempDirectory();
        string source = temp.File("longpaths");
        string longName = new string('n', 120) + ".txt";
        string deepFolder = string.Join('/', Enumerable.Repeat(new string('p', 60), 4));
        Write(source,
            ChartYaml("longpaths"),
            ("values.yaml", "a: 1\n"),
            Probe(),
            Probe("templates/" + new string('t', 110) + ".yaml"),
            ("files/" + longName, "a file name of 124 bytes\n"),
            ($"files/{deepFolder}/leaf.txt", "a path of about 270 bytes\n"));
        Assert.True(longName.Length > 100);
        Assert.True(("longpaths/files/" + deepFolder + "/leaf.txt").Length > 256);

        AssertHelmRendersOursLikeItsOwn(source, "longpaths-1.0.0.tgz");
    }
}

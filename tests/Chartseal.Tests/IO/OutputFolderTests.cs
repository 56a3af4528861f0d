using Chartseal.IO;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.IO;

/// <summary>Creating the folder a command writes into: a file in the way is named as such, not ".NET: the file already exists".</summary>
public sealed class OutputFolderTests
{
    [Fact]
    public void Create_WhereAFileIs_SaysItIsAFile()
    {
        using var temp = new TempDirectory();
        string file = temp.File("out");
        File.WriteAllText(file, "x");

        var e = Assert.Throws<ChartsealException>(() => OutputFolder.Create(file));
        var below = Assert.Throws<ChartsealException>(() => OutputFolder.Create(Path.Combine(file, "sub")));

        Assert.Equal($"{file}: is a file, not a folder", e.Message);
        Assert.Equal($"{Path.Combine(file, "sub")}: cannot create the folder: {file} is a file", below.Message);
    }

    [Fact]
    public void Create_Missing_CreatesItAndItsParents()
    {
        using var temp = new TempDirectory();
        string dir = temp.File(Path.Combine("a", "b"));

        OutputFolder.Create(dir);
        OutputFolder.Create(dir);

        Assert.True(Directory.Exists(dir));
    }
}

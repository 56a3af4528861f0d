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

    // A folder nobody can create files in: chmod does not stop root (CI runs tests as root), /proc/self stops everyone.
    private static string UnwritableFolder(TempDirectory temp)
    {
        if (Environment.IsPrivilegedProcess || OperatingSystem.IsWindows())
        {
            return "/proc/self";
        }
        string dir = temp.File("read-only");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return dir;
    }

    [Fact]
    public void CheckWritable_NamesWhatCreateAndTheWriteWouldMeet_AndCreatesNothing()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "an unwritable folder is made with POSIX modes or /proc");
        using var temp = new TempDirectory();
        string file = temp.File("out");
        File.WriteAllText(file, "x");
        string locked = UnwritableFolder(temp);

        var isFile = Assert.Throws<ChartsealException>(() => OutputFolder.CheckWritable(file));
        var belowFile = Assert.Throws<ChartsealException>(() => OutputFolder.CheckWritable(Path.Combine(file, "sub")));
        var cannotWrite = Assert.Throws<ChartsealException>(() => OutputFolder.CheckWritable(locked));
        var cannotCreate = Assert.Throws<ChartsealException>(() => OutputFolder.CheckWritable(Path.Combine(locked, "a", "b")));
        OutputFolder.CheckWritable(temp.File(Path.Combine("new", "folder")));
        OutputFolder.CheckWritable(temp.Path);

        Assert.Equal($"{file}: is a file, not a folder", isFile.Message);
        Assert.Equal($"{Path.Combine(file, "sub")}: cannot create the folder: {file} is a file", belowFile.Message);
        Assert.StartsWith($"{locked}: cannot write in the folder: ", cannotWrite.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{Path.Combine(locked, "a", "b")}: cannot create the folder: ", cannotCreate.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.File("new")), "the check creates nothing");
        Assert.Empty(Directory.GetFiles(temp.Path, ".probe-*", SearchOption.AllDirectories));
    }
}

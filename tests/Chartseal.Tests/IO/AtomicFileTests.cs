using Chartseal.IO;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.IO;

/// <summary>What a failed atomic write says: one line naming the file asked for (never the temporary file), nothing left behind.</summary>
public sealed class AtomicFileTests
{
    [Fact]
    public async Task Write_IntoAMissingFolder_NamesTheFileNotItsTemporaryFile()
    {
        using var temp = new TempDirectory();
        string path = temp.File(Path.Combine("missing", "a.tgz"));

        var e = await Assert.ThrowsAsync<ChartsealException>(() => AtomicFile.WriteAllBytesAsync(path, new byte[] { 1 }, TestContext.Current.CancellationToken));

        Assert.Equal(path, e.File);
        Assert.Equal("cannot write: its folder does not exist", e.Reason);
    }

    [Fact]
    public async Task Write_OverAFolder_SaysItIsAFolder_AndLeavesNoTemporaryFile()
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.tgz");
        Directory.CreateDirectory(path);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => AtomicFile.WriteAllBytesAsync(path, new byte[] { 1 }, TestContext.Current.CancellationToken));
        var sync = Assert.Throws<ChartsealException>(() => AtomicFile.WriteAllBytes(path, [1]));

        Assert.Equal($"{path}: cannot write: is a folder, not a file", e.Message);
        Assert.Equal(e.Message, sync.Message);
        Assert.Equal([path], Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task Create_OverAnExistingFile_SaysItExists_AndKeepsIt()
    {
        using var temp = new TempDirectory();
        string path = temp.File("key.asc");
        await File.WriteAllBytesAsync(path, [7], TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => AtomicFile.CreateAsync(path, new byte[] { 1 }, TestContext.Current.CancellationToken));

        Assert.Equal($"{path}: cannot write: already exists", e.Message);
        Assert.Equal([7], await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal([path], Directory.GetFileSystemEntries(temp.Path));
    }
}

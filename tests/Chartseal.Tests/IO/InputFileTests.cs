using Chartseal.IO;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.IO;

/// <summary>What reading an input file answers: its bytes, null when missing, one-line errors naming it otherwise.</summary>
public sealed class InputFileTests
{
    [Fact]
    public async Task ReadIfExists_FileMissingOrAFolder_NullOrNamedAsAFolder()
    {
        using var temp = new TempDirectory();
        await File.WriteAllBytesAsync(temp.File("a.tgz"), [1, 2, 3], TestContext.Current.CancellationToken);
        Directory.CreateDirectory(temp.File("folder.tgz"));

        Assert.Equal([1, 2, 3], await InputFile.ReadIfExistsAsync(temp.File("a.tgz"), 10, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Null(await InputFile.ReadIfExistsAsync(temp.File("missing.tgz"), 10, cancellationToken: TestContext.Current.CancellationToken));
        var folder = await Assert.ThrowsAsync<ChartsealException>(() => InputFile.ReadIfExistsAsync(temp.File("folder.tgz"), 10, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(temp.File("folder.tgz"), folder.File);
        Assert.Equal("is a folder, not a file", folder.Reason);
    }

    [Fact]
    public async Task ReadIfExists_OverTheLimit_RefusedOrTruncated()
    {
        using var temp = new TempDirectory();
        await File.WriteAllBytesAsync(temp.File("big"), new byte[11], TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<ChartsealException>(() => InputFile.ReadIfExistsAsync(temp.File("big"), 10, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("is larger than the 10 byte limit", error.Reason);
        Assert.Equal(10, (await InputFile.ReadIfExistsAsync(temp.File("big"), 10, truncate: true, TestContext.Current.CancellationToken))!.Length);
    }

    [Fact]
    public async Task ReadIfExists_NamedPipe_ReadsItsBytesUpToTheLimit()
    {
        // A shell's process substitution (--keyring <(gpg --export-secret-keys KEY)) is a pipe: no length, no seeking.
        Assert.SkipWhen(OperatingSystem.IsWindows(), "named pipes are POSIX");
        using var temp = new TempDirectory();
        using (var pipe = new NamedPipe(temp.File("pipe"), [1, 2, 3]))
        {
            Assert.Equal([1, 2, 3], await InputFile.ReadIfExistsAsync(pipe.Path, 10, cancellationToken: TestContext.Current.CancellationToken));
        }
        using (var pipe = new NamedPipe(temp.File("big-pipe"), new byte[11]))
        {
            var error = await Assert.ThrowsAsync<ChartsealException>(() => InputFile.ReadIfExistsAsync(pipe.Path, 10, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("is larger than the 10 byte limit", error.Reason);
        }
        using (var pipe = new NamedPipe(temp.File("big-pipe-2"), new byte[11]))
        {
            Assert.Equal(10, (await InputFile.ReadIfExistsAsync(pipe.Path, 10, truncate: true, TestContext.Current.CancellationToken))!.Length);
        }
    }
}

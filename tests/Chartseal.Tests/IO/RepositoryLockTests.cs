using Chartseal.IO;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Client;
using Chartseal.Repository;

namespace Chartseal.Tests.IO;

public sealed class RepositoryLockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AcquireAsync_HeldByAnotherWriter_WaitsUntilReleased()
    {
        using var temp = new TempDirectory();
        var first = await RepositoryLock.AcquireAsync(temp.Path, Ct);
        var second = RepositoryLock.AcquireAsync(temp.Path, Ct);
        await Task.Delay(150, Ct);
        Assert.False(second.IsCompleted);

        await first.DisposeAsync();

        await using var held = await second.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task AcquireAsync_HeldLongerThanTheTimeout_FailsWithOneLineNamingTheLockFile()
    {
        using var temp = new TempDirectory();
        await using var first = await RepositoryLock.AcquireAsync(temp.Path, Ct);
        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryLock.AcquireAsync(temp.Path, Ct, TimeSpan.FromMilliseconds(100)));
        Assert.Contains(RepositoryLock.FileName, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireAsync_NoSuchFolder_FailsAtOnceInsteadOfWaiting()
    {
        using var temp = new TempDirectory();
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<ChartsealException>(() => RepositoryLock.AcquireAsync(temp.File("missing"), Ct));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        // The folder the user named and what is wrong with it, not .NET's "Could not find a part of the path" about a lock file.
        Assert.Equal($"{temp.File("missing")}: no such folder", e.Message);
    }

    [Fact]
    public async Task TrustCommands_TakeTheRepositoryLock()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await TrustRepository.InitAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now, Ct);
        var publisherLock = await RepositoryLock.AcquireAsync(f.Repo, Ct);

        var add = TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(now), f.Alice.Public, TrustFixture.Validity, now, Ct);
        await Task.Delay(150, Ct);
        Assert.False(add.IsCompleted); // a publish holding the lock decides against unchanged material

        await publisherLock.DisposeAsync();
        Assert.Equal(2, (await add.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Version);
    }

    [Fact]
    public async Task Publish_TrustStateFolderIsTheRepository_RefusedAtOnceInsteadOfWaitingOnItself()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        var upload = new Chartseal.Repository.ChartUpload(f.ArchiveName, f.Archive, f.Alice.Sign(f.Archive, f.ArchiveName, now));
        var started = DateTime.UtcNow;

        var e = await Assert.ThrowsAsync<ChartsealException>(() => Chartseal.Repository.ChartPublisher.PublishAsync(
            upload, new Chartseal.Repository.PublishOptions(f.Repo, f.Pin), new TrustStateStore(f.Repo), now, Ct));

        Assert.Contains("trust-state folder", e.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task TrustState_AcceptingAnOlderVersionAfterANewerOne_KeepsTheNewer()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await TrustRepository.InitAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now, Ct);
        var v1 = await f.MaterialAsync(now);
        await TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(now), f.Alice.Public, TrustFixture.Validity, now, Ct);
        var v2 = await f.MaterialAsync(now);

        // Two concurrent updates finishing out of order: the later write must not lower the recorded version.
        f.Store.Accept(f.Pin, "loc", v2);
        f.Store.Accept(f.Pin, "loc", v1);

        Assert.Equal(2, f.Store.Get(f.Pin)!.Seen.Version);
    }
}

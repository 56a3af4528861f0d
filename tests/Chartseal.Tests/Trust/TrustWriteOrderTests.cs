#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Keys;
using Chartseal.Tests.Support;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.Repository;

namespace Chartseal.Tests.Trust;

public sealed class TrustWriteOrderTests
{
    [Fact]
    public async Task Refresh_NewKeyringsWithOldManifest_RejectsMismatchAndKeepsState()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, now));
        var old = await f.FilesAsync();
        await TrustRepository.RemoveAsync(f.Repo, f.Root.RootSigner(now), [f.Bob.Fingerprint], TrustFixture.Validity, now);
        // A reader that sees the writer between the keyring renames and the manifest rename.
        var torn = await f.FilesAsync() with { Manifest = old.Manifest };
        TrustFixture.WriteFiles(f.Repo, torn);
        var result = Assert.IsType<TrustResult.Rejected>(await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, now));
        Assert.Equal(RejectionReason.TrustMismatch, result.Reason);
        Assert.Equal(2, f.Store.Get(f.Pin)!.Seen.Version);
    }

    [Fact]
    public async Task Add_CertifyOnlyGpgKey_Refused()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var f = new TrustFixture();
        using var gpg = new GpgHome();
        string fpr = gpg.GenerateKey("Certonly <cert@example.com>", usage: "cert");
        // After the key is made: read before, a key created in the next second is refused as not valid yet.
        DateTime now = DateTime.UtcNow;
        await TrustRepository.InitAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now);
        var keys = Keyring.Parse(gpg.ExportPublic(fpr), "certonly.pub");
        var e = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(now), keys, TrustFixture.Validity, now));
        Assert.Contains("signing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_Twice_Refused()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await TrustRepository.InitAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now);
        await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.InitAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now));
    }

    [Fact]
    public async Task StateStore_AcceptedMaterial_RememberedPerRootAndLocation()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, now));
        var reopened = new TrustStateStore(f.Store.Directory);
        var state = reopened.Get(f.Pin);
        Assert.NotNull(state);
        Assert.Equal(2, state.Seen.Version);
        Assert.Equal(f.Root.Fingerprint, state.CurrentRoot);
        // Remembered per pinned root, whatever the location: another spelling of the same repository sees it too.
        Assert.Equal(2, reopened.Get(new PinnedRoot(f.Pin.Fingerprint))!.Seen.Version);
    }
}

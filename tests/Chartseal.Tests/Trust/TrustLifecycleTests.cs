#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Provenance;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.Repository;

namespace Chartseal.Tests.Trust;

/// <summary>The whole story on an injected clock, through the client's refresh and its remembered state.</summary>
public sealed class TrustLifecycleTests
{
    [Fact]
    public async Task Lifecycle_InitAddRemoveRevokeRollbackExpireRenewRotate_EachStepDecidedCorrectly()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        DateTime Tick() => now = now.AddHours(1);

        // init → add two maintainers → each signs a chart → both trusted.
        await f.InitWithTwoMaintainersAsync(now);
        var chartB = MakeOtherChart(f);
        byte[] provA = f.Alice.Sign(f.Archive, f.ArchiveName, now);
        byte[] provB = f.Bob.Sign(chartB.Archive, chartB.Name, now);
        Tick();
        var material = await RefreshAsync(f, now);
        Assert.IsType<TrustDecision.Trusted>(Decide(material, f.Archive, f.ArchiveName, provA, now));
        Assert.IsType<TrustDecision.Trusted>(Decide(material, chartB.Archive, chartB.Name, provB, now));
        var v2 = await f.FilesAsync();

        // remove Bob → signer-not-trusted.
        await TrustRepository.RemoveAsync(f.Repo, f.Root.RootSigner(now), [f.Bob.Fingerprint], TrustFixture.Validity, now);
        Tick();
        material = await RefreshAsync(f, now);
        Assert.Equal(3, material.Version);
        AssertRejected(RejectionReason.SignerNotTrusted, Decide(material, chartB.Archive, chartB.Name, provB, now));
        Assert.IsType<TrustDecision.Trusted>(Decide(material, f.Archive, f.ArchiveName, provA, now));

        // revoke Alice → signer-revoked.
        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(now), f.Alice.Fingerprint, null, null, TrustFixture.Validity, now);
        Tick();
        material = await RefreshAsync(f, now);
        AssertRejected(RejectionReason.SignerRevoked, Decide(material, f.Archive, f.ArchiveName, provA, now));
        var v4 = await f.FilesAsync();

        // replay the previous (validly signed) material → trust-rollback, and the state did not move back.
        TrustFixture.WriteFiles(f.Repo, v2);
        AssertRejected(RejectionReason.TrustRollback, await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, now));
        Assert.Equal(4, f.Store.Get(f.Pin)!.Seen.Version);
        TrustFixture.WriteFiles(f.Repo, v4);

        // the expiry passes (freeze) → trust-expired.
        now = now + TrustFixture.Validity;
        AssertRejected(RejectionReason.TrustExpired, await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, now));

        // renew, and re-add a fresh maintainer key for Alice → trusted again.
        var alice2 = new TestKey("Alice <alice@example.com>", now.AddHours(-1));
        await TrustRepository.RenewAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now);
        await TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(now), alice2.Public, TrustFixture.Validity, now);
        byte[] provA2 = alice2.Sign(f.Archive, f.ArchiveName, now);
        Tick();
        material = await RefreshAsync(f, now);
        Assert.IsType<TrustDecision.Trusted>(Decide(material, f.Archive, f.ArchiveName, provA2, now));

        // rotate the root: the old root hands over; a client pinned to the old root follows.
        var newRoot = new TestKey("New Root <root2@example.com>", now.AddHours(-1));
        await TrustRepository.RotateRootAsync(f.Repo, f.Root.RootSigner(now), newRoot.RootSigner(now), TrustFixture.Validity, now);
        // The old root can no longer sign once it handed over (clients now pin the new root).
        await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RenewAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now));
        Tick();
        material = await RefreshAsync(f, now);
        Assert.Equal(newRoot.Fingerprint, material.RootToPin);
        Assert.Equal(newRoot.Fingerprint, f.Store.Get(f.Pin)!.CurrentRoot);

        // the new root signs the next version; the client (still started with the old pin) accepts it.
        await TrustRepository.RenewAsync(f.Repo, newRoot.RootSigner(now), TrustFixture.Validity, now);
        Tick();
        material = await RefreshAsync(f, now);
        Assert.Equal(newRoot.Fingerprint, material.SignedBy);
        Assert.IsType<TrustDecision.Trusted>(Decide(material, f.Archive, f.ArchiveName, provA2, now));

        // the old root can no longer change the repository, and material it signs is refused by the client.
        await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RenewAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now));
    }

    [Fact]
    public async Task Refresh_FreshClientPinnedToUnknownRoot_RejectsBadSignature()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var other = new TestKey("Other <other@example.com>", TrustFixture.T0);
        AssertRejected(RejectionReason.TrustBadSignature, await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), new PinnedRoot(other.Fingerprint), f.Store, TrustFixture.At(2)));
    }

    private static (byte[] Archive, string Name) MakeOtherChart(TrustFixture f)
    {
        string dir = Chartseal.Tests.Charts.ChartFixtures.WriteSimpleChart(f.Temp.File("other"), "other", "2.0.0");
        var packaged = Chartseal.Charts.ChartPackager.Package(dir);
        return (packaged.Archive, packaged.FileName);
    }

    private static async Task<TrustedMaterial> RefreshAsync(TrustFixture f, DateTime now)
    {
        var result = await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, now);
        return result is TrustResult.Accepted a ? a.Material : throw new Xunit.Sdk.XunitException($"trust rejected: {((TrustResult.Rejected)result).Reason.Name()}: {((TrustResult.Rejected)result).Message}");
    }

    private static TrustDecision Decide(TrustedMaterial material, byte[] archive, string name, byte[] prov, DateTime now) =>
        TrustDecision.Decide(ChartVerifier.Verify(archive, name, prov, material.VerificationKeyring, now), material, null);

    private static void AssertRejected(RejectionReason expected, TrustDecision decision) =>
        Assert.Equal(expected, Assert.IsType<TrustDecision.Rejected>(decision).Reason);

    private static void AssertRejected(RejectionReason expected, TrustResult result) =>
        Assert.Equal(expected, Assert.IsType<TrustResult.Rejected>(result).Reason);
}

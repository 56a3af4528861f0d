#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Trust;
using Chartseal.Repository;

namespace Chartseal.Tests.Trust;

public sealed class TrustDecisionTests
{
    private static DateTime Setup => TrustFixture.At(1);
    private static DateTime Now => TrustFixture.At(2);

    [Fact]
    public async Task Decide_SignedByMaintainer_Trusted()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        byte[] prov = f.Alice.Sign(f.Archive, f.ArchiveName, Setup);
        var trusted = Assert.IsType<TrustDecision.Trusted>(TrustFixture.Decide(await f.MaterialAsync(Now), f.Archive, f.ArchiveName, prov, Now));
        Assert.Equal(f.Alice.Fingerprint, trusted.Verification.Signer.Fingerprint);
        Assert.Equal(2, trusted.TrustVersion);
    }

    [Fact]
    public async Task Decide_SignerInRevokedKeyring_RejectsRevoked()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        byte[] prov = f.Alice.Sign(f.Archive, f.ArchiveName, Setup);
        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(Setup), f.Alice.Fingerprint, null, null, TrustFixture.Validity, Setup);
        AssertRejected(RejectionReason.SignerRevoked, TrustFixture.Decide(await f.MaterialAsync(Now), f.Archive, f.ArchiveName, prov, Now));
    }

    [Fact]
    public async Task Decide_RevokedSignerAndTamperedArchive_RevokedWins()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        byte[] prov = f.Alice.Sign(f.Archive, f.ArchiveName, Setup);
        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(Setup), f.Alice.Fingerprint, null, null, TrustFixture.Validity, Setup);
        byte[] tampered = [.. f.Archive, 0];
        AssertRejected(RejectionReason.SignerRevoked, TrustFixture.Decide(await f.MaterialAsync(Now), tampered, f.ArchiveName, prov, Now));
    }

    [Fact]
    public async Task Decide_RevokedKeyAlsoStillInPubkeys_RejectsRevoked()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        byte[] prov = f.Alice.Sign(f.Archive, f.ArchiveName, Setup);
        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(Setup), f.Alice.Fingerprint, null, null, TrustFixture.Validity, Setup);
        // A sloppy (but root-signed) re-add cannot happen through the writer: it refuses revoked keys.
        await Assert.ThrowsAsync<ChartsealException>(() =>
            TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(Setup), f.Alice.Public, TrustFixture.Validity, Setup));
        AssertRejected(RejectionReason.SignerRevoked, TrustFixture.Decide(await f.MaterialAsync(Now), f.Archive, f.ArchiveName, prov, Now));
    }

    [Fact]
    public async Task Decide_SignerRemovedFromPubkeys_RejectsNotTrusted()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        byte[] prov = f.Bob.Sign(f.Archive, f.ArchiveName, Setup);
        await TrustRepository.RemoveAsync(f.Repo, f.Root.RootSigner(Setup), [f.Bob.Fingerprint], TrustFixture.Validity, Setup);
        AssertRejected(RejectionReason.SignerNotTrusted, TrustFixture.Decide(await f.MaterialAsync(Now), f.Archive, f.ArchiveName, prov, Now));
    }

    [Fact]
    public async Task Decide_SignedByRootKeyNotMaintainer_RejectsNotTrusted()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        byte[] prov = f.Root.Sign(f.Archive, f.ArchiveName, Setup);
        AssertRejected(RejectionReason.SignerNotTrusted, TrustFixture.Decide(await f.MaterialAsync(Now), f.Archive, f.ArchiveName, prov, Now));
    }

    [Fact]
    public async Task Decide_SignerNotInRequiredLocalKeyring_RejectsNotInLocalKeyring()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        byte[] prov = f.Alice.Sign(f.Archive, f.ArchiveName, Setup);
        var material = await f.MaterialAsync(Now);
        AssertRejected(RejectionReason.NotInLocalKeyring, TrustFixture.Decide(material, f.Archive, f.ArchiveName, prov, Now, local: f.Bob.Public));
        Assert.IsType<TrustDecision.Trusted>(TrustFixture.Decide(material, f.Archive, f.ArchiveName, prov, Now, local: f.Alice.Public));
    }

    [Fact]
    public async Task Decide_TrustedSignerButArchiveSwapped_RejectsHashMismatch()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        byte[] prov = f.Alice.Sign(f.Archive, f.ArchiveName, Setup);
        byte[] swapped = [.. f.Archive, 0];
        AssertRejected(RejectionReason.HashMismatch, TrustFixture.Decide(await f.MaterialAsync(Now), swapped, f.ArchiveName, prov, Now));
    }

    [Fact]
    public async Task Decide_MissingProvenance_RejectsMissingProvenance()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        var material = await f.MaterialAsync(Now);
        var verification = Chartseal.Provenance.ChartVerifier.Verify(f.Archive, f.ArchiveName, null, material.VerificationKeyring, Now);
        AssertRejected(RejectionReason.MissingProvenance, TrustDecision.Decide(verification, material, null));
    }

    [Fact]
    public async Task Add_ExpiredKey_Refused()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        var shortLived = new TestKey("Short <short@example.com>", TrustFixture.T0, TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<ChartsealException>(() =>
            TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(Now), shortLived.Public, TrustFixture.Validity, Now));
    }

    [Fact]
    public async Task Mutate_SignedByOtherKeyThanRoot_Refused()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(Setup);
        await Assert.ThrowsAsync<ChartsealException>(() =>
            TrustRepository.RenewAsync(f.Repo, f.Alice.RootSigner(Now), TrustFixture.Validity, Now));
    }

    private static void AssertRejected(RejectionReason expected, TrustDecision decision)
    {
        var rejected = Assert.IsType<TrustDecision.Rejected>(decision);
        Assert.Equal(expected, rejected.Reason);
    }
}

#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Support;
using Chartseal.Trust;
using Chartseal.Repository;

namespace Chartseal.Tests.Trust;

/// <summary>Keys and revocation certificates made by the real gpg, independent of our key generator.</summary>
public sealed class TrustGpgInteropTests
{
    [Fact]
    public async Task Decide_GpgKeyRevokedWithGpgRevocationCertificate_RejectsRevoked()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var f = new TrustFixture();
        using var gpg = new GpgHome();
        DateTime now = DateTime.UtcNow;
        string fpr = gpg.GenerateKey("Carol <carol@example.com>");
        var secret = Keyring.Parse(gpg.ExportSecret(fpr), "carol.sec");
        var pub = Keyring.Parse(gpg.ExportPublic(fpr), "carol.pub");

        await TrustRepository.InitAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now);
        await TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(now), pub, TrustFixture.Validity, now);
        var key = SigningKeySelector.Select(secret, fpr, now);
        byte[] prov = ChartSigning.Sign(f.Archive, f.ArchiveName, key, key.Unlock(null), now);

        var before = await f.MaterialAsync(now);
        Assert.IsType<TrustDecision.Trusted>(TrustFixture.Decide(before, f.Archive, f.ArchiveName, prov, now));

        gpg.Revoke(fpr);
        byte[] revocation = File.ReadAllBytes(gpg.File("revocation.asc"));
        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(now), fpr, null, revocation, TrustFixture.Validity, now);

        var after = await f.MaterialAsync(now);
        Assert.False(after.PublicKeys.ContainsPrimary(fpr));
        Assert.True(after.IsRevoked(fpr));
        // revoked.pgp carries gpg's revocation: the key itself is revoked for any OpenPGP reader.
        var ring = after.Revoked.PublicKeyRings.Single();
        Assert.Equal(KeyStatus.Revoked, KeyValidity.Check(ring.GetPublicKey(), ring, now).Status);
        var rejected = Assert.IsType<TrustDecision.Rejected>(TrustFixture.Decide(after, f.Archive, f.ArchiveName, prov, now));
        Assert.Equal(RejectionReason.SignerRevoked, rejected.Reason);

        // gpg also sees the revocation in the published revoked.pgp.
        using var reader = new GpgHome();
        reader.RunChecked("--import", Path.Combine(f.Repo, TrustFiles.RevokedName));
        Assert.Contains(reader.ColonFields(fpr), fields => fields[0] == "pub" && fields[1] == "r");
    }
}

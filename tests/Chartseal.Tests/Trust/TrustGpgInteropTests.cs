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
        string fpr = gpg.GenerateKey("Carol <carol@example.com>");
        DateTime now = DateTime.UtcNow; // after the key is made: one created in the next second is not valid before it
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
    [Fact]
    public async Task Revoke_BySigningSubkeyFingerprint_NamesThePrimaryKeyToRevoke()
    {
        // audit and a .prov's issuer show the signing subkey; revocation is of the whole key, named by its primary.
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var f = new TrustFixture();
        using var gpg = new GpgHome();
        string primary = gpg.GenerateKey("Sub <sub@example.com>", usage: "cert");
        string subkey = gpg.AddSubkey(primary, "ed25519", "sign");
        DateTime now = DateTime.UtcNow.AddSeconds(1); // after gpg's whole-second creation times (read before, the subkey was sometimes not yet valid)
        await TrustRepository.InitAsync(f.Repo, f.Root.RootSigner(now), TrustFixture.Validity, now);
        await TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(now), Keyring.Parse(gpg.ExportPublic(primary), "sub.pub"), TrustFixture.Validity, now);
        byte[] manifest = File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName));

        var e = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(now), subkey, null, null, TrustFixture.Validity, now));

        Assert.Contains($"{subkey} is a subkey of {primary} (Sub <sub@example.com>)", e.Message, StringComparison.Ordinal);
        Assert.Contains($"revoke {primary}", e.Message, StringComparison.Ordinal);
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName)));

        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(now), primary, null, null, TrustFixture.Validity, now);
        var again = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RemoveAsync(f.Repo, f.Root.RootSigner(now), [subkey], TrustFixture.Validity, now));
        Assert.Contains($"{subkey} is a subkey of {primary} (Sub <sub@example.com>), which revoked.pgp already holds", again.Message, StringComparison.Ordinal);
    }
}

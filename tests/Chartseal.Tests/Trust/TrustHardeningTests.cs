#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Security.Cryptography;
using Chartseal.Client;
using Chartseal.Gate;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Trust;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace Chartseal.Tests.Trust;

/// <summary>The trust lifecycle under attack and accident: each test is named after what was done to the repository.</summary>
public sealed class TrustHardeningTests
{
    private static async Task<TrustResult> RefreshAsync(TrustFixture f, TrustStateStore store, PinnedRoot pin, DateTime now) =>
        await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), pin, store, now);

    [Fact]
    public async Task RootRotation_RefreshedTwice_FromTheOldPin_TheNewPin_AndByTheServer_IsAccepted()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var oldPinned = new TrustStateStore(f.Temp.File("old-pin"));
        Assert.IsType<TrustResult.Accepted>(await RefreshAsync(f, oldPinned, f.Pin, TrustFixture.At(2)));
        var newRoot = new TestKey("New Root <root2@example.com>", TrustFixture.T0);
        await TrustRepository.RotateRootAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(3)), newRoot.RootSigner(TrustFixture.At(3)), null, TrustFixture.At(3));

        // The client pinned to the old root: accepts the hand-over, then (now pinned to the new root) the same manifest again.
        var first = Assert.IsType<TrustResult.Accepted>(await RefreshAsync(f, oldPinned, f.Pin, TrustFixture.At(4))).Material;
        Assert.Equal(newRoot.Fingerprint, first.RootToPin);
        var second = Assert.IsType<TrustResult.Accepted>(await RefreshAsync(f, oldPinned, f.Pin, TrustFixture.At(5))).Material;
        Assert.Equal(first.Version, second.Version);

        // A new user given the new root's fingerprint accepts it too, twice.
        var newPinned = new TrustStateStore(f.Temp.File("new-pin"));
        Assert.IsType<TrustResult.Accepted>(await RefreshAsync(f, newPinned, new PinnedRoot(newRoot.Fingerprint), TrustFixture.At(4)));
        Assert.IsType<TrustResult.Accepted>(await RefreshAsync(f, newPinned, new PinnedRoot(newRoot.Fingerprint), TrustFixture.At(5)));

        // The publisher (the server's upload path) pinned to the old root publishes twice after the rotation.
        foreach (string version in new[] { "1.0.0", "1.0.1" })
        {
            var chart = Chartseal.Charts.ChartPackager.Package(Chartseal.Tests.Charts.ChartFixtures.WriteSimpleChart(f.Temp.File("src-" + version), "demo", version));
            var upload = new ChartUpload(chart.FileName, chart.Archive, f.Alice.Sign(chart.Archive, chart.FileName, TrustFixture.At(6)));
            var published = await ChartPublisher.PublishAsync(upload, new PublishOptions(f.Repo, f.Pin), f.Store, TrustFixture.At(6));
            Assert.IsType<PublishResult.Published>(published);
        }
    }

    [Fact]
    public async Task TrustFilesRolledBack_UnderTheRoot_ItRefusesToSignOverThem_UnlessToldLoudly()
    {
        using var f = new TrustFixture();
        var memory = new SignedVersionStore(f.Temp.File("signed-state"));
        RootSigner Root(bool allowRollback = false) => f.Root.RootSigner(TrustFixture.At(1)) with { Memory = memory, AllowRollback = allowRollback };
        await TrustRepository.InitAsync(f.Repo, Root(), TrustFixture.Validity, TrustFixture.At(1));
        await TrustRepository.AddAsync(f.Repo, Root(), Keyring.Merge("keys", [f.Alice.Public, f.Bob.Public]), null, TrustFixture.At(1)); // 2
        var version2 = Snapshot(f.Repo);
        await TrustRepository.RevokeAsync(f.Repo, Root(), f.Bob.Fingerprint, null, null, null, TrustFixture.At(2)); // 3: Bob revoked
        Restore(f.Repo, version2); // a restore from backup: Bob is trusted again in these files

        var refused = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RenewAsync(f.Repo, Root(), null, TrustFixture.At(3)));
        Assert.Contains("already signed version 3", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-rollback", refused.Message, StringComparison.Ordinal);
        Assert.Equal(version2[TrustFiles.ManifestName], File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName)));

        // The loud override signs above everything signed before, so no client that saw version 3 takes it for a rollback.
        var forced = await TrustRepository.RenewAsync(f.Repo, Root(allowRollback: true), null, TrustFixture.At(3));
        Assert.Equal(4, forced.Version);
    }

    [Fact]
    public async Task OneRootForTwoRepositories_ItsMemoryNamesTheOtherRepository_ForTrustInitToWarn()
    {
        using var f = new TrustFixture();
        var memory = new SignedVersionStore(f.Temp.File("signed-state"));
        RootSigner Root() => f.Root.RootSigner(TrustFixture.At(1)) with { Memory = memory };
        string other = f.Temp.File("other-repo");
        Assert.Empty(memory.SignedElsewhere(f.Root.Fingerprint, FolderRepositorySource.LocationOf(f.Repo)));
        await TrustRepository.InitAsync(f.Repo, Root(), TrustFixture.Validity, TrustFixture.At(1));
        await TrustRepository.AddAsync(f.Repo, Root(), Keyring.Merge("keys", [f.Alice.Public]), null, TrustFixture.At(1)); // 2
        await TrustRepository.InitAsync(other, Root(), TrustFixture.Validity, TrustFixture.At(1));
        // Another root's repository and a damaged record are not this root's business.
        await TrustRepository.InitAsync(f.Temp.File("bobs"), f.Bob.RootSigner(TrustFixture.At(1)) with { Memory = memory }, TrustFixture.Validity, TrustFixture.At(1));
        File.WriteAllText(Path.Combine(memory.Directory, "0123456789abcdef0123456789abcdef.json"), "{ damaged");

        Assert.Equal([(FolderRepositorySource.LocationOf(f.Repo), 2L)], memory.SignedElsewhere(f.Root.Fingerprint, FolderRepositorySource.LocationOf(other)));
        Assert.Equal([(FolderRepositorySource.LocationOf(other), 1L)], memory.SignedElsewhere(f.Root.Fingerprint, FolderRepositorySource.LocationOf(f.Repo)));
    }

    [Fact]
    public async Task RevokedKey_RecreatedFromTheSameSecretUnderANewFingerprint_IsStillRevoked()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var clone = Recreate(f.Alice, TrustFixture.T0.AddMinutes(7));
        Assert.NotEqual(f.Alice.Fingerprint, KeyInfo.Fingerprint(clone.GetPublicKey()));
        var cloneKeyring = Keyring.Parse(clone.GetEncoded(), "alice-clone");

        // Trusted alongside the original, then the original is revoked: the clone's charts are revoked too.
        await TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(1)), cloneKeyring, null, TrustFixture.At(1));
        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(1)), f.Alice.Fingerprint, null, null, null, TrustFixture.At(2));
        var material = await f.MaterialAsync(TrustFixture.At(3));
        byte[] prov = SignWith(clone, f.Alice, f.Archive, f.ArchiveName, TrustFixture.At(3));
        var verdict = TrustGate.Judge(f.ArchiveName, f.Archive, prov, new TrustBasis.Repository(material), GateExpectations.None, TrustFixture.At(3));
        Assert.Equal(RejectionReason.SignerRevoked, Assert.IsType<Verdict.Refused>(verdict).Refusal.Reason);

        // And it cannot be added again under its new fingerprint.
        await TrustRepository.RemoveAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(3)), [KeyInfo.Fingerprint(clone.GetPublicKey())], null, TrustFixture.At(3));
        var refused = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(3)), cloneKeyring, null, TrustFixture.At(3)));
        Assert.Contains("holds the key material of revoked key " + f.Alice.Fingerprint, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKeysSecret_RewrappedAsAnRsaSignOnlyKey_IsStillRevoked_AndCannotBeAddedAgain()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var carol = new TestKey("Carol <carol@example.com>", TrustFixture.T0, algorithm: KeyAlgorithm.Rsa3072);
        await TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(1)), carol.Public, null, TrustFixture.At(1));
        // The same RSA secret as an "RSA sign-only" (algorithm 3) key instead of an "RSA" (algorithm 1) one: another
        // fingerprint, another algorithm number, the very same key (gpg's keygrip is the same).
        var clone = Recreate(carol, TrustFixture.T0.AddMinutes(7), PublicKeyAlgorithmTag.RsaSign);
        Assert.Equal(PublicKeyAlgorithmTag.RsaGeneral, carol.Public.PublicKeyRings[0].GetPublicKey().Algorithm);
        Assert.Equal(PublicKeyAlgorithmTag.RsaSign, clone.GetPublicKey().Algorithm);
        var cloneKeyring = Keyring.Parse(clone.GetEncoded(), "carol-clone");

        await TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(1)), cloneKeyring, null, TrustFixture.At(1));
        await TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(1)), carol.Fingerprint, null, null, null, TrustFixture.At(2));
        var material = await f.MaterialAsync(TrustFixture.At(3));
        byte[] prov = SignWith(clone, carol, f.Archive, f.ArchiveName, TrustFixture.At(3));
        var verdict = TrustGate.Judge(f.ArchiveName, f.Archive, prov, new TrustBasis.Repository(material), GateExpectations.None, TrustFixture.At(3));
        Assert.Equal(RejectionReason.SignerRevoked, Assert.IsType<Verdict.Refused>(verdict).Refusal.Reason);

        await TrustRepository.RemoveAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(3)), [KeyInfo.Fingerprint(clone.GetPublicKey())], null, TrustFixture.At(3));
        var refused = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.AddAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(3)), cloneKeyring, null, TrustFixture.At(3)));
        Assert.Contains("holds the key material of revoked key " + carol.Fingerprint, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrustFilesReplaced_ByAnotherRootHandingOverToTheRealOne_TheRealRootRefusesToSignOverThem()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));

        // Whoever can write the repository's files (not its root key) writes a manifest signed by a root of their own
        // that "hands over" to the real root, listing their own key.
        var fakeRoot = new TestKey("Fake Root <fake@example.com>", TrustFixture.T0);
        var mallory = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);
        byte[] pubkeys = Keyring.Concat(mallory.Public.PublicKeyRings);
        byte[] revoked = Keyring.Concat([]);
        var forged = new TrustManifest(100, TrustFixture.At(1000), fakeRoot.Fingerprint, f.Root.Fingerprint, new Dictionary<string, string>
        {
            [TrustFiles.PublicKeysName] = "sha256:" + Chartseal.IO.ContentHash.Sha256Hex(pubkeys),
            [TrustFiles.RevokedName] = "sha256:" + Chartseal.IO.ContentHash.Sha256Hex(revoked),
        });
        var fake = fakeRoot.RootSigner(TrustFixture.At(2));
        File.WriteAllBytes(Path.Combine(f.Repo, TrustFiles.PublicKeysName), pubkeys);
        File.WriteAllBytes(Path.Combine(f.Repo, TrustFiles.RevokedName), revoked);
        File.WriteAllBytes(Path.Combine(f.Repo, TrustFiles.RootKeysName), Keyring.Concat([fakeRoot.Public.PublicKeyRings[0], f.Root.Public.PublicKeyRings[0]]));
        File.WriteAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName), ProvenanceSigner.Sign(forged.Serialize(), fake.PrivateKey, fake.Key.SecretKey.PublicKey, TrustFixture.At(2)));
        // Clients pinned to the real root refuse it...
        Assert.IsType<TrustResult.Rejected>(TrustedMaterial.Load(await f.FilesAsync(), f.Pin, null, TrustFixture.At(3)));

        // ...and so does the real root: it never signs over material it did not sign (or hand over to itself).
        var e = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RenewAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(3)), null, TrustFixture.At(3)));
        Assert.Contains("not signed by the pinned root " + f.Root.Fingerprint, e.Message, StringComparison.Ordinal);
        Assert.IsType<TrustResult.Rejected>(TrustedMaterial.Load(await f.FilesAsync(), f.Pin, null, TrustFixture.At(3)));
    }

    [Fact]
    public async Task RepositoryReadded_UnderAnotherSpellingOrMirror_CannotReplayOlderTrustMaterial()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var version2 = Snapshot(f.Repo);
        await TrustRepository.RenewAsync(f.Repo, f.Root.RootSigner(TrustFixture.At(1)), null, TrustFixture.At(2)); // 3
        Assert.IsType<TrustResult.Accepted>(await RefreshAsync(f, f.Store, f.Pin, TrustFixture.At(3)));

        // Another location (a mirror, or the same repository re-added under another URL) serving version 2.
        string mirror = f.Temp.File("mirror");
        Directory.CreateDirectory(mirror);
        Restore(mirror, version2);
        var replayed = await TrustUpdater.RefreshAsync(new FolderRepositorySource(mirror), f.Pin, f.Store, TrustFixture.At(3));
        Assert.Equal(RejectionReason.TrustRollback, Assert.IsType<TrustResult.Rejected>(replayed).Reason);
    }

    [Fact]
    public async Task ManifestAtTheLargestVersion_Renewed_IsAClearRefusalNotANegativeVersion()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        // The root itself signed a manifest at the largest version (nothing else can make one).
        var current = await f.MaterialAsync(TrustFixture.At(1));
        var huge = current.Manifest with { Version = long.MaxValue };
        var root = f.Root.RootSigner(TrustFixture.At(1));
        File.WriteAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName), ProvenanceSigner.Sign(huge.Serialize(), root.PrivateKey, root.Key.SecretKey.PublicKey, TrustFixture.At(1)));

        var e = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RenewAsync(f.Repo, root, null, TrustFixture.At(2)));
        Assert.Contains("cannot grow", e.Message, StringComparison.Ordinal);
        Assert.Equal(long.MaxValue, (await f.MaterialAsync(TrustFixture.At(2))).Version);
    }

    [Fact]
    public async Task EachChange_KeepsTheLifetimeChosenAtInit_UntilChangedOnPurpose()
    {
        using var f = new TrustFixture();
        var root = f.Root.RootSigner(TrustFixture.At(1));
        await TrustRepository.InitAsync(f.Repo, root, TimeSpan.FromDays(10), TrustFixture.At(1));
        var added = await TrustRepository.AddAsync(f.Repo, root, f.Alice.Public, null, TrustFixture.At(2));
        Assert.Equal(TrustFixture.At(2) + TimeSpan.FromDays(10), added.Expires);

        var renewed = await TrustRepository.RenewAsync(f.Repo, root, TimeSpan.FromDays(30), TrustFixture.At(3));
        Assert.Equal(TrustFixture.At(3) + TimeSpan.FromDays(30), renewed.Expires);
        var removed = await TrustRepository.RemoveAsync(f.Repo, root, [f.Alice.Fingerprint], null, TrustFixture.At(4));
        Assert.Equal(TrustFixture.At(4) + TimeSpan.FromDays(30), removed.Expires);
    }

    private static Dictionary<string, byte[]> Snapshot(string repo) =>
        Directory.GetFiles(repo).Where(p => !Path.GetFileName(p).StartsWith('.')).ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    private static void Restore(string repo, Dictionary<string, byte[]> files)
    {
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(repo, name), bytes);
        }
    }

    // The same secret key material, wrapped into a new certificate with another creation time (another fingerprint).
    private static PgpSecretKeyRing Recreate(TestKey key, DateTime created, PublicKeyAlgorithmTag? algorithm = null)
    {
        PgpSecretKey secret = key.Secret.SecretKeyRings[0].GetSecretKey();
        PgpPrivateKey privateKey = secret.ExtractPrivateKeyUtf8([]);
        var pair = new PgpKeyPair(algorithm ?? secret.PublicKey.Algorithm, secret.PublicKey.GetKey(), privateKey.Key, created);
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetSignatureCreationTime(false, created);
        subpackets.SetIssuerFingerprint(false, pair.PublicKey);
        subpackets.SetKeyFlags(false, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        var generator = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, pair, key.UserId + " (again)", SymmetricKeyAlgorithmTag.Null,
            HashAlgorithmTag.Sha512, true, [], false, subpackets.Generate(), null, new SecureRandom());
        return generator.GenerateSecretKeyRing();
    }

    private static byte[] SignWith(PgpSecretKeyRing ring, TestKey original, byte[] archive, string name, DateTime now)
    {
        var keyring = Keyring.Parse(ring.GetEncoded(), "clone");
        var key = SigningKeySelector.Select(keyring, KeyInfo.Fingerprint(ring.GetPublicKey()), now);
        _ = original;
        return ChartSigning.Sign(archive, name, key, key.Unlock(null), now);
    }
}

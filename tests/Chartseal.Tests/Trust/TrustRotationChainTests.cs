#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Security.Cryptography;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.Repository;

namespace Chartseal.Tests.Trust;

/// <summary>A client that missed a root rotation follows the hand-overs kept in rotations.asc, and nothing else.</summary>
public sealed class TrustRotationChainTests
{
    [Fact]
    public async Task Refresh_ClientMissedTheRotationAndItExpired_FollowsTheHandOverAndPinsTheNewRoot()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        Assert.Equal(2, (await RefreshAsync(f, TrustFixture.At(2))).Version); // the client's last refresh: N-1

        var newRoot = new TestKey("New Root <root2@example.com>", TrustFixture.T0);
        await TrustRepository.RotateRootAsync(f.Repo, f.Root.RootSigner(now), newRoot.RootSigner(now), TrustFixture.Validity, TrustFixture.At(3));
        // Two more changes by the new root; the second after the rotation manifest expired (hand-overs are old by design).
        await TrustRepository.RemoveAsync(f.Repo, newRoot.RootSigner(now), [f.Bob.Fingerprint], TrustFixture.Validity, TrustFixture.At(4));
        DateTime later = TrustFixture.At(3) + TrustFixture.Validity + TimeSpan.FromDays(1);
        await TrustRepository.RenewAsync(f.Repo, newRoot.RootSigner(later), TrustFixture.Validity, later);

        var material = await RefreshAsync(f, later.AddHours(1));

        Assert.Equal(5, material.Version);
        Assert.Equal(newRoot.Fingerprint, material.SignedBy);
        Assert.Equal(newRoot.Fingerprint, material.RootToPin);
        var state = f.Store.Get(f.Pin)!;
        Assert.Equal(newRoot.Fingerprint, state.CurrentRoot);
        Assert.Equal(5, state.Seen.Version);
        // Pinned to the new root now: the next refresh needs no chain.
        File.Delete(Path.Combine(f.Repo, TrustFiles.RotationsName));
        Assert.Equal(5, (await RefreshAsync(f, later.AddHours(2))).Version);
    }

    [Fact]
    public async Task Refresh_TwoRotationsMissedAtOnce_FollowsOldToAToB()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        await RefreshAsync(f, now);
        var a = new TestKey("Root A <a@example.com>", TrustFixture.T0);
        var b = new TestKey("Root B <b@example.com>", TrustFixture.T0);
        await TrustRepository.RotateRootAsync(f.Repo, f.Root.RootSigner(now), a.RootSigner(now), TrustFixture.Validity, now); // 3
        await TrustRepository.RenewAsync(f.Repo, a.RootSigner(now), TrustFixture.Validity, now);                                          // 4
        await TrustRepository.RotateRootAsync(f.Repo, a.RootSigner(now), b.RootSigner(now), TrustFixture.Validity, now);       // 5
        await TrustRepository.RenewAsync(f.Repo, b.RootSigner(now), TrustFixture.Validity, now);                                          // 6

        var material = await RefreshAsync(f, now.AddHours(1));

        Assert.Equal(6, material.Version);
        Assert.Equal(b.Fingerprint, material.RootToPin);
        Assert.Equal(b.Fingerprint, f.Store.Get(f.Pin)!.CurrentRoot);
    }

    [Fact]
    public async Task Refresh_ClientMissedTheRotationButRotationsFileIsGone_RefusedAsBefore()
    {
        using var f = new TrustFixture();
        var newRoot = await RotatedAndRenewedAsync(f);
        File.Delete(Path.Combine(f.Repo, TrustFiles.RotationsName));

        var result = await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, TrustFixture.At(5));

        AssertRejected(RejectionReason.TrustBadSignature, result);
        Assert.Equal(f.Root.Fingerprint, f.Store.Get(f.Pin)!.CurrentRoot);
        Assert.NotEqual(newRoot.Fingerprint, f.Store.Get(f.Pin)!.CurrentRoot);
    }

    [Fact]
    public async Task Refresh_HandOverSignedByAnotherKeyThanThePin_Refused()
    {
        using var f = new TrustFixture();
        var newRoot = await RotatedAndRenewedAsync(f);
        // The same hand-over, but signed by the new root instead of the pinned old one.
        File.WriteAllBytes(Path.Combine(f.Repo, TrustFiles.RotationsName), HandOver(newRoot, 3, f.Root.Fingerprint, newRoot.Fingerprint));

        var result = await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, TrustFixture.At(5));

        AssertRejected(RejectionReason.TrustBadSignature, result, "holds no hand-over signed by it");
    }

    [Fact]
    public async Task Refresh_HandOverSignedByThePinButNamingAnotherRoot_Refused()
    {
        using var f = new TrustFixture();
        var newRoot = await RotatedAndRenewedAsync(f);
        File.WriteAllBytes(Path.Combine(f.Repo, TrustFiles.RotationsName), HandOver(f.Root, 3, f.Bob.Fingerprint, newRoot.Fingerprint));

        var result = await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, TrustFixture.At(5));

        AssertRejected(RejectionReason.TrustBadSignature, result, $"names root {f.Bob.Fingerprint}");
    }

    [Fact]
    public async Task Load_AttackerAppendsHandOverToTheirKeySignedByTheirKey_Refused()
    {
        using var f = new TrustFixture();
        var newRoot = await RotatedAndRenewedAsync(f);
        var evil = new TestKey("Evil <evil@example.com>", TrustFixture.T0);
        var genuine = await f.FilesAsync();
        // The genuine hand-over OLD → NEW, then a forged NEW → EVIL signed by EVIL, and a manifest by EVIL.
        var forged = genuine with
        {
            Manifest = Manifest(evil, 9, genuine),
            RootKeys = [.. genuine.RootKeys!, .. evil.Public.ExportPublic()],
            Rotations = [.. genuine.Rotations!, .. HandOver(evil, 8, newRoot.Fingerprint, evil.Fingerprint)],
        };

        var result = TrustedMaterial.Load(forged, f.Pin, Seen(f), TrustFixture.At(5));

        AssertRejected(RejectionReason.TrustBadSignature, result, $"lead to root {newRoot.Fingerprint}");
        // The genuine files with the same forged tail appended are still followed to the genuine root.
        var tolerated = genuine with { Rotations = forged.Rotations, RootKeys = forged.RootKeys };
        Assert.Equal(newRoot.Fingerprint, Assert.IsType<TrustResult.Accepted>(TrustedMaterial.Load(tolerated, f.Pin, Seen(f), TrustFixture.At(5))).Material.RootToPin);
    }

    [Fact]
    public async Task Load_HandOverChainBuiltByHand_AcceptedWhenVersionsGrow_RefusedWhenTheyGoBackOrBelowTheSeenVersion()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var genuine = await f.FilesAsync();
        var a = new TestKey("Root A <a@example.com>", TrustFixture.T0);
        var b = new TestKey("Root B <b@example.com>", TrustFixture.T0);
        byte[] roots = Keyring.Concat([.. f.Root.Public.PublicKeyRings, .. a.Public.PublicKeyRings, .. b.Public.PublicKeyRings]);
        TrustFiles Chain(long first, long second) => genuine with
        {
            Manifest = Manifest(b, 9, genuine),
            RootKeys = roots,
            Rotations = [.. HandOver(f.Root, first, f.Root.Fingerprint, a.Fingerprint), .. HandOver(a, second, a.Fingerprint, b.Fingerprint)],
        };
        var seen = new SeenTrust(2, Convert.ToHexStringLower(SHA256.HashData(genuine.Manifest!)));
        DateTime now = TrustFixture.At(2);

        var accepted = Assert.IsType<TrustResult.Accepted>(TrustedMaterial.Load(Chain(3, 5), f.Pin, seen, now));
        Assert.Equal(b.Fingerprint, accepted.Material.RootToPin);

        AssertRejected(RejectionReason.TrustRollback, TrustedMaterial.Load(Chain(5, 4), f.Pin, seen, now), "previous hand-over");
        AssertRejected(RejectionReason.TrustRollback, TrustedMaterial.Load(Chain(2, 5), f.Pin, seen, now), "already accepted");
        // The manifest must be newer than the last hand-over.
        AssertRejected(RejectionReason.TrustRollback, TrustedMaterial.Load(Chain(3, 9), f.Pin, seen, now), "not newer than the hand-over");
        // A cycle back to a root met before.
        var cycle = Chain(3, 5) with { Rotations = [.. HandOver(f.Root, 3, f.Root.Fingerprint, a.Fingerprint), .. HandOver(a, 4, a.Fingerprint, f.Root.Fingerprint)] };
        AssertRejected(RejectionReason.TrustBadSignature, TrustedMaterial.Load(cycle, f.Pin, seen, now), "met earlier");
        // Two different hand-overs from the pinned root.
        var fork = Chain(3, 5) with { Rotations = [.. Chain(3, 5).Rotations!, .. HandOver(f.Root, 4, f.Root.Fingerprint, b.Fingerprint)] };
        AssertRejected(RejectionReason.TrustBadSignature, TrustedMaterial.Load(fork, f.Pin, seen, now), "different hand-overs");
        // Garbage in rotations.asc fails closed.
        var garbage = Chain(3, 5) with { Rotations = "not a signed document\n"u8.ToArray() };
        AssertRejected(RejectionReason.TrustMismatch, TrustedMaterial.Load(garbage, f.Pin, seen, now), TrustFiles.RotationsName);
    }

    [Fact]
    public async Task RotateRoot_AppendsEachRotationManifestToRotations()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        Assert.False(File.Exists(Path.Combine(f.Repo, TrustFiles.RotationsName)));
        var a = new TestKey("Root A <a@example.com>", TrustFixture.T0);
        var b = new TestKey("Root B <b@example.com>", TrustFixture.T0);

        await TrustRepository.RotateRootAsync(f.Repo, f.Root.RootSigner(now), a.RootSigner(now), TrustFixture.Validity, now);
        byte[] first = File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName));
        await TrustRepository.RenewAsync(f.Repo, a.RootSigner(now), TrustFixture.Validity, now);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.RotationsName)));
        await TrustRepository.RotateRootAsync(f.Repo, a.RootSigner(now), b.RootSigner(now), TrustFixture.Validity, now);
        byte[] second = File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName));

        Assert.Equal([.. first, .. second], File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.RotationsName)));
    }

    /// <summary>init + add (v1, v2), the client accepts v2, OLD rotates to NEW (v3), NEW renews (v4).</summary>
    [Fact]
    public async Task Refresh_RotationsFileWithTooManyEntries_RefusedWithoutWalkingThem()
    {
        using var f = new TrustFixture();
        await RotatedAndRenewedAsync(f);
        string path = Path.Combine(f.Repo, TrustFiles.RotationsName);
        byte[] one = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, [.. Enumerable.Repeat(one, TrustedMaterial.MaxRotationEntries + 1).SelectMany(b => b)]);

        var result = await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, TrustFixture.At(5));

        AssertRejected(RejectionReason.TrustMismatch, result, $"at most {TrustedMaterial.MaxRotationEntries}");
    }

    [Fact]
    public async Task Rotate_InterruptedBeforeRotationsFile_TheNextChangeKeepsTheHandOver()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        await RefreshAsync(f, TrustFixture.At(2));
        var newRoot = new TestKey("New Root <root2@example.com>", TrustFixture.T0);
        await TrustRepository.RotateRootAsync(f.Repo, f.Root.RootSigner(now), newRoot.RootSigner(now), TrustFixture.Validity, TrustFixture.At(3));
        byte[] rotationManifest = await File.ReadAllBytesAsync(Path.Combine(f.Repo, TrustFiles.ManifestName));
        // The writer stopped after the rotation's manifest: no rotations.asc yet.
        File.Delete(Path.Combine(f.Repo, TrustFiles.RotationsName));

        await TrustRepository.RenewAsync(f.Repo, newRoot.RootSigner(now), TrustFixture.Validity, TrustFixture.At(4));

        Assert.Equal(rotationManifest, await File.ReadAllBytesAsync(Path.Combine(f.Repo, TrustFiles.RotationsName)));
        Assert.Equal(newRoot.Fingerprint, (await RefreshAsync(f, TrustFixture.At(5))).RootToPin); // the client follows it
    }

    private static async Task<TestKey> RotatedAndRenewedAsync(TrustFixture f)
    {
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        await RefreshAsync(f, TrustFixture.At(2));
        var newRoot = new TestKey("New Root <root2@example.com>", TrustFixture.T0);
        await TrustRepository.RotateRootAsync(f.Repo, f.Root.RootSigner(now), newRoot.RootSigner(now), TrustFixture.Validity, TrustFixture.At(3));
        await TrustRepository.RenewAsync(f.Repo, newRoot.RootSigner(now), TrustFixture.Validity, TrustFixture.At(4));
        return newRoot;
    }

    private static SeenTrust Seen(TrustFixture f) => f.Store.Get(f.Pin)!.Seen;

    /// <summary>A rotation manifest with the given fields, signed by <paramref name="signer"/>.</summary>
    private static byte[] HandOver(TestKey signer, long version, string root, string nextRoot) =>
        Sign(signer, new TrustManifest(version, TrustFixture.At(3) + TrustFixture.Validity, root, nextRoot, EmptyFiles()));

    /// <summary>A manifest by <paramref name="signer"/> (as its root) over the keyrings of <paramref name="files"/>.</summary>
    private static byte[] Manifest(TestKey signer, long version, TrustFiles files) =>
        Sign(signer, new TrustManifest(version, TrustFixture.At(3) + TrustFixture.Validity, signer.Fingerprint, null, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TrustFiles.PublicKeysName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(files.PublicKeys!)),
            [TrustFiles.RevokedName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(files.Revoked!)),
        }));

    private static Dictionary<string, string> EmptyFiles() => new(StringComparer.Ordinal)
    {
        [TrustFiles.PublicKeysName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData([])),
        [TrustFiles.RevokedName] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData([])),
    };

    private static byte[] Sign(TestKey signer, TrustManifest manifest)
    {
        RootSigner root = signer.RootSigner(TrustFixture.At(1));
        return ProvenanceSigner.Sign(manifest.Serialize(), root.PrivateKey, root.Key.SecretKey.PublicKey, TrustFixture.At(1));
    }

    private static async Task<TrustedMaterial> RefreshAsync(TrustFixture f, DateTime now)
    {
        var result = await TrustUpdater.RefreshAsync(new FolderRepositorySource(f.Repo), f.Pin, f.Store, now);
        return result is TrustResult.Accepted a ? a.Material : throw new Xunit.Sdk.XunitException($"trust rejected: {((TrustResult.Rejected)result).Reason.Name()}: {((TrustResult.Rejected)result).Message}");
    }

    private static void AssertRejected(RejectionReason expected, TrustResult result, string? messagePart = null)
    {
        var rejected = Assert.IsType<TrustResult.Rejected>(result);
        Assert.True(expected == rejected.Reason, $"expected {expected.Name()}, got {rejected.Reason.Name()}: {rejected.Message}");
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, rejected.Message, StringComparison.Ordinal);
        }
    }
}

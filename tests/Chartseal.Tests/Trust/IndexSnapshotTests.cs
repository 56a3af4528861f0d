#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Text;
using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.OpenPgp;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Trust;

namespace Chartseal.Tests.Trust;

/// <summary>
/// The signed index snapshot, through the same calls a client makes (<see cref="IndexUpdater"/> over a repository
/// folder): each test is named after what was done to the repository, and every reason it can say no is here.
/// </summary>
public sealed class IndexSnapshotTests
{
    /// <summary>A repository with Alice and Bob trusted, index key Ivy delegated (version 3), demo 1.0.0 published and a snapshot signed at hour 2.</summary>
    private sealed class Repo : IDisposable
    {
        public Repo(TimeSpan? indexKeyValidity = null)
        {
            Ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0, indexKeyValidity);
        }

        public TrustFixture F { get; } = new();
        public TestKey Ivy { get; }
        public TrustStateStore Client { get; private set; } = null!;
        public string Dir => F.Repo;

        public static async Task<Repo> CreateAsync(TimeSpan? maxLifetime = null, TimeSpan? indexKeyValidity = null)
        {
            var r = new Repo(indexKeyValidity);
            await r.F.InitWithTwoMaintainersAsync(TrustFixture.At(1));
            await TrustRepository.AddIndexKeyAsync(r.Dir, r.F.Root.RootSigner(TrustFixture.At(1)), r.Ivy.Public, maxLifetime, null, TrustFixture.At(1));
            await r.PublishAsync("1.0.0", TrustFixture.At(2));
            await r.SignAsync(TrustFixture.At(2));
            r.Client = new TrustStateStore(r.F.Temp.File("client-state"));
            return r;
        }

        public IndexSigner Signer(TestKey key, DateTime now)
        {
            var selected = SigningKeySelector.Select(key.Secret, key.Fingerprint, now);
            return new IndexSigner(selected, selected.Unlock(null));
        }

        public Task<IndexSnapshot> SignAsync(DateTime now, TimeSpan? lifetime = null, TestKey? key = null) =>
            IndexSnapshotWriter.SignAsync(Dir, Signer(key ?? Ivy, now), lifetime ?? TimeSpan.FromDays(1), now);

        public async Task PublishAsync(string version, DateTime now, TestKey? signer = null)
        {
            var chart = ChartPackager.Package(ChartFixtures.WriteSimpleChart(F.Temp.File($"src-{version}-{Guid.NewGuid():N}"), "demo", version));
            var upload = new ChartUpload(chart.FileName, chart.Archive, (signer ?? F.Alice).Sign(chart.Archive, chart.FileName, now));
            Assert.IsType<PublishResult.Published>(await ChartPublisher.PublishAsync(upload, new PublishOptions(Dir, F.Pin), F.Store, now));
        }

        /// <summary>What <c>repo update</c> does: the trust material, then the index through its snapshot.</summary>
        public async Task<IndexDownload> UpdateAsync(DateTime now, string? held = null)
        {
            var source = new FolderRepositorySource(Dir);
            var trust = Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(source, F.Pin, Client, now));
            string path = F.Temp.File($"download-{Guid.NewGuid():N}");
            return await IndexUpdater.SaveAsync(source, F.Pin, Client, trust.Material, held, null, path, null, now);
        }

        public async Task<Refusal> RefusedAsync(RejectionReason reason, DateTime now)
        {
            var rejected = Assert.IsType<IndexDownload.Rejected>(await UpdateAsync(now));
            Assert.True(reason == rejected.Refusal.Reason, $"expected {reason.Name()}, got {rejected.Refusal}");
            return rejected.Refusal;
        }

        public string SnapshotPath => Path.Combine(Dir, IndexSnapshot.FileName);

        public void Dispose() => F.Dispose();
    }

    private static DateTime At(double hours) => TrustFixture.At(hours);

    [Fact]
    public async Task FreshSnapshot_TheIndexItSigns_IsSavedAndRemembered()
    {
        using var r = await Repo.CreateAsync();

        var saved = Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(3)));

        byte[] index = await File.ReadAllBytesAsync(Path.Combine(r.Dir, ChartIndex.FileName));
        Assert.Equal(ContentHash.Sha256Hex(index), saved.File.Sha256);
        Assert.Equal(index.LongLength, saved.File.Length);
        Assert.Equal(r.Ivy.Fingerprint, saved.Snapshot!.SignedBy);
        Assert.Equal(saved.Snapshot.Version, r.Client.Get(r.F.Pin)!.Snapshot!.Version);
        // The index it names is published under its content-addressed name, and plain gpg-style readers see a signed document.
        Assert.True(File.Exists(Path.Combine(r.Dir, IndexSnapshot.ContentAddressedIndexName(saved.File.Sha256))));
        // Held already: nothing is downloaded again.
        Assert.IsType<IndexDownload.Unchanged>(await r.UpdateAsync(At(3), held: saved.File.Sha256));
    }

    [Fact]
    public async Task Search_OnceTheCachedTrustMaterialItselfExpired_StillRefusesTheIndexNoFreshSnapshotVouchesFor()
    {
        using var r = await Repo.CreateAsync();
        var home = ClientHome.Under(r.F.Temp.File("home"));
        var repository = new ConfiguredRepository("demo", r.Dir, r.F.Root.Fingerprint, TrustOnFirstUse: false, InsecureHttp: false);
        Assert.IsType<RepositoryUpdate.Updated>(await RepositoryClient.AddAsync(home, repository, At(3)));
        var fresh = await ChartSearch.SearchAsync(home, [repository], new ChartSearchQuery("demo"), At(3));
        Assert.Single(fresh.Hits);
        Assert.Empty(fresh.Refused);

        // A day later the snapshot has expired: search refuses the cached index (a refusal, not an error), and searches
        // a repository that signs no index on (its cached index only).
        var plain = new ConfiguredRepository("plain", "https://plain.example.com", r.F.Root.Fingerprint, TrustOnFirstUse: false, InsecureHttp: false);
        Directory.CreateDirectory(home.CacheFor("plain"));
        await File.WriteAllTextAsync(Path.Combine(home.CacheFor("plain"), ChartIndex.FileName),
            "apiVersion: v1\nentries:\n  demo-plain:\n  - {apiVersion: v2, name: demo-plain, version: 1.0.0, urls: [demo-plain-1.0.0.tgz]}\n");
        var stale = await ChartSearch.SearchAsync(home, [repository, plain], new ChartSearchQuery("demo"), At(30));
        Assert.Equal("plain/demo-plain", Assert.Single(stale.Hits).Reference);
        var expired = Assert.Single(stale.Refused);
        Assert.Equal(("demo", RejectionReason.IndexExpired), (expired.Repository, expired.Refusal.Reason));
        Assert.Equal(Path.Combine(home.CacheFor("demo"), IndexSnapshot.FileName), expired.File);
        // Months later the trust material has expired as well: the index is vouched for by even less, and still refused.
        var staler = Assert.Single((await ChartSearch.SearchAsync(home, [repository], new ChartSearchQuery("demo"), At(24 * 200))).Refused);
        Assert.Equal(RejectionReason.TrustExpired, staler.Refusal.Reason);
        Assert.Contains("repo update demo", staler.Refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnapshotRemoved_WhileTheTrustMaterialNamesAnIndexKey_IsRefusedAsUnsigned()
    {
        using var r = await Repo.CreateAsync();
        File.Delete(r.SnapshotPath);

        var refusal = await r.RefusedAsync(RejectionReason.IndexUnsigned, At(3));
        Assert.Contains("trust version 3 names index keys", refusal.Message, StringComparison.Ordinal);
    }

    // audit printed every refusal as about trust.yaml.asc, the trust material it had accepted.
    [Fact]
    public async Task Audit_SnapshotOrIndexRefused_NamesTheSnapshotOrTheIndex_NotTheTrustManifest()
    {
        using var r = await Repo.CreateAsync();
        var source = new FolderRepositorySource(r.Dir);
        string addressed = IndexSnapshot.ContentAddressedIndexName((await r.SignAsync(At(3))).IndexSha256);
        await File.AppendAllTextAsync(Path.Combine(r.Dir, addressed), "# trimmed\n");
        var trimmed = Assert.IsType<AuditResult.Rejected>(await RepositoryAudit.AuditAsync(source, r.F.Pin, r.Client, At(3)));
        Assert.Equal((RejectionReason.IndexMismatch, source.AddressOf(addressed)), (trimmed.Reason, trimmed.File));

        await File.WriteAllTextAsync(r.SnapshotPath, "garbage");
        var garbage = Assert.IsType<AuditResult.Rejected>(await RepositoryAudit.AuditAsync(source, r.F.Pin, r.Client, At(3)));
        Assert.Equal((RejectionReason.IndexBadSignature, source.AddressOf(IndexSnapshot.FileName)), (garbage.Reason, garbage.File));

        File.AppendAllText(Path.Combine(r.Dir, TrustFiles.PublicKeysName), "x");
        var trust = Assert.IsType<AuditResult.Rejected>(await RepositoryAudit.AuditAsync(source, r.F.Pin, r.Client, At(3)));
        Assert.Equal((RejectionReason.TrustMismatch, source.AddressOf(TrustFiles.ManifestName)), (trust.Reason, trust.File));
    }

    [Fact]
    public async Task SnapshotSignedByAMaintainer_NotAnIndexKey_IsRefused()
    {
        using var r = await Repo.CreateAsync();
        // Alice can sign charts; she cannot vouch for the index.
        var snapshot = new IndexSnapshot(1, At(20), 3, ContentHash.Sha256Hex(File.ReadAllBytes(Path.Combine(r.Dir, TrustFiles.ManifestName))), IndexSnapshot.IndexFileName, new string('0', 64), 1);
        await File.WriteAllBytesAsync(r.SnapshotPath, SignBody(snapshot.Serialize(), r.F.Alice, At(2)));

        var refusal = await r.RefusedAsync(RejectionReason.IndexBadSignature, At(3));
        Assert.Contains("not signed by an index key", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnapshotBodyEdited_AfterSigning_IsRefused()
    {
        using var r = await Repo.CreateAsync();
        string text = await File.ReadAllTextAsync(r.SnapshotPath);
        await File.WriteAllTextAsync(r.SnapshotPath, text.Replace("expires: ", "expires: 2", StringComparison.Ordinal).Replace("expires: 22", "expires: 29", StringComparison.Ordinal));

        await r.RefusedAsync(RejectionReason.IndexBadSignature, At(3));
    }

    [Fact]
    public async Task SnapshotSignedButMalformed_IsRefused()
    {
        using var r = await Repo.CreateAsync();
        await File.WriteAllBytesAsync(r.SnapshotPath, SignBody("apiVersion: chartseal/v1\nkind: IndexSnapshot\nversion: 9\n", r.Ivy, At(2)));

        var refusal = await r.RefusedAsync(RejectionReason.IndexBadSignature, At(3));
        Assert.Contains("malformed", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnapshotOfARegistrysTagMap_ServedForAnHttpOrFolderRepository_IsRefused_AndNotRemembered()
    {
        using var r = await Repo.CreateAsync();
        var honest = await r.SignAsync(At(2));
        // The same trust material also published as a registry namespace: its snapshot (same manifest, same index key)
        // covers tags.json. A mirror serves it, and the map under the content-addressed name it leads to.
        byte[] tags = new OciTagMap([]).ToJson();
        var registrys = honest with { Version = honest.Version + 1000, IndexName = IndexSnapshot.TagsFileName, IndexSha256 = ContentHash.Sha256Hex(tags), IndexSize = tags.LongLength };
        await File.WriteAllBytesAsync(r.SnapshotPath, SignBody(registrys.Serialize(), r.Ivy, At(2)));
        await File.WriteAllBytesAsync(Path.Combine(r.Dir, IndexSnapshot.ContentAddressedIndexName(registrys.IndexSha256)), tags);

        var refusal = await r.RefusedAsync(RejectionReason.IndexMismatch, At(3));
        Assert.Contains("covers tags.json", refusal.Message, StringComparison.Ordinal);
        Assert.Null(r.Client.Get(r.F.Pin)!.Snapshot); // its version is not remembered (it would lock out the repository's own snapshots)
    }

    [Fact]
    public async Task IndexTrimmed_UnderTheNameTheSnapshotGives_IsRefused()
    {
        using var r = await Repo.CreateAsync();
        await r.PublishAsync("1.0.1", At(2));
        var signed = await r.SignAsync(At(2));
        // A mirror serves the index without the fix under the name the snapshot points to.
        string addressed = Path.Combine(r.Dir, IndexSnapshot.ContentAddressedIndexName(signed.IndexSha256));
        var trimmed = ChartIndex.Load(new MemoryStream(await File.ReadAllBytesAsync(addressed)), "index");
        trimmed.Remove("demo", "1.0.1");
        await File.WriteAllTextAsync(addressed, trimmed.Serialize());

        var refusal = await r.RefusedAsync(RejectionReason.IndexMismatch, At(3));
        Assert.Contains("tampered with, or trimmed", refusal.Message, StringComparison.Ordinal);
        Assert.Null(r.Client.Get(r.F.Pin)!.Snapshot); // nothing remembered from a refused update
    }

    [Fact]
    public async Task IndexTheSnapshotNames_Missing_IsRefused()
    {
        using var r = await Repo.CreateAsync();
        foreach (string file in Directory.EnumerateFiles(r.Dir, "index.sha256-*.yaml"))
        {
            File.Delete(file);
        }

        var refusal = await r.RefusedAsync(RejectionReason.IndexMismatch, At(3));
        Assert.Contains("is not in the repository", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OldSignedIndexReplayed_AfterANewerOneWasSeen_IsRefused()
    {
        using var r = await Repo.CreateAsync();
        byte[] old = await File.ReadAllBytesAsync(r.SnapshotPath);
        await r.PublishAsync("1.0.1", At(2.5));
        await r.SignAsync(At(2.5));
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(3)));

        await File.WriteAllBytesAsync(r.SnapshotPath, old); // still validly signed, not expired, its index still there
        var refusal = await r.RefusedAsync(RejectionReason.IndexRollback, At(3));
        Assert.Contains("older than version", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnapshotExpired_IsRefused_SayingHowStale()
    {
        using var r = await Repo.CreateAsync(); // signed at hour 2 for one day

        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(25)));
        var refusal = await r.RefusedAsync(RejectionReason.IndexExpired, At(29));
        Assert.Contains("3 hours ago", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StolenIndexKey_SigningATrimmedIndexForAYear_IsCappedAtTheManifestsMaximum()
    {
        using var r = await Repo.CreateAsync(maxLifetime: TimeSpan.FromDays(2));
        // The thief's own snapshot, for a year (our writer refuses that lifetime; a thief writes the file itself).
        var honest = await r.SignAsync(At(2));
        var year = honest with { Version = honest.Version + 1, Expires = At(2 + 24 * 365) };
        await File.WriteAllBytesAsync(r.SnapshotPath, SignBody(year.Serialize(), r.Ivy, At(2)));

        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(40)));
        var refusal = await r.RefusedAsync(RejectionReason.IndexExpired, At(51));
        Assert.Contains("capped at 2 days after signing", refusal.Message, StringComparison.Ordinal);
        // And our own signer never writes such a snapshot.
        var e = await Assert.ThrowsAsync<ChartsealException>(() => r.SignAsync(At(3), TimeSpan.FromDays(3)));
        Assert.Contains("at most 2 days", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrustChanged_AndTheSnapshotNotSignedAgain_IsRefusedAsMixAndMatch_UntilItIs()
    {
        using var r = await Repo.CreateAsync();
        await TrustRepository.RenewAsync(r.Dir, r.F.Root.RootSigner(At(2.5)), null, At(2.5)); // version 4

        var refusal = await r.RefusedAsync(RejectionReason.IndexTrustMismatch, At(3));
        Assert.Contains("made with trust version 3, but trust version 4 was accepted", refusal.Message, StringComparison.Ordinal);

        await r.SignAsync(At(3));
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(3)));
    }

    [Fact]
    public async Task IndexKeyRotated_AfterAThiefSignedAHugeVersion_ClientsRecoverWithoutRepinning()
    {
        using var r = await Repo.CreateAsync();
        var honest = await r.SignAsync(At(2));
        var stolen = honest with { Version = long.MaxValue / 2 };
        await File.WriteAllBytesAsync(r.SnapshotPath, SignBody(stolen.Serialize(), r.Ivy, At(2)));
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(3)));
        Assert.Equal(long.MaxValue / 2, r.Client.Get(r.F.Pin)!.Snapshot!.Version);

        // The root replaces the index key; the new key signs with an ordinary version.
        var ivy2 = new TestKey("Ivy Index 2 <index2@example.com>", TrustFixture.T0);
        await TrustRepository.AddIndexKeyAsync(r.Dir, r.F.Root.RootSigner(At(4)), ivy2.Public, null, null, At(4));
        await TrustRepository.RemoveIndexKeyAsync(r.Dir, r.F.Root.RootSigner(At(4)), [r.Ivy.Fingerprint], null, At(4));
        File.Delete(r.SnapshotPath); // the thief's version is not counted up from
        var fresh = await r.SignAsync(At(4), key: ivy2);
        Assert.True(fresh.Version < long.MaxValue / 2);

        var saved = Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(5)));
        Assert.Equal(ivy2.Fingerprint, saved.Snapshot!.SignedBy);
        // The old key can no longer sign for the repository.
        var e = await Assert.ThrowsAsync<ChartsealException>(() => r.SignAsync(At(5)));
        Assert.Contains("is not an index key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndexKeyRevoked_StopsBeingAnIndexKey_AndItsSnapshotsAreRefused()
    {
        using var r = await Repo.CreateAsync();
        var ivy2 = new TestKey("Ivy Index 2 <index2@example.com>", TrustFixture.T0);
        await TrustRepository.AddIndexKeyAsync(r.Dir, r.F.Root.RootSigner(At(2)), ivy2.Public, null, null, At(2));
        var honest = await r.SignAsync(At(2));

        // Ivy is stolen: the root revokes it.
        var manifest = await TrustRepository.RevokeAsync(r.Dir, r.F.Root.RootSigner(At(3)), r.Ivy.Fingerprint, null, null, null, At(3));
        var material = await r.F.MaterialAsync(At(3));
        Assert.True(material.IsRevoked(r.Ivy.Fingerprint));
        Assert.False(material.IsIndexKey(r.Ivy.Fingerprint));
        Assert.True(manifest.HasIndexKeys); // Ivy 2 still signs snapshots

        // The thief signs a snapshot naming the new trust manifest: clients refuse it.
        var stolen = honest with { Version = honest.Version + 1, TrustVersion = material.Version, TrustManifestSha256 = material.ManifestSha256 };
        await File.WriteAllBytesAsync(r.SnapshotPath, SignBody(stolen.Serialize(), r.Ivy, At(3)));
        await r.RefusedAsync(RejectionReason.IndexBadSignature, At(4));

        // Ivy 2 signs on.
        await r.SignAsync(At(4), key: ivy2);
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(5)));
    }

    [Fact]
    public async Task IndexKeyAdded_WithAMaxLifetimeBeyondWhatTheManifestMayHold_IsRefused_AndTheRepositoryStaysReadable()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var ivy = new TestKey("Ivy Index <index@example.com>", TrustFixture.T0);
        long before = (await f.MaterialAsync(At(2))).Version;

        var e = await Assert.ThrowsAsync<ChartsealException>(() =>
            TrustRepository.AddIndexKeyAsync(f.Repo, f.Root.RootSigner(At(2)), ivy.Public, TimeSpan.FromDays(2 * 365), null, At(2)));
        Assert.Contains("at most 366 days", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await f.MaterialAsync(At(2))).Version);

        // The longest allowed is written, and read back.
        var manifest = await TrustRepository.AddIndexKeyAsync(f.Repo, f.Root.RootSigner(At(2)), ivy.Public, TrustManifest.MaxSnapshotMaxLifetime, null, At(2));
        Assert.Equal(TrustManifest.MaxSnapshotMaxLifetime, (await f.MaterialAsync(At(3))).SnapshotMaxLifetime);
        Assert.Equal(before + 1, manifest.Version);
    }

    [Fact]
    public async Task ThiefSignedTheLargestVersion_TheReplacedKeySignsOnWithoutTheFileBeingDeleted_AndTheStolenKeyGetsOneClearError()
    {
        using var r = await Repo.CreateAsync();
        var honest = await r.SignAsync(At(2));
        // The thief leaves its snapshot in the repository, with a version nothing can be counted up from.
        var stolen = honest with { Version = long.MaxValue };
        await File.WriteAllBytesAsync(r.SnapshotPath, SignBody(stolen.Serialize(), r.Ivy, At(2)));
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(3)));

        // Signing on with the stolen key: one clear error (not an arithmetic overflow), naming the way out.
        var e = await Assert.ThrowsAsync<ChartsealException>(() => r.SignAsync(At(3)));
        Assert.Contains("largest possible version", e.Message, StringComparison.Ordinal);
        Assert.Contains("index-key add", e.Message, StringComparison.Ordinal);

        // The root replaces the key; the new key signs over the thief's file (another lineage: not counted up from).
        var ivy2 = new TestKey("Ivy Index 2 <index2@example.com>", TrustFixture.T0);
        await TrustRepository.AddIndexKeyAsync(r.Dir, r.F.Root.RootSigner(At(4)), ivy2.Public, null, null, At(4));
        await TrustRepository.RemoveIndexKeyAsync(r.Dir, r.F.Root.RootSigner(At(4)), [r.Ivy.Fingerprint], null, At(4));
        var fresh = await r.SignAsync(At(4), key: ivy2);
        Assert.Equal(new DateTimeOffset(At(4)).ToUnixTimeSeconds(), fresh.Version);

        var saved = Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(5)));
        Assert.Equal(ivy2.Fingerprint, saved.Snapshot!.SignedBy);
        // Its own lineage still only grows.
        Assert.Equal(fresh.Version + 1, (await r.SignAsync(At(4), key: ivy2)).Version);
    }

    [Fact]
    public async Task IndexKey_SigningAChart_IsNeverTrusted()
    {
        using var r = await Repo.CreateAsync();
        var material = await r.F.MaterialAsync(At(3));
        byte[] prov = r.Ivy.Sign(r.F.Archive, r.F.ArchiveName, At(3));

        var rejected = Assert.IsType<TrustDecision.Rejected>(TrustFixture.Decide(material, r.F.Archive, r.F.ArchiveName, prov, At(3)));
        Assert.Equal(RejectionReason.SignerNotTrusted, rejected.Reason);
        Assert.Contains("index key", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndexKey_AndMaintainerKey_CannotBeTheSameKey()
    {
        using var r = await Repo.CreateAsync();

        var asMaintainer = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.AddAsync(r.Dir, r.F.Root.RootSigner(At(3)), r.Ivy.Public, null, At(3)));
        Assert.Contains("index key", asMaintainer.Message, StringComparison.Ordinal);
        var asIndexKey = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.AddIndexKeyAsync(r.Dir, r.F.Root.RootSigner(At(3)), r.F.Alice.Public, null, null, At(3)));
        Assert.Contains("maintainer key", asIndexKey.Message, StringComparison.Ordinal);
    }

    // The root signs only the manifest and stays offline; as an index key it would have to live on the server or in CI
    // (serve --index-key, index sign), and as a maintainer it would sign charts. Both were accepted.
    [Fact]
    public async Task RootKey_CannotBeAnIndexKeyNorAMaintainer()
    {
        using var r = await Repo.CreateAsync();
        byte[] before = await File.ReadAllBytesAsync(Path.Combine(r.Dir, TrustFiles.ManifestName));
        var rootPublic = r.F.Root.Public;

        var asIndexKey = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.AddIndexKeyAsync(r.Dir, r.F.Root.RootSigner(At(3)), rootPublic, null, null, At(3)));
        Assert.Contains($"holds the key material of root key {r.F.Root.Fingerprint}", asIndexKey.Message, StringComparison.Ordinal);
        var asMaintainer = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.AddAsync(r.Dir, r.F.Root.RootSigner(At(3)), rootPublic, null, At(3)));
        Assert.Contains($"holds the key material of root key {r.F.Root.Fingerprint}", asMaintainer.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(r.Dir, TrustFiles.ManifestName)));
    }

    // The same rule from the other side: rotate-root handed the root over to the online index key, or to a maintainer.
    [Fact]
    public async Task RootRotation_ToTheIndexKeyOrAMaintainersKey_IsRefused()
    {
        using var r = await Repo.CreateAsync();
        byte[] before = await File.ReadAllBytesAsync(Path.Combine(r.Dir, TrustFiles.ManifestName));

        var toIndexKey = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RotateRootAsync(r.Dir, r.F.Root.RootSigner(At(3)), r.Ivy.RootSigner(At(3)), null, At(3)));
        Assert.Contains($"holds the key material of index key {r.Ivy.Fingerprint}", toIndexKey.Message, StringComparison.Ordinal);
        var toMaintainer = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RotateRootAsync(r.Dir, r.F.Root.RootSigner(At(3)), r.F.Alice.RootSigner(At(3)), null, At(3)));
        Assert.Contains($"holds the key material of maintainer key {r.F.Alice.Fingerprint}", toMaintainer.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(r.Dir, TrustFiles.ManifestName)));
    }

    [Fact]
    public async Task IndexKeysFile_Edited_IsTrustMismatch()
    {
        using var r = await Repo.CreateAsync();
        await File.WriteAllBytesAsync(Path.Combine(r.Dir, TrustFiles.IndexKeysName), Keyring.Concat(r.F.Alice.Public.PublicKeyRings));

        var rejected = Assert.IsType<TrustResult.Rejected>(TrustedMaterial.Load(await r.F.FilesAsync(), r.F.Pin, null, At(3)));
        Assert.Equal(RejectionReason.TrustMismatch, rejected.Reason);
        Assert.Contains(TrustFiles.IndexKeysName, rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutIndexKeys_NoSnapshotIsAsked_AndRemovingTheLastOneTurnsSnapshotsOff()
    {
        using var r = await Repo.CreateAsync();
        var manifest = await TrustRepository.RemoveIndexKeyAsync(r.Dir, r.F.Root.RootSigner(At(3)), [r.Ivy.Fingerprint], null, At(3));
        Assert.False(manifest.HasIndexKeys);
        Assert.Null(manifest.SnapshotMaxLifetime);
        File.Delete(r.SnapshotPath);

        var saved = Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(4)));
        Assert.Null(saved.Snapshot);
    }

    [Fact]
    public void Snapshot_Body_RoundTrips_AndUnknownOrMissingFieldsAreRefused()
    {
        var snapshot = new IndexSnapshot(7, At(5), 3, new string('a', 64), IndexSnapshot.TagsFileName, new string('b', 64), 1234);
        Assert.Equal(snapshot, IndexSnapshot.TryParse(snapshot.Serialize(), out _));
        Assert.Null(IndexSnapshot.TryParse(snapshot.Serialize().Replace("trustVersion", "trustVersio", StringComparison.Ordinal), out string unknown));
        Assert.Contains("unknown field", unknown, StringComparison.Ordinal);
        Assert.Null(IndexSnapshot.TryParse(snapshot.Serialize().Replace(" 1234", "", StringComparison.Ordinal), out string size));
        Assert.Contains("SIZE", size, StringComparison.Ordinal);
        Assert.Null(IndexSnapshot.TryParse(snapshot.Serialize() + "  index.yaml: sha256:" + new string('c', 64) + " 1\n", out string two));
        Assert.Contains("exactly one", two, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentAddressedIndexes_OldOnesAreKeptForReadersInFlight_ThenRemoved()
    {
        using var r = await Repo.CreateAsync();
        for (int i = 1; i <= 6; i++)
        {
            await r.PublishAsync($"1.0.{i}", At(2));
            await r.SignAsync(At(2));
        }
        // Seven indexes so far, all young: every one is kept.
        Assert.Equal(7, Directory.EnumerateFiles(r.Dir, "index.sha256-*.yaml").Count());
        foreach (string file in Directory.EnumerateFiles(r.Dir, "index.sha256-*.yaml"))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow - TimeSpan.FromHours(1));
        }
        await r.PublishAsync("1.0.7", At(2));
        await r.SignAsync(At(2));
        Assert.Equal(1 + IndexSnapshotWriter.KeptIndexes, Directory.EnumerateFiles(r.Dir, "index.sha256-*.yaml").Count());
    }

    // Kept by when it was replaced, as the docs say, not by when it was last written: an index current for hours and
    // replaced a minute ago by a burst of uploads (a server signs after each) is still there for readers in flight.
    [Fact]
    public async Task ContentAddressedIndex_ReplacedAMinuteAgoByABurst_IsKept_ThoughWrittenHoursAgo()
    {
        using var r = await Repo.CreateAsync();
        string old = Assert.Single(Directory.EnumerateFiles(r.Dir, "index.sha256-*.yaml"));
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow - TimeSpan.FromHours(5));
        for (int i = 1; i <= IndexSnapshotWriter.KeptIndexes + 1; i++)
        {
            await r.PublishAsync($"1.0.{i}", At(2));
            await r.SignAsync(At(2));
        }
        Assert.True(File.Exists(old), "an index replaced a minute ago was removed");
    }

    [Fact]
    public async Task Keeper_SignsOnlyWhenDue_HalfItsLifeGone_OrTheIndexOrTrustChanged()
    {
        using var r = await Repo.CreateAsync();
        var keeper = new IndexSnapshotKeeper(r.Dir, r.Signer(r.Ivy, At(2)), TimeSpan.FromHours(12));
        Assert.Null(await keeper.RefreshIfDueAsync(At(3)));     // the snapshot signed at hour 2 for a day: fresh enough
        await keeper.SignAsync(At(2));                          // valid until hour 14
        Assert.Null(await keeper.RefreshIfDueAsync(At(7.5)));   // 6.5 hours left of 12: not yet
        Assert.NotNull(await keeper.RefreshIfDueAsync(At(8.5))); // more than half of 12 hours gone
        await r.PublishAsync("1.0.1", At(9));
        Assert.NotNull(await keeper.RefreshIfDueAsync(At(9)));   // another writer changed index.yaml
        Assert.Null(await keeper.RefreshIfDueAsync(At(9)));
        await TrustRepository.RenewAsync(r.Dir, r.F.Root.RootSigner(At(9)), null, At(9));
        var signed = await keeper.RefreshIfDueAsync(At(9));      // a trust change
        Assert.Equal(4, signed!.TrustVersion);
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(10)));
    }

    [Fact]
    public async Task Keeper_SignsAgain_WhenTheSnapshotClaimsALifeBeyondTheManifestsCap_ThatClientsWillCutShort()
    {
        using var r = await Repo.CreateAsync(maxLifetime: TimeSpan.FromDays(2));
        var keeper = new IndexSnapshotKeeper(r.Dir, r.Signer(r.Ivy, At(2)), TimeSpan.FromHours(12));
        // A thief with the index key leaves a snapshot of the current index and trust that claims a year.
        var honest = await r.SignAsync(At(2));
        await File.WriteAllBytesAsync(r.SnapshotPath, SignBody((honest with { Version = honest.Version + 1, Expires = At(2 + 24 * 365) }).Serialize(), r.Ivy, At(2)));
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(3)));

        // Clients hold it for two days only; the keeper must not wait for its claimed expiry.
        var signed = await keeper.RefreshIfDueAsync(At(3));
        Assert.NotNull(signed);
        Assert.Equal(At(15), signed.Expires);
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(14))); // and clients take it
    }

    [Fact]
    public async Task IndexKeyExpiringBeforeTheLifetime_CapsEachSnapshotAtItsExpiry_AndOnceExpired_SigningFailsWithTheReason()
    {
        // Clients check the index key as it is when they read a snapshot: one promising more than the key's life is refused early.
        using var r = await Repo.CreateAsync(indexKeyValidity: TimeSpan.FromHours(10));
        var keeper = new IndexSnapshotKeeper(r.Dir, r.Signer(r.Ivy, At(2)), TimeSpan.FromHours(12));

        var signed = await keeper.SignAsync(At(3));
        Assert.Equal(At(10), signed.Expires);
        Assert.Null(await keeper.RefreshIfDueAsync(At(8)));   // signing again would not move the expiry: nothing is due
        Assert.IsType<IndexDownload.Saved>(await r.UpdateAsync(At(9.5)));

        // Past the key's expiry the keeper is due (so the server logs it and reports not ready), and says why.
        var e = await Assert.ThrowsAsync<ChartsealException>(() => keeper.RefreshIfDueAsync(At(11)));
        Assert.Contains($"index key {r.Ivy.Fingerprint} cannot sign a snapshot", e.Message, StringComparison.Ordinal);
        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ChartsealException>(() => r.SignAsync(At(11)));
    }

    private static byte[] SignBody(string body, TestKey key, DateTime at)
    {
        var selected = SigningKeySelector.Select(key.Secret, key.Fingerprint, at);
        return ProvenanceSigner.Sign(body, selected.Unlock(null), selected.SecretKey.PublicKey, at);
    }
}

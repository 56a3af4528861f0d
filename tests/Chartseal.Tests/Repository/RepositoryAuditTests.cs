#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Trust;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.Charts;
using Chartseal.Client;

namespace Chartseal.Tests.Repository;

public sealed class RepositoryAuditTests
{
    private static readonly DateTime Now = AuditRepositoryFixture.Now;
    private static readonly DateTime Later = Now.AddHours(1);

    private static Task RevokeAsync(AuditRepositoryFixture f, TestKey key, byte[]? revocationCertificate = null) =>
        TrustRepository.RevokeAsync(f.Repo, f.Trust.Root.RootSigner(Later), key.Fingerprint, null, revocationCertificate, TrustFixture.Validity, Later);

    private static async Task RewriteIndexAsync(AuditRepositoryFixture f, Func<IndexEntry, IndexEntry> change)
    {
        string path = f.RepoFile("index.yaml");
        var index = await ChartIndex.LoadAsync(path);
        foreach (var entry in index.Entries.Values.SelectMany(v => v).ToList())
        {
            index.Add(change(entry));
        }
        index.SortVersions();
        await index.WriteAsync(path);
    }

    [Fact]
    public async Task KeyCompromise_RevokeAuditResignReplace_ExactlyTheRevokedKeysChartsThenClean()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(30);
        byte[] indexBefore = File.ReadAllBytes(f.RepoFile("index.yaml"));
        var clean = AuditRepositoryFixture.Completed(await f.AuditAsync(Now));
        Assert.Equal(30, clean.Rows.Count);
        Assert.True(clean.AllTrusted);

        // Bob's key is compromised: the root revokes it.
        await RevokeAsync(f, f.Trust.Bob);
        var audit = AuditRepositoryFixture.Completed(await f.AuditAsync(Later));

        var bobs = f.SignedBy.Where(s => s.Value == f.Trust.Bob).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(10, bobs.Count);
        var rejected = audit.Rows.Where(r => !r.IsTrusted).ToList();
        Assert.Equal(bobs, rejected.Select(r => r.Archive).Order(StringComparer.Ordinal));
        Assert.All(rejected, r => Assert.Equal(RejectionReason.SignerRevoked, r.Reason));
        Assert.All(rejected, r => Assert.Equal(f.Trust.Bob.Fingerprint, r.Signer?.Fingerprint));
        Assert.All(rejected, r => Assert.Equal(Now, r.SignedAt));
        Assert.Equal(20, audit.Rows.Count(r => r.IsTrusted));
        Assert.False(audit.AllTrusted);

        // Re-sign each with Carol's key (the archive is untouched) and replace only the .prov.
        foreach (string name in bobs)
        {
            byte[] archive = File.ReadAllBytes(f.RepoFile(name));
            Assert.Null(ChartResigning.CheckArchiveUnchanged(archive, name, File.ReadAllBytes(f.RepoFile(name + ".prov"))));
            byte[] prov = f.Carol.Sign(archive, name, Later);
            var replaced = await ProvenanceReplacement.ReplaceAsync(f.Repo, f.Trust.Pin, prov, name + ".prov", f.Trust.Store, Later);
            Assert.IsType<PublishResult.Published>(replaced);
        }

        var after = AuditRepositoryFixture.Completed(await f.AuditAsync(Later));
        Assert.Equal(30, after.Rows.Count);
        Assert.True(after.AllTrusted, string.Join("\n", after.Rows.Where(r => !r.IsTrusted).Select(r => $"{r.Archive}: {r.Message}")));
        Assert.Equal(indexBefore, File.ReadAllBytes(f.RepoFile("index.yaml")));
        Assert.Empty(AuditRepositoryFixture.Completed(await f.AuditAsync(Later, signer: f.Trust.Bob.Fingerprint)).Rows);
        Assert.Equal(20, AuditRepositoryFixture.Completed(await f.AuditAsync(Later, signer: f.Carol.Fingerprint)).Rows.Count);
    }

    [Fact]
    public async Task Audit_RowsInIndexOrder_WithSignerUserIdAndTrustVersion()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(12);

        var audit = AuditRepositoryFixture.Completed(await f.AuditAsync(Now));

        var index = await ChartIndex.LoadAsync(f.RepoFile("index.yaml"));
        Assert.Equal(index.Entries["demo"].Select(e => e.Metadata.Version), audit.Rows.Select(r => r.Version));
        Assert.All(audit.Rows, r => Assert.Equal(f.SignedBy[r.Archive].UserId, Assert.Single(r.Signer!.UserIds)));
        Assert.Equal(3, audit.TrustVersion);
        Assert.Equal(f.Trust.Root.Fingerprint, audit.TrustRoot);
    }

    [Fact]
    public async Task Audit_IndexEntryWhoseArchiveIsGone_MissingArchiveWithSignerFromProv()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(3);
        File.Delete(f.RepoFile("demo-1.0.1.tgz"));

        var audit = AuditRepositoryFixture.Completed(await f.AuditAsync(Now));

        var row = Assert.Single(audit.Rows, r => !r.IsTrusted);
        Assert.Equal(("1.0.1", RejectionReason.MissingArchive), (row.Version, row.Reason));
        Assert.Equal(f.Trust.Bob.Fingerprint, row.Signer?.Fingerprint);
    }

    [Fact]
    public async Task Audit_IndexEntryPointingOutsideTheRepository_MissingArchive()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        File.WriteAllBytes(f.Trust.Temp.File("outside.tgz"), File.ReadAllBytes(f.RepoFile("demo-1.0.0.tgz")));
        await RewriteIndexAsync(f, e => new IndexEntry { Metadata = e.Metadata, Urls = ["../outside.tgz"], Created = e.Created, Digest = e.Digest });

        var row = Assert.Single(AuditRepositoryFixture.Completed(await f.AuditAsync(Now)).Rows);

        Assert.Equal(RejectionReason.MissingArchive, row.Reason);
        Assert.Contains("outside the repository", row.Message, StringComparison.Ordinal);
    }

    // A URL that no file can have (a NUL, raw or escaped; a file name longer than the file system allows) names no
    // archive of the repository: that version is missing-archive, and the audit of every other version goes on.
    [Theory]
    [InlineData("demo\0-1.0.0.tgz")]
    [InlineData("demo%00-1.0.0.tgz")]
    [InlineData("https://charts.example.com/demo%00-1.0.0.tgz")]
    [InlineData("LONG.tgz")]
    [InlineData("https://charts.example.com/LONG.tgz")]
    public async Task Audit_IndexEntryWhoseUrlNoFileCanHave_MissingArchive_TheOthersAudited(string url)
    {
        using var f = await AuditRepositoryFixture.CreateAsync(2);
        url = url.Replace("LONG", new string('a', 300), StringComparison.Ordinal);
        await RewriteIndexAsync(f, e => e.Metadata.Version == "1.0.1" ? new IndexEntry { Metadata = e.Metadata, Urls = [url], Created = e.Created, Digest = e.Digest } : e);

        var rows = AuditRepositoryFixture.Completed(await f.AuditAsync(Now)).Rows;

        Assert.Equal(2, rows.Count);
        Assert.Equal((RejectionReason?)null, rows.Single(r => r.Version == "1.0.0").Reason);
        Assert.Equal(RejectionReason.MissingArchive, rows.Single(r => r.Version == "1.0.1").Reason);
    }

    [Fact]
    public async Task Audit_IndexWithAbsoluteUrlsAndSubfolders_FindsTheArchivesInTheFolder()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(2);
        Directory.CreateDirectory(f.RepoFile("charts"));
        File.Move(f.RepoFile("demo-1.0.1.tgz"), f.RepoFile("charts/demo-1.0.1.tgz"));
        File.Move(f.RepoFile("demo-1.0.1.tgz.prov"), f.RepoFile("charts/demo-1.0.1.tgz.prov"));
        await RewriteIndexAsync(f, e => new IndexEntry
        {
            Metadata = e.Metadata,
            Urls = [e.Metadata.Version == "1.0.1" ? "charts/demo-1.0.1.tgz" : "https://charts.example.com/stable/demo-1.0.0.tgz"],
            Created = e.Created,
            Digest = e.Digest,
        });

        var audit = AuditRepositoryFixture.Completed(await f.AuditAsync(Now));

        Assert.Equal(2, audit.Rows.Count);
        Assert.True(audit.AllTrusted, string.Join("\n", audit.Rows.Select(r => r.Message)));
    }

    [Fact]
    public async Task Audit_IndexDigestDisagreesWithArchive_DigestMismatch()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(2);
        await RewriteIndexAsync(f, e => e.Metadata.Version != "1.0.1" ? e
            : new IndexEntry { Metadata = e.Metadata, Urls = e.Urls, Created = e.Created, Digest = new string('0', 64) });

        var audit = AuditRepositoryFixture.Completed(await f.AuditAsync(Now));

        var row = Assert.Single(audit.Rows, r => !r.IsTrusted);
        Assert.Equal(("1.0.1", RejectionReason.DigestMismatch), (row.Version, row.Reason));
        Assert.Equal(f.Trust.Bob.Fingerprint, row.Signer?.Fingerprint);
    }

    [Fact]
    public async Task Audit_RevokedSignerAndWrongDigest_SignerRevokedWins()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(2);
        await RewriteIndexAsync(f, e => new IndexEntry { Metadata = e.Metadata, Urls = e.Urls, Created = e.Created, Digest = new string('0', 64) });
        await RevokeAsync(f, f.Trust.Bob);

        var audit = AuditRepositoryFixture.Completed(await f.AuditAsync(Later));

        Assert.Equal([("1.0.1", RejectionReason.SignerRevoked), ("1.0.0", RejectionReason.DigestMismatch)], audit.Rows.Select(r => (r.Version, r.Reason!.Value)));
    }

    [Fact]
    public async Task Audit_ProvenanceFileGone_MissingProvenance()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(2);
        File.Delete(f.RepoFile("demo-1.0.0.tgz.prov"));

        var audit = AuditRepositoryFixture.Completed(await f.AuditAsync(Now));

        var row = Assert.Single(audit.Rows, r => !r.IsTrusted);
        Assert.Equal(("1.0.0", RejectionReason.MissingProvenance), (row.Version, row.Reason));
        Assert.Null(row.SignerFingerprint);
    }

    [Fact]
    public async Task Audit_SignerFilter_ListsWhatOneKeySignedTrustedRevokedOrRemoved()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(9);

        var alice = AuditRepositoryFixture.Completed(await f.AuditAsync(Now, signer: f.Trust.Alice.Fingerprint));
        Assert.Equal(["1.0.0", "1.0.3", "1.0.6"], alice.Rows.Select(r => r.Version).Order(StringComparer.Ordinal));
        Assert.True(alice.AllTrusted);

        await RevokeAsync(f, f.Trust.Alice);
        var revoked = AuditRepositoryFixture.Completed(await f.AuditAsync(Later, signer: f.Trust.Alice.Fingerprint.ToLowerInvariant()));
        Assert.Equal(3, revoked.Rows.Count);
        Assert.All(revoked.Rows, r => Assert.Equal(RejectionReason.SignerRevoked, r.Reason));

        // A removed key is in neither keyring: its charts are still found, by the signatures' issuer fingerprint.
        await TrustRepository.RemoveAsync(f.Repo, f.Trust.Root.RootSigner(Later), [f.Trust.Bob.Fingerprint], TrustFixture.Validity, Later);
        var removed = AuditRepositoryFixture.Completed(await f.AuditAsync(Later, signer: f.Trust.Bob.Fingerprint));
        Assert.Equal(3, removed.Rows.Count);
        Assert.All(removed.Rows, r => Assert.Equal((RejectionReason.SignerNotTrusted, (SignerInfo?)null, f.Trust.Bob.Fingerprint), (r.Reason!.Value, r.Signer, r.Issuer?.Fingerprint)));
    }

    [Fact]
    public async Task Audit_RevokedWithRevocationCertificate_RowCarriesTheRevocationReason()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(3);
        await RevokeAsync(f, f.Trust.Alice, RevocationCertificate(f.Trust.Alice, "laptop stolen", Later));

        var row = Assert.Single(AuditRepositoryFixture.Completed(await f.AuditAsync(Later.AddMinutes(1))).Rows, r => !r.IsTrusted);

        Assert.Equal(RejectionReason.SignerRevoked, row.Reason);
        Assert.Equal((RevocationReasonTag.KeyCompromised, "laptop stolen"), (row.Revocation?.Reason, row.Revocation?.Description));
    }

    [Fact]
    public async Task Audit_RepositoryUrl_SameRowsAsTheFolder()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(6);
        await RevokeAsync(f, f.Carol);
        File.Delete(f.RepoFile("demo-1.0.0.tgz.prov"));
        using var server = new FolderServer(f.Repo);

        var overHttp = AuditRepositoryFixture.Completed(await f.AuditAsync(Later, location: server.Url));
        var local = AuditRepositoryFixture.Completed(await f.AuditAsync(Later));

        Assert.Equal(local.Rows.Select(r => (r.Version, r.Reason, r.SignerFingerprint)), overHttp.Rows.Select(r => (r.Version, r.Reason, r.SignerFingerprint)));
        Assert.Equal([RejectionReason.MissingProvenance, RejectionReason.SignerRevoked, RejectionReason.SignerRevoked], overHttp.Rows.Where(r => !r.IsTrusted).Select(r => r.Reason!.Value).Order());
    }

    [Fact]
    public async Task Audit_SixteenGzipBombs_HoldAtMostTheMemoryBudget()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(16);
        using var server = new HostileServer(f.Repo);
        // Each archive answer is 40 KB on the wire and 40 MiB once decoded; its length is unknown until the end.
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(new byte[40 * 1024 * 1024]);
        }
        for (int i = 0; i < 16; i++)
        {
            server.Encoded[$"demo-1.0.{i}.tgz"] = (packed.ToArray(), "gzip");
        }
        var budget = new Chartseal.Fetch.MemoryBudget(AuditOptions.DefaultMaxBytesInFlight);

        var result = await RepositoryAudit.AuditAsync(RepositorySource.Open(server.Url, Chartseal.Fetch.FetchPolicy.PlainHttpAllowed), f.Trust.Pin, f.Trust.Store, Now,
            new AuditOptions(MaxParallelism: 16) { Budget = budget });

        var rows = AuditRepositoryFixture.Completed(result).Rows;
        Assert.Equal(16, rows.Count);
        Assert.All(rows, r => Assert.False(r.IsTrusted));
        Assert.Equal(16, server.Requests.Count(r => r.EndsWith(".tgz", StringComparison.Ordinal)));
        // Each compressed answer is reserved at the archive limit (100 MiB): two at a time fit in 256 MiB, not sixteen.
        Assert.InRange(budget.Peak, RepositorySource.MaxArchiveSize, AuditOptions.DefaultMaxBytesInFlight);
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task Audit_Progress_ReportsEveryChartOnceThenTheFinalCounts()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(7);
        var reports = new System.Collections.Concurrent.ConcurrentBag<(int Done, int Total)>();

        var result = await RepositoryAudit.AuditAsync(new FolderRepositorySource(f.Repo), f.Trust.Pin, f.Trust.Store, Now, new AuditOptions(MaxParallelism: 3, Progress: (d, t) => reports.Add((d, t))));

        Assert.Equal(7, AuditRepositoryFixture.Completed(result).Rows.Count);
        Assert.Equal(8, reports.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 7], reports.Select(r => r.Done).Order());
        Assert.All(reports, r => Assert.True(r.Total == 0 || r.Total == 7, r.ToString()));
        Assert.Contains((7, 7), reports);
    }

    [Fact]
    public async Task Audit_IndexNotAnIndex_ThrowsNamingIndexYaml()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        File.WriteAllText(f.RepoFile("index.yaml"), "entries:\n  demo: [ {name: demo, version: 1.0.0, urls: [demo-1.0.0.tgz], digest: x} ]\n");

        var e = await Assert.ThrowsAsync<ChartsealException>(() => f.AuditAsync(Now));

        Assert.Contains("index.yaml", e.Message, StringComparison.Ordinal);
        Assert.Contains("no API version", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_TrustMaterialTampered_RejectedBeforeAnyChart()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        File.AppendAllText(f.RepoFile(TrustFiles.PublicKeysName), "x");

        var result = Assert.IsType<AuditResult.Rejected>(await f.AuditAsync(Now));

        Assert.Equal(RejectionReason.TrustMismatch, result.Reason);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("another key's")]
    public async Task Revoke_WithARevocationCertificateThatRevokesNothing_IsRefused_NotDroppedSilently(string kind)
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        byte[] certificate = kind == "garbage" ? [0x4c, 0x08, 0xd2, 0x31, 0x39, 0xff, 0xa6, 0x97] : RevocationCertificate(f.Trust.Bob, "not Alice", Later);
        byte[] before = File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.RevokedName));

        var e = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RevokeAsync(
            f.Repo, f.Trust.Root.RootSigner(Later), f.Trust.Alice.Fingerprint, null, certificate, "alice.rev", TrustFixture.Validity, Later, TestContext.Current.CancellationToken));

        Assert.Equal("alice.rev", e.File);
        Assert.Contains($"holds no revocation of {f.Trust.Alice.Fingerprint}", e.Reason, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.RevokedName)));
    }

    [Fact]
    public async Task Revoke_TheRootKey_IsRefusedAndSaysHowARootIsReplaced_NothingWritten()
    {
        // revoked.pgp would hold it and clients would go on pinning it: the team must not believe the root revoked.
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        var root = f.Trust.Root;
        byte[] before = File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.RevokedName));
        byte[] manifest = File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName));

        var e = await Assert.ThrowsAsync<ChartsealException>(() => TrustRepository.RevokeAsync(
            f.Repo, root.RootSigner(Later), root.Fingerprint, root.Public, null, TrustFixture.Validity, Later, TestContext.Current.CancellationToken));

        Assert.Equal(TrustFiles.RootKeysName, e.File);
        Assert.Contains($"{root.Fingerprint} is a root key of this repository", e.Reason, StringComparison.Ordinal);
        Assert.Contains("chartseal trust rotate-root", e.Reason, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.RevokedName)));
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName)));
    }

    [Fact]
    public async Task Revoke_AKeyAlreadyRevoked_WithoutACertificate_IsRefused_NoNewVersionSigned()
    {
        // A second revocation that changes nothing would sign a new version that reads, in the history, like another incident.
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        await RevokeAsync(f, f.Trust.Bob);
        byte[] manifest = File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName));

        var e = await Assert.ThrowsAsync<ChartsealException>(() => RevokeAsync(f, f.Trust.Bob));

        Assert.Equal(TrustFiles.RevokedName, e.File);
        Assert.Contains($"already holds {f.Trust.Bob.Fingerprint}: it is revoked, nothing to change", e.Reason, StringComparison.Ordinal);
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName)));
        // Its revocation certificate can still be attached afterwards.
        await RevokeAsync(f, f.Trust.Bob, RevocationCertificate(f.Trust.Bob, "key compromised", Later));
        Assert.NotEqual(manifest, File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.ManifestName)));
    }

    /// <summary>A key revocation signature (what <c>gpg --gen-revoke</c> makes) with reason "compromised".</summary>
    private static byte[] RevocationCertificate(TestKey key, string description, DateTime at)
    {
        PgpSecretKey secret = key.Secret.SecretKeyRings[0].GetSecretKey();
        var generator = new PgpSignatureGenerator(secret.PublicKey.Algorithm, HashAlgorithmTag.Sha512);
        generator.InitSign(PgpSignature.KeyRevocation, secret.ExtractPrivateKey(null));
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetSignatureCreationTime(false, at);
        subpackets.SetIssuerFingerprint(false, secret.PublicKey);
        subpackets.SetRevocationReason(false, RevocationReasonTag.KeyCompromised, description);
        generator.SetHashedSubpackets(subpackets.Generate());
        return generator.GenerateCertification(secret.PublicKey).GetEncoded();
    }
}

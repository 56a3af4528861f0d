#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Charts;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Tests.Trust;

namespace Chartseal.Tests.Repository;

public sealed class RepositoryReporterTests
{
    private static readonly DateTime Now = AuditRepositoryFixture.Now;

    private static Task<ChartIndex> IndexAsync(AuditRepositoryFixture f) => ChartIndex.LoadAsync(f.RepoFile("index.yaml"));

    // What a row says (records holding lists compare by reference).
    private static (string, string, RejectionReason?, string?, string?, DateTime?, string?) Facts(AuditRow row) =>
        (row.Name, row.Version, row.Reason, row.Message, row.SignerFingerprint, row.SignedAt, row.Sha256);

    private static Task<RepositoryReport> ReportAsync(AuditRepositoryFixture f, RepositoryReporter reporter, DateTime now) =>
        IndexAsync(f).ContinueWith(index => reporter.ReportAsync(index.Result, f.Trust.Pin, now), TaskScheduler.Default).Unwrap();

    [Fact]
    public async Task Report_HasTheAuditsVerdictForEveryVersion_AndTheKeysWithWhatTheySigned()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(9);
        await TrustRepository.RevokeAsync(f.Repo, f.Trust.Root.RootSigner(Now), f.Trust.Bob.Fingerprint, null, null, TrustFixture.Validity, Now);
        File.WriteAllBytes(f.RepoFile("demo-1.0.3.tgz.prov"), "not a signature"u8.ToArray());

        var report = await ReportAsync(f, new RepositoryReporter(f.Repo, f.Trust.Store), Now);
        var audit = AuditRepositoryFixture.Completed(await f.AuditAsync(Now));

        var chart = Assert.Single(report.Charts);
        Assert.Equal(audit.Rows.Select(Facts), chart.Versions.Select(v => Facts(v.Row)));
        Assert.Equal(["trusted", "malformed", "signer-revoked"], chart.Outcomes.Select(o => o.Outcome));
        Assert.Equal((9, 5), (report.VersionCount, report.TrustedCount));
        Assert.Equal((4L, f.Trust.Root.Fingerprint), (report.TrustVersion!.Value, report.Root));
        Assert.Null(report.TrustRefusal);
        Assert.Equal([f.Trust.Alice.Fingerprint, f.Carol.Fingerprint], report.Maintainers.Select(k => k.Fingerprint));
        Assert.Equal([2, 3], report.Maintainers.Select(k => k.SignedVersions)); // Alice's third has an unreadable .prov
        var bob = Assert.Single(report.RevokedKeys);
        Assert.Equal((f.Trust.Bob.Fingerprint, "Bob <bob@example.com>", "ed25519", 3), (bob.Fingerprint, bob.UserId, bob.Algorithm, bob.SignedVersions));
    }

    [Fact]
    public async Task Report_JudgesAgainOnlyWhatChanged()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(6);
        var reporter = new RepositoryReporter(f.Repo, f.Trust.Store);
        await ReportAsync(f, reporter, Now);
        Assert.Equal(6, reporter.Judged);

        await ReportAsync(f, reporter, Now.AddMinutes(1));
        Assert.Equal(6, reporter.Judged);

        // A .prov replaced without an index change (publish --resign-only from elsewhere): that version only.
        byte[] archive = File.ReadAllBytes(f.RepoFile("demo-1.0.1.tgz"));
        File.WriteAllBytes(f.RepoFile("demo-1.0.1.tgz.prov"), f.Carol.Sign(archive, "demo-1.0.1.tgz", Now.AddMinutes(2)));
        File.SetLastWriteTimeUtc(f.RepoFile("demo-1.0.1.tgz.prov"), DateTime.UtcNow.AddSeconds(5));
        var resigned = await ReportAsync(f, reporter, Now.AddMinutes(2));
        Assert.Equal(7, reporter.Judged);
        Assert.Equal(f.Carol.Fingerprint, resigned.Chart("demo")!.Versions.Single(v => v.Version == "1.0.1").Row.Signer!.Fingerprint);

        // A trust change: every version again.
        await TrustRepository.RevokeAsync(f.Repo, f.Trust.Root.RootSigner(Now.AddMinutes(3)), f.Trust.Bob.Fingerprint, null, null, TrustFixture.Validity, Now.AddMinutes(3));
        var revoked = await ReportAsync(f, reporter, Now.AddMinutes(3));
        Assert.Equal(13, reporter.Judged);
        Assert.Equal(["1.0.4"], revoked.Charts[0].Versions.Where(v => v.Row.Reason == RejectionReason.SignerRevoked).Select(v => v.Version));

        // And, with nothing changed, after the reuse window (keys expire).
        await ReportAsync(f, reporter, Now.AddMinutes(3) + RepositoryReporter.ReuseWindow);
        Assert.Equal(19, reporter.Judged);
    }

    [Fact]
    public async Task Report_ExpiredTrust_EveryVersionRefused_TheMaterialStillDescribed()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(2);
        DateTime later = Now + TrustFixture.Validity + TimeSpan.FromDays(1);

        var report = await ReportAsync(f, new RepositoryReporter(f.Repo, f.Trust.Store), later);

        Assert.Equal(RejectionReason.TrustExpired, report.TrustRefusal?.Reason);
        Assert.All(report.Charts[0].Versions, v => Assert.Equal(RejectionReason.TrustExpired, v.Row.Reason));
        Assert.Equal(0, report.TrustedCount);
        Assert.Equal(3L, report.TrustVersion);
        Assert.Equal(3, report.Maintainers.Count);
    }

    [Fact]
    public async Task ExpiryWarning_AThirdOfTheLifetimeBefore_AtMostThirtyDays()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(1);
        var report = await ReportAsync(f, new RepositoryReporter(f.Repo, f.Trust.Store), Now);

        // 90 days of validity: the warning starts 30 days before.
        Assert.Equal(report.TrustExpires!.Value - TimeSpan.FromDays(30), report.TrustWarningFrom);
        Assert.False(report.TrustExpiresSoon(report.TrustWarningFrom!.Value.AddSeconds(-1)));
        Assert.True(report.TrustExpiresSoon(report.TrustWarningFrom!.Value));
        Assert.False(report.TrustExpiresSoon(report.TrustExpires!.Value));
    }

    [Fact]
    public async Task AuditEntries_AreTheAuditsRows_InTheOrderGiven()
    {
        using var f = await AuditRepositoryFixture.CreateAsync(4);
        var index = await IndexAsync(f);
        var entries = index.Entries["demo"].AsEnumerable().Reverse().ToList();

        var rows = await RepositoryAudit.AuditEntriesAsync(new Chartseal.Client.FolderRepositorySource(f.Repo), entries, await f.Trust.MaterialAsync(Now), Now);

        Assert.Equal(entries.Select(e => e.Metadata.Version), rows.Select(r => r.Version));
        Assert.Equal(AuditRepositoryFixture.Completed(await f.AuditAsync(Now)).Rows.Reverse().Select(Facts), rows.Select(Facts));
        Assert.All(rows, r => Assert.IsType<SignerInfo>(r.Signer));
    }
}

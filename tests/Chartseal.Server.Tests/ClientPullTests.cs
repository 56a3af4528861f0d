using Chartseal.Client;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;
using Chartseal.Repository;

namespace Chartseal.Server.Tests;

/// <summary>
/// The verifying client against the real server on a loopback port: a trusted chart is pulled, and every attack on
/// the repository makes pull fail with its reason and write nothing.
/// </summary>
public sealed class ClientPullTests
{
    private static readonly DateTime Now = ServerFixture.Now;

    /// <summary>A server with demo 1.0.0 signed by Alice uploaded, and a client that added the repository.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private Scenario(ServerFixture server, SignedChart chart, ClientHome home, ConfiguredRepository repository)
        {
            Server = server;
            Chart = chart;
            Home = home;
            Repository = repository;
        }

        public ServerFixture Server { get; }
        public SignedChart Chart { get; }
        public ClientHome Home { get; }
        public ConfiguredRepository Repository { get; }
        public TrustFixture Trust => Server.Trust;
        public string Destination => Trust.Temp.File("pulled");

        public static async Task<Scenario> StartAsync()
        {
            var server = await ServerFixture.StartAsync();
            var chart = server.Chart("demo", "1.0.0", server.Trust.Alice);
            using (var response = await server.UploadAsync(chart))
            {
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            }
            var home = ClientHome.Under(server.Trust.Temp.File("client-home"));
            var repository = new ConfiguredRepository("demo", server.Server.Address.ToString().TrimEnd('/'), server.Trust.Root.Fingerprint, TrustOnFirstUse: false, InsecureHttp: true);
            var added = await RepositoryClient.AddAsync(home, repository, Now, cancellationToken: TestContext.Current.CancellationToken);
            Assert.IsType<RepositoryUpdate.Updated>(added);
            return new Scenario(server, chart, home, repository);
        }

        public Task<PullResult> PullAsync(DateTime? at = null, Keys.Keyring? local = null) =>
            ChartPuller.PullAsync(Home, new PullRequest(Repository, "demo", null, local), at ?? Now, TestContext.Current.CancellationToken);

        /// <summary>Pulls, expects <paramref name="reason"/>, and checks that nothing was written.</summary>
        public async Task AssertRefusedAsync(RejectionReason reason, DateTime? at = null, Keys.Keyring? local = null)
        {
            var result = await PullAsync(at, local);
            var rejected = Assert.IsType<PullResult.Rejected>(result);
            Assert.True(reason == rejected.Reason, $"expected {reason.Name()}, got {rejected.Reason.Name()}: {rejected.Message}");
            Assert.False(Directory.Exists(Destination) && Directory.EnumerateFileSystemEntries(Destination).Any(), "something was written");
        }

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }

    [Fact]
    public async Task PullAsync_TrustedChart_SavesTheVerifiedArchiveAndProvenance()
    {
        await using var s = await Scenario.StartAsync();

        var pulled = Assert.IsType<PullResult.Pulled>(await s.PullAsync());
        string saved = await pulled.SaveAsync(s.Destination, untar: false, TestContext.Current.CancellationToken);

        Assert.Equal(s.Chart.Archive, await File.ReadAllBytesAsync(saved, TestContext.Current.CancellationToken));
        Assert.Equal(s.Chart.Provenance, await File.ReadAllBytesAsync(saved + ".prov", TestContext.Current.CancellationToken));
        Assert.Equal(s.Trust.Alice.Fingerprint, pulled.Verdict.Verification.Signer.Fingerprint);
        Assert.Equal(2, pulled.Verdict.Material!.Version);
    }

    [Fact]
    public async Task PullAsync_Untar_WritesTheChartFolderOnly()
    {
        await using var s = await Scenario.StartAsync();

        var pulled = Assert.IsType<PullResult.Pulled>(await s.PullAsync());
        string saved = await pulled.SaveAsync(s.Destination, untar: true, TestContext.Current.CancellationToken);

        Assert.Equal(Path.Combine(s.Destination, "demo"), saved);
        Assert.True(File.Exists(Path.Combine(saved, "Chart.yaml")));
        Assert.Equal(["demo"], Directory.EnumerateFileSystemEntries(s.Destination).Select(Path.GetFileName));
    }

    [Fact]
    public async Task PullAsync_ArchiveTamperedOnServer_RejectsHashMismatch()
    {
        await using var s = await Scenario.StartAsync();
        byte[] tampered = (byte[])s.Chart.Archive.Clone();
        tampered[^10] ^= 0xFF;
        await File.WriteAllBytesAsync(Path.Combine(s.Server.Repo, s.Chart.FileName), tampered, TestContext.Current.CancellationToken);

        await s.AssertRefusedAsync(RejectionReason.HashMismatch);
    }

    [Fact]
    public async Task PullAsync_ProvenanceRemovedFromServer_RejectsMissingProvenance()
    {
        await using var s = await Scenario.StartAsync();
        File.Delete(Path.Combine(s.Server.Repo, s.Chart.FileName + ".prov"));

        await s.AssertRefusedAsync(RejectionReason.MissingProvenance);
    }

    [Fact]
    public async Task PullAsync_SignerRemovedFromKeyring_RejectsSignerNotTrusted()
    {
        await using var s = await Scenario.StartAsync();
        await TrustRepository.RemoveAsync(s.Server.Repo, s.Trust.Root.RootSigner(Now), [s.Trust.Alice.Fingerprint], TrustFixture.Validity, Now, TestContext.Current.CancellationToken);

        await s.AssertRefusedAsync(RejectionReason.SignerNotTrusted);
    }

    [Fact]
    public async Task PullAsync_SignerRevoked_RejectsSignerRevoked()
    {
        await using var s = await Scenario.StartAsync();
        await TrustRepository.RevokeAsync(s.Server.Repo, s.Trust.Root.RootSigner(Now), s.Trust.Alice.Fingerprint, null, null, TrustFixture.Validity, Now, TestContext.Current.CancellationToken);

        await s.AssertRefusedAsync(RejectionReason.SignerRevoked);
    }

    [Fact]
    public async Task PullAsync_OlderTrustMaterialReplayed_RejectsRollback()
    {
        await using var s = await Scenario.StartAsync();
        var version2 = await new FolderRepositorySource(s.Server.Repo).ReadTrustFilesAsync(TestContext.Current.CancellationToken);
        await TrustRepository.RemoveAsync(s.Server.Repo, s.Trust.Root.RootSigner(Now), [s.Trust.Bob.Fingerprint], TrustFixture.Validity, Now, TestContext.Current.CancellationToken);
        Assert.IsType<PullResult.Pulled>(await s.PullAsync()); // the client accepts version 3

        TrustFixture.WriteFiles(s.Server.Repo, version2); // a mirror replays version 2 (validly signed, but older)

        await s.AssertRefusedAsync(RejectionReason.TrustRollback);
    }

    [Fact]
    public async Task PullAsync_TrustMaterialExpired_RejectsTrustExpired()
    {
        await using var s = await Scenario.StartAsync();

        await s.AssertRefusedAsync(RejectionReason.TrustExpired, at: Now + TrustFixture.Validity + TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task PullAsync_TrustMaterialOfAnotherRoot_RejectsBadSignature()
    {
        await using var s = await Scenario.StartAsync();
        var mallory = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);
        string forged = s.Trust.Temp.File("forged");
        await TrustRepository.InitAsync(forged, mallory.RootSigner(Now), TrustFixture.Validity, Now, TestContext.Current.CancellationToken);
        await TrustRepository.AddAsync(forged, mallory.RootSigner(Now), s.Trust.Alice.Public, TrustFixture.Validity, Now, TestContext.Current.CancellationToken);
        TrustFixture.WriteFiles(s.Server.Repo, await new FolderRepositorySource(forged).ReadTrustFilesAsync(TestContext.Current.CancellationToken));

        await s.AssertRefusedAsync(RejectionReason.TrustBadSignature);
    }

    [Fact]
    public async Task AddAsync_WrongPinnedRoot_RejectsBadSignatureAndRecordsNothing()
    {
        await using var s = await Scenario.StartAsync();
        var wrong = s.Repository with { Name = "wrong", RootFingerprint = s.Trust.Bob.Fingerprint };

        var result = await RepositoryClient.AddAsync(s.Home, wrong, Now, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RejectionReason.TrustBadSignature, Assert.IsType<RepositoryUpdate.Rejected>(result).Reason);
        var config = await RepositoryConfigFile.LoadAsync(s.Home.ConfigFile, TestContext.Current.CancellationToken);
        Assert.Null(config.Find("wrong"));
        Assert.False(Directory.Exists(s.Home.CacheFor("wrong")));
    }

    [Fact]
    public async Task PullAsync_OtherValidlySignedBuildOfTheSameVersion_RejectsDigestMismatch()
    {
        await using var s = await Scenario.StartAsync();
        // Alice signs a different demo 1.0.0; the index still lists the uploaded one's digest.
        string other = ChartFixtures.WriteSimpleChart(s.Trust.Temp.File("other"), "demo", "1.0.0");
        await File.AppendAllTextAsync(Path.Combine(other, "values.yaml"), "injected: true\n", TestContext.Current.CancellationToken);
        var packaged = Charts.ChartPackager.Package(other);
        await File.WriteAllBytesAsync(Path.Combine(s.Server.Repo, s.Chart.FileName), packaged.Archive, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(s.Server.Repo, s.Chart.FileName + ".prov"), s.Trust.Alice.Sign(packaged.Archive, packaged.FileName, Now), TestContext.Current.CancellationToken);

        await s.AssertRefusedAsync(RejectionReason.DigestMismatch);
    }

    [Fact]
    public async Task PullAsync_SignerNotInRequiredLocalKeyring_RejectsNotInLocalKeyring()
    {
        await using var s = await Scenario.StartAsync();

        await s.AssertRefusedAsync(RejectionReason.NotInLocalKeyring, local: s.Trust.Bob.Public);
    }

    [Fact]
    public async Task UpdateAsync_IndexUnchanged_ServerAnswersNotModified()
    {
        await using var s = await Scenario.StartAsync();

        var update = Assert.IsType<RepositoryUpdate.Updated>(await RepositoryClient.UpdateAsync(s.Home, s.Repository, Now, cancellationToken: TestContext.Current.CancellationToken));

        Assert.False(update.IndexChanged);
        Assert.Null(update.ChartVersions);
    }
}

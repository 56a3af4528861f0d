#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Net;
using System.Net.Sockets;
using Chartseal.Tests.Support;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.Repository;
using Chartseal.Fetch;

namespace Chartseal.Tests.Trust;

/// <summary>Trust material read from a repository URL goes through the same checks as from a folder.</summary>
public sealed class TrustOverHttpTests
{
    [Fact]
    public async Task RefreshAsync_RepositoryUrl_AcceptsMaterialSignedByPinnedRoot()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        using var server = new FolderServer(f.Repo);

        var result = await TrustUpdater.RefreshAsync(new HttpRepositorySource(server.Url, FetchPolicy.PlainHttpAllowed), f.Pin, f.Store, now);

        var accepted = Assert.IsType<TrustResult.Accepted>(result);
        Assert.Equal(2, accepted.Material.Version);
        Assert.IsType<TrustDecision.Trusted>(TrustFixture.Decide(accepted.Material, f.Archive, f.ArchiveName, f.Alice.Sign(f.Archive, f.ArchiveName, now), now));
    }

    [Fact]
    public async Task RefreshAsync_RepositoryUrlAfterAMissedRotation_FollowsRotationsFromTheUrl()
    {
        using var f = new TrustFixture();
        DateTime now = TrustFixture.At(1);
        await f.InitWithTwoMaintainersAsync(now);
        using var server = new FolderServer(f.Repo);
        Assert.IsType<TrustResult.Accepted>(await TrustUpdater.RefreshAsync(new HttpRepositorySource(server.Url, FetchPolicy.PlainHttpAllowed), f.Pin, f.Store, now));
        var newRoot = new TestKey("New Root <root2@example.com>", TrustFixture.T0);
        await TrustRepository.RotateRootAsync(f.Repo, f.Root.RootSigner(now), newRoot.RootSigner(now), TrustFixture.Validity, now);
        await TrustRepository.RenewAsync(f.Repo, newRoot.RootSigner(now), TrustFixture.Validity, now);

        var refreshed = await TrustUpdater.RefreshWithFilesAsync(new HttpRepositorySource(server.Url, FetchPolicy.PlainHttpAllowed), f.Pin, f.Store, now.AddHours(1));

        var accepted = Assert.IsType<TrustResult.Accepted>(refreshed.Result);
        Assert.Equal(newRoot.Fingerprint, accepted.Material.RootToPin);
        Assert.Equal(File.ReadAllBytes(Path.Combine(f.Repo, TrustFiles.RotationsName)), refreshed.Files.Rotations);
    }

    [Fact]
    public async Task RefreshAsync_RepositoryUrlWithoutManifest_RejectsUnsigned()
    {
        using var f = new TrustFixture();
        using var server = new FolderServer(f.Repo);

        var result = await TrustUpdater.RefreshAsync(new HttpRepositorySource(server.Url, FetchPolicy.PlainHttpAllowed), f.Pin, f.Store, TrustFixture.At(1));

        Assert.Equal(RejectionReason.TrustUnsigned, Assert.IsType<TrustResult.Rejected>(result).Reason);
    }

    [Fact]
    public async Task ReadAsync_NothingListening_ClearErrorNamingTheUrl()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var e = await Assert.ThrowsAsync<ChartsealException>(() => new HttpRepositorySource($"http://127.0.0.1:{port}/repo", FetchPolicy.PlainHttpAllowed).ReadTrustFilesAsync());

        Assert.Contains($"http://127.0.0.1:{port}/repo/trust.yaml.asc", e.Message, StringComparison.Ordinal);
        Assert.Contains("download failed", e.Message, StringComparison.Ordinal);
    }
}

#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Charts;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;

namespace Chartseal.Tests.Repository;

/// <summary>The staging area's bounds and expiry (the pairing through the gate is tested on the real server).</summary>
public sealed class UploadStagingTests : IDisposable
{
    private static readonly DateTime Now = TrustFixture.At(1);
    private readonly TrustFixture _trust = new();

    private byte[] Archive(string name, string version) =>
        ChartPackager.Package(ChartFixtures.WriteSimpleChart(_trust.Temp.File($"src-{name}-{version}"), name, version)).Archive;

    private PublishOptions Options => new(_trust.Repo, _trust.Pin);

    private Task<StagingResult> HoldAsync(UploadStaging staging, string uploader, byte[] archive, DateTime? at = null) =>
        staging.SubmitChartAsync(uploader, archive, "upload", Options, _trust.Store, at ?? Now);

    [Fact]
    public async Task LoneChart_IsHeldUnderItsChartYamlName_AndNothingIsWritten()
    {
        var staging = new UploadStaging(new StagingLimits());
        byte[] archive = Archive("mysql", "1.2.3");

        var held = Assert.IsType<StagingResult.Held>(await HoldAsync(staging, "token:a", archive));

        Assert.Equal(("mysql-1.2.3.tgz", "prov", Now + TimeSpan.FromMinutes(10)), (held.FileName, held.Missing, held.ExpiresAt));
        Assert.Equal((1, (long)archive.Length), (staging.HeldCount, staging.HeldBytes));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_trust.Repo));
    }

    [Fact]
    public async Task RemoveExpired_DropsOnlyHalvesWhoseTimeIsUp()
    {
        var staging = new UploadStaging(new StagingLimits { Lifetime = TimeSpan.FromMinutes(10) });
        await HoldAsync(staging, "token:a", Archive("old", "1.0.0"));
        await HoldAsync(staging, "token:a", Archive("new", "1.0.0"), Now + TimeSpan.FromMinutes(5));

        staging.RemoveExpired(Now + TimeSpan.FromMinutes(9));
        Assert.Equal(2, staging.HeldCount);
        staging.RemoveExpired(Now + TimeSpan.FromMinutes(10));
        Assert.Equal(1, staging.HeldCount);
        staging.RemoveExpired(Now + TimeSpan.FromMinutes(15));
        Assert.Equal(0, staging.HeldCount);
    }

    [Fact]
    public async Task SameHalfAgain_ReplacesTheOlderOne_AndIsCountedOnce()
    {
        var staging = new UploadStaging(new StagingLimits { MaxHalvesPerUploader = 1 });
        byte[] archive = Archive("mysql", "1.2.3");
        await HoldAsync(staging, "token:a", archive);

        Assert.IsType<StagingResult.Held>(await HoldAsync(staging, "token:a", archive));
        Assert.Equal((1, (long)archive.Length), (staging.HeldCount, staging.HeldBytes));
    }

    [Fact]
    public async Task BytesPerUploader_Bounded_OtherUploadersUnaffected()
    {
        byte[] one = Archive("one", "1.0.0"), two = Archive("two", "1.0.0");
        var staging = new UploadStaging(new StagingLimits { MaxBytesPerUploader = one.Length + two.Length - 1 });
        await HoldAsync(staging, "user:ci", one);

        var full = Assert.IsType<StagingResult.Full>(await HoldAsync(staging, "user:ci", two));
        Assert.Contains("this uploader", full.Message, StringComparison.Ordinal);
        Assert.IsType<StagingResult.Held>(await HoldAsync(staging, "user:other", two));
        Assert.Equal(2, staging.HeldCount);
    }

    [Fact]
    public async Task CountOverall_Bounded()
    {
        var staging = new UploadStaging(new StagingLimits { MaxHalves = 2 });
        await HoldAsync(staging, "a", Archive("one", "1.0.0"));
        await HoldAsync(staging, "b", Archive("two", "1.0.0"));

        Assert.IsType<StagingResult.Full>(await HoldAsync(staging, "c", Archive("three", "1.0.0")));
        Assert.Equal(2, staging.HeldCount);
    }

    [Fact]
    public async Task NotAnArchive_RefusedAndNotHeld()
    {
        var staging = new UploadStaging(new StagingLimits());
        var done = Assert.IsType<StagingResult.Done>(await HoldAsync(staging, "a", "hello"u8.ToArray()));
        Assert.Equal(RejectionReason.UnsafeArchive, Assert.IsType<PublishResult.Rejected>(done.Result).Reason);
        Assert.Equal(0, staging.HeldCount);
    }

    [Fact]
    public void ForLargeUploads_AtLeastTwoHalvesFitPerUploader()
    {
        var limits = StagingLimits.For(100L * 1024 * 1024);
        Assert.True(limits.MaxBytesPerUploader >= 200L * 1024 * 1024);
        Assert.True(limits.MaxBytes >= 800L * 1024 * 1024);
    }

    public void Dispose() => _trust.Dispose();
}

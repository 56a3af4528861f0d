#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Charts;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;
using Chartseal.Fetch;
using Chartseal.Client;

namespace Chartseal.Tests.Repository;

/// <summary>A trust repository with three maintainers (Alice, Bob, Carol) and charts published through the real gate.</summary>
internal sealed class AuditRepositoryFixture : IDisposable
{
    public static readonly DateTime Now = TrustFixture.At(1);

    private AuditRepositoryFixture()
    {
        Carol = new TestKey("Carol <carol@example.com>", TrustFixture.T0);
    }

    public TrustFixture Trust { get; } = new();
    public TestKey Carol { get; }
    public string Repo => Trust.Repo;
    public TestKey[] Maintainers => [Trust.Alice, Trust.Bob, Carol];

    /// <summary>Who signed each published archive (file name → key).</summary>
    public Dictionary<string, TestKey> SignedBy { get; } = new(StringComparer.Ordinal);

    /// <summary>Trust material with three maintainers, then <paramref name="count"/> charts signed round-robin by them.</summary>
    public static async Task<AuditRepositoryFixture> CreateAsync(int count)
    {
        var f = new AuditRepositoryFixture();
        await f.Trust.InitWithTwoMaintainersAsync(Now);
        await Chartseal.Repository.TrustRepository.AddAsync(f.Repo, f.Trust.Root.RootSigner(Now), f.Carol.Public, TrustFixture.Validity, Now);
        string source = ChartFixtures.WriteSimpleChart(f.Trust.Temp.File("src"), "demo", "1.0.0");
        for (int i = 0; i < count; i++)
        {
            var packaged = ChartPackager.Package(source, new PackageOptions { Version = $"1.0.{i}" });
            TestKey signer = f.Maintainers[i % 3];
            string staged = f.Trust.Stage(packaged.Archive, packaged.FileName, signer.Sign(packaged.Archive, packaged.FileName, Now));
            var result = await ChartPublisher.PublishAsync(new PublishRequest(staged, null, f.Repo, f.Trust.Pin), f.Trust.Store, Now);
            Assert.IsType<PublishResult.Published>(result);
            f.SignedBy[packaged.FileName] = signer;
        }
        return f;
    }

    public string RepoFile(string name) => Path.Combine(Repo, name);

    public Task<AuditResult> AuditAsync(DateTime now, string? signer = null, string? location = null) =>
        RepositoryAudit.AuditAsync(RepositorySource.Open(location ?? Repo, FetchPolicy.PlainHttpAllowed), Trust.Pin, Trust.Store, now, new AuditOptions(signer));

    public static AuditResult.Completed Completed(AuditResult result) => Assert.IsType<AuditResult.Completed>(result);

    public void Dispose() => Trust.Dispose();
}

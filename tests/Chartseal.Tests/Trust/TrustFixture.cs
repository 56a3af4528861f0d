#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Text;
using Chartseal.Charts;
using Chartseal.Tests.Charts;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Support;
using Chartseal.Trust;
using Chartseal.Client;
using Chartseal.Repository;

namespace Chartseal.Tests.Trust;

/// <summary>A maintainer or root key made by <see cref="KeyGenerator"/> (Ed25519 unless told: fast).</summary>
internal sealed class TestKey
{
    public TestKey(string userId, DateTime created, TimeSpan? validity = null, KeyAlgorithm algorithm = KeyAlgorithm.Ed25519)
    {
        Generated = KeyGenerator.Generate(userId, algorithm, validity, null, created);
        Secret = Keyring.Parse(Encoding.ASCII.GetBytes(Generated.SecretKeyArmored), userId + " (secret)");
        Public = Keyring.Parse(Encoding.ASCII.GetBytes(Generated.PublicKeyArmored), userId);
        UserId = userId;
    }

    public GeneratedKey Generated { get; }
    public Keyring Secret { get; }
    public Keyring Public { get; }
    public string UserId { get; }
    public string Fingerprint => Generated.Fingerprint;

    public RootSigner RootSigner(DateTime now)
    {
        var key = SigningKeySelector.Select(Secret, Fingerprint, now);
        return new RootSigner(key, key.Unlock(null));
    }

    /// <summary>Signs a chart archive and returns the .prov bytes.</summary>
    public byte[] Sign(byte[] archive, string fileName, DateTime now)
    {
        var key = SigningKeySelector.Select(Secret, Fingerprint, now);
        return ChartSigning.Sign(archive, fileName, key, key.Unlock(null), now);
    }
}

/// <summary>A repository folder, a root key, two maintainers and a chart, on a fixed clock.</summary>
internal sealed class TrustFixture : IDisposable
{
    public static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public TrustFixture()
    {
        Root = new TestKey("Root <root@example.com>", T0);
        Alice = new TestKey("Alice <alice@example.com>", T0);
        Bob = new TestKey("Bob <bob@example.com>", T0);
        string chartDir = ChartFixtures.WriteSimpleChart(Temp.Path, "demo", "1.0.0");
        var packaged = ChartPackager.Package(chartDir);
        Archive = packaged.Archive;
        ArchiveName = packaged.FileName;
        Directory.CreateDirectory(Repo);
        Store = new TrustStateStore(Temp.File("state"));
    }

    public TempDirectory Temp { get; } = new();
    public string Repo => Temp.File("repo");
    public TestKey Root { get; }
    public TestKey Alice { get; }
    public TestKey Bob { get; }
    public byte[] Archive { get; }
    public string ArchiveName { get; }
    public TrustStateStore Store { get; }
    public PinnedRoot Pin => new(Root.Fingerprint);

    public static readonly TimeSpan Validity = TimeSpan.FromDays(90);

    public static DateTime At(double hours) => T0.AddHours(hours);

    /// <summary>init + add Alice and Bob (versions 1 and 2).</summary>
    public async Task InitWithTwoMaintainersAsync(DateTime now)
    {
        await TrustRepository.InitAsync(Repo, Root.RootSigner(now), Validity, now);
        await TrustRepository.AddAsync(Repo, Root.RootSigner(now), Keyring.Merge("maintainers", [Alice.Public, Bob.Public]), Validity, now);
    }

    public Task<TrustFiles> FilesAsync() => new FolderRepositorySource(Repo).ReadTrustFilesAsync();

    public async Task<TrustedMaterial> MaterialAsync(DateTime now) =>
        TrustedMaterial.Load(await FilesAsync(), Pin, null, now) is TrustResult.Accepted a
            ? a.Material
            : throw new InvalidOperationException("material rejected");

    public static TrustDecision Decide(TrustedMaterial material, byte[] archive, string name, byte[] prov, DateTime now, Keyring? local = null) =>
        TrustDecision.Decide(ChartVerifier.Verify(archive, name, prov, material.VerificationKeyring, now), material, local);

    /// <summary>Writes an archive (and its .prov, or removes a stale one) into a staging folder; returns the archive path.</summary>
    public string Stage(byte[] archive, string name, byte[]? prov)
    {
        string dir = Temp.File("staging");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, archive);
        if (prov is not null)
        {
            File.WriteAllBytes(path + ".prov", prov);
        }
        else
        {
            File.Delete(path + ".prov");
        }
        return path;
    }

    public static void WriteFiles(string repo, TrustFiles files)
    {
        File.WriteAllBytes(Path.Combine(repo, TrustFiles.ManifestName), files.Manifest!);
        File.WriteAllBytes(Path.Combine(repo, TrustFiles.PublicKeysName), files.PublicKeys!);
        File.WriteAllBytes(Path.Combine(repo, TrustFiles.RevokedName), files.Revoked!);
        File.WriteAllBytes(Path.Combine(repo, TrustFiles.RootKeysName), files.RootKeys!);
    }

    public void Dispose() => Temp.Dispose();
}

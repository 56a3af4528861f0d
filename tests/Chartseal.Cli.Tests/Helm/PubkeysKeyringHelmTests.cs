#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Trust;
using Chartseal.Repository;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>Two RSA and two Ed25519 maintainers and a root, made once for the keyring-order tests.</summary>
public sealed class MixedMaintainers
{
    internal TestKey Root { get; } = new("Root <root@example.com>", Created);
    internal TestKey Rsa1 { get; } = new("Rsa One <rsa1@example.com>", Created, algorithm: KeyAlgorithm.Rsa3072);
    internal TestKey Rsa2 { get; } = new("Rsa Two <rsa2@example.com>", Created, algorithm: KeyAlgorithm.Rsa3072);
    internal TestKey Ed1 { get; } = new("Ed One <ed1@example.com>", Created);
    internal TestKey Ed2 { get; } = new("Ed Two <ed2@example.com>", Created);

    // Helm checks key validity against the real clock: the keys exist from a little before now.
    private static DateTime Created => DateTime.UtcNow.AddMinutes(-10);

    internal TestKey this[string name] => name switch
    {
        "rsa1" => Rsa1,
        "rsa2" => Rsa2,
        "ed1" => Ed1,
        "ed2" => Ed2,
        _ => throw new ArgumentException(name),
    };
}

/// <summary>
/// The repository's <c>pubkeys.pgp</c>, given as-is to <c>helm verify --keyring</c>. Helm 3 reads keyrings with Go's
/// x/crypto, which cannot parse an Ed25519 key packet; where that packet directly follows an RSA certificate it
/// took the RSA certificate down with it. Whatever order the maintainers were added in, Helm 3 must keep every
/// RSA key, and Helm 4 every key.
/// </summary>
public sealed class PubkeysKeyringHelmTests(MixedMaintainers keys) : IClassFixture<MixedMaintainers>
{
    public static TheoryData<string, bool> Orders => new()
    {
        { "rsa1,ed1,rsa2,ed2", false },
        { "rsa1,ed1,rsa2,ed2", true },
        { "ed1,rsa1,ed2,rsa2", false },
        { "rsa1,rsa2,ed1,ed2", true },
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task HelmVerify_WithPubkeysPgpAsKeyring_AcceptsEveryKeyItCanRead(string order, bool oneAddPerKey)
    {
        using var temp = new TempDirectory();
        string repo = temp.File("repo");
        DateTime now = DateTime.UtcNow;
        await TrustRepository.InitAsync(repo, keys.Root.RootSigner(now), TimeSpan.FromDays(1), now);
        var maintainers = order.Split(',').Select(n => keys[n]).ToList();
        if (oneAddPerKey)
        {
            foreach (var key in maintainers)
            {
                await TrustRepository.AddAsync(repo, keys.Root.RootSigner(now), key.Public, TimeSpan.FromDays(1), now);
            }
        }
        else
        {
            await TrustRepository.AddAsync(repo, keys.Root.RootSigner(now), Keyring.Merge("maintainers", maintainers.Select(k => k.Public)), TimeSpan.FromDays(1), now);
        }
        string pubkeys = Path.Combine(repo, TrustFiles.PublicKeysName);

        foreach (var name in order.Split(','))
        {
            var packaged = ChartPackager.Package(ChartFixtures.WriteSimpleChart(temp.File("src-" + name), "chart-" + name, "1.0.0"));
            string archive = temp.File(packaged.FileName);
            await File.WriteAllBytesAsync(archive, packaged.Archive, TestContext.Current.CancellationToken);
            await File.WriteAllBytesAsync(archive + ".prov", keys[name].Sign(packaged.Archive, packaged.FileName, now), TestContext.Current.CancellationToken);

            var v4 = HelmPeer.V4.Run(temp.Path, "verify", archive, "--keyring", pubkeys);
            Assert.True(v4.ExitCode == 0, $"helm 4 verify, signer {name}, pubkeys.pgp order {order}: {v4}");
            Assert.Contains("Using Key With Fingerprint: " + keys[name].Fingerprint, v4.StdOut, StringComparison.Ordinal);

            var v3 = HelmPeer.V3.Run(temp.Path, "verify", archive, "--keyring", pubkeys);
            if (name.StartsWith("rsa", StringComparison.Ordinal))
            {
                Assert.True(v3.ExitCode == 0, $"helm 3 verify, RSA signer {name}, pubkeys.pgp order {order}: {v3}");
                Assert.Contains("Using Key With Fingerprint: " + keys[name].Fingerprint, v3.StdOut, StringComparison.Ordinal);
            }
            else
            {
                // Documented: Helm 3 cannot check EdDSA signatures at all.
                Assert.True(v3.ExitCode != 0, $"helm 3 cannot verify Ed25519, signer {name}: {v3}");
            }
        }
    }
}

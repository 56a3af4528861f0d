#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Text.RegularExpressions;
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Trust;
using Org.BouncyCastle.Bcpg;

namespace Chartseal.Server.Tests.Page;

/// <summary>
/// A running server over a repository with one chart version of every kind a page must tell apart, written straight
/// into the folder (as <c>chartseal publish</c> or a sync job would leave them, and as no upload could):
/// <c>web</c> 1.1.0 and 1.0.0 trusted (Alice), <c>web</c> 0.9.0 tampered after signing (hash-mismatch),
/// <c>legacy</c> 2.0.0 by Bob (signer-revoked once Bob is revoked), <c>stranger</c> 1.0.0 by a key the repository does
/// not know, <c>unsigned</c> 1.0.0 without a .prov, and <c>hostile</c> 6.6.6 (Alice) with hostile metadata: a script in
/// its description, a <c>javascript:</c> icon and home, a 1 MB description and a right-to-left override in the index, plus
/// an index entry whose name is made of bidi and zero-width characters.
/// </summary>
internal sealed partial class PageFixture : IAsyncDisposable
{
    public const string HostileScript = "<script>alert('pwned')</script><img src=x onerror=alert(2)>";
    public const string HostileName = "evil\u202Egnp.exe\u200B";
    public const string SafeIcon = "https://127.0.0.1:1/web.png";

    private PageFixture(ServerFixture server)
    {
        S = server;
        Mallory = new TestKey("Mallory <mallory@example.com>", TrustFixture.T0);
    }

    public ServerFixture S { get; }
    public TestKey Mallory { get; }
    public DateTime Now => S.Clock.Now;

    public static async Task<PageFixture> StartAsync(bool revokeBob = true, Func<ServerOptions, ServerOptions>? configure = null)
    {
        var f = new PageFixture(await ServerFixture.StartAsync(configure));
        f.Put("web", "1.1.0", f.S.Trust.Alice, icon: SafeIcon, description: "The web front end");
        f.Put("web", "1.0.0", f.S.Trust.Alice, icon: SafeIcon, description: "The web front end");
        f.Put("web", "0.9.0", f.S.Trust.Alice, tamper: true);
        f.Put("legacy", "2.0.0", f.S.Trust.Bob, description: "Signed by Bob");
        f.Put("stranger", "1.0.0", f.Mallory, description: "Signed by a key nobody trusts");
        f.Put("unsigned", "1.0.0", null, description: "Never signed");
        f.Put("hostile", "6.6.6", f.S.Trust.Alice, icon: "javascript:alert(3)", home: "javascript:alert(4)", description: HostileScript);
        await f.WriteIndexAsync(index =>
        {
            var hostile = index.Entries["hostile"][0];
            hostile.Metadata.Description = HostileScript + " \u202Eesrever\u202C zero\u200Bwidth " + new string('A', 1_000_000);
            index.Add(new IndexEntry
            {
                Metadata = new ChartMetadata { ApiVersion = "v2", Name = HostileName, Version = "1.0.0", Description = "\u2066bidi\u2069 name" },
                Urls = ["evil-1.0.0.tgz"],
                Digest = new string('0', 64),
            });
        });
        if (revokeBob)
        {
            await f.RevokeBobAsync();
        }
        return f;
    }

    /// <summary>Packages NAME-VERSION, signs it (null: no .prov) and writes both into the repository folder.</summary>
    public void Put(string name, string version, TestKey? signer, string? icon = null, string? home = null, string? description = null, bool tamper = false)
    {
        string dir = S.Trust.Temp.File($"page-src-{name}-{version}-{Guid.NewGuid():N}");
        string yaml = $"apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\n"
            + (description is null ? "" : $"description: {Quote(description)}\n")
            + (icon is null ? "" : $"icon: {Quote(icon)}\n")
            + (home is null ? "" : $"home: {Quote(home)}\n");
        var packaged = ChartPackager.Package(ChartFixtures.WriteChart(dir, ("Chart.yaml", yaml), ("values.yaml", "replicas: 1\n"), ("templates/deployment.yaml", "kind: Deployment\n")));
        byte[]? prov = signer?.Sign(packaged.Archive, packaged.FileName, Now);
        byte[] archive = packaged.Archive;
        if (tamper)
        {
            // The same chart with other values: the .prov's hash no longer matches.
            File.WriteAllText(Path.Combine(dir, "values.yaml"), "replicas: 1\nimage: attacker/backdoor\n");
            archive = ChartPackager.Package(dir).Archive;
        }
        File.WriteAllBytes(Path.Combine(S.Repo, packaged.FileName), archive);
        if (prov is not null)
        {
            File.WriteAllBytes(Path.Combine(S.Repo, packaged.FileName + ".prov"), prov);
        }
    }

    /// <summary>Indexes every archive in the folder (as <c>chartseal repo index</c>), lets <paramref name="change"/> edit it, writes it.</summary>
    public async Task WriteIndexAsync(Action<ChartIndex>? change = null)
    {
        var (index, _) = await RepositoryIndexer.IndexDirectoryAsync(S.Repo, null, null, Now);
        change?.Invoke(index);
        await index.WriteAsync(Path.Combine(S.Repo, ChartIndex.FileName));
    }

    /// <summary><c>chartseal trust revoke</c> of Bob's key, with a revocation certificate saying why.</summary>
    public Task RevokeBobAsync()
    {
        var bob = S.Trust.Bob;
        var primary = SigningKeySelector.SelectPrimary(bob.Secret, bob.Fingerprint);
        string certificate = RevocationCertificate.Create(primary, primary.Unlock(null), RevocationReasonTag.KeyCompromised, "laptop stolen", Now);
        return TrustRepository.RevokeAsync(S.Repo, S.Trust.Root.RootSigner(Now), bob.Fingerprint, null, System.Text.Encoding.ASCII.GetBytes(certificate), TrustFixture.Validity, Now);
    }

    /// <summary>The verdict of each version row of a chart page: version → <c>trusted</c> or the reason's name.</summary>
    public static Dictionary<string, string> Verdicts(string html) =>
        VersionRow().Matches(html).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("<tr data-version=\"([^\"]*)\" data-verdict=\"([^\"]*)\"")]
    private static partial Regex VersionRow();

    public ValueTask DisposeAsync() => S.DisposeAsync();
}

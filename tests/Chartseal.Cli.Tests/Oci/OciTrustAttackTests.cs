using Chartseal.Client;
using Chartseal.Keys;
using Chartseal.Oci;
using Chartseal.Repository;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Cli.Tests.Oci;

/// <summary>
/// The trust artifact's tag is mutable, so a registry is a mirror like any other: an older artifact re-tagged, an
/// expired one, one signed by another root, or one whose keyring was swapped is refused by <c>repo add</c>,
/// <c>repo update</c> and <c>pull</c> exactly as the same files served over http are (same reason, same message).
/// </summary>
public sealed class OciTrustAttackTests(OciCliFixture f) : IClassFixture<OciCliFixture>
{
    private static void Ok(CliResult r) => Cli.AssertOk(r);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The namespace's trust files, mirrored into a folder that a plain http server serves.</summary>
    private async Task MirrorAsync(string ns, string folder)
    {
        using var client = f.Client();
        var snapshot = (await OciTrustArtifact.ReadAsync(client, OciReference.Parse(ns), Ct))!;
        Write(folder, snapshot.Files);
    }

    private static void Write(string folder, TrustFiles files)
    {
        Directory.CreateDirectory(folder);
        TrustFixture.WriteFiles(folder, files);
    }

    /// <summary>Runs the same command for the http repository and the namespace; both must be refused with one identical refusal.</summary>
    private static string SameRefusal(TempDirectory t, string reason, params string[] command)
    {
        var overHttp = Cli.Run(t.Path, [.. command.Select(a => a.Replace("{repo}", "web", StringComparison.Ordinal))]);
        var overOci = Cli.Run(t.Path, [.. command.Select(a => a.Replace("{repo}", "team", StringComparison.Ordinal))]);
        Assert.True(overHttp.ExitCode == 1, overHttp.ToString());
        Assert.True(overOci.ExitCode == 1, overOci.ToString());
        string refusal = OciCliFixture.RefusalOf(overOci, reason);
        Assert.Equal(OciCliFixture.RefusalOf(overHttp, reason), refusal);
        return refusal;
    }

    [Fact]
    public async Task A_rolled_back_or_tampered_trust_artifact_is_refused_by_update_and_pull_as_over_http()
    {
        using var t = new TempDirectory();
        string ns = f.NewNamespace();
        string web = t.File("web");
        f.Trust(t, ns, "jane");
        await MirrorAsync(ns, web);
        string archive = f.Package(t, "0.1.0", "jane");
        Ok(Cli.Run(t.Path, "push", archive, ns, "--root-fingerprint", f.Root, "--plain-http"));
        Ok(Cli.Run(t.Path, "publish", archive, "--repo", web, "--root-fingerprint", f.Root));
        using var server = new FolderServer(web);
        Ok(Cli.Run(t.Path, "repo", "add", "web", server.Url, "--root-fingerprint", f.Root, "--insecure-http"));
        Ok(Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", f.Root, "--plain-http"));
        using var client = f.Client();
        OciReference trust = OciTrustArtifact.ReferenceIn(OciReference.Parse(ns));
        OciManifestResponse version2 = (await client.GetManifestAsync(trust, Ct))!;
        TrustFiles files2 = (await OciTrustArtifact.ReadAsync(client, OciReference.Parse(ns), Ct))!.Files;

        // Version 3 is published on both and accepted by the client.
        Ok(Cli.Run(t.Path, ["trust", "renew", ns, .. f.RootKey, "--plain-http"]));
        await MirrorAsync(ns, web);
        OciManifestResponse version3 = (await client.GetManifestAsync(trust, Ct))!;
        TrustFiles files3 = (await OciTrustArtifact.ReadAsync(client, OciReference.Parse(ns), Ct))!.Files;
        Ok(Cli.Run(t.Path, "repo", "update"));

        // Rollback: the registry re-tags version 2 (its blobs are still there); the mirror serves version 2's files.
        await client.PutManifestAsync(trust, version2.Content, version2.MediaType, Ct);
        Write(web, files2);
        string rollback = SameRefusal(t, "trust-rollback", "repo", "update", "{repo}");
        Assert.Equal("trust-rollback: trust material version 2 is older than version 3 already accepted "
            + "(clients remember the highest trust version per root, wherever it came from: an older copy, or another repository that the same root signs)", rollback);
        SameRefusal(t, "trust-rollback", "pull", "{repo}/hello", "-d", "refused");
        // The root remembers what it signed for this namespace (not for its temporary working copy): it refuses to sign
        // over the rolled-back artifact, which would re-trust whatever version 2 trusted.
        var signOver = Cli.Run(t.Path, ["trust", "renew", ns, .. f.RootKey, "--plain-http"]);
        Assert.True(signOver.ExitCode == 2, signOver.ToString());
        Assert.Contains($"{trust} (trust.yaml.asc): is version 2, but root {f.Root} already signed version 3 of this repository: the trust files were rolled back", Assert.Single(signOver.StdErrLines), StringComparison.Ordinal);
        Assert.Equal(version2.Digest, (await client.HeadManifestAsync(trust, Ct))!.Digest);

        // A swapped keyring: version 3's manifest with Max's key as pubkeys.pgp.
        await client.PutManifestAsync(trust, version3.Content, version3.MediaType, Ct);
        var swapped = files3 with { PublicKeys = Keyring.Load(f.Public("max")).PublicKeyRings[0].GetEncoded() };
        await OciTrustArtifact.PushAsync(client, OciReference.Parse(ns), swapped, version3.Digest, Ct);
        Write(web, swapped);
        SameRefusal(t, "trust-mismatch", "repo", "update", "{repo}");
        SameRefusal(t, "trust-mismatch", "pull", "{repo}/hello", "-d", "refused");
        Assert.False(Directory.Exists(t.File("refused")));

        // Put right again, both work.
        await OciTrustArtifact.PushAsync(client, OciReference.Parse(ns), files3, (await client.HeadManifestAsync(trust, Ct))!.Digest, Ct);
        Write(web, files3);
        Ok(Cli.Run(t.Path, "pull", "team/hello", "-d", "pulled"));
        Ok(Cli.Run(t.Path, "pull", "web/hello", "-d", "pulled-web"));
    }

    [Fact]
    public async Task A_frozen_trust_artifact_is_trust_expired_and_one_of_another_root_trust_bad_signature_as_over_http()
    {
        using var t = new TempDirectory();
        string ns = f.NewNamespace();
        string web = t.File("web");
        // A root made 30 days ago signed version 1 (valid 90 days) 25 days ago, and version 2 (valid one day) 20 days ago:
        // a registry that still serves version 2 is a frozen mirror.
        DateTime now = DateTime.UtcNow;
        var root = new TestKey("Old root <old-root@example.com>", now.AddDays(-30));
        string draft = t.File("draft");
        Directory.CreateDirectory(draft);
        await TrustRepository.InitAsync(draft, root.RootSigner(now.AddDays(-25)), TimeSpan.FromDays(90), now.AddDays(-25), Ct);
        using var client = f.Client();
        using (var source = new FolderRepositorySource(draft))
        {
            await OciTrustArtifact.PushAsync(client, OciReference.Parse(ns), await source.ReadTrustFilesAsync(Ct), null, Ct);
        }
        await MirrorAsync(ns, web);
        File.WriteAllText(Path.Combine(web, "index.yaml"), "apiVersion: v1\nentries: {}\ngenerated: \"2026-01-01T00:00:00Z\"\n");
        using var server = new FolderServer(web);

        // Another root pinned: refused before anything else.
        SameRefusalOfAdd(t, server.Url, ns, f.Root, "trust-bad-signature");

        Ok(Cli.Run(t.Path, "repo", "add", "web", server.Url, "--root-fingerprint", root.Fingerprint, "--insecure-http"));
        Ok(Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", root.Fingerprint, "--plain-http"));
        await TrustRepository.RenewAsync(draft, root.RootSigner(now.AddDays(-20)), TimeSpan.FromDays(1), now.AddDays(-20), Ct);
        using (var source = new FolderRepositorySource(draft))
        {
            TrustFiles frozen = await source.ReadTrustFilesAsync(Ct);
            await OciTrustArtifact.PushAsync(client, OciReference.Parse(ns), frozen, (await client.HeadManifestAsync(OciTrustArtifact.ReferenceIn(OciReference.Parse(ns)), Ct))!.Digest, Ct);
            Write(web, frozen);
        }

        string expired = SameRefusal(t, "trust-expired", "repo", "update", "{repo}");
        Assert.StartsWith("trust-expired: trust material version 2 expired ", expired, StringComparison.Ordinal);
        // The cached (accepted) version 1 still verifies offline; nothing was replaced by the frozen one.
        Assert.Contains("version: 1", File.ReadAllText(t.File(".chartseal-home/cache/team/trust.yaml.asc")), StringComparison.Ordinal);
    }

    private static void SameRefusalOfAdd(TempDirectory t, string url, string ns, string pin, string reason)
    {
        var overHttp = Cli.Run(t.Path, "repo", "add", "web", url, "--root-fingerprint", pin, "--insecure-http");
        var overOci = Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", pin, "--plain-http");
        Assert.Equal(OciCliFixture.RefusalOf(overHttp, reason), OciCliFixture.RefusalOf(overOci, reason));
        Assert.DoesNotContain("team", Cli.Run(t.Path, "repo", "list").StdOut, StringComparison.Ordinal);
    }
}

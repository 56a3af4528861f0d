using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Oci;

/// <summary>
/// <c>chartseal push</c> is the publish gate of a registry namespace: an unsigned, untrusted, revoked, tampered or
/// misnamed chart, or a version already there, is refused with its reason and nothing reaches the registry; and a chart
/// stored under another chart's reference (the confusion Helm suffers) is refused at pull time, naming both.
/// </summary>
public sealed class OciPushRefusalTests(OciCliFixture f) : IClassFixture<OciCliFixture>
{
    private static void Ok(CliResult r) => Cli.AssertOk(r);

    private CliResult Push(TempDirectory t, string archive, string ns, params string[] extra) =>
        Cli.Run(t.Path, ["push", archive, ns, "--root-fingerprint", f.Root, "--plain-http", .. extra]);

    [Fact]
    public async Task Unsigned_untrusted_revoked_tampered_misnamed_and_existing_charts_are_refused_and_nothing_is_pushed()
    {
        using var t = new TempDirectory();
        string ns = f.NewNamespace();
        f.Trust(t, ns, "jane", "max");

        // Unsigned.
        string unsigned = f.Package(t, "0.1.0", null, "unsigned");
        Cli.AssertRejected(Push(t, unsigned, ns), "missing-provenance");
        // Signed by a key the namespace does not trust (root signs the trust material, not charts).
        string byRoot = f.Package(t, "0.1.0", "root", "by-root");
        Cli.AssertRejected(Push(t, byRoot, ns), "signer-not-trusted");
        // Tampered after signing.
        string tampered = f.Package(t, "0.1.0", "jane", "tampered");
        byte[] bytes = File.ReadAllBytes(tampered);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(tampered, bytes);
        Cli.AssertRejected(Push(t, tampered, ns), "hash-mismatch");
        // A chart signed under another name: the archive says hello 0.1.0, its file and signature say other-1.0.0.tgz.
        string good = f.Package(t, "0.1.0", "jane", "good");
        Directory.CreateDirectory(t.File("misnamed"));
        string misnamed = t.File("misnamed/other-1.0.0.tgz");
        File.Copy(good, misnamed);
        Ok(Cli.Run(t.Path, "sign", misnamed, "--key", "jane", "--keyring", f.Secret("jane")));
        var renamed = Push(t, misnamed, ns);
        Cli.AssertRejected(renamed, "name-version-mismatch");
        Assert.Contains("other-1.0.0.tgz holds hello 0.1.0; a repository stores it as hello-0.1.0.tgz", renamed.StdErr, StringComparison.Ordinal);
        // Not built from the reviewed source (the CI gate).
        string source = t.File("reviewed");
        CopyFolder(Path.Combine(TestPaths.RepoRoot, "examples", "hello"), source);
        File.AppendAllText(Path.Combine(source, "values.yaml"), "injected: true\n");
        var rebuilt = Push(t, good, ns, "--rebuild-from", source);
        Cli.AssertRejected(rebuilt, "rebuild-mismatch");
        Assert.Contains("values.yaml", rebuilt.StdErr, StringComparison.Ordinal);
        Assert.Empty(await f.TagsAsync(ns, "hello"));
        Assert.Empty(await f.TagsAsync(ns, "other"));

        // The one good push, then the same version again.
        Ok(Push(t, good, ns));
        var again = Push(t, f.Package(t, "0.1.0", "max", "again"), ns);
        Cli.AssertRejected(again, "version-exists");
        Assert.Contains($"{ns}/hello:0.1.0 already holds hello 0.1.0", again.StdErr, StringComparison.Ordinal);
        Assert.Contains("(--force replaces it; --resign-only replaces only its .prov)", again.StdErr, StringComparison.Ordinal);

        // Revoked: Jane's key is compromised; her next chart is refused before it is pushed.
        Ok(Cli.Run(t.Path, ["trust", "revoke", ns, f.Fingerprints["jane"], .. f.RootKey, "--plain-http"]));
        Cli.AssertRejected(Push(t, f.Package(t, "0.2.0", "jane", "revoked"), ns), "signer-revoked");
        Assert.Equal(["0.1.0"], await f.TagsAsync(ns, "hello"));

        // --force replaces the version with Max's signed build; the registry then holds his signature.
        Ok(Push(t, t.File("again/hello-0.1.0.tgz"), ns, "--force"));
        Ok(Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", f.Root, "--plain-http"));
        Assert.Contains($"Using Key With Fingerprint: {f.Fingerprints["max"]}", Cli.Run(t.Path, "pull", "team/hello", "-d", "pulled").StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chart_stored_under_another_reference_is_refused_at_pull_naming_the_reference_and_the_chart()
    {
        using var t = new TempDirectory();
        string ns = f.NewNamespace();
        f.Trust(t, ns, "jane");
        string archive = f.Package(t, "0.1.0", "jane");
        Ok(Cli.Run(t.Path, "push", archive, ns, "--root-fingerprint", f.Root, "--plain-http"));
        // The registry (or anyone who can write to it) puts the same signed chart under another name and another version.
        using (var client = f.Client())
        {
            var artifact = HelmChartArtifact.Create(File.ReadAllBytes(archive), "hello-0.1.0.tgz", File.ReadAllBytes(archive + ".prov"), DateTimeOffset.UnixEpoch);
            await client.PushArtifactAsync(OciCliFixture.Chart(ns, "other", "0.1.0"), artifact.Manifest, artifact.Blobs, TestContext.Current.CancellationToken);
            await client.PushArtifactAsync(OciCliFixture.Chart(ns, "hello", "9.9.9"), artifact.Manifest, artifact.Blobs, TestContext.Current.CancellationToken);
        }
        Ok(Cli.Run(t.Path, "repo", "add", "team", ns, "--root-fingerprint", f.Root, "--plain-http"));

        var other = Cli.Run(t.Path, "pull", $"{ns}/other:0.1.0", "-d", "refused");
        Cli.AssertRejected(other, "name-version-mismatch");
        Assert.Contains($"{ns}/other:0.1.0 names other 0.1.0, but the signed archive holds hello 0.1.0", other.StdErr, StringComparison.Ordinal);
        var version = Cli.Run(t.Path, "pull", "team/hello", "--version", "9.9.9", "-d", "refused");
        Cli.AssertRejected(version, "name-version-mismatch");
        Assert.Contains($"{ns}/hello:9.9.9 names hello 9.9.9, but the signed archive holds hello 0.1.0", version.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(t.File("refused")));
        // The newest stable version is now the forged 9.9.9: pull refuses it rather than fall back silently.
        Cli.AssertRejected(Cli.Run(t.Path, "pull", "team/hello", "-d", "refused"), "name-version-mismatch");
        Ok(Cli.Run(t.Path, "pull", "team/hello", "--version", "0.1.0", "-d", "pulled"));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

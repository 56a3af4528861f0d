using Chartseal.Client;
using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Oci;

/// <summary>
/// A namespace that signs its tags, against the real CNCF registry: the index key's snapshot covers every chart tag and
/// its manifest digest, so the registry can neither hide a tag, move one back, drop the snapshot nor replay an old one.
/// </summary>
public sealed class OciIndexSnapshotTests(OciCliFixture f) : IClassFixture<OciCliFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Ok(CliResult r) => Cli.AssertOk(r);

    /// <summary>A namespace trusting Jane, with Max's key as its index key (a key of its own: it signs nothing else here).</summary>
    private string Namespace(TempDirectory t)
    {
        string ns = f.NewNamespace();
        f.Trust(t, ns, "jane");
        Ok(Cli.Run(t.Path, ["trust", "index-key", "add", ns, f.Public("max"), "--max-lifetime", "2d", .. f.RootKey, .. f.Transport]));
        return ns;
    }

    private string[] IndexKey => ["--index-key", "max", "--index-keyring", f.Secret("max")];

    [Fact]
    public async Task Pushed_with_the_index_key_clients_see_it_pushed_without_they_do_not_until_the_tags_are_signed()
    {
        using var t = new TempDirectory();
        string ns = Namespace(t);
        var pushed = Cli.Run(t.Path, ["push", f.Package(t, "0.1.0", "jane"), ns, "--root-fingerprint", f.Root, .. IndexKey, .. f.Transport]);
        Ok(pushed);
        Assert.Contains("Signed snapshot.yaml.asc version", pushed.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, ["repo", "add", "team", ns, "--root-fingerprint", f.Root, .. f.Transport]));

        // 0.2.0 pushed without signing the tags: the registry's tag list has it, the signed map does not.
        var unsigned = Cli.Run(t.Path, ["push", f.Package(t, "0.2.0", "jane"), ns, "--root-fingerprint", f.Root, .. f.Transport]);
        Ok(unsigned);
        Assert.Contains("clients see this version once its snapshot is signed again", unsigned.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "pull", "team/hello", "-d", "first"));
        Assert.True(File.Exists(t.File("first/hello-0.1.0.tgz")));

        var signed = Cli.Run(t.Path, ["index", "sign", ns, "--key", "max", "--keyring", f.Secret("max"), "--expires", "1d", .. f.Transport]);
        Ok(signed);
        Assert.Contains("(tags.json", signed.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "repo", "update"));
        Ok(Cli.Run(t.Path, "pull", "team/hello", "-d", "second"));
        Assert.True(File.Exists(t.File("second/hello-0.2.0.tgz")));

        // A maintainer's key cannot sign the tags; and a lifetime beyond the root's cap is refused.
        var byJane = Cli.Run(t.Path, ["index", "sign", ns, "--key", "jane", "--keyring", f.Secret("jane"), .. f.Transport]);
        Assert.Equal(2, byJane.ExitCode);
        Assert.Contains("is not an index key of this repository", byJane.StdErr, StringComparison.Ordinal);
        var tooLong = Cli.Run(t.Path, ["index", "sign", ns, "--key", "max", "--keyring", f.Secret("max"), "--expires", "3d", .. f.Transport]);
        Assert.Equal(2, tooLong.ExitCode);
        Assert.Contains("at most 2 days", tooLong.StdErr, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public void Push_resign_only_signs_the_tags_with_the_index_key_so_clients_read_the_new_provenance()
    {
        using var t = new TempDirectory();
        string ns = Namespace(t);
        Ok(Cli.Run(t.Path, ["push", f.Package(t, "0.1.0", "jane"), ns, "--root-fingerprint", f.Root, .. IndexKey, .. f.Transport]));
        Ok(Cli.Run(t.Path, ["repo", "add", "team", ns, "--root-fingerprint", f.Root, .. f.Transport]));

        // Jane's key is compromised; Ann takes over, and the tags are signed again for the new trust material.
        var ann = Cli.Run(t.Path, "key", "generate", "--name", "ann <ann@example.com>", "--out", "ann", "--expires", "1y");
        Ok(ann);
        Ok(Cli.Run(t.Path, ["trust", "revoke", ns, f.Fingerprints["jane"], .. f.RootKey, .. f.Transport]));
        Ok(Cli.Run(t.Path, ["trust", "add", ns, t.File("ann.pub.asc"), .. f.RootKey, .. f.Transport]));
        Ok(Cli.Run(t.Path, ["index", "sign", ns, "--key", "max", "--keyring", f.Secret("max"), .. f.Transport]));
        Assert.Equal(1, Cli.Run(t.Path, "pull", "team/hello", "-d", "revoked").ExitCode);

        // Without the index key the push says the tags need signing; with it, they are signed and clients follow at once.
        Ok(Cli.Run(t.Path, "resign", "out/hello-0.1.0.tgz", "--key", "ann", "--keyring", t.File("ann.sec.asc")));
        var noted = Cli.Run(t.Path, ["push", "out/hello-0.1.0.tgz", ns, "--root-fingerprint", f.Root, "--resign-only", .. f.Transport]);
        Ok(noted);
        Assert.Contains("clients read the new provenance once its snapshot is signed again", noted.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "resign", "out/hello-0.1.0.tgz", "--key", "ann", "--keyring", t.File("ann.sec.asc")));
        var replaced = Cli.Run(t.Path, ["push", "out/hello-0.1.0.tgz", ns, "--root-fingerprint", f.Root, "--resign-only", .. IndexKey, .. f.Transport]);
        Ok(replaced);
        Assert.Contains("Signed snapshot.yaml.asc version", replaced.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "repo", "update", "team"));
        var pulled = Cli.Run(t.Path, "pull", "team/hello", "-d", "pulled");
        Ok(pulled);
        Assert.Contains("Signed by: ann <ann@example.com>", pulled.StdOut, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(t.File("out/hello-0.1.0.tgz.prov")), File.ReadAllBytes(t.File("pulled/hello-0.1.0.tgz.prov")));
    }

    [Fact]
    public async Task The_registry_moves_a_signed_tag_back_the_client_still_reads_the_signed_manifest()
    {
        using var t = new TempDirectory();
        string ns = Namespace(t);
        Ok(Cli.Run(t.Path, ["push", f.Package(t, "0.1.0", "jane"), ns, "--root-fingerprint", f.Root, .. f.Transport]));
        Ok(Cli.Run(t.Path, ["push", f.Package(t, "0.2.0", "jane"), ns, "--root-fingerprint", f.Root, .. IndexKey, .. f.Transport]));
        Ok(Cli.Run(t.Path, ["repo", "add", "team", ns, "--root-fingerprint", f.Root, .. f.Transport]));

        // The registry points tag 0.2.0 at 0.1.0's manifest (a rollback of the fixed version under its own name).
        using var client = f.Client();
        var old = (await client.GetManifestAsync(OciCliFixture.Chart(ns, "hello", "0.1.0"), Ct))!;
        var fixedOne = (await client.HeadManifestAsync(OciCliFixture.Chart(ns, "hello", "0.2.0"), Ct))!;
        await client.PutManifestAsync(OciCliFixture.Chart(ns, "hello", "0.2.0"), old.Content, old.MediaType, Ct);
        Assert.Equal(old.Digest, (await client.HeadManifestAsync(OciCliFixture.Chart(ns, "hello", "0.2.0"), Ct))!.Digest);

        Ok(Cli.Run(t.Path, "repo", "update"));
        var pulled = Cli.Run(t.Path, "pull", "team/hello", "--version", "0.2.0", "-d", "pulled");
        Ok(pulled);
        Assert.Contains("Pulled: pulled/hello-0.2.0.tgz", pulled.StdOut, StringComparison.Ordinal);
        // What was read is the manifest the snapshot signs, not what the tag holds now.
        Assert.NotEqual(old.Digest, fixedOne.Digest);
    }

    /// <summary>
    /// A namespace whose signed tags hold Jane's 0.1.0, and two tags pushed since: Jane's 0.2.0 through the gate (not
    /// signed yet), and 0.3.0 signed by Max (no maintainer) stored with plain <c>helm push</c>, as anyone with push rights can.
    /// </summary>
    private string PushedPastTheSignedTags(TempDirectory t)
    {
        string ns = Namespace(t);
        Ok(Cli.Run(t.Path, ["push", f.Package(t, "0.1.0", "jane"), ns, "--root-fingerprint", f.Root, .. IndexKey, .. f.Transport]));
        Ok(Cli.Run(t.Path, ["repo", "add", "team", ns, "--root-fingerprint", f.Root, .. f.Transport]));
        Ok(Cli.Run(t.Path, ["push", f.Package(t, "0.2.0", "jane"), ns, "--root-fingerprint", f.Root, .. f.Transport]));
        HelmPeer.V4.RunChecked(t.Path, "push", f.Package(t, "0.3.0", "max"), ns, "--plain-http");
        return ns;
    }

    [Fact]
    public void Pull_by_the_namespace_url_with_the_root_pinned_there_reads_only_the_signed_tags_and_keeps_no_repository()
    {
        using var t = new TempDirectory();
        string ns = PushedPastTheSignedTags(t);
        // A CI job with a client home of its own: no repository added, no trust state yet.
        var ci = new Dictionary<string, string> { ["CHARTSEAL_HOME"] = t.File("ci-home") };
        string[] byUrl = ["--repo", ns, "--root-fingerprint", f.Root, .. f.Transport];

        var newest = Cli.Run(t.Path, ci, ["pull", "hello", "-d", "newest", .. byUrl]);

        Ok(newest);
        Assert.Equal(["hello-0.1.0.tgz", "hello-0.1.0.tgz.prov"], Directory.GetFiles(t.File("newest")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(t.File("ci-home/repositories.yaml")));
        Assert.False(Directory.Exists(t.File("ci-home/cache")));
        var pending = Cli.Run(t.Path, ci, ["pull", "hello", "--version", "0.2.0", "-d", "pending", .. byUrl]);
        Assert.Equal(1, pending.ExitCode);
        Assert.Contains($"chartseal: {ns}/hello:0.2.0: not-in-index: ", pending.StdErr, StringComparison.Ordinal);
        var wrongRoot = Cli.Run(t.Path, ci, ["pull", "hello", "-d", "wrong-root", "--repo", ns, "--root-fingerprint", f.Fingerprints["jane"], .. f.Transport]);
        Assert.Equal(1, wrongRoot.ExitCode);
        Assert.Contains(": trust-bad-signature: ", Assert.Single(wrongRoot.StdErrLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(t.File("pending")));
        Assert.False(Directory.Exists(t.File("wrong-root")));
    }

    [Fact]
    public void The_audit_lists_the_tags_the_signed_tags_do_not_hold_before_the_next_index_sign()
    {
        using var t = new TempDirectory();
        string ns = PushedPastTheSignedTags(t);

        var audit = Cli.Run(t.Path, ["audit", ns, "--root-fingerprint", f.Root, .. f.Transport]);
        Assert.Equal(1, audit.ExitCode);
        Assert.Contains("3 chart versions in " + ns + " (trust version ", audit.StdOut, StringComparison.Ordinal);
        Assert.Contains("): 1 trusted, 1 signer-not-trusted, 1 not-in-index\n", audit.StdOut, StringComparison.Ordinal);
        Assert.Contains("2 tags the registry holds are not in the signed index snapshot", audit.StdOut, StringComparison.Ordinal);

        var json = Cli.Run(t.Path, ["audit", ns, "--root-fingerprint", f.Root, "-o", "json", .. f.Transport]);
        Assert.Equal(1, json.ExitCode);
        var document = OciCliFixture.Json(json);
        Assert.False(document.GetProperty("allTrusted").GetBoolean());
        var rows = document.GetProperty("charts").EnumerateArray().ToDictionary(r => r.GetProperty("version").GetString()!);
        Assert.True(rows["0.1.0"].GetProperty("trusted").GetBoolean());
        Assert.Equal("not-in-index", rows["0.2.0"].GetProperty("reason").GetString());
        Assert.Equal("CSL4007", rows["0.2.0"].GetProperty("code").GetString());
        Assert.Contains("is not in the signed index snapshot", rows["0.2.0"].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal($"{ns}/hello:0.2.0", rows["0.2.0"].GetProperty("archive").GetString());
        // The rogue tag is outside the signed tags too, but what its signature says comes first (the gate's order).
        Assert.Equal("signer-not-trusted", rows["0.3.0"].GetProperty("reason").GetString());
        Assert.Equal(f.Fingerprints["max"], rows["0.3.0"].GetProperty("signer").GetProperty("fingerprint").GetString());
        var enumeration = document.GetProperty("enumeration");
        Assert.True(enumeration.GetProperty("signedTagMap").GetBoolean());
        Assert.Equal([$"{ns}/hello:0.2.0", $"{ns}/hello:0.3.0"], enumeration.GetProperty("unlisted").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Pull_resolves_among_the_signed_versions_and_refuses_a_version_outside_them_through_the_gate()
    {
        using var t = new TempDirectory();
        string ns = PushedPastTheSignedTags(t);
        Ok(Cli.Run(t.Path, "repo", "update"));

        var newest = Cli.Run(t.Path, "pull", "team/hello", "-d", "newest");
        Ok(newest);
        Assert.Equal(["hello-0.1.0.tgz", "hello-0.1.0.tgz.prov"], Directory.GetFiles(t.File("newest")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Ok(Cli.Run(t.Path, "pull", "team/hello", "--version", "^0.1", "-d", "ranged"));
        Assert.True(File.Exists(t.File("ranged/hello-0.1.0.tgz")));

        // Named exactly, a version outside the signed tags is judged and refused (exit 1, nothing written): a validly signed
        // one as not-in-index, the rogue one for its signature first.
        var pending = Cli.Run(t.Path, "pull", "team/hello", "--version", "0.2.0", "-d", "pending");
        Assert.Equal(1, pending.ExitCode);
        Assert.StartsWith($"not-in-index: {ns}/hello:0.2.0 is not in the signed index snapshot", OciCliFixture.RefusalOf(pending, "not-in-index"), StringComparison.Ordinal);
        Assert.Contains($"chartseal: {ns}/hello:0.2.0: not-in-index: ", pending.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(t.File("pending")));
        var rogue = Cli.Run(t.Path, "pull", $"{ns}/hello:0.3.0", "-d", "rogue");
        Assert.Equal(1, rogue.ExitCode);
        Assert.Contains($"chartseal: {ns}/hello:0.3.0: signer-not-trusted: ", rogue.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(t.File("rogue")));

        // search offers only the signed versions.
        var search = Cli.Run(t.Path, "search", "hello", "--versions");
        Ok(search);
        Assert.Contains("0.1.0", search.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("0.2.0", search.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("0.3.0", search.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_sign_leaves_out_the_tags_the_gate_refuses_says_so_and_keeps_a_moved_tag_at_its_signed_manifest()
    {
        using var t = new TempDirectory();
        string ns = PushedPastTheSignedTags(t);
        using var client = f.Client();
        var original = (await client.HeadManifestAsync(OciCliFixture.Chart(ns, "hello", "0.1.0"), Ct))!;
        // The rogue pusher also moves 0.1.0 to a chart of its own (the same archive, Max's .prov).
        f.Package(t, "0.1.0", "max", "rogue");
        HelmPeer.V4.RunChecked(t.Path, "push", "rogue/hello-0.1.0.tgz", ns, "--plain-http");
        var moved = (await client.HeadManifestAsync(OciCliFixture.Chart(ns, "hello", "0.1.0"), Ct))!;
        Assert.NotEqual(original.Digest, moved.Digest);

        // The tags are signed (exit 0: a rogue pusher cannot stop that), without what the gate refuses, and stderr says so.
        var signed = Cli.Run(t.Path, ["index", "sign", ns, "--key", "max", "--keyring", f.Secret("max"), .. f.Transport]);
        Ok(signed);
        Assert.Contains("Signed snapshot.yaml.asc version", signed.StdOut, StringComparison.Ordinal);
        Assert.Contains($"chartseal: {ns}/hello:0.3.0: left out of the signed tags: signer-not-trusted: ", signed.StdErr, StringComparison.Ordinal);
        Assert.Contains($"chartseal: {ns}/hello:0.1.0: kept at the manifest signed before ({original.Digest}), not the one the tag holds now ({moved.Digest}): signer-not-trusted: ", signed.StdErr, StringComparison.Ordinal);
        Assert.Contains("chartseal: 2 tags the registry holds are not signed as it holds them (hello:0.1.0, hello:0.3.0): the gate refuses their charts; re-sign the versions you published (chartseal push --resign-only), delete the others from the registry", signed.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("0.2.0", signed.StdErr, StringComparison.Ordinal);

        // Clients: the newest signed version is Jane's 0.2.0, and 0.1.0 is still Jane's chart.
        Ok(Cli.Run(t.Path, "repo", "update"));
        Ok(Cli.Run(t.Path, "pull", "team/hello", "-d", "newest"));
        Assert.True(File.Exists(t.File("newest/hello-0.2.0.tgz")));
        var old = Cli.Run(t.Path, "pull", "team/hello", "--version", "0.1.0", "-d", "old");
        Ok(old);
        Assert.Equal(File.ReadAllBytes(t.File("out/hello-0.1.0.tgz.prov")), File.ReadAllBytes(t.File("old/hello-0.1.0.tgz.prov")));

        // The audit still names both (exit 1) until they are deleted.
        var audit = OciCliFixture.Json(Cli.Run(t.Path, ["audit", ns, "--root-fingerprint", f.Root, "-o", "json", .. f.Transport]));
        var rows = audit.GetProperty("charts").EnumerateArray().ToDictionary(r => r.GetProperty("archive").GetString()!);
        Assert.Equal(4, rows.Count);
        Assert.True(rows[$"{ns}/hello:0.1.0"].GetProperty("trusted").GetBoolean());
        Assert.True(rows[$"{ns}/hello:0.2.0"].GetProperty("trusted").GetBoolean());
        Assert.Equal("signer-not-trusted", rows[$"{ns}/hello:0.3.0"].GetProperty("reason").GetString());
        Assert.Equal("signer-not-trusted", rows[$"{ns}/hello:0.1.0@{moved.Digest}"].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_registry_drops_or_replays_the_snapshot_update_and_pull_refuse()
    {
        using var t = new TempDirectory();
        string ns = Namespace(t);
        Ok(Cli.Run(t.Path, ["push", f.Package(t, "0.1.0", "jane"), ns, "--root-fingerprint", f.Root, .. IndexKey, .. f.Transport]));
        using var client = f.Client();
        OciReference snapshotTag = OciIndexSnapshot.ReferenceIn(OciReference.Parse(ns));
        var first = (await client.GetManifestAsync(snapshotTag, Ct))!;
        Ok(Cli.Run(t.Path, ["push", f.Package(t, "0.2.0", "jane"), ns, "--root-fingerprint", f.Root, .. IndexKey, .. f.Transport]));
        Ok(Cli.Run(t.Path, ["repo", "add", "team", ns, "--root-fingerprint", f.Root, .. f.Transport]));

        // Replayed: the first snapshot (still validly signed, not expired) re-tagged.
        var second = (await client.GetManifestAsync(snapshotTag, Ct))!;
        await client.PutManifestAsync(snapshotTag, first.Content, first.MediaType, Ct);
        var replayed = Cli.Run(t.Path, "repo", "update", "team");
        Assert.Equal(1, replayed.ExitCode);
        Assert.Contains("index-rollback", replayed.StdErr, StringComparison.Ordinal);
        var pull = Cli.Run(t.Path, "pull", "team/hello", "-d", "refused");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("index-rollback", pull.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(t.File("refused")));

        // Dropped: no snapshot at all.
        Assert.True(await client.DeleteManifestAsync(snapshotTag.WithDigest(first.Digest), Ct));
        var dropped = Cli.Run(t.Path, "repo", "update", "team");
        Assert.Equal(1, dropped.ExitCode);
        Assert.Contains("index-unsigned", dropped.StdErr, StringComparison.Ordinal);
        var audit = Cli.Run(t.Path, ["audit", ns, "--root-fingerprint", f.Root, .. f.Transport]);
        Assert.Equal(1, audit.ExitCode);
        Assert.Contains("index-unsigned", audit.StdErr + audit.StdOut, StringComparison.Ordinal);

        // Put back: all is well again.
        await client.PutManifestAsync(snapshotTag, second.Content, second.MediaType, Ct);
        Ok(Cli.Run(t.Path, "repo", "update", "team"));
        Ok(Cli.Run(t.Path, "pull", "team/hello", "-d", "pulled"));
        Assert.True(File.Exists(t.File("pulled/hello-0.2.0.tgz")));

        // The audit says its versions came from the signed map, and where it looked for tags outside it.
        var audited = Cli.Run(t.Path, ["audit", ns, "--root-fingerprint", f.Root, "--chart", "other", .. f.Transport]);
        Ok(audited);
        Assert.Contains("Charts: 2 chart names looked at: 1 in the signed index snapshot (tags.json), 1 named, 1 in the chart list, 1 in the registry's catalog; "
            + "every chart tag the registry holds is in the signed index snapshot\n", audited.StdOut, StringComparison.Ordinal);
        var unnamed = Cli.Run(t.Path, ["audit", ns, "--root-fingerprint", f.Root, .. f.Transport]);
        Ok(unnamed);
        Assert.Contains("Charts: 1 chart name looked at: 1 in the signed index snapshot (tags.json), 1 in the chart list, 1 in the registry's catalog; "
            + "every chart tag the registry holds is in the signed index snapshot\n", unnamed.StdOut, StringComparison.Ordinal);
        var json = Cli.Run(t.Path, ["audit", ns, "--root-fingerprint", f.Root, "-o", "json", .. f.Transport]);
        Ok(json);
        using var document = System.Text.Json.JsonDocument.Parse(json.StdOut);
        var enumeration = document.RootElement.GetProperty("enumeration");
        Assert.True(enumeration.GetProperty("signedTagMap").GetBoolean());
        Assert.Equal(1, enumeration.GetProperty("chartList").GetInt32());
        Assert.Empty(enumeration.GetProperty("unlisted").EnumerateArray());
    }
}

using System.Text.Json;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// The rough edges of the key-compromise drill, through the built CLI: what <c>trust remove</c> says, what
/// <c>audit --signer</c> counts, <c>resign --repo</c> checking the new signer before anything is written, the reminder
/// to sign the index snapshot again after a trust change, and one root signing two repositories.
/// </summary>
public sealed class KeyCompromiseCommandTests
{
    private static void Ok(CliResult r) => Cli.AssertOk(r);

    private static void Rejected(CliResult r, string reason) => Cli.AssertRejected(r, reason);

    private static string[] RootKey => ["--root-key", "root", "--root-keyring", "root.sec.asc"];

    private static string Fingerprint(TempDirectory t, string who) => Cli.Run(t.Path, "key", "fingerprint", who + ".pub.asc").StdOut.Trim();

    /// <summary>Keys root, jane, max; a repository with jane and max; hello 0.1.0 and 0.3.0 by jane, 0.2.0 by max.</summary>
    private static string Repository(TempDirectory t)
    {
        foreach (string who in new[] { "root", "jane", "max" })
        {
            Ok(Cli.Run(t.Path, "key", "generate", "--name", $"{who} <{who}@example.com>", "--out", who, "--expires", "1y"));
        }
        Ok(Cli.Run(t.Path, ["trust", "init", "repo", .. RootKey]));
        Ok(Cli.Run(t.Path, ["trust", "add", "repo", "jane.pub.asc", "max.pub.asc", .. RootKey]));
        string root = Fingerprint(t, "root");
        foreach (var (version, who) in new[] { ("0.1.0", "jane"), ("0.2.0", "max"), ("0.3.0", "jane") })
        {
            Ok(Cli.Run(t.Path, "package", Path.Combine(TestPaths.RepoRoot, "examples", "hello"), "-d", "out", "--version", version, "--sign", "--key", who, "--keyring", who + ".sec.asc"));
            Ok(Cli.Run(t.Path, "publish", $"out/hello-{version}.tgz", "--repo", "repo", "--root-fingerprint", root));
        }
        return root;
    }

    [Fact]
    public void Remove_instead_of_revoke_audit_signer_finds_the_removed_keys_charts_and_counts_them_against_the_whole_repository()
    {
        using var t = new TempDirectory();
        string root = Repository(t);
        string jane = Fingerprint(t, "jane"), max = Fingerprint(t, "max");

        var removed = Cli.Run(t.Path, ["trust", "remove", "repo", jane.ToLowerInvariant(), .. RootKey]);
        Ok(removed);
        Assert.StartsWith($"Removed {jane}\n", removed.StdOut, StringComparison.Ordinal);

        // The table says how many of the repository's versions the key signed, not only how many rows there are.
        var table = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root, "--signer", jane);
        Assert.True(table.ExitCode == 1, table.ToString());
        Assert.Contains($"2 of 3 chart versions in repo signed by {jane} (trust version 3, root {root}): 2 signer-not-trusted", table.StdOut, StringComparison.Ordinal);
        Assert.Equal($"chartseal: repo: 2 of 2 chart versions signed by {jane} are not trusted", Assert.Single(table.StdErrLines));
        var none = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root, "--signer", new string('A', 40));
        Ok(none);
        Assert.Contains($"0 of 3 chart versions in repo signed by {new string('A', 40)} (trust version 3, root {root}): none", none.StdOut, StringComparison.Ordinal);

        // JSON: the removed key is known only as the signature's issuer; every row still names it, and "audited" counts all.
        var json = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root, "--signer", jane, "-o", "json");
        Assert.True(json.ExitCode == 1, json.ToString());
        using (var doc = JsonDocument.Parse(json.StdOut))
        {
            Assert.Equal(3, doc.RootElement.GetProperty("audited").GetInt32());
            Assert.Equal(2, doc.RootElement.GetProperty("summary").GetProperty("total").GetInt32());
            var rows = doc.RootElement.GetProperty("charts").EnumerateArray()
                .Select(r => (r.GetProperty("archive").GetString(), r.GetProperty("reason").GetString(), r.GetProperty("signer").ValueKind, r.GetProperty("issuer").GetProperty("fingerprint").GetString()))
                .ToList();
            Assert.Equal([("hello-0.3.0.tgz", "signer-not-trusted", JsonValueKind.Null, jane), ("hello-0.1.0.tgz", "signer-not-trusted", JsonValueKind.Null, jane)], rows);
        }
        using (var all = JsonDocument.Parse(Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root, "-o", "json").StdOut))
        {
            Assert.Equal(3, all.RootElement.GetProperty("audited").GetInt32());
        }
        var maxOnly = Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root, "--signer", max);
        Ok(maxOnly);
        Assert.Contains($"1 of 3 chart versions in repo signed by {max} (trust version 3, root {root}): 1 trusted", maxOnly.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Resign_with_a_repository_refuses_a_key_it_does_not_trust_before_writing_and_names_the_trust_it_was_judged_by()
    {
        using var t = new TempDirectory();
        string root = Repository(t);
        string jane = Fingerprint(t, "jane");
        Ok(Cli.Run(t.Path, ["trust", "revoke", "repo", jane, "--reason", "laptop stolen", .. RootKey]));
        Directory.CreateDirectory(t.File("resign"));
        File.Copy(t.File("repo/hello-0.1.0.tgz"), t.File("resign/hello-0.1.0.tgz"));
        File.Copy(t.File("repo/hello-0.1.0.tgz.prov"), t.File("resign/hello-0.1.0.tgz.prov"));
        byte[] janes = File.ReadAllBytes(t.File("resign/hello-0.1.0.tgz.prov"));
        string[] repo = ["--repo", "repo", "--root-fingerprint", root];

        // Without a repository, resign is a local tool: any signing key (here the revoked one) makes a new .prov.
        Ok(Cli.Run(t.Path, "resign", "resign/hello-0.1.0.tgz", "--key", "jane", "--keyring", "jane.sec.asc"));
        File.WriteAllBytes(t.File("resign/hello-0.1.0.tgz.prov"), janes);

        // With one, a signer it does not trust now is refused (exit 1), and the old .prov stays as it was.
        var revoked = Cli.Run(t.Path, ["resign", "resign/hello-0.1.0.tgz", "--key", "jane", "--keyring", "jane.sec.asc", .. repo]);
        Rejected(revoked, "signer-revoked");
        Assert.StartsWith("chartseal: resign/hello-0.1.0.tgz: signer-revoked: ", revoked.StdErr, StringComparison.Ordinal);
        Assert.Contains("the .prov was not replaced", revoked.StdErr, StringComparison.Ordinal);
        Assert.Equal(janes, File.ReadAllBytes(t.File("resign/hello-0.1.0.tgz.prov")));
        var rootSigned = Cli.Run(t.Path, ["resign", "resign/hello-0.1.0.tgz", "--key", "root", "--keyring", "root.sec.asc", .. repo]);
        Rejected(rootSigned, "signer-not-trusted");
        Assert.Equal(janes, File.ReadAllBytes(t.File("resign/hello-0.1.0.tgz.prov")));
        // Trust material that is itself refused (a wrong pin) is the verify --repo refusal, naming the manifest.
        var wrongRoot = Cli.Run(t.Path, "resign", "resign/hello-0.1.0.tgz", "--key", "max", "--keyring", "max.sec.asc", "--repo", "repo", "--root-fingerprint", new string('A', 40));
        Rejected(wrongRoot, "trust-bad-signature");
        Assert.Contains(Path.Combine("repo", "trust.yaml.asc"), wrongRoot.StdErr, StringComparison.Ordinal);
        Assert.Equal(janes, File.ReadAllBytes(t.File("resign/hello-0.1.0.tgz.prov")));
        // --root-fingerprint needs --repo, and a folder or URL needs a pin, as for verify.
        Assert.Equal(2, Cli.Run(t.Path, "resign", "resign/hello-0.1.0.tgz", "--key", "max", "--keyring", "max.sec.asc", "--root-fingerprint", root).ExitCode);
        Assert.Equal(2, Cli.Run(t.Path, "resign", "resign/hello-0.1.0.tgz", "--key", "max", "--keyring", "max.sec.asc", "--repo", "repo").ExitCode);

        // A trusted maintainer's signature is judged as publish --resign-only will judge it, then written.
        var accepted = Cli.Run(t.Path, ["resign", "resign/hello-0.1.0.tgz", "--key", "max", "--keyring", "max.sec.asc", .. repo]);
        Ok(accepted);
        Assert.Contains($"was signed by {jane}, now by {Fingerprint(t, "max")}; archive unchanged", accepted.StdOut, StringComparison.Ordinal);
        Assert.Contains($"Trusted by repository: trust version 3, root {root}", accepted.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "publish", "resign/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root, "--resign-only"));
    }

    [Fact]
    public void A_trust_change_of_a_repository_that_signs_its_index_says_the_snapshot_must_be_signed_again()
    {
        using var t = new TempDirectory();
        string root = Repository(t);
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "index <index@example.com>", "--out", "index", "--expires", "1y"));
        var plain = Cli.Run(t.Path, ["trust", "renew", "repo", .. RootKey]);
        Ok(plain);
        Assert.DoesNotContain("Note:", plain.StdOut, StringComparison.Ordinal);

        var delegated = Cli.Run(t.Path, ["trust", "index-key", "add", "repo", "index.pub.asc", .. RootKey]);
        Ok(delegated);
        Assert.Contains("Note: the repository signs its index: clients refuse it until a snapshot is signed with trust version 4 "
            + "(chartseal index sign repo --key ...; a chartseal serve --index-key of this folder signs one within 5 seconds)", delegated.StdOut, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "index", "sign", "repo", "--key", "index", "--keyring", "index.sec.asc"));
        Ok(Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root));

        var revoked = Cli.Run(t.Path, ["trust", "revoke", "repo", Fingerprint(t, "jane"), .. RootKey]);
        Ok(revoked);
        Assert.Contains("Note: the repository signs its index: clients refuse it until a snapshot is signed with trust version 5", revoked.StdOut, StringComparison.Ordinal);
        // As the note says: the audit refuses the index until the snapshot is signed again.
        Rejected(Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root), "index-trust-mismatch");
        Ok(Cli.Run(t.Path, "index", "sign", "repo", "--key", "index", "--keyring", "index.sec.asc"));
        Assert.Equal(1, Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root).ExitCode);
    }

    [Fact]
    public void One_root_for_two_repositories_is_warned_about_at_init_and_the_clients_rollback_refusal_says_why()
    {
        using var t = new TempDirectory();
        string root = Repository(t);
        var second = Cli.Run(t.Path, ["trust", "init", "other", .. RootKey]);
        Ok(second);
        string warning = Assert.Single(second.StdErrLines);
        Assert.Equal($"chartseal: warning: root {root} already signs the trust material of {t.File("repo")} (version 2 signed here): "
            + "clients remember one trust version per root, so a client of both refuses the one at the lower version (trust-rollback); "
            + "give each repository its own root key", warning);
        // The warning is for init: later changes of either repository are not warned about.
        Assert.Empty(Cli.Run(t.Path, ["trust", "renew", "other", .. RootKey]).StdErrLines);

        // The client that accepted version 2 of "repo" refuses "other" (version 2, another manifest) and says why.
        Ok(Cli.Run(t.Path, "audit", "repo", "--root-fingerprint", root));
        var refused = Cli.Run(t.Path, "audit", "other", "--root-fingerprint", root);
        Rejected(refused, "trust-rollback");
        Assert.EndsWith("trust-rollback: trust material version 2 differs from the version 2 already accepted "
            + "(clients remember the highest trust version per root, wherever it came from: an older copy, or another repository that the same root signs)",
            Assert.Single(refused.StdErrLines), StringComparison.Ordinal);
    }
}

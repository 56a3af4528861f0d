using System.Text.Json;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>The team lead's and CI's commands, end to end through the built CLI.</summary>
public sealed class TrustCommandTests
{
    private static void Ok(CliResult r) => Cli.AssertOk(r);

    private static void Rejected(CliResult r, string reason) => Cli.AssertRejected(r, reason);

    [Fact]
    public void TrustLifecycle_InitAddPublishRemoveRevoke_CommandsDecideEachStep()
    {
        using var t = new TempDirectory();
        string Example() => Path.Combine(TestPaths.RepoRoot, "examples", "hello");
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Root <root@example.com>", "--out", "root", "--expires", "1y"));
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane"));
        Ok(Cli.Run(t.Path, "key", "generate", "--name", "Max <max@example.com>", "--out", "max"));

        Ok(Cli.Run(t.Path, "trust", "init", "repo", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Ok(Cli.Run(t.Path, "trust", "add", "repo", "jane.pub.asc", "max.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        var show = Cli.Run(t.Path, "trust", "show", "repo", "--output", "json");
        Ok(show);
        using var json = JsonDocument.Parse(show.StdOut);
        string root = json.RootElement.EnumerateObject().First(p => p.Name.StartsWith("root", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.String).Value.GetString()!;
        Assert.Matches("^[0-9A-F]{40}$", root);
        // User ids as the other JSON writers print them, not \u003C-escaped.
        Assert.Contains("\"userId\": \"Jane <jane@example.com>\"", show.StdOut, StringComparison.Ordinal);

        Ok(Cli.Run(t.Path, "package", Example(), "-d", "jane-out", "--sign", "--key", "jane", "--keyring", "jane.sec.asc"));
        Ok(Cli.Run(t.Path, "package", Example(), "-d", "max-out", "--version", "0.2.0", "--sign", "--key", "max", "--keyring", "max.sec.asc"));

        // CI gate then publish; a second publish of the same version is refused.
        Ok(Cli.Run(t.Path, "verify", "jane-out/hello-0.1.0.tgz", "--rebuild-from", Example(), "--repo", "repo", "--root-fingerprint", root));
        Ok(Cli.Run(t.Path, "publish", "jane-out/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root));
        Assert.True(File.Exists(Path.Combine(t.Path, "repo", "hello-0.1.0.tgz.prov")));
        Assert.Contains("hello-0.1.0.tgz", File.ReadAllText(Path.Combine(t.Path, "repo", "index.yaml")), StringComparison.Ordinal);
        Rejected(Cli.Run(t.Path, "publish", "jane-out/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root), "version-exists");

        // A chart whose source changed after signing fails the gate, naming the file.
        string changed = t.File("changed");
        foreach (string file in Directory.EnumerateFiles(Example(), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(changed, Path.GetRelativePath(Example(), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.AppendAllText(Path.Combine(changed, "values.yaml"), "injected: true\n");
        var gate = Cli.Run(t.Path, "verify", "max-out/hello-0.2.0.tgz", "--rebuild-from", changed, "--repo", "repo", "--root-fingerprint", root);
        Rejected(gate, "rebuild-mismatch");
        Assert.Contains("values.yaml", gate.StdErr, StringComparison.Ordinal);

        // Remove Max: his chart is no longer trusted. Revoke Jane: hers is revoked.
        string Fingerprint(string prefix) =>
            Cli.Run(t.Path, "verify", $"{prefix}-out/hello-{(prefix == "jane" ? "0.1.0" : "0.2.0")}.tgz", "--keyring", prefix + ".pub.asc", "--output", "json")
                .StdOut is var s && JsonDocument.Parse(s).RootElement.GetProperty("signer").GetProperty("fingerprint").GetString() is { } f ? f : "";
        string max = Fingerprint("max"), jane = Fingerprint("jane");
        Ok(Cli.Run(t.Path, "trust", "remove", "repo", max, "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Rejected(Cli.Run(t.Path, "verify", "max-out/hello-0.2.0.tgz", "--repo", "repo", "--root-fingerprint", root), "signer-not-trusted");
        // A key no longer in pubkeys.pgp is revoked with its certificate, which --public-key gives (--key-file is the TLS
        // client key of registry commands, and used to take the value instead).
        var unknown = Cli.Run(t.Path, "trust", "revoke", "repo", max, "--root-key", "root", "--root-keyring", "root.sec.asc");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains($"no key {max}; give its certificate with --public-key FILE", unknown.StdErr, StringComparison.Ordinal);
        Ok(Cli.Run(t.Path, "trust", "revoke", "repo", max, "--public-key", "max.pub.asc", "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Rejected(Cli.Run(t.Path, "verify", "max-out/hello-0.2.0.tgz", "--repo", "repo", "--root-fingerprint", root), "signer-revoked");
        Ok(Cli.Run(t.Path, "trust", "revoke", "repo", jane, "--root-key", "root", "--root-keyring", "root.sec.asc"));
        Rejected(Cli.Run(t.Path, "verify", "jane-out/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", root), "signer-revoked");

        // A wrong pinned root is refused before any chart is looked at.
        Rejected(Cli.Run(t.Path, "verify", "jane-out/hello-0.1.0.tgz", "--repo", "repo", "--root-fingerprint", jane), "trust-bad-signature");
    }
}

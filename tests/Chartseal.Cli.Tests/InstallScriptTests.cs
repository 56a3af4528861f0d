using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// <c>install.sh</c> as a user runs it: the binaries land in PREFIX/lib/chartseal with PREFIX/bin/chartseal linking to
/// the CLI, and the installed program works on its own (signs and verifies, and <c>serve</c> finds the server beside
/// it), without the checkout's wrapper.
/// </summary>
public sealed class InstallScriptTests
{
    [Fact]
    public void InstallSh_PutsAWorkingBinaryOnThePrefix()
    {
        Cli.EnsureBuilt(); // the publish reuses the wrapper's build
        using var t = new TempDirectory();
        string prefix = t.File("prefix");
        var env = new Dictionary<string, string> { ["CHARTSEAL_HOME"] = t.File("home") };

        var install = Cli.RunProgram(Path.Combine(TestPaths.RepoRoot, "install.sh"), t.Path, env, TimeSpan.FromMinutes(15), prefix);

        Assert.True(install.ExitCode == 0, install.ToString());
        string installed = Path.Combine(prefix, "bin", "chartseal");
        Assert.Equal("../lib/chartseal/Chartseal.Cli", new FileInfo(installed).LinkTarget);
        foreach (string file in new[] { "Chartseal.Cli", "Chartseal.Server", "libsodium.so" })
        {
            Assert.True(File.Exists(Path.Combine(prefix, "lib", "chartseal", file)), file);
        }
        // The same release as the wrapper's build; the commit after "+" may differ when only files outside the sources
        // (docs) changed since the wrapper built, which it rightly does not rebuild for.
        static string Release(string version) => version.Trim().Split('+')[0];
        string installedVersion = Cli.RunProgram(installed, t.Path, env, TimeSpan.FromMinutes(1), "--version").StdOut;
        Assert.Matches(@"^\d+\.\d+\.\d+", installedVersion);
        Assert.Equal(Release(Cli.Run(t.Path, "--version").StdOut), Release(installedVersion));

        // The installed binary alone makes a key, signs a chart and verifies it (Ed25519; libsodium is installed beside it).
        CliResult Installed(params string[] args) => Cli.RunProgram(installed, t.Path, env, TimeSpan.FromMinutes(1), args);
        Cli.AssertOk(Installed("key", "generate", "--name", "Jane <jane@example.com>", "--out", "jane"));
        Cli.AssertOk(Installed("package", Path.Combine(TestPaths.RepoRoot, "examples", "hello"), "-d", "out", "--sign", "--key", "jane", "--keyring", "jane.sec.asc"));
        string chart = Directory.GetFiles(t.File("out"), "*.tgz").Single();
        var verified = Installed("verify", chart, "--keyring", "jane.pub.asc");
        Cli.AssertOk(verified);
        Assert.Contains("Signed by: Jane <jane@example.com>", verified.StdOut, StringComparison.Ordinal);

        // serve runs the server program installed beside the CLI: a bad setting is its one-line refusal, not "not found".
        var serve = Installed("serve", "repo", "--listen", "bogus");
        Assert.Equal(2, serve.ExitCode);
        Assert.Contains("--listen is not an address", Assert.Single(serve.StdErrLines), StringComparison.Ordinal);
    }
}

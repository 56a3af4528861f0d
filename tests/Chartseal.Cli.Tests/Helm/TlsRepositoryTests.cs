using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// <c>chartseal serve --tls-cert --tls-key [--tls-ca-cert]</c> (the NativeAOT binary) and its clients: <c>chartseal repo
/// add --ca-file</c> and <c>pull</c>, the real Helm 4 and Helm 3 with <c>--ca-file</c> and <c>pull --verify</c>; with mutual
/// TLS, both with <c>--cert-file --key-file</c>, and without them (or with another CA's certificate) refused.
/// </summary>
public sealed class TlsRepositoryTests(TlsRepository repo) : IClassFixture<TlsRepository>
{
    private string[] Add(string name, string url, params string[] more) =>
        ["repo", "add", name, url, "--root-fingerprint", repo.RootFingerprint, .. more];

    [Fact]
    public void Banner_ShowsTheHttpsUrls_AndTheCertificate_AndForMutualTlsWhatClientsNeed()
    {
        Assert.Contains($"Serving {repo.Repo} at {repo.Url}/index.yaml", repo.Banner, StringComparison.Ordinal);
        Assert.StartsWith("https://127.0.0.1:", repo.Url, StringComparison.Ordinal);
        Assert.Contains("TLS: CN=127.0.0.1 (sha256 ", repo.Banner, StringComparison.Ordinal);
        Assert.DoesNotContain("Clients must present a certificate", repo.Banner, StringComparison.Ordinal);
        Assert.Contains($"Clients must present a certificate issued by a CA of", repo.MutualBanner, StringComparison.Ordinal);
        Assert.Contains($"chartseal repo add NAME {repo.MutualUrl} --cert-file CERT --key-file KEY", repo.MutualBanner, StringComparison.Ordinal);
    }

    [Fact]
    public void Chartseal_RepoAddWithCaFile_PullVerifies_AndWithoutTheCaFileSaysWhatToAdd()
    {
        using var temp = new TempDirectory();

        var untrusted = Cli.Run(temp.Path, Add("cs", repo.Url));
        Assert.Equal(2, untrusted.ExitCode);
        Assert.Contains("add the repository with --ca-file", Assert.Single(untrusted.StdErrLines), StringComparison.Ordinal);

        Cli.AssertOk(Cli.Run(temp.Path, Add("cs", repo.Url, "--ca-file", repo.CaFile)));
        Cli.AssertOk(Cli.Run(temp.Path, "repo", "update", "cs"));
        Cli.AssertOk(Cli.Run(temp.Path, "pull", $"cs/{repo.Chart}", "-d", "out"));

        string archive = temp.File($"out/{repo.Chart}-1.0.0.tgz");
        Assert.Equal(File.ReadAllBytes(Path.Combine(repo.Repo, $"{repo.Chart}-1.0.0.tgz")), File.ReadAllBytes(archive));
        Cli.AssertOk(Cli.Run(temp.Path, "verify", archive, "--keyring", repo.ServedPubkeys));
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void Helm_RepoAddWithCaFile_PullVerify(string version)
    {
        using var temp = new TempDirectory();
        var helm = HelmPeer.Of(version);

        Assert.NotEqual(0, helm.Run(temp.Path, "repo", "add", "plain", repo.Url).ExitCode); // its own CA: not in the system roots
        helm.RunChecked(temp.Path, "repo", "add", "cs", repo.Url, "--ca-file", repo.CaFile);
        string destination = Directory.CreateDirectory(temp.File("pulled")).FullName;
        var pulled = helm.Run(temp.Path, "pull", $"cs/{repo.Chart}", "--verify", "--keyring", repo.ServedPubkeys, "--destination", destination);

        Assert.True(pulled.ExitCode == 0, $"helm {version} pull --verify over https: {pulled}");
        Assert.Contains("Using Key With Fingerprint: " + repo.Keys.Rsa.Fingerprint, pulled.StdOut, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(repo.Repo, $"{repo.Chart}-1.0.0.tgz")), File.ReadAllBytes(Path.Combine(destination, $"{repo.Chart}-1.0.0.tgz")));
    }

    [Fact]
    public void MutualTls_Chartseal_WithAClientCertificate_Pulls_WithoutOrWithAnotherCasRefusedInOneClearLine()
    {
        using var temp = new TempDirectory();

        var without = Cli.Run(temp.Path, Add("cs", repo.MutualUrl, "--ca-file", repo.CaFile));
        Assert.True(without.ExitCode == 2, without.ToString());
        string line = Assert.Single(without.StdErrLines);
        Assert.Contains(repo.MutualUrl, line, StringComparison.Ordinal);
        Assert.Contains("the server asks for a TLS client certificate (mutual TLS) and none was given: add the repository with --cert-file CERT --key-file KEY", line, StringComparison.Ordinal);

        var stranger = Cli.Run(temp.Path, Add("cs", repo.MutualUrl, "--ca-file", repo.CaFile, "--cert-file", repo.StrangerCertFile, "--key-file", repo.StrangerKeyFile));
        Assert.True(stranger.ExitCode == 2, stranger.ToString());
        Assert.Contains($"its refusal of the client certificate of {repo.StrangerCertFile}", Assert.Single(stranger.StdErrLines), StringComparison.Ordinal);
        Assert.Contains("not issued by a CA of", repo.MutualLog, StringComparison.Ordinal); // the server's log says why

        Assert.Empty(Cli.Run(temp.Path, "repo", "list", "--no-headers").StdOut.Trim());

        Cli.AssertOk(Cli.Run(temp.Path, Add("cs", repo.MutualUrl, "--ca-file", repo.CaFile, "--cert-file", repo.ClientCertFile, "--key-file", repo.ClientKeyFile)));
        Cli.AssertOk(Cli.Run(temp.Path, "pull", $"cs/{repo.Chart}", "-d", "out"));
        Assert.True(File.Exists(temp.File($"out/{repo.Chart}-1.0.0.tgz")));
    }

    [Fact]
    public void MutualTls_CommandsGivenTheUrl_TakeTheTlsFlagsGiven_NotOnlyWhatRepoAddRecorded()
    {
        // audit URL, trust show URL and verify --repo URL take --ca-file, --cert-file/--key-file and
        // --insecure-skip-tls-verify (as for a registry): a repository not added, or added with other settings, is
        // reached with them instead of the flags being dropped (and the failure then asking for the flags just given).
        using var temp = new TempDirectory();
        string[] tls = ["--ca-file", repo.CaFile, "--cert-file", repo.ClientCertFile, "--key-file", repo.ClientKeyFile];

        Cli.AssertOk(Cli.Run(temp.Path, ["audit", repo.MutualUrl, "--root-fingerprint", repo.RootFingerprint, .. tls]));
        var shown = Cli.Run(temp.Path, ["trust", "show", repo.MutualUrl, "--insecure-skip-tls-verify", "--cert-file", repo.ClientCertFile, "--key-file", repo.ClientKeyFile]);
        Cli.AssertOk(shown);
        Assert.Contains(repo.RootFingerprint, shown.StdOut, StringComparison.Ordinal);

        var stranger = Cli.Run(temp.Path, ["audit", repo.MutualUrl, "--root-fingerprint", repo.RootFingerprint, "--ca-file", repo.CaFile, "--cert-file", repo.StrangerCertFile, "--key-file", repo.StrangerKeyFile]);
        Assert.True(stranger.ExitCode == 2, stranger.ToString());
        Assert.Contains($"its refusal of the client certificate of {repo.StrangerCertFile}", Assert.Single(stranger.StdErrLines), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HelmPeer.Versions), MemberType = typeof(HelmPeer))]
    public void MutualTls_Helm_WithAClientCertificate_PullVerify_WithoutIsRefused(string version)
    {
        using var temp = new TempDirectory();
        var helm = HelmPeer.Of(version);

        var without = helm.Run(temp.Path, "repo", "add", "anonymous", repo.MutualUrl, "--ca-file", repo.CaFile);
        Assert.True(without.ExitCode != 0, $"helm {version} repo add without a client certificate: {without}");
        var stranger = helm.Run(temp.Path, "repo", "add", "stranger", repo.MutualUrl, "--ca-file", repo.CaFile, "--cert-file", repo.StrangerCertFile, "--key-file", repo.StrangerKeyFile);
        Assert.True(stranger.ExitCode != 0, $"helm {version} repo add with another CA's certificate: {stranger}");

        helm.RunChecked(temp.Path, "repo", "add", "cs", repo.MutualUrl, "--ca-file", repo.CaFile, "--cert-file", repo.ClientCertFile, "--key-file", repo.ClientKeyFile);
        string destination = Directory.CreateDirectory(temp.File("pulled")).FullName;
        var pulled = helm.Run(temp.Path, "pull", $"cs/{repo.Chart}", "--verify", "--keyring", repo.ServedPubkeys, "--destination", destination);

        Assert.True(pulled.ExitCode == 0, $"helm {version} pull --verify over mutual TLS: {pulled}");
        Assert.True(File.Exists(Path.Combine(destination, $"{repo.Chart}-1.0.0.tgz")));
    }
}

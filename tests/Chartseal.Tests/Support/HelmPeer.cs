using System.Diagnostics;

namespace Chartseal.Tests.Support;

/// <summary>The result of one helm run.</summary>
public sealed record HelmResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>
/// A real Helm client (4.1.4 or 3.17.3), fetched by <c>.ci/fetch-helm</c> into <c>.cache/peers</c> of the
/// checkout, or named by <c>CHARTSEAL_HELM4</c> / <c>CHARTSEAL_HELM3</c>. A missing binary fails the test
/// with one line saying how to get it: the interop tests are never skipped.
/// </summary>
public sealed class HelmPeer
{
    private HelmPeer(string version, string variable)
    {
        Version = version;
        string? fromEnvironment = Environment.GetEnvironmentVariable(variable);
        string? peers = Environment.GetEnvironmentVariable("CHARTSEAL_PEERS_DIR");
        Path = !string.IsNullOrEmpty(fromEnvironment)
            ? fromEnvironment
            : System.IO.Path.Combine(string.IsNullOrEmpty(peers) ? System.IO.Path.Combine(TestPaths.RepoRoot, ".cache", "peers") : peers, "helm-" + version, "helm");
        Variable = variable;
    }

    /// <summary>Helm 4.1.4 (go-crypto OpenPGP: RSA and EdDSA keys).</summary>
    public static HelmPeer V4 { get; } = new("4.1.4", "CHARTSEAL_HELM4");

    /// <summary>Helm 3.17.3 (x/crypto OpenPGP: no EdDSA keys).</summary>
    public static HelmPeer V3 { get; } = new("3.17.3", "CHARTSEAL_HELM3");

    /// <summary>Both clients, for theories.</summary>
    public static TheoryData<string> Versions => new() { V4.Version, V3.Version };

    /// <summary>The client of that version.</summary>
    public static HelmPeer Of(string version) => version == V4.Version ? V4 : version == V3.Version ? V3 : throw new ArgumentException("no Helm " + version);

    /// <summary>The version, e.g. <c>4.1.4</c>.</summary>
    public string Version { get; }

    /// <summary>The binary's path.</summary>
    public string Path { get; }

    /// <summary>Whether this is Helm 3 (which cannot read EdDSA keys).</summary>
    public bool IsHelm3 => Version.StartsWith("3.", StringComparison.Ordinal);

    private string Variable { get; }

    /// <summary>Runs <c>helm args...</c> in <paramref name="workDir"/> with private Helm config, cache and data folders below it.</summary>
    public HelmResult Run(string workDir, params string[] args) => Run(workDir, null, args);

    /// <summary>Like <see cref="Run(string, string[])"/> with extra environment variables.</summary>
    public HelmResult Run(string workDir, IDictionary<string, string>? env, params string[] args)
    {
        if (!File.Exists(Path))
        {
            Assert.Fail($"Helm {Version} is not at {Path}: run .ci/fetch-helm (or set {Variable} to a helm {Version} binary)");
        }
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        string helmHome = System.IO.Path.Combine(workDir, ".helm-" + Version);
        start.Environment["HELM_CONFIG_HOME"] = System.IO.Path.Combine(helmHome, "config");
        start.Environment["HELM_CACHE_HOME"] = System.IO.Path.Combine(helmHome, "cache");
        start.Environment["HELM_DATA_HOME"] = System.IO.Path.Combine(helmHome, "data");
        start.Environment["KUBECONFIG"] = System.IO.Path.Combine(helmHome, "kubeconfig");
        start.Environment["HOME"] = helmHome;
        start.Environment["LC_ALL"] = "C";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"helm {Version} {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return new HelmResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs helm and fails the test on a non-zero exit.</summary>
    public HelmResult RunChecked(string workDir, params string[] args)
    {
        HelmResult result = Run(workDir, args);
        Assert.True(result.ExitCode == 0, $"helm {Version} {string.Join(' ', args)}: {result}");
        return result;
    }
}

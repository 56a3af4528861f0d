using System.Diagnostics;
using System.Text;

namespace Chartseal.Tests.Support;

/// <summary>The result of one gpg run.</summary>
public sealed record GpgResult(int ExitCode, string StdOut, string StdErr, byte[] StdOutBytes);

/// <summary>
/// A throw-away GnuPG home for interop tests: every gpg call gets <c>--homedir</c>, so tests never
/// touch the user's keys and can run in parallel. The path is short (<c>/tmp/csg-XXXXXXXX</c>)
/// because gpg-agent's socket path must stay under about 100 characters.
/// </summary>
public sealed class GpgHome : IDisposable
{
    /// <summary>Creates the home (mode 0700, as gpg insists).</summary>
    public GpgHome()
    {
        Path = Directory.CreateTempSubdirectory("csg-").FullName;
        if (Path.Length > 60)
        {
            // Some TMPDIRs are long; the agent socket would not fit.
            Directory.Delete(Path);
            Path = System.IO.Path.Combine("/tmp", "csg-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(Path);
        }
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The GNUPGHOME folder.</summary>
    public string Path { get; }

    /// <summary>A path inside the home, for scratch files.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Whether gpg is installed.</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>Runs <c>gpg --homedir HOME --batch args...</c> with empty stdin.</summary>
    public GpgResult Run(params string[] args) => RunWithInput("", args);

    /// <summary>Runs gpg with <paramref name="stdin"/> (UTF-8) as standard input.</summary>
    public GpgResult RunWithInput(string stdin, params string[] args) => RunRaw("gpg", Encoding.UTF8.GetBytes(stdin), ["--homedir", Path, "--batch", .. args]);

    /// <summary>Like <see cref="Run"/> but fails the test on a non-zero exit code.</summary>
    public GpgResult RunChecked(params string[] args)
    {
        GpgResult result = Run(args);
        Assert.True(result.ExitCode == 0, $"gpg {string.Join(' ', args)} failed ({result.ExitCode}): {result.StdErr}");
        return result;
    }

    /// <summary>
    /// Generates a key with <c>--quick-gen-key</c> and returns its fingerprint.
    /// </summary>
    /// <param name="uid">The user id.</param>
    /// <param name="algo"><c>rsa2048</c>, <c>ed25519</c>, <c>nistp256</c>, <c>dsa2048</c>...</param>
    /// <param name="passphrase">Null for none.</param>
    /// <param name="expire">gpg's expiry (<c>never</c>, <c>1y</c>, <c>2020-01-01</c>...).</param>
    /// <param name="usage"><c>default</c>, <c>cert</c>, <c>sign</c>...</param>
    /// <param name="extraArgs">Extra options, e.g. <c>--faked-system-time</c>.</param>
    public string GenerateKey(string uid, string algo = "ed25519", string? passphrase = null, string expire = "never",
        string usage = "default", params string[] extraArgs)
    {
        RunChecked([.. extraArgs, "--pinentry-mode", "loopback", "--passphrase", passphrase ?? "", "--quick-gen-key", uid, algo, usage, expire]);
        return Fingerprint(uid);
    }

    /// <summary>Adds a subkey (<c>--quick-add-key</c>) and returns the fingerprint of the newest subkey.</summary>
    public string AddSubkey(string primaryFingerprint, string algo, string usage, string? passphrase = null, string expire = "never")
    {
        RunChecked("--pinentry-mode", "loopback", "--passphrase", passphrase ?? "", "--quick-add-key", primaryFingerprint, algo, usage, expire);
        return ColonFields(primaryFingerprint).Where(f => f[0] == "fpr").Select(f => f[9]).Last();
    }

    /// <summary>The primary fingerprint of the (only) key matching <paramref name="uid"/>.</summary>
    public string Fingerprint(string uid) => ColonFields(uid).First(f => f[0] == "fpr")[9];

    /// <summary>The records of <c>gpg --list-keys --with-colons</c>, split into fields.</summary>
    public List<string[]> ColonFields(string? key = null)
    {
        GpgResult result = key is null ? RunChecked("--list-keys", "--with-colons") : RunChecked("--list-keys", "--with-colons", key);
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')).ToList();
    }

    /// <summary><c>gpg --export [--armor] uid</c>.</summary>
    public byte[] ExportPublic(string uid, bool armor = false) =>
        RunChecked(armor ? ["--armor", "--export", uid] : ["--export", uid]).StdOutBytes;

    /// <summary><c>gpg --export-secret-keys [--armor] uid</c> (the passphrase unlocks it for export).</summary>
    public byte[] ExportSecret(string uid, string? passphrase = null, bool armor = false) =>
        RunChecked(["--pinentry-mode", "loopback", "--passphrase", passphrase ?? "", .. (armor ? new[] { "--armor" } : []), "--export-secret-keys", uid]).StdOutBytes;

    /// <summary>
    /// Revokes a key with <c>--gen-revoke</c> (reason 1 = compromised) and imports the revocation.
    /// gpg refuses <c>--gen-revoke</c> in batch mode, so it is answered through <c>--command-fd</c>.
    /// </summary>
    public void Revoke(string fingerprint, string description = "Key compromised in test")
    {
        GpgResult revocation = RunRaw("gpg", Encoding.UTF8.GetBytes($"y\n1\n{description}\n\ny\n"),
            ["--homedir", Path, "--no-tty", "--yes", "--pinentry-mode", "loopback", "--passphrase", "", "--command-fd", "0", "--gen-revoke", fingerprint]);
        Assert.True(revocation.ExitCode == 0, "gpg --gen-revoke failed: " + revocation.StdErr);
        System.IO.File.WriteAllBytes(File("revocation.asc"), revocation.StdOutBytes);
        RunChecked("--import", File("revocation.asc"));
    }

    /// <summary>Revokes subkey number <paramref name="index"/> (1 = the first subkey) of a key with <c>--edit-key</c>'s <c>revkey</c>, answered through <c>--command-fd</c>.</summary>
    public void RevokeSubkey(string primaryFingerprint, int index)
    {
        GpgResult result = RunRaw("gpg", Encoding.UTF8.GetBytes($"key {index}\nrevkey\ny\n1\nSubkey compromised in test\n\ny\nsave\n"),
            ["--homedir", Path, "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", "--command-fd", "0", "--edit-key", primaryFingerprint]);
        Assert.True(result.ExitCode == 0, "gpg --edit-key revkey failed: " + result.StdErr);
    }

    /// <summary>Stops this home's gpg-agent (and so empties its passphrase cache); gpg restarts it on demand.</summary>
    public void KillAgent()
    {
        try
        {
            RunRaw("gpgconf", [], ["--homedir", Path, "--kill", "gpg-agent"]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Kills this home's gpg-agent and deletes the folder.</summary>
    public void Dispose()
    {
        KillAgent();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs <paramref name="program"/> (gpg, gpgconf, sq) with <paramref name="stdin"/> as standard input, in the C locale.</summary>
    /// <param name="environment">Extra environment variables (e.g. sq's <c>HOME</c>), or null.</param>
    internal static GpgResult RunRaw(string program, byte[] stdin, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LC_ALL"] = "C";
        start.Environment["LANGUAGE"] = "C";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        copy.Wait();
        process.WaitForExit();
        byte[] bytes = stdout.ToArray();
        return new GpgResult(process.ExitCode, Encoding.UTF8.GetString(bytes), stderr.Result, bytes);
    }

    private static bool Probe()
    {
        try
        {
            return RunRaw("gpg", [], ["--version"]).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

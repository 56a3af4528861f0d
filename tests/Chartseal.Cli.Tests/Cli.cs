using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>The result of one CLI run.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    public string[] StdErrLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>Runs the built <c>./chartseal</c> (NativeAOT) with a private CHARTSEAL_HOME.</summary>
public static class Cli
{
    private static readonly Lazy<string> Script = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Builds the CLI now, so a test that times a command does not time the build.</summary>
    public static void EnsureBuilt() => _ = Script.Value;

    private static string Build()
    {
        string script = Path.Combine(TestPaths.RepoRoot, "chartseal");
        var result = RunProcess(script, ["--help"], new Dictionary<string, string>(), TimeSpan.FromMinutes(15));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("building the CLI failed: " + result);
        }
        return script;
    }

    /// <summary>Runs <c>chartseal args...</c> in <paramref name="workDir"/> (environment: CHARTSEAL_HOME below it, plus <paramref name="env"/>).</summary>
    public static CliResult Run(string workDir, IDictionary<string, string>? env = null, params string[] args)
    {
        var environment = new Dictionary<string, string>(env ?? new Dictionary<string, string>());
        if (!environment.ContainsKey("CHARTSEAL_HOME"))
        {
            string home = Path.Combine(workDir, ".chartseal-home");
            Directory.CreateDirectory(home);
            environment["CHARTSEAL_HOME"] = home;
        }
        return RunProcess(Script.Value, args, environment, TimeSpan.FromMinutes(2), workDir);
    }

    public static CliResult Run(string workDir, params string[] args) => Run(workDir, null, args);

    /// <summary>Like <see cref="Run(string, string[])"/>, with <paramref name="input"/> on standard input.</summary>
    public static CliResult RunWithInput(string workDir, string input, params string[] args)
    {
        string home = Path.Combine(workDir, ".chartseal-home");
        Directory.CreateDirectory(home);
        return RunProcess(Script.Value, args, new Dictionary<string, string> { ["CHARTSEAL_HOME"] = home }, TimeSpan.FromMinutes(2), workDir, stdin: input);
    }

    /// <summary>
    /// Like <see cref="RunWithInput"/>, on a terminal: script(1) runs the command on a pseudo-terminal and
    /// <paramref name="typed"/> is typed into it (end lines with <c>\r</c>, the Enter key). Standard output holds
    /// everything the terminal showed, standard error included.
    /// </summary>
    public static CliResult RunOnTerminal(string workDir, string typed, params string[] args)
    {
        string home = Path.Combine(workDir, ".chartseal-home");
        Directory.CreateDirectory(home);
        string command = string.Join(' ', new[] { Script.Value }.Concat(args).Select(Chartseal.IO.TerminalText.ShellQuote));
        return RunProcess("script", ["-qec", command, "/dev/null"], new Dictionary<string, string> { ["CHARTSEAL_HOME"] = home }, TimeSpan.FromMinutes(2), workDir, stdin: typed);
    }

    /// <summary>Runs <paramref name="program"/> (e.g. an installed chartseal, or a script of the checkout) in <paramref name="workDir"/>.</summary>
    public static CliResult RunProgram(string program, string workDir, IDictionary<string, string> env, TimeSpan timeout, params string[] args) =>
        RunProcess(program, args, env, timeout, workDir);

    /// <summary>
    /// Like <see cref="Run(string, IDictionary{string, string}?, string[])"/>, and also the process's peak resident memory
    /// (Linux: VmHWM in /proc, read until it exits), in bytes.
    /// </summary>
    public static (CliResult Result, long PeakBytes) RunMeasured(string workDir, params string[] args)
    {
        string home = Path.Combine(workDir, ".chartseal-home");
        Directory.CreateDirectory(home);
        long peak = 0;
        var result = RunProcess(Script.Value, args, new Dictionary<string, string> { ["CHARTSEAL_HOME"] = home }, TimeSpan.FromMinutes(2), workDir, process =>
        {
            while (!process.HasExited)
            {
                try
                {
                    foreach (string line in File.ReadLines($"/proc/{process.Id}/status"))
                    {
                        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        {
                            peak = Math.Max(peak, 1024 * long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
                        }
                    }
                }
                catch (IOException)
                {
                    break; // gone
                }
                Thread.Sleep(10);
            }
        });
        return (result, peak);
    }

    /// <summary>Starts <c>chartseal args...</c> without waiting (a server); output goes to files in <paramref name="workDir"/>.</summary>
    public static Process Start(string workDir, params string[] args) => Start(workDir, null, args);

    /// <summary>Like <see cref="Start(string, string[])"/> with extra environment variables.</summary>
    public static Process Start(string workDir, IDictionary<string, string>? env, params string[] args)
    {
        string home = Path.Combine(workDir, ".chartseal-home");
        Directory.CreateDirectory(home);
        // Through a shell so that the output goes to files: a pipe nobody reads would stall the server.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workDir };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >>server.out 2>>server.err");
        start.ArgumentList.Add(Script.Value);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["CHARTSEAL_HOME"] = home;
        start.Environment["LC_ALL"] = "C";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }
        return Process.Start(start)!;
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts <c>chartseal serve REPO --listen http://127.0.0.1:PORT args...</c> (see <see cref="Start"/>) on a free port and
    /// waits until <c>/health</c> answers; fails with the server's stderr if it exits first.
    /// </summary>
    public static async Task<(Process Server, Uri Address)> StartServeAsync(string workDir, string repo, string[] args, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        return await StartServeAsync(workDir, repo, args, "http", http, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="StartServeAsync(string, string, string[], CancellationToken)"/> with <c>--listen SCHEME://127.0.0.1:PORT</c>,
    /// asking <c>/health</c> with <paramref name="probe"/> (for https: a client that trusts the server's CA, and presents a
    /// client certificate when the server asks for one).
    /// </summary>
    public static async Task<(Process Server, Uri Address)> StartServeAsync(string workDir, string repo, string[] args, string scheme, HttpClient probe, CancellationToken cancellationToken)
    {
        int port = FreePort();
        var server = Start(workDir, ["serve", repo, "--listen", $"{scheme}://127.0.0.1:{port}", .. args]);
        var address = new Uri($"{scheme}://127.0.0.1:{port}/");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync(new Uri(address, "health"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return (server, address);
                }
            }
            catch (HttpRequestException) when (!server.HasExited)
            {
            }
            catch (HttpRequestException)
            {
                throw new InvalidOperationException("chartseal serve exited: " + File.ReadAllText(Path.Combine(workDir, "server.err")));
            }
            if (DateTime.UtcNow > deadline)
            {
                server.Kill();
                throw new TimeoutException("chartseal serve did not come up: " + File.ReadAllText(Path.Combine(workDir, "server.err")));
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Asserts exit 0.</summary>
    public static void AssertOk(CliResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    /// <summary>Asserts exit 1 with exactly one stderr line naming <paramref name="reason"/>.</summary>
    public static void AssertRejected(CliResult r, string reason)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains(": " + reason + ": ", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }

    private static CliResult RunProcess(string program, string[] args, IDictionary<string, string> env, TimeSpan timeout, string? workDir = null, Action<Process>? watch = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? TestPaths.RepoRoot,
        };
        start.Environment["LC_ALL"] = "C";
        start.Environment.Remove(Keys.PassphraseSourceVariable);
        start.Environment.Remove(Keys.HelmPassphraseVariable);
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        var watching = watch is null ? Task.CompletedTask : Task.Run(() => watch(p));
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"chartseal {string.Join(' ', args)} did not finish in {timeout}");
        }
        watching.Wait();
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static class Keys
    {
        public const string PassphraseSourceVariable = Chartseal.Keys.PassphraseSource.EnvironmentVariable;
        public const string HelmPassphraseVariable = Chartseal.Keys.PassphraseSource.HelmEnvironmentVariable;
    }
}

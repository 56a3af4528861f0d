using System.Diagnostics;

namespace Chartseal.Tests.Support;

/// <summary>
/// What other tar readers see in an archive: Python's <c>tarfile</c> and GNU tar (Helm's own view comes from
/// <see cref="HelmPeer"/>). Both are installed by <c>.ci/run</c>; a missing one fails the test with one line.
/// </summary>
public static class TarPeer
{
    // Regular files only, one "name<TAB>size" line each; errors go to stderr and a non-zero exit.
    private const string PythonList =
        "import sys, tarfile\n" +
        "with tarfile.open(sys.argv[1]) as t:\n" +
        "    for m in t:\n" +
        "        if m.isfile(): print(m.name + '\\t' + str(m.size))\n";

    /// <summary>The regular files (name and size) Python's <c>tarfile</c> lists, or the error it raises.</summary>
    public static (string[] Files, string Error) Python(string archive) => List("python3", ["-c", PythonList, archive]);

    /// <summary>The names GNU tar lists (<c>tar -tzf</c>), or its error.</summary>
    public static (string[] Files, string Error) GnuTar(string archive) => List("tar", ["-tzf", archive]);

    /// <summary>Runs <c>tar --format=FORMAT -czf ARCHIVE -C DIR ENTRY</c> (GNU tar) and fails the test if it fails.</summary>
    public static void GnuTarCreate(string dir, string entry, string format, string archive)
    {
        var (_, error) = List("tar", [$"--format={format}", "-czf", archive, "-C", dir, entry]);
        Assert.True(error.Length == 0, $"tar --format={format} failed: {error}");
    }

    private static (string[] Files, string Error) List(string program, string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["LC_ALL"] = "C.UTF-8";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"{program} is not installed ({e.Message}): run .ci/run or install it");
            throw;
        }
        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            string[] lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return (lines, process.ExitCode == 0 ? "" : stderr.Trim());
        }
    }
}

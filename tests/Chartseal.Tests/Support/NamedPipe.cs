using System.Diagnostics;

namespace Chartseal.Tests.Support;

/// <summary>
/// A named pipe (FIFO) fed by a background writer: what a program sees for a shell's process substitution
/// (<c>--keyring &lt;(gpg --export-secret-keys KEY)</c>), a file that cannot seek and has no length.
/// </summary>
public sealed class NamedPipe : IDisposable
{
    private readonly Task _writer;

    /// <summary>Creates the pipe at <paramref name="path"/> and starts writing <paramref name="contents"/> to it once a reader opens it.</summary>
    public NamedPipe(string path, byte[] contents)
    {
        Path = path;
        using (Process mkfifo = Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        // Opening a FIFO for writing blocks until a reader opens it; a reader that never comes is released by Dispose.
        _writer = Task.Run(() => File.WriteAllBytes(path, contents));
    }

    /// <summary>The pipe's path.</summary>
    public string Path { get; }

    /// <summary>Releases a writer no reader took (by reading the pipe once) and deletes the pipe.</summary>
    public void Dispose()
    {
        // A reader that took everything saw the end only once the writer closed the pipe, but the writer's task may not
        // be marked complete yet: opening the pipe again then would wait for a writer that never comes. So give it a
        // moment; a writer still running after that is blocked in open(), waiting for a reader, which the drain is.
        if (!((IAsyncResult)_writer).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(2)))
        {
            using var drain = new FileStream(Path, FileMode.Open, FileAccess.Read);
            drain.CopyTo(Stream.Null);
        }
        try
        {
            _writer.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException e) when (e.InnerException is IOException)
        {
            // The reader closed the pipe before reading it all (broken pipe): the test judges what the reader did.
        }
        File.Delete(Path);
    }
}

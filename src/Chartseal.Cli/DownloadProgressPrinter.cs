using Chartseal.Fetch;
using Chartseal.IO;

namespace Chartseal.Cli;

/// <summary>Shows download progress on stderr, only when stderr is a terminal (quiet in pipes, logs and tests).</summary>
internal sealed class DownloadProgressPrinter : IProgress<DownloadProgress>
{
    private readonly object _gate = new();
    private long _lastTick;
    private Uri? _current;

    private DownloadProgressPrinter() { }

    /// <summary>A printer when stderr is a terminal, else null (no progress at all).</summary>
    public static DownloadProgressPrinter? ForTerminal() => Console.IsErrorRedirected ? null : new DownloadProgressPrinter();

    public void Report(DownloadProgress value)
    {
        lock (_gate)
        {
            long tick = Environment.TickCount64;
            if (!value.Done && value.Uri == _current && tick - _lastTick < 100)
            {
                return;
            }
            _lastTick = tick;
            _current = value.Uri;
            string amount = value.Total is { } t ? $"{Size(value.Received)} / {Size(t)}" : Size(value.Received);
            string left = value.TimeLeft is { } l ? $" ({TimeLeft(l)} left)" : "";
            Console.Error.Write($"\r\u001b[KDownloading {TerminalText.Escape(Path.GetFileName(value.Uri.AbsolutePath))}: {amount}{left}");
            if (value.Done)
            {
                Console.Error.WriteLine();
            }
        }
    }

    /// <summary>The time left before the command's deadline, in whole seconds: <c>4m59s</c>.</summary>
    public static string TimeLeft(TimeSpan left) => FetchDeadline.Format(TimeSpan.FromSeconds(Math.Max(1, Math.Floor(left.TotalSeconds))));

    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.0} MiB" : $"{bytes / 1024.0:0.0} KiB";
}

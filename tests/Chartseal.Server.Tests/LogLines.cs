using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Chartseal.Server.Tests;

/// <summary>A log sink for tests: every line a server writes, with its category, event id and level.</summary>
internal sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<Line> _lines = new();

    /// <summary>One line.</summary>
    public sealed record Line(string Category, int EventId, LogLevel Level, string Message);

    /// <summary>The lines so far, in order.</summary>
    public IReadOnlyList<Line> All => [.. _lines];

    /// <summary>The lines of one event of the server's own category.</summary>
    public IReadOnlyList<Line> Events(int eventId) => All.Where(l => l.Category == "Chartseal.Server" && l.EventId == eventId).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<Line> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(new Line(category, eventId.Id, logLevel, formatter(state, exception)));
    }
}

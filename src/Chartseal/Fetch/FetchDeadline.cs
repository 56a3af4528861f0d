using System.Diagnostics;
using System.Globalization;

namespace Chartseal.Fetch;

/// <summary>
/// One overall deadline for all the downloads of a command (<c>--timeout</c>, or the <c>CHARTSEAL_TIMEOUT</c>
/// environment variable; 5 minutes by default), shared by every <see cref="HttpFetcher"/> of that command through
/// <see cref="FetchPolicy.Deadline"/>. The clock starts when the deadline is made. When it passes, the download in
/// progress stops and the command fails with one line naming the URL and "timed out after ...": however the server
/// paces its bytes, a command never waits longer (retries and redirects included).
/// </summary>
public sealed class FetchDeadline
{
    /// <summary>The environment variable read when <c>--timeout</c> is not given.</summary>
    public const string EnvironmentVariable = "CHARTSEAL_TIMEOUT";

    /// <summary>The deadline when neither <c>--timeout</c> nor <see cref="EnvironmentVariable"/> sets one (as Helm's <c>--timeout</c>).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private readonly long _started = Stopwatch.GetTimestamp();

    // Set once a download was stopped by this deadline: the timer that stopped it may fire a hair before the clock
    // reads zero, and the next download must not slip through that gap.
    private volatile bool _expired;

    /// <summary>A deadline <paramref name="timeout"/> from now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public FetchDeadline(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        Timeout = timeout;
    }

    /// <summary>How long the command may download in all.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The time left (zero once passed).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = Timeout - Stopwatch.GetElapsedTime(_started);
            return !_expired && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Whether the deadline has passed.</summary>
    public bool HasPassed => Remaining == TimeSpan.Zero;

    /// <summary>
    /// The one-line error for a download of <paramref name="what"/> stopped by this deadline; from then on the deadline
    /// has passed for every other download too.
    /// </summary>
    public ChartsealException TimedOut(string what)
    {
        _expired = true;
        return new(what, $"timed out after {Format(Timeout)} (the overall deadline of the command: set it with --timeout or {EnvironmentVariable})");
    }

    /// <summary>
    /// The deadline for a command: <paramref name="option"/> (the <c>--timeout</c> value) when given, else the
    /// <see cref="EnvironmentVariable"/>, else <see cref="DefaultTimeout"/>; it starts now.
    /// </summary>
    /// <exception cref="ChartsealException">A value that is not a positive duration.</exception>
    public static FetchDeadline Start(string? option, string? environment)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return new FetchDeadline(Parse(option, "--timeout"));
        }
        return new FetchDeadline(string.IsNullOrWhiteSpace(environment) ? DefaultTimeout : Parse(environment, EnvironmentVariable));
    }

    /// <summary>
    /// Parses a duration as Go's <c>time.ParseDuration</c> (and so Helm's <c>--timeout</c>) writes them: one or more
    /// numbers with a unit, <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c> (<c>90s</c>, <c>5m</c>, <c>1m30s</c>, <c>1.5h</c>);
    /// a bare number counts seconds. The result must be positive.
    /// </summary>
    /// <exception cref="ChartsealException">Not such a duration, zero, or longer than a day.</exception>
    public static TimeSpan Parse(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        string value = text.Trim();
        ChartsealException Invalid() => new(what, $"\"{text}\" is not a duration (e.g. 30s, 5m, 1m30s, 1h)");
        if (value.Length == 0)
        {
            throw Invalid();
        }
        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double bare))
        {
            return Checked(TimeSpan.FromSeconds(bare), text, what);
        }
        double total = 0;
        int i = 0;
        while (i < value.Length)
        {
            int start = i;
            while (i < value.Length && (char.IsAsciiDigit(value[i]) || value[i] == '.'))
            {
                i++;
            }
            if (i == start || !double.TryParse(value.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                throw Invalid();
            }
            int unitStart = i;
            while (i < value.Length && char.IsAsciiLetter(value[i]))
            {
                i++;
            }
            total += value[unitStart..i] switch
            {
                "ms" => number / 1000,
                "s" => number,
                "m" => number * 60,
                "h" => number * 3600,
                _ => throw Invalid(),
            };
        }
        return Checked(TimeSpan.FromSeconds(total), text, what);
    }

    private static TimeSpan Checked(TimeSpan duration, string text, string what) =>
        duration <= TimeSpan.Zero ? throw new ChartsealException(what, $"\"{text}\" is not a positive duration")
        : duration > TimeSpan.FromDays(1) ? throw new ChartsealException(what, $"\"{text}\" is longer than a day")
        : duration;

    /// <summary>A duration the way the flag takes it: <c>2s</c>, <c>5m</c>, <c>1m30s</c>, <c>1h</c>, <c>500ms</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return $"{(int)duration.TotalMilliseconds}ms";
        }
        var parts = new List<string>();
        if (duration.Hours + (duration.Days * 24) > 0)
        {
            parts.Add($"{duration.Hours + (duration.Days * 24)}h");
        }
        if (duration.Minutes > 0)
        {
            parts.Add($"{duration.Minutes}m");
        }
        if (duration.Seconds > 0 || duration.Milliseconds > 0)
        {
            parts.Add(duration.Milliseconds > 0 ? $"{duration.Seconds}.{duration.Milliseconds:000}".TrimEnd('0') + "s" : $"{duration.Seconds}s");
        }
        return string.Concat(parts);
    }
}

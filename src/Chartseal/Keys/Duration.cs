using System.Globalization;

namespace Chartseal.Keys;

/// <summary>Parses key lifetimes given as <c>--expires</c> values, with gpg's units.</summary>
public static class Duration
{
    /// <summary>The longest lifetime a v4 key expiration subpacket can hold (u32 seconds, about 136 years).</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromSeconds(uint.MaxValue);

    /// <summary>
    /// Parses <c>90d</c>, <c>12w</c>, <c>6m</c>, <c>2y</c> (days, weeks, 30-day months, 365-day years, as
    /// gpg counts them), <c>12h</c> and <c>30min</c> (hours and minutes, for short-lived index snapshots), a bare number of days, or <c>0</c> /
    /// <c>never</c> for a key that never expires.
    /// </summary>
    /// <returns>The lifetime, or null for never.</returns>
    /// <exception cref="ChartsealException">The value is not one of these forms or is too long.</exception>
    public static TimeSpan? Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string text = value.Trim().ToLowerInvariant();
        if (text is "0" or "never" or "none")
        {
            return null;
        }
        // "min" for minutes: "m" is gpg's month, which a short snapshot lifetime would otherwise be read as.
        bool minutes = text.EndsWith("min", StringComparison.Ordinal);
        bool hasUnit = minutes || (text.Length > 0 && !char.IsAsciiDigit(text[^1]));
        char unit = minutes ? 'n' : hasUnit ? text[^1] : 'd'; // a bare number counts days, as in gpg
        string number = minutes ? text[..^3] : hasUnit ? text[..^1] : text;
        int perUnit = unit switch
        {
            'n' => 1,
            'h' => 60,
            'd' => 24 * 60,
            'w' => 7 * 24 * 60,
            'm' => 30 * 24 * 60,
            'y' => 365 * 24 * 60,
            _ => 0,
        };
        if (perUnit == 0 || !ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ulong count) || count == 0)
        {
            throw new ChartsealException(null, $"invalid expiry \"{value}\": use e.g. 90d, 12w, 6m (months), 2y, 12h, 30min, or 0 for never");
        }
        if (count > (ulong)(Maximum.TotalMinutes / perUnit))
        {
            throw new ChartsealException(null, $"expiry \"{value}\" is too long: OpenPGP keys can live at most {(int)(Maximum.TotalDays / 365)} years");
        }
        return TimeSpan.FromMinutes((double)count * perUnit);
    }

    /// <summary>A length of time for people, rounded down to its largest unit: <c>12 days</c>, <c>3 hours</c>, <c>5 minutes</c>, <c>40 seconds</c>.</summary>
    public static string ForPeople(TimeSpan span)
    {
        TimeSpan abs = span.Duration();
        return abs.TotalDays >= 2 ? $"{(int)abs.TotalDays} days"
            : abs.TotalHours >= 2 ? $"{(int)abs.TotalHours} hours"
            : abs.TotalMinutes >= 2 ? $"{(int)abs.TotalMinutes} minutes"
            : $"{Math.Max(1, (int)abs.TotalSeconds)} seconds";
    }
}

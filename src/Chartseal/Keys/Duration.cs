using System.Globalization;

namespace Chartseal.Keys;

/// <summary>Parses key lifetimes given as <c>--expires</c> values, with gpg's units.</summary>
public static class Duration
{
    /// <summary>The longest lifetime a v4 key expiration subpacket can hold (u32 seconds, about 136 years).</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromSeconds(uint.MaxValue);

    /// <summary>
    /// Parses <c>90d</c>, <c>12w</c>, <c>6m</c>, <c>2y</c> (days, weeks, 30-day months, 365-day years, as
    /// gpg counts them), a bare number of days, or <c>0</c> / <c>never</c> for a key that never expires.
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
        bool hasUnit = text.Length > 0 && !char.IsAsciiDigit(text[^1]);
        char unit = hasUnit ? text[^1] : 'd'; // a bare number counts days, as in gpg
        string number = hasUnit ? text[..^1] : text;
        int days = unit switch
        {
            'd' => 1,
            'w' => 7,
            'm' => 30,
            'y' => 365,
            _ => 0,
        };
        if (days == 0 || !ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ulong count) || count == 0)
        {
            throw new ChartsealException(null, $"invalid expiry \"{value}\": use e.g. 90d, 12w, 6m, 2y, or 0 for never");
        }
        if (count > (ulong)(Maximum.TotalDays / days))
        {
            throw new ChartsealException(null, $"expiry \"{value}\" is too long: OpenPGP keys can live at most {(int)(Maximum.TotalDays / 365)} years");
        }
        return TimeSpan.FromDays((double)count * days);
    }
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Chartseal.Compat;

/// <summary>
/// RFC 3339 times as Go's <c>time.Time</c> JSON encoding writes them (Chart.lock <c>generated</c>): nanosecond
/// precision with trailing zeros trimmed, <c>Z</c> for UTC, otherwise <c>±hh:mm</c>. Kept as text because
/// <see cref="DateTimeOffset"/> cannot hold nanoseconds.
/// </summary>
internal static partial class GoTime
{
    /// <summary>Go's zero time, what an absent <c>generated</c> serialises as.</summary>
    public const string Zero = "0001-01-01T00:00:00Z";

    /// <summary>Parses RFC 3339 text and returns it re-formatted the way Go prints it.</summary>
    public static bool TryNormalize(string text, out string normalized)
    {
        normalized = "";
        var m = Rfc3339().Match(text);
        if (!m.Success)
        {
            return false;
        }
        int Part(string name) => int.Parse(m.Groups[name].ValueSpan, CultureInfo.InvariantCulture);
        int year = Part("y"), month = Part("mo"), day = Part("d"), hour = Part("h"), minute = Part("mi"), second = Part("s");
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        string fraction = m.Groups["f"].Value.PadRight(9, '0')[..9];
        string zone = m.Groups["z"].Value;
        int offsetMinutes = 0;
        if (zone is not ("Z" or "z"))
        {
            int hours = int.Parse(zone.AsSpan(1, 2), CultureInfo.InvariantCulture);
            int minutes = int.Parse(zone.AsSpan(4, 2), CultureInfo.InvariantCulture);
            if (hours > 23 || minutes > 59)
            {
                return false;
            }
            offsetMinutes = (zone[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
        }
        normalized = Format(year, month, day, hour, minute, second, int.Parse(fraction, CultureInfo.InvariantCulture), offsetMinutes);
        return true;
    }

    /// <summary>Formats an instant in UTC, e.g. for a SOURCE_DATE_EPOCH override.</summary>
    public static string FormatUtc(DateTimeOffset time)
    {
        var t = time.UtcDateTime;
        int nanos = (int)(t.Ticks % TimeSpan.TicksPerSecond) * 100;
        return Format(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, nanos, 0);
    }

    private static string Format(int year, int month, int day, int hour, int minute, int second, int nanos, int offsetMinutes)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{year:0000}-{month:00}-{day:00}T{hour:00}:{minute:00}:{second:00}");
        if (nanos > 0)
        {
            sb.Append('.').Append(nanos.ToString("000000000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }
        if (offsetMinutes == 0)
        {
            sb.Append('Z');
        }
        else
        {
            int abs = Math.Abs(offsetMinutes);
            sb.Append(offsetMinutes < 0 ? '-' : '+').Append(CultureInfo.InvariantCulture, $"{abs / 60:00}:{abs % 60:00}");
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<mo>[0-9]{2})-(?<d>[0-9]{2})[Tt](?<h>[0-9]{2}):(?<mi>[0-9]{2}):(?<s>[0-9]{2})(?:\.(?<f>[0-9]{1,9}))?(?<z>[Zz]|[-+][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}

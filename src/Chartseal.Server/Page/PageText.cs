using System.Globalization;
using System.Text;

namespace Chartseal.Server.Page;

/// <summary>
/// Text from a chart or a key (hostile until shown otherwise) made inert and bounded before it is encoded: cut to a
/// length, with every invisible or direction-changing character (bidi controls, zero-width characters, other format
/// and control characters, blank fillers) replaced by a visible <c>[U+XXXX]</c>, and runs of combining marks cut short.
/// HTML encoding (<see cref="PageHtml"/>) then makes it plain text.
/// </summary>
internal static class PageText
{
    /// <summary>Combining marks kept in a row (more stack over neighbouring lines).</summary>
    private const int MaxCombiningRun = 3;

    /// <summary>
    /// <paramref name="text"/> cut to <paramref name="max"/> characters (then <c>… (N more characters)</c>), with
    /// invisible characters shown as <c>[U+XXXX]</c>. Line breaks and tabs become spaces unless
    /// <paramref name="keepLines"/>.
    /// </summary>
    public static string Inert(string? text, int max, bool keepLines = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        string cut = Cut(text, max, out int more);
        var sb = new StringBuilder(cut.Length + 16);
        int combining = 0;
        foreach (Rune rune in cut.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
            {
                if (++combining > MaxCombiningRun)
                {
                    continue;
                }
                sb.Append(rune.ToString());
                continue;
            }
            combining = 0;
            if (rune.Value is '\n' && keepLines)
            {
                sb.Append('\n');
            }
            else if (rune.Value is '\n' or '\r' or '\t')
            {
                sb.Append(' ');
            }
            else if (IsInvisible(rune, category))
            {
                sb.Append("[U+").Append(rune.Value.ToString("X4", CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }
        if (more > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"… ({more} more characters)");
        }
        return sb.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="max"/> UTF-16 characters, never inside a surrogate pair;
    /// <paramref name="more"/> is how many were left out.
    /// </summary>
    public static string Cut(string text, int max, out int more)
    {
        if (text.Length <= max)
        {
            more = 0;
            return text;
        }
        int end = max > 0 && char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        more = text.Length - end;
        return text[..end];
    }

    /// <summary>Whether <paramref name="text"/> holds a character <see cref="Inert"/> would show as <c>[U+XXXX]</c>.</summary>
    public static bool HasInvisible(string? text) =>
        text is not null && text.EnumerateRunes().Any(r => r.Value is not ('\n' or '\r' or '\t') && IsInvisible(r, Rune.GetUnicodeCategory(r)));

    // Format (bidi controls, zero-width space/joiners, the BOM, soft hyphen...), control, separator, private-use and
    // unassigned characters, and the blank "filler" letters that render as nothing.
    private static bool IsInvisible(Rune rune, UnicodeCategory category) =>
        category is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate
        || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x180E or 0x034F;
}

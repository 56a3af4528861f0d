using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Chartseal.Compat;

/// <summary>What a plain YAML 1.1 scalar means to go-yaml v2 (the <c>resolve</c> function Helm relies on).</summary>
internal enum GoYamlKind
{
    String,
    Null,
    Bool,
    Int,
    Float,
    Timestamp,
}

/// <summary>
/// Ports of the small go-yaml v2 / Go strconv behaviours that decide Helm's bytes: how a plain scalar resolves
/// (which decides quoting on output and type coercion on input), how map keys are sorted, and how Go prints
/// floats. Kept free of YamlDotNet so the emitter and the reader share one definition.
/// </summary>
internal static partial class GoYamlResolver
{
    /// <summary>Resolves a plain (unquoted, untagged) scalar like go-yaml v2 <c>resolve("", s)</c>.</summary>
    public static GoYamlKind Resolve(string s, out object? value)
    {
        value = s;
        if (s.Length == 0)
        {
            value = null;
            return GoYamlKind.Null;
        }
        switch (s)
        {
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                value = true;
                return GoYamlKind.Bool;
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                value = false;
                return GoYamlKind.Bool;
            case "~" or "null" or "Null" or "NULL":
                value = null;
                return GoYamlKind.Null;
            case ".nan" or ".NaN" or ".NAN":
                value = double.NaN;
                return GoYamlKind.Float;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                value = double.PositiveInfinity;
                return GoYamlKind.Float;
            case "-.inf" or "-.Inf" or "-.INF":
                value = double.NegativeInfinity;
                return GoYamlKind.Float;
        }

        char first = s[0];
        if (first == '.')
        {
            // strconv.ParseFloat of ".5", ".5e3"; overflow is an error in Go, so the text stays a string.
            if (DotFloat().IsMatch(s) && TryParseFiniteDouble(s, out double d))
            {
                value = d;
                return GoYamlKind.Float;
            }
            return GoYamlKind.String;
        }
        if (first is not ('+' or '-') && !char.IsAsciiDigit(first))
        {
            return GoYamlKind.String;
        }

        if (IsTimestamp(s))
        {
            return GoYamlKind.Timestamp;
        }
        string plain = s.Replace("_", "", StringComparison.Ordinal);
        if (TryParseGoInteger(plain, out var integer))
        {
            value = integer;
            return GoYamlKind.Int;
        }
        if (YamlStyleFloat().IsMatch(plain) && TryParseFiniteDouble(plain, out double f))
        {
            value = f;
            return GoYamlKind.Float;
        }
        return GoYamlKind.String;
    }

    /// <summary>True when go-yaml would not emit <paramref name="s"/> plain because it would read back as a non-string.</summary>
    public static bool NeedsQuotes(string s) => Resolve(s, out _) != GoYamlKind.String || IsBase60Float(s);

    private static bool TryParseFiniteDouble(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    // strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b, leading-0 octal), then go-yaml's big.Int fallback,
    // which applies only to unsigned text (ParseUint reports a range error, not a syntax error).
    private static bool TryParseGoInteger(string s, out BigInteger value)
    {
        value = default;
        int pos = 0;
        bool negative = false;
        bool signed = s.Length > 0 && s[0] is '+' or '-';
        if (signed)
        {
            negative = s[0] == '-';
            pos = 1;
        }
        string body = s[pos..];
        int radix = 10;
        if (body.Length > 1 && body[0] == '0')
        {
            (radix, body) = char.ToLowerInvariant(body[1]) switch
            {
                'x' => (16, body[2..]),
                'o' => (8, body[2..]),
                'b' => (2, body[2..]),
                _ => (8, body[1..]),
            };
        }
        if (body.Length == 0 && radix != 8)
        {
            return false;
        }
        BigInteger magnitude = BigInteger.Zero;
        foreach (char c in body)
        {
            int digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= radix)
            {
                return false;
            }
            magnitude = magnitude * radix + digit;
        }
        value = negative ? -magnitude : magnitude;
        if (!signed)
        {
            return true; // int64, uint64 or big.Int
        }
        return value >= long.MinValue && value <= long.MaxValue;
    }

    // go-yaml v2 parseTimestamp: "2006-1-2T15:4:5.999999999Z07:00" (also lower-case t),
    // "2006-1-2 15:4:5.999999999" and "2006-1-2", with Go's range checks.
    private static bool IsTimestamp(string s)
    {
        var m = Timestamp().Match(s);
        if (!m.Success)
        {
            return false;
        }
        int year = int.Parse(m.Groups["y"].ValueSpan, CultureInfo.InvariantCulture);
        int month = int.Parse(m.Groups["mo"].ValueSpan, CultureInfo.InvariantCulture);
        int day = int.Parse(m.Groups["d"].ValueSpan, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month))
        {
            return false;
        }
        if (!m.Groups["h"].Success)
        {
            return true;
        }
        bool hasZone = m.Groups["z"].Success;
        bool isT = m.Groups["sep"].Value is "T" or "t";
        if (isT != hasZone)
        {
            return false; // the T forms need a zone, the space form has none
        }
        return int.Parse(m.Groups["h"].ValueSpan, CultureInfo.InvariantCulture) < 24
            && int.Parse(m.Groups["mi"].ValueSpan, CultureInfo.InvariantCulture) < 60
            && int.Parse(m.Groups["s"].ValueSpan, CultureInfo.InvariantCulture) < 60;
    }

    /// <summary>go-yaml v2 quotes YAML 1.1 base-60 floats such as <c>12:30</c> on output.</summary>
    private static bool IsBase60Float(string s) =>
        s.Length > 0 && (s[0] is '+' or '-' || char.IsAsciiDigit(s[0])) && s.Contains(':') && Base60Float().IsMatch(s);

    /// <summary>
    /// go-yaml v2 <c>keyList.Less</c> for string keys: runes compared in order, letters by code point, a
    /// non-letter sorts before a letter, and runs of digits compare numerically (<c>a9</c> &lt; <c>a10</c>).
    /// </summary>
    public static bool KeyLess(string a, string b)
    {
        // Without surrogate pairs every char is a rune: compare in place (keys are compared often, and allocating
        // their runes made half the cost of writing a large index).
        if (a.Length <= 256 && b.Length <= 256 && a.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0 && b.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            Span<int> ac = stackalloc int[a.Length];
            Span<int> bc = stackalloc int[b.Length];
            for (int i = 0; i < a.Length; i++)
            {
                ac[i] = a[i];
            }
            for (int i = 0; i < b.Length; i++)
            {
                bc[i] = b[i];
            }
            return RunesLess(ac, bc);
        }
        return RunesLess(Runes(a), Runes(b));
    }

    private static bool RunesLess(ReadOnlySpan<int> ar, ReadOnlySpan<int> br)
    {
        for (int i = 0; i < ar.Length && i < br.Length; i++)
        {
            if (ar[i] == br[i])
            {
                continue;
            }
            bool al = IsLetter(ar[i]);
            bool bl = IsLetter(br[i]);
            if (al && bl)
            {
                return ar[i] < br[i];
            }
            if (al || bl)
            {
                return bl;
            }
            long an = 0, bn = 0;
            if (ar[i] == '0' || br[i] == '0')
            {
                for (int j = i - 1; j >= 0 && IsDigit(ar[j]); j--)
                {
                    if (ar[j] != '0')
                    {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            int ai = i, bi = i;
            for (; ai < ar.Length && IsDigit(ar[ai]); ai++)
            {
                an = unchecked(an * 10 + (ar[ai] - '0'));
            }
            for (; bi < br.Length && IsDigit(br[bi]); bi++)
            {
                bn = unchecked(bn * 10 + (br[bi] - '0'));
            }
            if (an != bn)
            {
                return an < bn;
            }
            if (ai != bi)
            {
                return ai < bi;
            }
            return ar[i] < br[i];
        }
        return ar.Length < br.Length;
    }

    /// <summary>Sorts keys with <see cref="KeyLess"/>; ties (which Go leaves to map order) fall back to ordinal order.</summary>
    public static int CompareKeys(string a, string b) =>
        KeyLess(a, b) ? -1 : KeyLess(b, a) ? 1 : string.CompareOrdinal(a, b);

    private static int[] Runes(string s)
    {
        var result = new List<int>(s.Length);
        foreach (Rune r in s.EnumerateRunes())
        {
            result.Add(r.Value);
        }
        return [.. result];
    }

    private static bool IsLetter(int rune) => Rune.IsLetter(new Rune(rune));

    private static bool IsDigit(int rune) => Rune.IsDigit(new Rune(rune));

    /// <summary>
    /// Go's <c>strconv.FormatFloat(v, 'g', -1, bitSize)</c>: the shortest text that reads back as the same
    /// float32/float64, in exponent form when the exponent is below -4 or at least 6 (<c>1e+06</c>).
    /// </summary>
    public static string FormatFloat(double v, int bitSize)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }
        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }
        string r = bitSize == 32
            ? ((float)v).ToString("R", CultureInfo.InvariantCulture)
            : v.ToString("R", CultureInfo.InvariantCulture);

        // Split .NET's shortest round-trip text into sign, digits and decimal-point position.
        bool negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }
        int exponent = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int dot = r.IndexOf('.', StringComparison.Ordinal);
        string digits = dot >= 0 ? r.Remove(dot, 1) : r;
        int dp = (dot >= 0 ? dot : r.Length) + exponent;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
            dp--;
        }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0)
        {
            return negative ? "-0" : "0";
        }

        var sb = new StringBuilder(negative ? "-" : "");
        int exp = dp - 1;
        if (exp < -4 || exp >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            sb.Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }
        return sb.ToString();
    }

    /// <summary>
    /// A float64 after Go's encoding/json and go-yaml: JSON has no exponent below 1e21, so an integral value
    /// reads back as an integer; anything else is printed by <see cref="FormatFloat"/>.
    /// </summary>
    public static string FormatJsonNumber(double v) =>
        double.IsFinite(v) && Math.Abs(v) < 1e21 && Math.Floor(v) == v
            ? new BigInteger(v).ToString(CultureInfo.InvariantCulture)
            : FormatFloat(v, 64);

    [GeneratedRegex(@"^\.[0-9]+([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DotFloat();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex YamlStyleFloat();

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Base60Float();

    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<mo>[0-9]{1,2})-(?<d>[0-9]{1,2})(?:(?<sep>[Tt ])(?<h>[0-9]{1,2}):(?<mi>[0-9]{1,2}):(?<s>[0-9]{1,2})(?:[.,][0-9]+)?(?<z>Z|[-+][0-9]{2}:[0-9]{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Timestamp();
}

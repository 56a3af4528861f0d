using System.Globalization;
using System.Numerics;
using System.Text;

namespace Chartseal.Compat;

/// <summary>
/// Writes JSON text exactly as Go's <c>json.Marshal</c> (compact) or <c>json.MarshalIndent(v, "", "  ")</c>
/// (indented: Helm's <c>repo index --json</c>) does: fields in the order the caller gives (Go struct order),
/// <c>[]</c> and <c>{}</c> for empty collections, Go's string escaping (<c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> as
/// <c>\u003c</c>…, U+2028 and U+2029 escaped, other non-ASCII text raw) and Go's float64 formatting. No trailing
/// newline.
/// </summary>
/// <param name="indented">Two-space indentation and <c>"name": value</c>; otherwise no whitespace at all.</param>
internal sealed class GoJsonText(bool indented = true)
{
    private readonly StringBuilder _text = new();
    private readonly Stack<(bool IsArray, int Count)> _open = new();
    private bool _afterName;

    /// <summary>Go's order of map keys (<c>encoding/json</c> sorts them by their UTF-8 bytes).</summary>
    public static IComparer<string> KeyOrder { get; } = new Utf8Order();

    /// <summary>The entries of a map in Go's key order.</summary>
    public static IEnumerable<KeyValuePair<string, string>> SortedKeys(IEnumerable<KeyValuePair<string, string>> map) =>
        map.OrderBy(e => e.Key, KeyOrder);

    /// <summary>The text written so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>The UTF-8 bytes written so far (what a digest is computed over).</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    public GoJsonText StartObject() => Open('{', isArray: false);

    public GoJsonText EndObject() => Close('}');

    public GoJsonText StartArray() => Open('[', isArray: true);

    public GoJsonText EndArray() => Close(']');

    /// <summary>Writes a member name; the next value is its value.</summary>
    public GoJsonText Name(string name)
    {
        BeforeValue();
        AppendString(name);
        _text.Append(indented ? ": " : ":");
        _afterName = true;
        return this;
    }

    public GoJsonText String(string value)
    {
        BeforeValue();
        AppendString(value);
        return this;
    }

    public GoJsonText Bool(bool value)
    {
        BeforeValue();
        _text.Append(value ? "true" : "false");
        return this;
    }

    public GoJsonText Null()
    {
        BeforeValue();
        _text.Append("null");
        return this;
    }

    /// <summary>A float64 as Go's encoding/json writes it (<c>1</c>, <c>1.5</c>, <c>1e+21</c>, <c>1e-7</c>).</summary>
    public GoJsonText Number(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("JSON has no " + value, nameof(value));
        }
        BeforeValue();
        _text.Append(FormatFloat64(value));
        return this;
    }

    /// <summary>An integer (Go's <c>int64</c>: no fraction, no exponent).</summary>
    public GoJsonText Number(long value)
    {
        BeforeValue();
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A string member, left out when <paramref name="value"/> is null or empty (Go's <c>omitempty</c>).</summary>
    public GoJsonText OmitEmpty(string name, string? value) => string.IsNullOrEmpty(value) ? this : Name(name).String(value);

    /// <summary>A <c>map[string]string</c> member in Go's key order, left out when empty (Go's <c>omitempty</c>).</summary>
    public GoJsonText OmitEmpty(string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is not { Count: > 0 })
        {
            return this;
        }
        Name(name).StartObject();
        foreach (var (key, value) in SortedKeys(map))
        {
            Name(key).String(value);
        }
        return EndObject();
    }

    /// <summary>Writes a member whose value is a string.</summary>
    public GoJsonText Member(string name, string value) => Name(name).String(value);

    private GoJsonText Open(char bracket, bool isArray)
    {
        BeforeValue();
        _text.Append(bracket);
        _open.Push((isArray, 0));
        return this;
    }

    private GoJsonText Close(char bracket)
    {
        var (_, count) = _open.Pop();
        if (count > 0)
        {
            NewLine();
        }
        _text.Append(bracket);
        return this;
    }

    // Inside an object a value follows its name on the same line; otherwise it starts a new, indented line
    // after a comma when it is not the first.
    private void BeforeValue()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }
        if (_open.Count == 0)
        {
            return;
        }
        var (isArray, count) = _open.Pop();
        if (count > 0)
        {
            _text.Append(',');
        }
        _open.Push((isArray, count + 1));
        NewLine();
    }

    private void NewLine()
    {
        if (indented)
        {
            _text.Append('\n').Append(' ', 2 * _open.Count);
        }
    }

    // Go's encodeState.string with HTML escaping (Go 1.22 and later also write \b and \f).
    private void AppendString(string value)
    {
        _text.Append('"');
        foreach (Rune rune in value.EnumerateRunes())
        {
            int c = rune.Value;
            switch (c)
            {
                case '"':
                    _text.Append("\\\"");
                    break;
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '\b':
                    _text.Append("\\b");
                    break;
                case '\f':
                    _text.Append("\\f");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                case '\r':
                    _text.Append("\\r");
                    break;
                case '\t':
                    _text.Append("\\t");
                    break;
                case < 0x20 or '<' or '>' or '&' or 0x2028 or 0x2029:
                    _text.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    _text.Append(rune.ToString());
                    break;
            }
        }
        _text.Append('"');
    }

    /// <summary>Go's floatEncoder for float64: shortest digits, 'e' form below 1e-6 or from 1e21, exponent without leading zeros.</summary>
    internal static string FormatFloat64(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "JSON has no NaN or infinity");
        }
        // .NET's "R" is the shortest text that round-trips, as Go's strconv uses (plain or d.dddE+xx).
        (string digits, int exponent) = Decompose(Math.Abs(value).ToString("R", CultureInfo.InvariantCulture));
        string sign = value < 0 || (value == 0 && double.IsNegative(value)) ? "-" : "";
        if (digits == "0")
        {
            return sign + "0";
        }
        double abs = Math.Abs(value);
        if (abs < 1e-6 || abs >= 1e21)
        {
            string mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            return $"{sign}{mantissa}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent).ToString(CultureInfo.InvariantCulture)}";
        }
        // Plain decimal: the point goes after exponent+1 digits.
        int point = exponent + 1;
        string text = point <= 0
            ? "0." + new string('0', -point) + digits
            : point >= digits.Length
                ? digits + new string('0', point - digits.Length)
                : digits[..point] + "." + digits[point..];
        return sign + text;
    }

    // Splits a positive number's text into significant digits (no leading or trailing zeros) and the decimal
    // exponent of the first digit.
    private static (string Digits, int Exponent) Decompose(string text)
    {
        int e = text.IndexOfAny(['E', 'e']);
        int exponent = e < 0 ? 0 : int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? text : text[..e];
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string intPart = dot < 0 ? mantissa : mantissa[..dot];
        string fraction = dot < 0 ? "" : mantissa[(dot + 1)..];
        string all = intPart + fraction;
        exponent += intPart.Length - 1;
        int lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }
        exponent -= lead;
        string digits = all[lead..].TrimEnd('0');
        return (digits.Length == 0 ? "0" : digits, exponent);
    }

    /// <summary>Writes an interface{} value as Go would after a JSON round trip (numbers are float64, maps sorted).</summary>
    public GoJsonText Value(object? value)
    {
        switch (value)
        {
            case null:
                return Null();
            case string s:
                return String(s);
            case bool b:
                return Bool(b);
            case IDictionary<string, object?> map:
                StartObject();
                foreach (var (key, item) in map.OrderBy(e => e.Key, KeyOrder))
                {
                    Name(key).Value(item);
                }
                return EndObject();
            case IDictionary<string, string> map:
                StartObject();
                foreach (var (key, item) in SortedKeys(map))
                {
                    Name(key).String(item);
                }
                return EndObject();
            case System.Collections.IEnumerable items:
                StartArray();
                foreach (object? item in items)
                {
                    Value(item);
                }
                return EndArray();
            case BigInteger big:
                return Number((double)big);
            case IConvertible number:
                return Number(number.ToDouble(CultureInfo.InvariantCulture));
            default:
                return String(value.ToString() ?? "");
        }
    }

    private sealed class Utf8Order : IComparer<string>
    {
        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}

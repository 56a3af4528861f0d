using System.Globalization;
using System.Text;

namespace Chartseal.Oci;

/// <summary>
/// Compact JSON written byte for byte as Go's <c>encoding/json</c> writes it (<c>json.Marshal</c>), so manifests and
/// config blobs get the same digests as Helm's: no spaces, <c>&lt; &gt; &amp;</c> U+2028 and U+2029 escaped as <c>\u003c</c>
/// and so on, <c>\b \f \n \r \t</c> short forms, other control characters as lower-case <c>\u00XX</c>, every other
/// character raw UTF-8 (System.Text.Json's encoders escape <c>+</c> and non-ASCII, which would change the bytes).
/// Object keys are written in the order given; <see cref="SortedKeys"/> gives Go's order for maps.
/// </summary>
internal sealed class GoJsonText
{
    private readonly StringBuilder _text = new();
    private readonly Stack<bool> _hasItems = new();
    private bool _afterName;

    /// <summary>Go's order of map keys: by their UTF-8 bytes.</summary>
    public static IComparer<string> KeyOrder { get; } = new Utf8Order();

    /// <summary>The entries of a map in Go's key order.</summary>
    public static IEnumerable<KeyValuePair<string, string>> SortedKeys(IEnumerable<KeyValuePair<string, string>> map) =>
        map.OrderBy(e => e.Key, KeyOrder);

    public GoJsonText StartObject()
    {
        BeforeValue();
        _text.Append('{');
        _hasItems.Push(false);
        return this;
    }

    public GoJsonText EndObject()
    {
        _hasItems.Pop();
        _text.Append('}');
        return this;
    }

    public GoJsonText StartArray()
    {
        BeforeValue();
        _text.Append('[');
        _hasItems.Push(false);
        return this;
    }

    public GoJsonText EndArray()
    {
        _hasItems.Pop();
        _text.Append(']');
        return this;
    }

    public GoJsonText Name(string name)
    {
        BeforeValue();
        AppendString(name);
        _text.Append(':');
        _afterName = true;
        return this;
    }

    public GoJsonText String(string value)
    {
        BeforeValue();
        AppendString(value);
        return this;
    }

    public GoJsonText Number(long value)
    {
        BeforeValue();
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A float64 as Go's encoding/json writes it: shortest digits, exponent form below 1e-6 and from 1e21.</summary>
    public GoJsonText Number(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("JSON has no " + value, nameof(value));
        }
        BeforeValue();
        _text.Append(FormatFloat(value));
        return this;
    }

    public GoJsonText Null()
    {
        BeforeValue();
        _text.Append("null");
        return this;
    }

    public GoJsonText Bool(bool value)
    {
        BeforeValue();
        _text.Append(value ? "true" : "false");
        return this;
    }

    /// <summary>A string property, left out when <paramref name="value"/> is null or empty (Go's <c>omitempty</c>).</summary>
    public GoJsonText OmitEmpty(string name, string? value) => string.IsNullOrEmpty(value) ? this : Name(name).String(value);

    /// <summary>A <c>map[string]string</c> property with sorted keys, left out when empty.</summary>
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

    /// <summary>The UTF-8 bytes written so far.</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    /// <inheritdoc />
    public override string ToString() => _text.ToString();

    private void BeforeValue()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }
        if (_hasItems.Count > 0)
        {
            if (_hasItems.Peek())
            {
                _text.Append(',');
            }
            else
            {
                _hasItems.Pop();
                _hasItems.Push(true);
            }
        }
    }

    private void AppendString(string value)
    {
        _text.Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
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
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                case < ' ':
                    _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        _text.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        _text.Append("\\ufffd"); // Go replaces invalid UTF-8 with the replacement character
                    }
                    else
                    {
                        _text.Append(c);
                    }
                    break;
            }
        }
        _text.Append('"');
    }

    /// <summary>Go's <c>strconv.AppendFloat(f, 'f' or 'e', -1, 64)</c> as encoding/json uses it.</summary>
    internal static string FormatFloat(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }
        // .NET's round-trip text has Go's shortest digits; only the layout differs.
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }
        int e = r.IndexOfAny(['E', 'e']);
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? r : r[..e];
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int pointAt = (dot < 0 ? mantissa.Length : dot) + exponent; // decimal point position within digits
        int leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        pointAt -= leadingZeros;
        if (digits.Length == 0)
        {
            return negative ? "-0" : "0";
        }
        double abs = Math.Abs(value);
        var sb = new StringBuilder(negative ? "-" : "");
        if (abs < 1e-6 || abs >= 1e21)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            int exp = pointAt - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            // Go writes at least two exponent digits, and encoding/json then turns e-07 into e-7.
            sb.Append(Math.Abs(exp).ToString(exp < 0 ? "0" : "00", CultureInfo.InvariantCulture));
        }
        else if (pointAt <= 0)
        {
            sb.Append("0.").Append('0', -pointAt).Append(digits);
        }
        else if (pointAt >= digits.Length)
        {
            sb.Append(digits).Append('0', pointAt - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt);
        }
        return sb.ToString();
    }

    private sealed class Utf8Order : IComparer<string>
    {
        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}

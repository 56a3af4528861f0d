using System.Text;

namespace Chartseal.Compat;

/// <summary>
/// A value as Helm's serialiser sees it after the JSON round trip of sigs.k8s.io/yaml: strings, pre-formatted
/// plain scalars (booleans, numbers, null), mappings with string keys, sequences.
/// </summary>
internal abstract class GoNode
{
    /// <summary>A string as it comes back from Helm's JSON-to-YAML step (see <see cref="FoldNextLines"/>).</summary>
    public static GoNode Str(string value) => new GoScalar(FoldNextLines(value), isString: true);

    /// <summary>
    /// Go's encoding/json leaves U+0085 (NEL) unescaped, and go-yaml then reads it inside the double-quoted JSON
    /// string as a line break and folds it: blanks around it vanish, one NEL becomes a space, n NELs become n-1
    /// line feeds. Only raw spaces count as blanks: JSON escapes tabs, and escapes are never folded.
    /// </summary>
    internal static string FoldNextLines(string s)
    {
        if (!s.Contains('\u0085'))
        {
            return s;
        }
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length;)
        {
            if (s[i] is not (' ' or '\u0085'))
            {
                sb.Append(s[i++]);
                continue;
            }
            var whitespace = new StringBuilder();
            bool leadingBlanks = false;
            int trailingBreaks = 0;
            for (; i < s.Length && s[i] is ' ' or '\u0085'; i++)
            {
                if (s[i] != '\u0085')
                {
                    if (!leadingBlanks)
                    {
                        whitespace.Append(s[i]);
                    }
                }
                else if (!leadingBlanks)
                {
                    whitespace.Clear();
                    leadingBlanks = true;
                }
                else
                {
                    trailingBreaks++;
                }
            }
            sb.Append(!leadingBlanks ? whitespace.ToString() : trailingBreaks == 0 ? " " : new string('\n', trailingBreaks));
        }
        return sb.ToString();
    }

    public static GoNode Plain(string text) => new GoScalar(text, isString: false);

    public static readonly GoNode Null = Plain("null");
}

/// <summary>A scalar; strings are quoted when needed, other scalars are always written plain.</summary>
internal sealed class GoScalar(string text, bool isString) : GoNode
{
    public string Text { get; } = text;
    public bool IsString { get; } = isString;
}

/// <summary>A mapping; entries are kept in go-yaml v2 key order.</summary>
internal sealed class GoMapping : GoNode
{
    private readonly List<KeyValuePair<string, GoNode>> _entries = [];

    public IReadOnlyList<KeyValuePair<string, GoNode>> Entries => _entries;

    public GoMapping Add(string key, GoNode value)
    {
        // Fast path: keys added in order (large index.yaml files) append without a scan.
        if (_entries.Count == 0 || GoYamlResolver.CompareKeys(key, _entries[^1].Key) >= 0)
        {
            _entries.Add(new(key, value));
            return this;
        }
        int at = _entries.FindIndex(e => GoYamlResolver.CompareKeys(key, e.Key) < 0);
        _entries.Insert(at < 0 ? _entries.Count : at, new(key, value));
        return this;
    }
}

/// <summary>A sequence.</summary>
internal sealed class GoSequence : GoNode
{
    public GoSequence(IEnumerable<GoNode> items)
    {
        List<GoNode> list = [.. items];
        Items = list;
        Count = list.Count;
    }

    /// <summary>
    /// A sequence of <paramref name="count"/> items made only as they are written, once: a large index is then never a
    /// whole tree in memory (publishing into 5,000 charts spent a third of its time collecting that tree).
    /// </summary>
    public GoSequence(int count, IEnumerable<GoNode> items)
    {
        Items = items;
        Count = count;
    }

    public int Count { get; }

    public IEnumerable<GoNode> Items { get; }
}

/// <summary>
/// A port of the block-style subset of go-yaml v2's emitter (emitterc.go) with Helm's settings: indent 2,
/// width 80, unicode output, LF breaks. Only what a JSON-shaped document needs is ported: block mappings and
/// sequences (sequences not indented under a key), <c>{}</c>/<c>[]</c> for empty collections, and the four
/// scalar styles go-yaml picks from (plain, single-quoted, double-quoted, literal). Names follow the C source
/// so the two can be compared line by line.
/// </summary>
internal sealed class GoYamlEmitter
{
    private const int BestIndent = 2;
    private const int BestWidth = 80;

    private byte[] _out = new byte[4096];
    private int _length;
    private readonly Dictionary<string, ScalarData> _keys = new(StringComparer.Ordinal);
    private readonly Stack<int> _indents = new();
    private int _indent = -1;
    private int _column;
    private bool _whitespace = true;
    private bool _indention = true;
    private bool _mappingContext;
    private bool _simpleKeyContext;
    private bool _terminalSafe;

    /// <summary>Emits <paramref name="root"/> as one implicit document (no <c>---</c>), ending with LF.</summary>
    /// <param name="root">The document.</param>
    /// <param name="terminalSafe">
    /// For a terminal: a string holding a character <see cref="IO.TerminalText.IsUnsafe"/> (line breaks included) is
    /// written double-quoted with those characters escaped, which go-yaml would write raw. The same value, on one line.
    /// </param>
    public static string Emit(GoNode root, bool terminalSafe = false) => Encoding.UTF8.GetString(EmitUtf8(root, terminalSafe));

    /// <summary><see cref="Emit"/> as UTF-8 bytes (what a file gets, without the round trip through a string).</summary>
    public static byte[] EmitUtf8(GoNode root, bool terminalSafe = false)
    {
        var e = new GoYamlEmitter { _terminalSafe = terminalSafe };
        e.EmitNode(root, mapping: false, simpleKey: false);
        e.WriteIndent(); // document end
        return e._out.AsSpan(0, e._length).ToArray();
    }

    private void EmitNode(GoNode node, bool mapping, bool simpleKey)
    {
        _mappingContext = mapping;
        _simpleKeyContext = simpleKey;
        switch (node)
        {
            case GoScalar scalar:
                EmitScalar(scalar);
                break;
            case GoSequence { Count: 0 }:
                EmitEmptyFlow('[', ']');
                break;
            case GoMapping { Entries.Count: 0 }:
                EmitEmptyFlow('{', '}');
                break;
            case GoSequence sequence:
                EmitBlockSequence(sequence);
                break;
            case GoMapping map:
                EmitBlockMapping(map);
                break;
        }
    }

    private void EmitEmptyFlow(char open, char close)
    {
        WriteIndicator([(byte)open], needWhitespace: true, isWhitespace: true, isIndention: false);
        WriteIndicator([(byte)close], needWhitespace: false, isWhitespace: false, isIndention: false);
    }

    private void EmitBlockSequence(GoSequence sequence)
    {
        // A sequence that is a mapping value is not indented ("key:" then "- item" at the key's column).
        IncreaseIndent(flow: false, indentless: _mappingContext && !_indention);
        foreach (var item in sequence.Items)
        {
            WriteIndent();
            WriteIndicator("-"u8, needWhitespace: true, isWhitespace: false, isIndention: true);
            EmitNode(item, mapping: false, simpleKey: false);
        }
        _indent = _indents.Pop();
    }

    private void EmitBlockMapping(GoMapping map)
    {
        IncreaseIndent(flow: false, indentless: false);
        foreach (var (key, value) in map.Entries)
        {
            WriteIndent();
            var keyNode = new GoScalar(key, isString: true);
            // Keys repeat (every entry of an index has the same twenty): analysed once per emitter.
            if (!_keys.TryGetValue(key, out ScalarData keyData))
            {
                _keys[key] = keyData = Analyze(Encoding.UTF8.GetBytes(key));
            }
            if (!keyData.Multiline && keyData.Value.Length <= 128)
            {
                _mappingContext = true;
                _simpleKeyContext = true;
                EmitScalar(keyNode, keyData); // analysed once: keys are half of an index's scalars
                WriteIndicator(":"u8, needWhitespace: false, isWhitespace: false, isIndention: false);
            }
            else
            {
                WriteIndicator("?"u8, needWhitespace: true, isWhitespace: false, isIndention: true);
                EmitNode(keyNode, mapping: true, simpleKey: false);
                WriteIndent();
                WriteIndicator(":"u8, needWhitespace: true, isWhitespace: false, isIndention: true);
            }
            EmitNode(value, mapping: true, simpleKey: false);
        }
        _indent = _indents.Pop();
    }

    private void IncreaseIndent(bool flow, bool indentless)
    {
        _indents.Push(_indent);
        if (_indent < 0)
        {
            _indent = flow ? BestIndent : 0;
        }
        else if (!indentless)
        {
            _indent += BestIndent;
        }
    }

    private enum Style
    {
        Plain,
        SingleQuoted,
        DoubleQuoted,
        Literal,
    }

    private void EmitScalar(GoScalar scalar) => EmitScalar(scalar, Analyze(Encoding.UTF8.GetBytes(scalar.Text)));

    private void EmitScalar(GoScalar scalar, ScalarData data)
    {

        // encode.go stringv: literal for text with LF, plain when it reads back as a string, else double quotes.
        Style style = !scalar.IsString ? Style.Plain
            : _terminalSafe && IO.TerminalText.ContainsUnsafe(scalar.Text) ? Style.DoubleQuoted
            : scalar.Text.Contains('\n') ? Style.Literal
            : GoYamlResolver.NeedsQuotes(scalar.Text) ? Style.DoubleQuoted
            : Style.Plain;

        // emitterc.go yaml_emitter_select_scalar_style (block context, implicit tags).
        if (_simpleKeyContext && data.Multiline)
        {
            style = Style.DoubleQuoted;
        }
        if (style == Style.Plain && (!data.BlockPlainAllowed || (data.Value.Length == 0 && _simpleKeyContext)))
        {
            style = Style.SingleQuoted;
        }
        if (style == Style.SingleQuoted && !data.SingleQuotedAllowed)
        {
            style = Style.DoubleQuoted;
        }
        if (style == Style.Literal && (!data.BlockAllowed || _simpleKeyContext))
        {
            style = Style.DoubleQuoted;
        }

        IncreaseIndent(flow: true, indentless: false);
        bool allowBreaks = !_simpleKeyContext;
        switch (style)
        {
            case Style.Plain:
                WritePlain(data.Value, allowBreaks);
                break;
            case Style.SingleQuoted:
                WriteSingleQuoted(data.Value, allowBreaks);
                break;
            case Style.DoubleQuoted:
                WriteDoubleQuoted(data.Value, allowBreaks);
                break;
            case Style.Literal:
                WriteLiteral(data.Value);
                break;
        }
        _indent = _indents.Pop();
    }

    private readonly record struct ScalarData(
        byte[] Value, bool Multiline, bool BlockPlainAllowed, bool SingleQuotedAllowed, bool BlockAllowed);

    // yaml_emitter_analyze_scalar (flow flags dropped: nothing is written in flow context).
    private static ScalarData Analyze(byte[] value)
    {
        if (value.Length == 0)
        {
            return new(value, Multiline: false, BlockPlainAllowed: true, SingleQuotedAllowed: true, BlockAllowed: false);
        }
        bool blockIndicators = false, lineBreaks = false, specialCharacters = false;
        bool leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
        bool breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false;

        if (value.Length >= 3 && ((value[0] == '-' && value[1] == '-' && value[2] == '-') || (value[0] == '.' && value[1] == '.' && value[2] == '.')))
        {
            blockIndicators = true;
        }
        bool precededByWhitespace = true;
        for (int i = 0, w; i < value.Length; i += w)
        {
            w = Width(value[i]);
            bool followedByWhitespace = i + w >= value.Length || IsBlank(value, i + w);
            if (i == 0)
            {
                switch (value[i])
                {
                    case (byte)'#' or (byte)',' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'&' or (byte)'*'
                        or (byte)'!' or (byte)'|' or (byte)'>' or (byte)'\'' or (byte)'"' or (byte)'%' or (byte)'@' or (byte)'`':
                        blockIndicators = true;
                        break;
                    case (byte)'?' or (byte)':' or (byte)'-':
                        blockIndicators |= followedByWhitespace;
                        break;
                }
            }
            else if (value[i] == ':' && followedByWhitespace)
            {
                blockIndicators = true;
            }
            else if (value[i] == '#' && precededByWhitespace)
            {
                blockIndicators = true;
            }

            if (!IsPrintable(value, i))
            {
                specialCharacters = true;
            }
            if (IsSpace(value, i))
            {
                leadingSpace |= i == 0;
                trailingSpace |= i + w == value.Length;
                breakSpace |= previousBreak;
                previousSpace = true;
                previousBreak = false;
            }
            else if (IsBreak(value, i))
            {
                lineBreaks = true;
                leadingBreak |= i == 0;
                trailingBreak |= i + w == value.Length;
                spaceBreak |= previousSpace;
                previousSpace = false;
                previousBreak = true;
            }
            else
            {
                previousSpace = false;
                previousBreak = false;
            }
            precededByWhitespace = IsBlankOrBreakOrNul(value, i);
        }

        bool blockPlain = true, singleQuoted = true, block = true;
        if (leadingSpace || leadingBreak || trailingSpace || trailingBreak)
        {
            blockPlain = false;
        }
        if (trailingSpace)
        {
            block = false;
        }
        if (breakSpace)
        {
            blockPlain = singleQuoted = false;
        }
        if (spaceBreak || specialCharacters)
        {
            blockPlain = singleQuoted = block = false;
        }
        if (lineBreaks || blockIndicators)
        {
            blockPlain = false;
        }
        return new(value, lineBreaks, blockPlain, singleQuoted, block);
    }

    private void WritePlain(byte[] value, bool allowBreaks)
    {
        if (!_whitespace)
        {
            Put((byte)' ');
        }
        bool spaces = false;
        for (int i = 0; i < value.Length;)
        {
            if (IsSpace(value, i))
            {
                // Fold at a space once past the width (never inside a run of spaces).
                if (allowBreaks && !spaces && _column > BestWidth && !IsSpace(value, i + 1))
                {
                    WriteIndent();
                    i++;
                }
                else
                {
                    Write(value, ref i);
                }
                spaces = true;
            }
            else
            {
                // Plain scalars never contain breaks: the analysis forbids it.
                Write(value, ref i);
                _indention = false;
                spaces = false;
            }
        }
        _whitespace = false;
        _indention = false;
    }

    private void WriteSingleQuoted(byte[] value, bool allowBreaks)
    {
        WriteIndicator("'"u8, needWhitespace: true, isWhitespace: false, isIndention: false);
        bool spaces = false, breaks = false;
        for (int i = 0; i < value.Length;)
        {
            if (IsSpace(value, i))
            {
                if (allowBreaks && !spaces && _column > BestWidth && i > 0 && i < value.Length - 1 && !IsSpace(value, i + 1))
                {
                    WriteIndent();
                    i++;
                }
                else
                {
                    Write(value, ref i);
                }
                spaces = true;
            }
            else if (IsBreak(value, i))
            {
                if (!breaks && value[i] == '\n')
                {
                    PutBreak();
                }
                WriteBreak(value, ref i);
                _indention = true;
                breaks = true;
            }
            else
            {
                if (breaks)
                {
                    WriteIndent();
                }
                if (value[i] == '\'')
                {
                    Put((byte)'\'');
                }
                Write(value, ref i);
                _indention = false;
                spaces = false;
                breaks = false;
            }
        }
        WriteIndicator("'"u8, needWhitespace: false, isWhitespace: false, isIndention: false);
        _whitespace = false;
        _indention = false;
    }

    private void WriteDoubleQuoted(byte[] value, bool allowBreaks)
    {
        bool spaces = false;
        WriteIndicator("\""u8, needWhitespace: true, isWhitespace: false, isIndention: false);
        for (int i = 0; i < value.Length;)
        {
            if (!IsPrintable(value, i) || IsBom(value, i) || IsBreak(value, i) || value[i] == '"' || value[i] == '\\'
                || (_terminalSafe && IO.TerminalText.IsUnsafe(CodePoint(value, i))))
            {
                int v = CodePoint(value, i);
                i += Width(value[i]);
                Put((byte)'\\');
                char? shortEscape = v switch
                {
                    0x00 => '0',
                    0x07 => 'a',
                    0x08 => 'b',
                    0x09 => 't',
                    0x0A => 'n',
                    0x0B => 'v',
                    0x0C => 'f',
                    0x0D => 'r',
                    0x1B => 'e',
                    0x22 => '"',
                    0x5C => '\\',
                    0x85 => 'N',
                    0xA0 => '_',
                    0x2028 => 'L',
                    0x2029 => 'P',
                    _ => null,
                };
                if (shortEscape is char c)
                {
                    Put((byte)c);
                }
                else
                {
                    (char prefix, int digits) = v <= 0xFF ? ('x', 2) : v <= 0xFFFF ? ('u', 4) : ('U', 8);
                    Put((byte)prefix);
                    for (int k = (digits - 1) * 4; k >= 0; k -= 4)
                    {
                        Put((byte)"0123456789ABCDEF"[(v >> k) & 0x0F]);
                    }
                }
                spaces = false;
            }
            else if (IsSpace(value, i))
            {
                if (allowBreaks && !spaces && _column > BestWidth && i > 0 && i < value.Length - 1)
                {
                    WriteIndent();
                    if (IsSpace(value, i + 1))
                    {
                        Put((byte)'\\');
                    }
                    i++;
                }
                else
                {
                    Write(value, ref i);
                }
                spaces = true;
            }
            else
            {
                Write(value, ref i);
                spaces = false;
            }
        }
        WriteIndicator("\""u8, needWhitespace: false, isWhitespace: false, isIndention: false);
        _whitespace = false;
        _indention = false;
    }

    private void WriteLiteral(byte[] value)
    {
        WriteIndicator("|"u8, needWhitespace: true, isWhitespace: false, isIndention: false);
        WriteBlockScalarHints(value);
        PutBreak();
        _indention = true;
        _whitespace = true;
        bool breaks = true;
        for (int i = 0; i < value.Length;)
        {
            if (IsBreak(value, i))
            {
                WriteBreak(value, ref i);
                _indention = true;
                breaks = true;
            }
            else
            {
                if (breaks)
                {
                    WriteIndent();
                }
                Write(value, ref i);
                _indention = false;
                breaks = false;
            }
        }
    }

    // Indentation hint when the text starts with a space or break; chomping: "-" without a final break,
    // "+" with several, none with exactly one.
    private void WriteBlockScalarHints(byte[] value)
    {
        if (IsSpace(value, 0) || IsBreak(value, 0))
        {
            WriteIndicator([(byte)('0' + BestIndent)], needWhitespace: false, isWhitespace: false, isIndention: false);
        }
        byte? chomp = null;
        if (value.Length == 0)
        {
            chomp = (byte)'-';
        }
        else
        {
            int i = value.Length - 1;
            while ((value[i] & 0xC0) == 0x80)
            {
                i--;
            }
            if (!IsBreak(value, i))
            {
                chomp = (byte)'-';
            }
            else if (i == 0)
            {
                chomp = (byte)'+';
            }
            else
            {
                i--;
                while ((value[i] & 0xC0) == 0x80)
                {
                    i--;
                }
                if (IsBreak(value, i))
                {
                    chomp = (byte)'+';
                }
            }
        }
        if (chomp is byte hint)
        {
            WriteIndicator([hint], needWhitespace: false, isWhitespace: false, isIndention: false);
        }
    }

    private void WriteIndent()
    {
        int indent = Math.Max(_indent, 0);
        if (!_indention || _column > indent || (_column == indent && !_whitespace))
        {
            PutBreak();
        }
        while (_column < indent)
        {
            Put((byte)' ');
        }
        _whitespace = true;
        _indention = true;
    }

    private void WriteIndicator(ReadOnlySpan<byte> indicator, bool needWhitespace, bool isWhitespace, bool isIndention)
    {
        if (needWhitespace && !_whitespace)
        {
            Put((byte)' ');
        }
        for (int i = 0; i < indicator.Length; i++)
        {
            Put(indicator[i]);
        }
        _whitespace = isWhitespace;
        _indention = _indention && isIndention;
    }

    private void Put(byte b)
    {
        Append(b);
        _column++;
    }

    private void PutBreak()
    {
        Append((byte)'\n');
        _column = 0;
    }

    private void Append(byte b)
    {
        if (_length == _out.Length)
        {
            Array.Resize(ref _out, _out.Length * 2);
        }
        _out[_length++] = b;
    }

    // Copies one UTF-8 character; the column counts characters, not bytes.
    private void Write(byte[] s, ref int i)
    {
        int w = Width(s[i]);
        for (int k = 0; k < w; k++)
        {
            Append(s[i + k]);
        }
        _column++;
        i += w;
    }

    private void WriteBreak(byte[] s, ref int i)
    {
        if (s[i] == '\n')
        {
            PutBreak();
            i++;
        }
        else
        {
            Write(s, ref i);
            _column = 0;
        }
    }

    private static int CodePoint(byte[] value, int i)
    {
        int w = Width(value[i]);
        int v = w switch
        {
            1 => value[i] & 0x7F,
            2 => value[i] & 0x1F,
            3 => value[i] & 0x0F,
            _ => value[i] & 0x07,
        };
        for (int k = 1; k < w; k++)
        {
            v = (v << 6) + (value[i + k] & 0x3F);
        }
        return v;
    }

    private static int Width(byte b) => b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;

    private static byte At(byte[] b, int i) => i < b.Length ? b[i] : (byte)0;

    private static bool IsSpace(byte[] b, int i) => At(b, i) == ' ';

    private static bool IsBlank(byte[] b, int i) => At(b, i) is (byte)' ' or (byte)'\t';

    private static bool IsBreak(byte[] b, int i) =>
        At(b, i) is (byte)'\r' or (byte)'\n'
        || (At(b, i) == 0xC2 && At(b, i + 1) == 0x85)
        || (At(b, i) == 0xE2 && At(b, i + 1) == 0x80 && At(b, i + 2) is 0xA8 or 0xA9);

    private static bool IsBlankOrBreakOrNul(byte[] b, int i) => IsBlank(b, i) || IsBreak(b, i) || At(b, i) == 0;

    // go-yaml's is_bom looks at the start of the value whatever i is, so a value starting with a BOM has every
    // character escaped in double quotes. Kept for byte compatibility.
    private static bool IsBom(byte[] b, int i) => At(b, 0) == 0xEF && At(b, 1) == 0xBB && At(b, 2) == 0xBF;

    // go-yaml's is_printable: note that TAB and every 4-byte (non-BMP) character count as non-printable,
    // which is why go-yaml double-quotes them.
    private static bool IsPrintable(byte[] b, int i)
    {
        byte c = At(b, i);
        byte n1 = At(b, i + 1);
        byte n2 = At(b, i + 2);
        return c == 0x0A
            || (c >= 0x20 && c <= 0x7E)
            || (c == 0xC2 && n1 >= 0xA0)
            || (c > 0xC2 && c < 0xED)
            || (c == 0xED && n1 < 0xA0)
            || c == 0xEE
            || (c == 0xEF && !(n1 == 0xBB && n2 == 0xBF) && !(n1 == 0xBF && (n2 == 0xBE || n2 == 0xBF)));
    }
}

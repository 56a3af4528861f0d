using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Chartseal.Charts;

/// <summary>
/// A fast reader for <c>index.yaml</c> in the block layout that Helm (go-yaml) and Chartseal write: block mappings and
/// sequences (sequences under a key may start at the key's column), plain scalars (folded over several lines), single-line
/// single- and double-quoted scalars, literal block scalars (<c>|</c>), empty flow collections and comments. It builds the
/// same per-entry trees as <see cref="BoundedYamlReader"/> over YamlDotNet's parser, about four times faster (YamlDotNet's
/// scanner alone took longer than the 0.75 s budget for a 15,000-entry index, bench/README.md).
/// Anything else (anchors, tags, flow collections with items, folded or multi-line quoted scalars, tabs, CR line ends,
/// JSON, several documents, unusual characters, syntax errors) makes it stop and return false: the caller then reads the
/// document with YamlDotNet, which also gives the error messages. Tests compare both readers on real and generated indexes.
/// </summary>
internal sealed class IndexYamlReader
{
    /// <summary>Nesting deeper than this is left to YamlDotNet (and its bounded reader).</summary>
    private const int MaxDepth = 32;

    private int _maxDepth = MaxDepth;

    // YamlDotNet's representation model (YamlStream) keeps null-like scalars as scalars with their text.
    private bool _keepNullScalars;

    private YamlScalar? EmptyValue() => _keepNullScalars ? new YamlScalar("", true, null) : null;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Control characters other than LF, DEL, and the lead bytes of the few sequences YAML treats specially (NEL and C1
    // controls after C2; LS and PS after E2; BOM and non-characters after EF): their presence sends the document to YamlDotNet.
    private static readonly SearchValues<byte> Unusual = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0x7F, 0xC2, 0xE2, 0xEF]);

    private readonly byte[] _text;
    private readonly int _end;
    private int _next;      // start of the first line not yet read
    private bool _hasLine;  // whether a current line exists
    private int _lineStart;
    private int _lineEnd;   // exclusive, before the '\n'
    private int _indent;    // column of the current line's content (may be moved right for "- key: value")
    private int _content;   // offset of that content
    private int _depth;

    private IndexYamlReader(byte[] text, int start, int end)
    {
        _text = text;
        _next = start;
        _end = end;
    }

    /// <summary>The fast reader met something outside its subset.</summary>
    private sealed class UnsupportedException : Exception
    {
    }

    /// <summary>What the top level of an index holds, as <see cref="ChartIndex"/> reads it.</summary>
    internal interface ITarget
    {
        void ApiVersion(string value);

        void Generated(string value);

        /// <summary>One entry of <c>entries.NAME</c>, as soon as it is read.</summary>
        void Entry(YamlNode? node, string name);
    }

    /// <summary>
    /// Reads <paramref name="text"/> (UTF-8, without a limit of its own) into <paramref name="target"/>. Returns false,
    /// possibly after some entries were handed on, when the document is outside the subset (the caller reads it again with
    /// YamlDotNet, skipping those entries). Exceptions from <paramref name="target"/> pass through.
    /// </summary>
    public static bool TryRead(byte[] text, int length, ITarget target)
    {
        ReadOnlySpan<byte> span = text.AsSpan(0, length);
        int start = span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (!Utf8.IsValid(span) || HasUnusualCharacters(span[start..]))
        {
            return false;
        }
        var reader = new IndexYamlReader(text, start, length);
        try
        {
            reader.ReadTop(target);
            return true;
        }
        catch (UnsupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// A whole small document (Chart.yaml, Chart.lock) as <see cref="BoundedYamlReader.Read"/> builds it from YamlDotNet's
    /// events: a block mapping at the top, or nothing. False when it is outside the subset (YamlDotNet then reads it).
    /// </summary>
    public static bool TryReadDocument(byte[] text, int length, int maxDepth, out YamlNode? root) =>
        TryReadDocument(text, length, maxDepth, keepNullScalars: false, out root);

    /// <summary>
    /// <see cref="TryReadDocument(byte[], int, int, out YamlNode?)"/>; with <paramref name="keepNullScalars"/>, empty and
    /// null-like plain values stay scalars with their text, as in YamlDotNet's <c>YamlStream</c>.
    /// </summary>
    public static bool TryReadDocument(byte[] text, int length, int maxDepth, bool keepNullScalars, out YamlNode? root)
    {
        root = null;
        ReadOnlySpan<byte> span = text.AsSpan(0, length);
        int start = span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (!Utf8.IsValid(span) || HasUnusualCharacters(span[start..]))
        {
            return false;
        }
        var reader = new IndexYamlReader(text, start, length) { _maxDepth = Math.Min(maxDepth, MaxDepth), _keepNullScalars = keepNullScalars };
        try
        {
            if (!reader.Advance())
            {
                return true; // empty, or comments only: no document
            }
            if (reader._indent != 0 || reader.IsSequenceItem())
            {
                return false;
            }
            root = reader.ReadBlock(0);
            if (reader._hasLine)
            {
                root = null;
                return false;
            }
            return true;
        }
        catch (UnsupportedException)
        {
            root = null;
            return false;
        }
    }

    private static bool HasUnusualCharacters(ReadOnlySpan<byte> text)
    {
        int offset = 0;
        while (true)
        {
            int i = text[offset..].IndexOfAny(Unusual);
            if (i < 0)
            {
                return false;
            }
            i += offset;
            byte b = text[i];
            byte b1 = i + 1 < text.Length ? text[i + 1] : (byte)0;
            byte b2 = i + 2 < text.Length ? text[i + 2] : (byte)0;
            bool unusual = b switch
            {
                0xC2 => b1 is >= 0x80 and <= 0x9F,                               // NEL and the C1 controls
                0xE2 => b1 == 0x80 && b2 is 0xA8 or 0xA9,                         // LS, PS
                0xEF => (b1 == 0xBB && b2 == 0xBF) || (b1 == 0xBF && b2 >= 0xBE), // BOM, U+FFFE, U+FFFF
                _ => true,
            };
            if (unusual)
            {
                return true;
            }
            offset = i + 1;
        }
    }

    private static UnsupportedException Unsupported() => new();

    private void ReadTop(ITarget target)
    {
        if (!Advance() || _indent != 0 || _text[_content] is (byte)'{' or (byte)'[')
        {
            throw Unsupported(); // empty, indented or JSON: YamlDotNet decides
        }
        while (_hasLine)
        {
            if (_indent != 0)
            {
                throw Unsupported();
            }
            (string key, int after) = ReadKey();
            switch (key)
            {
                case "apiVersion":
                    target.ApiVersion(ReadTopScalar(after));
                    break;
                case "generated":
                    target.Generated(ReadTopScalar(after));
                    break;
                case "entries":
                    ReadEntries(after, target);
                    break;
                default:
                    _ = ReadValue(0, after, indentlessSequence: true);
                    break;
            }
        }
    }

    /// <summary>A top-level value that YamlDotNet's reader takes as a scalar's text (null and empty included).</summary>
    private string ReadTopScalar(int after)
    {
        int pos = SkipSpaces(after);
        if (pos == _lineEnd)
        {
            Advance();
            if (_hasLine && (_indent > 0 || IsSequenceItem()))
            {
                throw Unsupported(); // a collection where a scalar is expected: YamlDotNet's error
            }
            return "";
        }
        return ReadScalar(0, pos).Text;
    }

    private void ReadEntries(int after, ITarget target)
    {
        int pos = SkipSpaces(after);
        if (pos != _lineEnd)
        {
            if (_text[pos] is (byte)'[' or (byte)'{' or (byte)'|' or (byte)'>')
            {
                throw Unsupported();
            }
            _ = ReadScalar(0, pos); // entries: null (or any scalar): no entries, as the YamlDotNet reader does
            return;
        }
        if (!Advance() || _indent == 0)
        {
            if (_hasLine && IsSequenceItem())
            {
                throw Unsupported();
            }
            return; // entries: (empty)
        }
        int indent = _indent;
        if (IsSequenceItem())
        {
            throw Unsupported();
        }
        while (_hasLine && _indent == indent)
        {
            (string name, int afterName) = ReadKey();
            int valuePos = SkipSpaces(afterName);
            if (valuePos != _lineEnd)
            {
                if (_text[valuePos] is (byte)'[' or (byte)'{' or (byte)'|' or (byte)'>')
                {
                    throw Unsupported();
                }
                _ = ReadScalar(indent, valuePos); // NAME: null (or any scalar) is skipped, as the YamlDotNet reader does
                continue;
            }
            if (!Advance() || _indent < indent || (_indent == indent && !IsSequenceItem()))
            {
                continue; // NAME: (empty)
            }
            if (!IsSequenceItem())
            {
                throw Unsupported();
            }
            int sequenceIndent = _indent;
            while (_hasLine && _indent == sequenceIndent && IsSequenceItem())
            {
                _depth = 0;
                target.Entry(ReadSequenceItem(sequenceIndent), name);
            }
            if (_hasLine && _indent > indent)
            {
                throw Unsupported();
            }
        }
        if (_hasLine && _indent != 0)
        {
            throw Unsupported();
        }
    }

    /// <summary>Moves to the next line with content (blank and comment lines are skipped); false at the end.</summary>
    private bool Advance()
    {
        while (_next < _end)
        {
            int start = _next;
            int newline = _text.AsSpan(start, _end - start).IndexOf((byte)'\n');
            int end = newline < 0 ? _end : start + newline;
            _next = newline < 0 ? _end : end + 1;
            int content = start;
            while (content < end && _text[content] == (byte)' ')
            {
                content++;
            }
            if (content == end || _text[content] == (byte)'#')
            {
                continue;
            }
            if (content == start && end - start >= 3 && (_text.AsSpan(start, 3).SequenceEqual("---"u8) || _text.AsSpan(start, 3).SequenceEqual("..."u8)))
            {
                throw Unsupported(); // document markers
            }
            _lineStart = start;
            _lineEnd = end;
            _content = content;
            _indent = content - start;
            _hasLine = true;
            return true;
        }
        _hasLine = false;
        return false;
    }

    private bool IsSequenceItem() =>
        _text[_content] == (byte)'-' && (_content + 1 == _lineEnd || _text[_content + 1] == (byte)' ');

    private int SkipSpaces(int pos)
    {
        while (pos < _lineEnd && _text[pos] == (byte)' ')
        {
            pos++;
        }
        return pos;
    }

    /// <summary>A plain key at the current line's content, up to ": " or a final ':'; returns it and the offset after the colon.</summary>
    private (string Key, int After) ReadKey()
    {
        int start = _content;
        if (IsIndicator(_text[start]) || IsSequenceItem())
        {
            throw Unsupported(); // quoted, complex or special keys
        }
        int colon = FindMappingColon(start, _lineEnd);
        if (colon < 0)
        {
            throw Unsupported();
        }
        int keyEnd = colon;
        while (keyEnd > start && _text[keyEnd - 1] == (byte)' ')
        {
            keyEnd--;
        }
        ReadOnlySpan<byte> key = _text.AsSpan(start, keyEnd - start);
        if (key.IndexOf(" #"u8) >= 0 || IsNullText(key))
        {
            throw Unsupported();
        }
        return (KnownKey(key) ?? StrictUtf8.GetString(key), colon + 1);
    }

    private static readonly string[] CommonKeys =
    [
        "name", "version", "apiVersion", "appVersion", "created", "description", "digest", "home", "icon", "keywords", "maintainers",
        "email", "url", "sources", "urls", "type", "kubeVersion", "dependencies", "repository", "condition", "tags", "alias",
        "annotations", "deprecated", "import-values", "engine",
    ];

    private static readonly byte[][] CommonKeyBytes = CommonKeys.Select(Encoding.ASCII.GetBytes).ToArray();

    /// <summary>The shared string for a key every entry repeats (saves a string per key of a large index), or null.</summary>
    private static string? KnownKey(ReadOnlySpan<byte> key)
    {
        for (int i = 0; i < CommonKeyBytes.Length; i++)
        {
            if (key.SequenceEqual(CommonKeyBytes[i]))
            {
                return CommonKeys[i];
            }
        }
        return null;
    }

    /// <summary>The offset of the ':' that ends a plain key (followed by a space or the end of the line), or -1.</summary>
    private int FindMappingColon(int start, int end)
    {
        ReadOnlySpan<byte> line = _text.AsSpan(start, end - start);
        int offset = 0;
        while (true)
        {
            int i = line[offset..].IndexOf((byte)':');
            if (i < 0)
            {
                return -1;
            }
            i += offset;
            if (i + 1 == line.Length || line[i + 1] == (byte)' ')
            {
                return start + i;
            }
            offset = i + 1;
        }
    }

    /// <summary>
    /// The value after a key's colon or a sequence item's dash at <paramref name="pos"/>: inline, or on the following lines
    /// (more indented than <paramref name="parentIndent"/>, or a sequence at that column when <paramref name="indentlessSequence"/>).
    /// Leaves the reader on the first line after the value.
    /// </summary>
    private YamlNode? ReadValue(int parentIndent, int pos, bool indentlessSequence)
    {
        pos = SkipSpaces(pos);
        if (pos == _lineEnd)
        {
            if (!Advance())
            {
                return EmptyValue();
            }
            if (_indent > parentIndent)
            {
                return ReadBlock(_indent);
            }
            if (indentlessSequence && _indent == parentIndent && IsSequenceItem())
            {
                return ReadSequence(_indent);
            }
            return EmptyValue();
        }
        byte c = _text[pos];
        if (c is (byte)'[' or (byte)'{')
        {
            int close = SkipSpaces(pos + 1);
            if (close < _lineEnd && _text[close] == (c == (byte)'[' ? (byte)']' : (byte)'}') && SkipSpaces(close + 1) == _lineEnd)
            {
                Advance();
                return c == (byte)'[' ? new YamlSequence() : new YamlMapping();
            }
            throw Unsupported();
        }
        if (c == (byte)'|')
        {
            return ReadLiteral(parentIndent, pos);
        }
        var (text, plain) = ReadScalar(parentIndent, pos);
        return plain && !_keepNullScalars && text is "" or "~" or "null" or "Null" or "NULL" ? null : new YamlScalar(text, plain, null);
    }

    private YamlNode ReadBlock(int indent)
    {
        if (++_depth > _maxDepth)
        {
            throw Unsupported();
        }
        YamlNode node = IsSequenceItem() ? ReadSequence(indent) : ReadMapping(indent);
        _depth--;
        return node;
    }

    private YamlMapping ReadMapping(int indent)
    {
        var map = new YamlMapping();
        while (_hasLine && _indent == indent)
        {
            if (IsSequenceItem())
            {
                throw Unsupported();
            }
            (string key, int after) = ReadKey();
            map.Entries.Add(new(new YamlScalar(key, true, null), ReadValue(indent, after, indentlessSequence: true)));
        }
        if (_hasLine && _indent > indent)
        {
            throw Unsupported();
        }
        return map;
    }

    private YamlSequence ReadSequence(int indent)
    {
        var sequence = new YamlSequence();
        while (_hasLine && _indent == indent && IsSequenceItem())
        {
            sequence.Items.Add(ReadSequenceItem(indent));
        }
        if (_hasLine && _indent > indent)
        {
            throw Unsupported();
        }
        return sequence;
    }

    /// <summary>One "- ..." item at <paramref name="indent"/>: a scalar, a nested block, or a mapping starting on the dash's line.</summary>
    private YamlNode? ReadSequenceItem(int indent)
    {
        int pos = SkipSpaces(_content + 1);
        if (pos == _lineEnd)
        {
            return ReadValue(indent, pos, indentlessSequence: false);
        }
        byte c = _text[pos];
        if (c == (byte)'-' && (pos + 1 == _lineEnd || _text[pos + 1] == (byte)' '))
        {
            throw Unsupported(); // "- - x"
        }
        if (!IsIndicator(c) && FindMappingColon(pos, _lineEnd) >= 0)
        {
            // "- key: value": a mapping whose keys start at this column.
            _content = pos;
            _indent = pos - _lineStart;
            if (++_depth > _maxDepth)
            {
                throw Unsupported();
            }
            YamlMapping map = ReadMapping(_indent);
            _depth--;
            return map;
        }
        return ReadValue(indent, pos, indentlessSequence: false);
    }

    private static bool IsIndicator(byte c) => c is (byte)'"' or (byte)'\'' or (byte)'?' or (byte)'&' or (byte)'*' or (byte)'!' or (byte)'['
        or (byte)']' or (byte)'{' or (byte)'}' or (byte)'|' or (byte)'>' or (byte)'%' or (byte)'@' or (byte)'`' or (byte)',' or (byte)'#' or (byte)':';

    private static bool IsNullText(ReadOnlySpan<byte> text) =>
        text.IsEmpty || text.SequenceEqual("~"u8) || text.SequenceEqual("null"u8) || text.SequenceEqual("Null"u8) || text.SequenceEqual("NULL"u8);

    /// <summary>A flow scalar at <paramref name="pos"/> (plain, possibly over several lines, or quoted on one line); moves past it.</summary>
    private (string Text, bool Plain) ReadScalar(int parentIndent, int pos)
    {
        byte c = _text[pos];
        if (c == (byte)'"')
        {
            string value = ReadDoubleQuoted(pos);
            Advance();
            return (value, false);
        }
        if (c == (byte)'\'')
        {
            string value = ReadSingleQuoted(pos);
            Advance();
            return (value, false);
        }
        if (IsIndicator(c) || (c == (byte)'-' && (pos + 1 == _lineEnd || _text[pos + 1] == (byte)' ')))
        {
            throw Unsupported();
        }
        ReadOnlySpan<byte> first = PlainLine(pos, _lineEnd);
        // Continuation lines: more indented than the parent, folded with one space (blank lines become line breaks).
        StringBuilder? folded = null;
        int scan = _next;
        int blankLines = 0;
        while (scan < _end)
        {
            int newline = _text.AsSpan(scan, _end - scan).IndexOf((byte)'\n');
            int end = newline < 0 ? _end : scan + newline;
            int content = scan;
            while (content < end && _text[content] == (byte)' ')
            {
                content++;
            }
            if (content == end)
            {
                blankLines++;
                scan = newline < 0 ? _end : end + 1;
                continue;
            }
            if (content - scan <= parentIndent)
            {
                break;
            }
            byte lead = _text[content];
            if (lead == (byte)'#' || (lead == (byte)'-' && (content + 1 == end || _text[content + 1] == (byte)' ')))
            {
                throw Unsupported();
            }
            if (folded is null)
            {
                folded = new StringBuilder(StrictUtf8.GetString(first));
            }
            if (blankLines == 0)
            {
                folded.Append(' ');
            }
            else
            {
                folded.Append('\n', blankLines);
            }
            blankLines = 0;
            folded.Append(StrictUtf8.GetString(PlainLine(content, end)));
            scan = newline < 0 ? _end : end + 1;
            _next = scan;
        }
        Advance();
        return (folded is not null ? folded.ToString() : StrictUtf8.GetString(first), true);
    }

    /// <summary>One line of a plain scalar, trailing spaces removed; comments and mapping colons are left to YamlDotNet.</summary>
    private ReadOnlySpan<byte> PlainLine(int start, int end)
    {
        ReadOnlySpan<byte> line = _text.AsSpan(start, end - start).TrimEnd((byte)' ');
        if (line.IndexOf(" #"u8) >= 0 || line.IndexOf(": "u8) >= 0 || line[^1] == (byte)':')
        {
            throw Unsupported();
        }
        return line;
    }

    private string ReadSingleQuoted(int pos)
    {
        var value = new List<byte>();
        int i = pos + 1;
        while (true)
        {
            if (i >= _lineEnd)
            {
                throw Unsupported(); // continues on the next line
            }
            byte b = _text[i];
            if (b == (byte)'\'')
            {
                if (i + 1 < _lineEnd && _text[i + 1] == (byte)'\'')
                {
                    value.Add((byte)'\'');
                    i += 2;
                    continue;
                }
                break;
            }
            value.Add(b);
            i++;
        }
        if (SkipSpaces(i + 1) != _lineEnd)
        {
            throw Unsupported();
        }
        return StrictUtf8.GetString(value.ToArray());
    }

    private string ReadDoubleQuoted(int pos)
    {
        int i = pos + 1;
        int close = _text.AsSpan(i, _lineEnd - i).IndexOfAny((byte)'"', (byte)'\\');
        if (close >= 0 && _text[i + close] == (byte)'"')
        {
            // The common case: no escapes.
            if (SkipSpaces(i + close + 1) != _lineEnd)
            {
                throw Unsupported();
            }
            return StrictUtf8.GetString(_text, i, close);
        }
        var value = new StringBuilder();
        int run = i;
        while (true)
        {
            if (i >= _lineEnd)
            {
                throw Unsupported(); // continues on the next line
            }
            byte b = _text[i];
            if (b == (byte)'"')
            {
                value.Append(StrictUtf8.GetString(_text, run, i - run));
                break;
            }
            if (b != (byte)'\\')
            {
                i++;
                continue;
            }
            value.Append(StrictUtf8.GetString(_text, run, i - run));
            if (i + 1 >= _lineEnd)
            {
                throw Unsupported(); // an escaped line break
            }
            byte e = _text[i + 1];
            i += 2;
            switch (e)
            {
                case (byte)'0': value.Append('\0'); break;
                case (byte)'a': value.Append('\a'); break;
                case (byte)'b': value.Append('\b'); break;
                case (byte)'t': value.Append('\t'); break;
                case (byte)'n': value.Append('\n'); break;
                case (byte)'v': value.Append('\v'); break;
                case (byte)'f': value.Append('\f'); break;
                case (byte)'r': value.Append('\r'); break;
                case (byte)'e': value.Append('\x1b'); break;
                case (byte)' ': value.Append(' '); break;
                case (byte)'"': value.Append('"'); break;
                case (byte)'/': value.Append('/'); break;
                case (byte)'\\': value.Append('\\'); break;
                case (byte)'N': value.Append('\u0085'); break;
                case (byte)'_': value.Append('\u00a0'); break;
                case (byte)'L': value.Append('\u2028'); break;
                case (byte)'P': value.Append('\u2029'); break;
                case (byte)'x': i = AppendHex(value, i, 2); break;
                case (byte)'u': i = AppendHex(value, i, 4); break;
                case (byte)'U': i = AppendHex(value, i, 8); break;
                default: throw Unsupported();
            }
            run = i;
        }
        if (SkipSpaces(i + 1) != _lineEnd)
        {
            throw Unsupported();
        }
        return value.ToString();
    }

    private int AppendHex(StringBuilder value, int i, int digits)
    {
        if (i + digits > _lineEnd)
        {
            throw Unsupported();
        }
        int code = 0;
        for (int k = 0; k < digits; k++)
        {
            int d = HexDigit(_text[i + k]);
            if (d < 0)
            {
                throw Unsupported();
            }
            code = (code << 4) | d;
        }
        if (code is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF))
        {
            throw Unsupported();
        }
        value.Append(char.ConvertFromUtf32(code));
        return i + digits;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>A literal block scalar (<c>|</c>, <c>|-</c>, <c>|+</c>, with an optional indentation digit) whose header is at <paramref name="pos"/>.</summary>
    private YamlScalar ReadLiteral(int parentIndent, int pos)
    {
        char chomping = 'c';
        int explicitIndent = 0;
        int i = pos + 1;
        for (int k = 0; k < 2 && i < _lineEnd; k++)
        {
            byte b = _text[i];
            if (b is (byte)'-' or (byte)'+' && chomping == 'c')
            {
                chomping = (char)b;
                i++;
            }
            else if (b is >= (byte)'1' and <= (byte)'9' && explicitIndent == 0)
            {
                explicitIndent = b - '0';
                i++;
            }
        }
        if (SkipSpaces(i) != _lineEnd)
        {
            throw Unsupported(); // a comment or anything else after the header
        }
        if (_lineEnd == _end || explicitIndent > 0)
        {
            throw Unsupported(); // the header is the last line, or an indentation indicator (rare; its base differs by context)
        }
        int blockIndent = -1;
        var lines = new List<(int Start, int End)>(); // content lines, relative to blockIndent once known; (-1, n) = n spaces of a blank line
        int scan = _next;
        int maxLeadingBlank = 0;
        while (scan < _end)
        {
            int newline = _text.AsSpan(scan, _end - scan).IndexOf((byte)'\n');
            if (newline < 0)
            {
                throw Unsupported(); // the last line has no line break
            }
            int end = scan + newline;
            int content = scan;
            while (content < end && _text[content] == (byte)' ')
            {
                content++;
            }
            int spaces = content - scan;
            if (content == end)
            {
                if (blockIndent < 0)
                {
                    maxLeadingBlank = Math.Max(maxLeadingBlank, spaces);
                }
                lines.Add((-1, spaces));
                scan = end + 1;
                continue;
            }
            if (blockIndent < 0)
            {
                if (spaces <= parentIndent)
                {
                    break; // no content at all
                }
                blockIndent = spaces;
                if (maxLeadingBlank > blockIndent)
                {
                    throw Unsupported();
                }
            }
            if (spaces < blockIndent)
            {
                break;
            }
            lines.Add((scan + blockIndent, end));
            scan = end + 1;
        }
        // Lines after the last content line are trailing blank lines: consumed by the scalar, kept only by "+".
        int trailingBlank = 0;
        while (lines.Count > 0 && lines[^1].Start < 0)
        {
            lines.RemoveAt(lines.Count - 1);
            trailingBlank++;
        }
        var value = new StringBuilder();
        foreach (var (start, end) in lines)
        {
            if (start < 0)
            {
                int extra = blockIndent < 0 ? 0 : Math.Max(0, end - blockIndent);
                value.Append(' ', extra).Append('\n');
            }
            else
            {
                value.Append(StrictUtf8.GetString(_text, start, end - start)).Append('\n');
            }
        }
        if (chomping == '-')
        {
            value.Length = value.Length > 0 ? value.Length - 1 : 0;
        }
        else if (chomping == '+')
        {
            if (trailingBlank > 0)
            {
                throw Unsupported(); // kept trailing lines: rare, left to YamlDotNet
            }
        }
        _next = scan;
        if (lines.Count == 0)
        {
            throw Unsupported(); // an empty block
        }
        Advance();
        return new YamlScalar(value.ToString(), false, null);
    }
}

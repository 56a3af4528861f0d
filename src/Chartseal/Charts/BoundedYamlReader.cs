using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Chartseal.Charts;

/// <summary>A node of a parsed YAML document (scalars keep their text; typing happens in the caller).</summary>
internal abstract class YamlNode
{
}

/// <summary>A scalar; <see cref="IsPlain"/> when unquoted and untagged, i.e. subject to YAML 1.1 type resolution.</summary>
internal sealed class YamlScalar(string value, bool isPlain, string? tag) : YamlNode
{
    public string Value { get; } = value;
    public bool IsPlain { get; } = isPlain;

    /// <summary>An explicit tag (e.g. <c>tag:yaml.org,2002:str</c>), or null.</summary>
    public string? Tag { get; } = tag;
}

/// <summary>A mapping in document order (duplicates are checked by the consumer, which knows key typing).</summary>
internal sealed class YamlMapping : YamlNode
{
    public List<KeyValuePair<YamlScalar, YamlNode?>> Entries { get; } = [];
}

/// <summary>A sequence; null items are YAML nulls written as empty entries.</summary>
internal sealed class YamlSequence : YamlNode
{
    public List<YamlNode?> Items { get; } = [];
}

/// <summary>
/// Reads one YAML document from untrusted bytes with YamlDotNet's low-level parser (no reflection, AOT-safe)
/// and hard bounds: nesting depth, and the number of nodes that aliases may add. Aliases are resolved by
/// sharing the anchored node, never by copying, and every use is charged at the node's full size, so a
/// "billion laughs" document is refused after a few hundred nodes with bounded memory.
/// </summary>
internal static class BoundedYamlReader
{
    /// <summary>Nesting deeper than this is refused (Chart.yaml needs about 6).</summary>
    public const int DefaultMaxDepth = 32;

    /// <summary>Aliases may add at most this many nodes in total.</summary>
    public const int DefaultMaxAliasNodes = 1000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes UTF-8 (a leading BOM is dropped) and parses one document; null for an empty document.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="sourceName">Names the input in error messages.</param>
    /// <param name="maxDepth">Deepest nesting accepted.</param>
    /// <param name="maxAliasNodes">Most nodes aliases may add.</param>
    /// <param name="allowEmptyLaterDocuments">
    /// Accept documents after the first that hold nothing (a trailing <c>---</c>, or one followed by comments
    /// only): go-yaml, and so Helm, reads the first document of Chart.yaml and ignores the rest. A later
    /// document with content is still refused, since Helm would silently ignore what it says.
    /// </param>
    /// <exception cref="ChartsealException">Invalid UTF-8 or YAML, several documents, or a bound exceeded.</exception>
    public static YamlNode? Read(ReadOnlySpan<byte> utf8, string sourceName, int maxDepth = DefaultMaxDepth, int maxAliasNodes = DefaultMaxAliasNodes,
        bool allowEmptyLaterDocuments = false)
    {
        // The block layout Helm and most authors write, read without YamlDotNet (about a third of verifying a chart was
        // YamlDotNet's start on two small documents); anything else, and every error, is YamlDotNet's below.
        byte[] bytes = utf8.ToArray();
        if (BlockYamlReader.TryReadDocument(bytes, bytes.Length, maxDepth, out YamlNode? fast))
        {
            return fast;
        }
        string text = Decode(utf8, sourceName);
        var builder = new Builder(sourceName, maxDepth, maxAliasNodes);
        int documents = 0;
        try
        {
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
            {
                if (parser.Current is DocumentStart && ++documents > 1)
                {
                    if (!allowEmptyLaterDocuments || !SkipEmptyDocument(parser))
                    {
                        throw new ChartsealException(sourceName, "invalid YAML: more than one document");
                    }
                    continue;
                }
                builder.On(parser.Current!);
            }
        }
        catch (Exception ex) when (IsParserFailure(ex))
        {
            throw new ChartsealException(sourceName, $"invalid YAML: {OneLine(ex.Message)}", ex);
        }
        return builder.Root;
    }

    /// <summary>
    /// With the parser on a <see cref="DocumentStart"/>: whether the document holds nothing (one untagged,
    /// unanchored null scalar), leaving the parser on its <see cref="DocumentEnd"/>.
    /// </summary>
    private static bool SkipEmptyDocument(IParser parser) =>
        parser.MoveNext() && parser.Current is Scalar s && s.Anchor.IsEmpty && IsNullScalar(s)
        && parser.MoveNext() && parser.Current is DocumentEnd;

    /// <summary>
    /// Whether <paramref name="ex"/> is YamlDotNet rejecting its input: a <see cref="YamlException"/>, the
    /// <see cref="InvalidOperationException"/> its scanner throws on some malformed flow collections (<c>[[a]</c>
    /// followed by a block key), or the <see cref="ArgumentException"/> its tag parsing throws
    /// (<c>name: !!a]</c>: "Global tags must be valid URIs"). Both were found by the fuzz tests.
    /// </summary>
    internal static bool IsParserFailure(Exception ex) => ex is YamlException or InvalidOperationException or ArgumentException;

    /// <summary>
    /// Skips the node that starts at the parser's current event (and everything nested in it), leaving the parser on
    /// the event after it, and refuses nesting deeper than <paramref name="maxDepth"/> as soon as it is seen.
    /// </summary>
    /// <remarks>
    /// YamlDotNet's scanner checks every open flow level on each token, so a document of nested <c>[</c> costs time
    /// quadratic in its depth (400 KB took minutes with <c>SkipThisAndNestedEvents</c>). Events arrive as the scanner
    /// goes, so stopping at the first event past the bound stops the scanner after a few hundred tokens.
    /// </remarks>
    /// <exception cref="ChartsealException">Nesting deeper than <paramref name="maxDepth"/>, or the stream ends inside the node.</exception>
    internal static void SkipNode(IParser parser, string sourceName, int maxDepth = DefaultMaxDepth)
    {
        int depth = 0;
        do
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > maxDepth)
                    {
                        throw new ChartsealException(sourceName, $"YAML nesting is deeper than {maxDepth} levels; refusing");
                    }
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
                case null or StreamEnd or DocumentEnd:
                    throw new ChartsealException(sourceName, "invalid YAML: the document ends inside a node");
            }
            parser.MoveNext();
        }
        while (depth > 0);
    }

    /// <summary>
    /// Reads the one node that starts at the parser's current event, leaving the parser on the event after it.
    /// Lets a caller stream a large document (index.yaml) and build small trees only for its entries.
    /// </summary>
    internal static YamlNode? ReadNode(IParser parser, string sourceName, int maxDepth = DefaultMaxDepth, int maxAliasNodes = DefaultMaxAliasNodes)
    {
        var builder = new Builder(sourceName, maxDepth, maxAliasNodes);
        int depth = 0;
        try
        {
            do
            {
                depth += parser.Current switch
                {
                    AnchorAlias => throw new ChartsealException(sourceName, "invalid YAML: aliases are not allowed here"),
                    Scalar or MappingStart or SequenceStart or MappingEnd or SequenceEnd => builder.On(parser.Current),
                    _ => throw new ChartsealException(sourceName, $"invalid YAML: unexpected {parser.Current?.GetType().Name}"),
                };
                parser.MoveNext();
            }
            while (depth > 0);
        }
        catch (Exception ex) when (IsParserFailure(ex))
        {
            throw new ChartsealException(sourceName, $"invalid YAML: {OneLine(ex.Message)}", ex);
        }
        return builder.Root;
    }

    /// <summary>Builds the tree from parser events, enforcing the depth and alias bounds.</summary>
    private sealed class Builder(string sourceName, int maxDepth, int maxAliasNodes)
    {
        private readonly Stack<Frame> _frames = new();
        private readonly Dictionary<string, (YamlNode? Node, long Size)> _anchors = new(StringComparer.Ordinal);
        private long _nodeCount;
        private long _aliasNodes;

        public YamlNode? Root { get; private set; }

        /// <summary>Feeds one parser event; returns the change in nesting depth (+1 start, -1 end, else 0).</summary>
        public int On(ParsingEvent e)
        {
            switch (e)
            {
                case Scalar scalar:
                    OnScalar(scalar);
                    return 0;
                case MappingStart mapping:
                    OnStart(new YamlMapping(), mapping.Anchor, mapping.Tag, "tag:yaml.org,2002:map");
                    return 1;
                case SequenceStart sequence:
                    OnStart(new YamlSequence(), sequence.Anchor, sequence.Tag, "tag:yaml.org,2002:seq");
                    return 1;
                case MappingEnd or SequenceEnd:
                    OnEnd();
                    return -1;
                case AnchorAlias alias:
                    OnAlias(alias.Value.Value);
                    return 0;
                default:
                    return 0;
            }
        }

        public void OnScalar(Scalar s)
        {
            _nodeCount++;
            bool isPlain = s.Style == ScalarStyle.Plain && s.Tag.IsEmpty;
            var node = IsNullScalar(s) ? null : new YamlScalar(s.Value, isPlain, s.Tag.IsEmpty ? null : s.Tag.Value);
            if (!s.Anchor.IsEmpty)
            {
                _anchors[s.Anchor.Value] = (node, 1);
            }
            Add(node);
        }

        public void OnStart(YamlNode node, AnchorName anchor, TagName tag, string allowedTag)
        {
            if (!tag.IsEmpty && tag.Value != allowedTag)
            {
                throw new ChartsealException(sourceName, $"invalid YAML: unsupported tag \"{tag.Value}\"");
            }
            if (_frames.Count >= maxDepth)
            {
                throw new ChartsealException(sourceName, $"YAML nesting is deeper than {maxDepth} levels; refusing");
            }
            _frames.Push(new Frame(node, anchor.IsEmpty ? null : anchor.Value, _nodeCount++));
        }

        public void OnEnd()
        {
            var frame = _frames.Pop();
            if (frame.Anchor is not null)
            {
                _anchors[frame.Anchor] = (frame.Node, _nodeCount - frame.StartCount);
            }
            Add(frame.Node);
        }

        // The alias shares the anchored node but is charged its full size, so nesting aliases cannot hide growth.
        public void OnAlias(string name)
        {
            // An alias to an anchor still open (a cycle) is unknown here, hence refused.
            if (!_anchors.TryGetValue(name, out var target))
            {
                throw new ChartsealException(sourceName, $"invalid YAML: unknown or recursive alias \"*{name}\"");
            }
            _aliasNodes += target.Size;
            _nodeCount += target.Size;
            if (_aliasNodes > maxAliasNodes)
            {
                throw new ChartsealException(sourceName, $"YAML aliases expand to more than {maxAliasNodes} nodes; refusing (possible YAML bomb)");
            }
            Add(target.Node);
        }

        private void Add(YamlNode? node)
        {
            if (_frames.Count == 0)
            {
                Root = node;
                return;
            }
            var top = _frames.Peek();
            if (top.Node is YamlSequence sequence)
            {
                sequence.Items.Add(node);
            }
            else if (!top.HasPendingKey)
            {
                top.PendingKey = node switch
                {
                    YamlScalar key => key,
                    null => throw new ChartsealException(sourceName, "invalid YAML: a mapping key is null"),
                    _ => throw new ChartsealException(sourceName, "invalid YAML: only scalar mapping keys are supported"),
                };
                top.HasPendingKey = true;
            }
            else
            {
                ((YamlMapping)top.Node).Entries.Add(new(top.PendingKey!, node));
                top.PendingKey = null;
                top.HasPendingKey = false;
            }
        }

        private sealed class Frame(YamlNode node, string? anchor, long startCount)
        {
            public YamlNode Node { get; } = node;
            public string? Anchor { get; } = anchor;
            public long StartCount { get; } = startCount;
            public YamlScalar? PendingKey { get; set; }
            public bool HasPendingKey { get; set; }
        }
    }

    /// <summary>
    /// Checks that <paramref name="utf8"/> is well-formed YAML whose every document's top level is a mapping (or
    /// empty), without building it: used for values.yaml, where anchors are common and never expanded here.
    /// Several documents are accepted as Helm 4 accepts them (it merges them; Helm 3 reads the first).
    /// </summary>
    public static void CheckSyntax(ReadOnlySpan<byte> utf8, string sourceName, int maxDepth = 256)
    {
        string text = Decode(utf8, sourceName);
        int depth = 0;
        int documents = 0;
        string TopLevelNotAMapping() =>
            "invalid YAML: the top level must be a mapping" + (documents > 1 ? $" (document {documents})" : "");
        try
        {
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart:
                        documents++;
                        break;
                    case MappingStart or SequenceStart:
                        if (depth == 0 && parser.Current is SequenceStart)
                        {
                            throw new ChartsealException(sourceName, TopLevelNotAMapping());
                        }
                        if (++depth > maxDepth)
                        {
                            throw new ChartsealException(sourceName, $"YAML nesting is deeper than {maxDepth} levels; refusing");
                        }
                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                    case Scalar s when depth == 0 && !IsNullScalar(s):
                        throw new ChartsealException(sourceName, TopLevelNotAMapping());
                }
            }
        }
        catch (Exception ex) when (IsParserFailure(ex))
        {
            throw new ChartsealException(sourceName, $"invalid YAML: {OneLine(ex.Message)}", ex);
        }
    }

    private static string Decode(ReadOnlySpan<byte> utf8, string sourceName)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException ex)
        {
            throw new ChartsealException(sourceName, "invalid YAML: the file is not valid UTF-8", ex);
        }
    }

    // An untagged plain "null", "~", or empty scalar is a YAML null (an empty value like "key:").
    private static bool IsNullScalar(Scalar s) =>
        s.Style == ScalarStyle.Plain && s.Tag.IsEmpty && s.Value is "" or "~" or "null" or "Null" or "NULL";

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}

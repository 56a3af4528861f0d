using Chartseal.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Chartseal.Server;

/// <summary>
/// The file of <c>chartseal serve --config FILE</c>: one YAML mapping whose keys are the long options' names without
/// the dashes (<c>listen: http://0.0.0.0:8080</c>, <c>disable-delete: true</c>) and whose values are single scalars.
/// Read with YamlDotNet's parser events (no reflection). An unknown key, a nested value, a key given twice, an anchor or
/// alias, or a second document is refused with one line naming the file, the line and the key.
/// </summary>
internal sealed class ServeConfigFile
{
    /// <summary>The largest file read.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly Dictionary<string, (string Value, int Line)> _values;

    private ServeConfigFile(string path, Dictionary<string, (string Value, int Line)> values)
    {
        Path = path;
        _values = values;
    }

    /// <summary>The file as named.</summary>
    public string Path { get; }

    /// <summary>The value of <paramref name="key"/> and its line, or null when the file does not set it (or sets it to null).</summary>
    public (string Value, int Line)? Get(string key) => _values.TryGetValue(key, out var value) ? value : null;

    /// <summary>Reads the file; <paramref name="known"/> are the keys it may set.</summary>
    /// <exception cref="ChartsealException">Unreadable, not YAML, or not the shape above (one line: file, line, key, why).</exception>
    public static async Task<ServeConfigFile> ReadAsync(string path, IEnumerable<string> known, CancellationToken cancellationToken = default)
    {
        string text = await InputFile.ReadTextAsync(path, MaxBytes, cancellationToken).ConfigureAwait(false);
        return Parse(text, path, known);
    }

    /// <summary>Parses the file's text (see <see cref="ReadAsync"/>).</summary>
    public static ServeConfigFile Parse(string text, string path, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new HashSet<string>(known, StringComparer.Ordinal);
        var values = new Dictionary<string, (string Value, int Line)>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return new ServeConfigFile(path, values); // empty, or only comments
            }
            parser.Consume<DocumentStart>();
            if (parser.TryConsume<Scalar>(out var only))
            {
                if (!IsNull(only))
                {
                    throw Error(path, only.Start, "must be a mapping of settings (key: value), e.g. listen: http://0.0.0.0:8080");
                }
            }
            else
            {
                _ = Next<MappingStart>(parser, path, "must be a mapping of settings (key: value), e.g. listen: http://0.0.0.0:8080");
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = Next<Scalar>(parser, path, "a key must be a plain name such as listen");
                    if (!keys.Contains(key.Value))
                    {
                        throw Error(path, key.Start, $"unknown setting \"{key.Value}\" (settings: {string.Join(", ", keys.Order(StringComparer.Ordinal))})");
                    }
                    if (!seen.Add(key.Value))
                    {
                        throw Error(path, key.Start, $"{key.Value} is set twice");
                    }
                    var value = Next<Scalar>(parser, path, $"{key.Value}: must be a single value, not a list or mapping");
                    if (!IsNull(value))
                    {
                        values[key.Value] = (value.Value, (int)key.Start.Line);
                    }
                }
            }
            parser.Consume<DocumentEnd>();
            if (!parser.TryConsume<StreamEnd>(out _))
            {
                throw Error(path, parser.Current!.Start, "holds more than one YAML document");
            }
        }
        catch (YamlException e)
        {
            throw new ChartsealException(path, $"line {e.Start.Line}: not valid YAML: {e.Message}", e);
        }
        return new ServeConfigFile(path, values);
    }

    // The next event, which must be a T without an anchor (anchors and aliases have no use in a flat file of settings).
    private static T Next<T>(IParser parser, string path, string otherwise)
        where T : ParsingEvent
    {
        var current = parser.Current!;
        if (current is AnchorAlias)
        {
            throw Error(path, current.Start, "aliases (*name) are not allowed");
        }
        if (!parser.TryConsume<T>(out var next))
        {
            throw Error(path, current.Start, otherwise);
        }
        if (next is NodeEvent { Anchor.IsEmpty: false })
        {
            throw Error(path, next.Start, "anchors (&name) are not allowed");
        }
        return next;
    }

    // A plain empty, ~ or null scalar: the setting keeps its default.
    private static bool IsNull(Scalar scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    private static ChartsealException Error(string path, Mark at, string message) =>
        new(path, $"line {at.Line}: {message}");
}

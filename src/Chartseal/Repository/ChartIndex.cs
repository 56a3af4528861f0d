
using System.Text;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Chartseal.Repository;

/// <summary>One chart version in <c>index.yaml</c>: the chart's metadata plus where and what the archive is.</summary>
public sealed class IndexEntry
{
    /// <summary>The chart's metadata (every Chart.yaml field Helm keeps).</summary>
    public required ChartMetadata Metadata { get; init; }

    /// <summary>Download URLs, absolute or relative to the repository URL; the first one is used.</summary>
    public required IReadOnlyList<string> Urls { get; init; }

    /// <summary>When the entry was created, RFC 3339 text as written (Go's nanosecond form).</summary>
    public string? Created { get; init; }

    /// <summary>Lower-case hex SHA-256 of the archive (a <c>sha256:</c> prefix is stripped on read).</summary>
    public required string Digest { get; init; }
}

/// <summary>
/// A Helm repository index (<c>index.yaml</c>): <c>apiVersion: v1</c>, <c>entries</c> by chart name with
/// versions newest first, and <c>generated</c>. Reading streams the file and builds a small tree per entry
/// only, so a 15 MB index never becomes a full YAML document in memory; Helm's JSON form is accepted too
/// (JSON is YAML).
/// </summary>
public sealed class ChartIndex
{
    /// <summary>The largest index we read.</summary>
    public const long MaxIndexSize = 256L * 1024 * 1024;

    private readonly SortedDictionary<string, List<IndexEntry>> _entries = new(StringComparer.Ordinal);

    /// <summary>Always <c>v1</c>.</summary>
    public string ApiVersion { get; private set; } = "v1";

    /// <summary>When the index was generated (RFC 3339), if known.</summary>
    public string? Generated { get; set; }

    /// <summary>Chart name to its versions, newest first once <see cref="SortVersions"/> ran.</summary>
    public IReadOnlyDictionary<string, List<IndexEntry>> Entries => _entries;

    /// <summary>The number of chart versions.</summary>
    public int Count => _entries.Values.Sum(v => v.Count);

    /// <summary>Finds a chart version, or null.</summary>
    public IndexEntry? Find(string name, string version) =>
        _entries.TryGetValue(name, out var versions) ? versions.Find(e => e.Metadata.Version == version) : null;

    /// <summary>Adds (or replaces) the entry for the chart's name and version.</summary>
    public void Add(IndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_entries.TryGetValue(entry.Metadata.Name, out var versions))
        {
            _entries[entry.Metadata.Name] = versions = [];
        }
        versions.RemoveAll(e => e.Metadata.Version == entry.Metadata.Version);
        versions.Add(entry);
    }

    /// <summary>Removes a chart version; true when it was present.</summary>
    public bool Remove(string name, string version)
    {
        if (!_entries.TryGetValue(name, out var versions) || versions.RemoveAll(e => e.Metadata.Version == version) == 0)
        {
            return false;
        }
        if (versions.Count == 0)
        {
            _entries.Remove(name);
        }
        return true;
    }

    /// <summary>Sorts each chart's versions by SemVer precedence, newest first; unparsable versions last.</summary>
    public void SortVersions()
    {
        foreach (var versions in _entries.Values)
        {
            versions.Sort(static (a, b) =>
            {
                bool okA = SemanticVersion.TryParse(a.Metadata.Version, out var va);
                bool okB = SemanticVersion.TryParse(b.Metadata.Version, out var vb);
                return (okA, okB) switch
                {
                    (true, true) => vb!.CompareTo(va),
                    (true, false) => -1,
                    (false, true) => 1,
                    _ => string.CompareOrdinal(a.Metadata.Version, b.Metadata.Version),
                };
            });
        }
    }

    /// <summary>Serialises the index in Helm's layout (sorted keys, Go-style times, double-quoted).</summary>
    public string Serialize()
    {
        var entries = new GoMapping();
        foreach (var (name, versions) in _entries.OrderBy(e => e.Key, Comparer<string>.Create(GoYamlResolver.CompareKeys)))
        {
            entries.Add(name, new GoSequence(versions.Select(EntryNode)));
        }
        var root = new GoMapping()
            .Add("apiVersion", GoNode.Str(ApiVersion))
            .Add("entries", entries)
            .Add("generated", GoNode.Str(Generated ?? GoTime.FormatUtc(DateTimeOffset.UtcNow)));
        return GoYamlEmitter.Emit(root);
    }

    /// <summary>
    /// The bytes of an <c>index.yaml</c> with <c>serverInfo.contextPath</c> added, as ChartMuseum serves its index
    /// under a path prefix (<c>helm cm-push</c> reads it to find the upload route). The key goes last, where Helm's
    /// sorted layout puts it; an index that already has a top-level <c>serverInfo</c> is returned unchanged.
    /// </summary>
    public static byte[] WithServerInfo(byte[] indexYaml, string contextPath)
    {
        ArgumentNullException.ThrowIfNull(indexYaml);
        ArgumentException.ThrowIfNullOrEmpty(contextPath);
        ReadOnlySpan<byte> key = "serverInfo:"u8;
        if (indexYaml.AsSpan().StartsWith(key) || indexYaml.AsSpan().IndexOf([(byte)'\n', .. key]) >= 0)
        {
            return indexYaml;
        }
        string tail = GoYamlEmitter.Emit(new GoMapping().Add("serverInfo", new GoMapping().Add("contextPath", GoNode.Str(contextPath))));
        bool endsWithNewline = indexYaml.Length == 0 || indexYaml[^1] == (byte)'\n';
        return [.. indexYaml, .. endsWithNewline ? [] : "\n"u8.ToArray(), .. Encoding.UTF8.GetBytes(tail)];
    }

    /// <summary>Writes the index atomically.</summary>
    public Task WriteAsync(string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAllBytesAsync(path, new UTF8Encoding(false).GetBytes(Serialize()), cancellationToken);

    /// <summary>Loads an index file.</summary>
    /// <exception cref="ChartsealException">Missing, too large, not an index, or an invalid entry.</exception>
    public static async Task<ChartIndex> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        byte[] bytes = await InputFile.ReadAsync(path, MaxIndexSize, cancellationToken).ConfigureAwait(false);
        using var stream = new MemoryStream(bytes, writable: false);
        return Load(stream, path);
    }

    /// <summary>Reads an index (YAML or JSON) from a stream, streaming over its entries.</summary>
    /// <exception cref="ChartsealException">Not an index, no apiVersion, or an invalid entry (named).</exception>
    public static ChartIndex Load(Stream stream, string sourceName)
    {
        var index = new ChartIndex();
        Read(stream, sourceName, index, index.Add);
        return index;
    }

    /// <summary>
    /// Streams an index's entries in file order: <paramref name="onEntry"/> gets each one as soon as it is read, and
    /// no index is built, so a consumer can start work on the first entries while the rest is still being parsed.
    /// </summary>
    /// <exception cref="ChartsealException">As for <see cref="Load(Stream, string)"/> (possibly after some entries were passed on).</exception>
    public static void ReadEntries(Stream stream, string sourceName, Action<IndexEntry> onEntry)
    {
        ArgumentNullException.ThrowIfNull(onEntry);
        Read(stream, sourceName, new ChartIndex(), onEntry);
    }

    private static void Read(Stream stream, string sourceName, ChartIndex index, Action<IndexEntry> onEntry)
    {
        ArgumentNullException.ThrowIfNull(stream);
        bool sawApiVersion = false;
        try
        {
            var parser = new Parser(new StreamReader(stream, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                throw new ChartsealException(sourceName, "empty index.yaml file");
            }
            parser.Consume<DocumentStart>();
            if (!parser.TryConsume<MappingStart>(out _))
            {
                throw new ChartsealException(sourceName, "not a repository index: the top level is not a mapping");
            }
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                string key = parser.Consume<Scalar>().Value;
                switch (key)
                {
                    case "apiVersion":
                        index.ApiVersion = parser.Consume<Scalar>().Value;
                        sawApiVersion = index.ApiVersion.Length > 0;
                        break;
                    case "generated":
                        index.Generated = parser.Consume<Scalar>().Value;
                        break;
                    case "entries":
                        ReadEntries(parser, onEntry, sourceName);
                        break;
                    default:
                        parser.SkipThisAndNestedEvents();
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw new ChartsealException(sourceName, "invalid index: " + e.Message.ReplaceLineEndings(" "), e);
        }
        catch (DecoderFallbackException)
        {
            throw new ChartsealException(sourceName, "invalid index: not UTF-8 text");
        }
        if (!sawApiVersion)
        {
            throw new ChartsealException(sourceName, "no API version specified");
        }
    }

    private static void ReadEntries(IParser parser, Action<IndexEntry> onEntry, string sourceName)
    {
        if (parser.TryConsume<Scalar>(out _))
        {
            return; // entries: null
        }
        parser.Consume<MappingStart>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            string name = parser.Consume<Scalar>().Value;
            if (parser.TryConsume<Scalar>(out _))
            {
                continue;
            }
            parser.Consume<SequenceStart>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                string where = $"{sourceName}: entries.{name}";
                var node = BoundedYamlReader.ReadNode(parser, where);
                onEntry(ReadEntry(node, where));
            }
        }
    }

    private static IndexEntry ReadEntry(YamlNode? node, string where)
    {
        if (node is not YamlMapping map)
        {
            throw new ChartsealException(where, "an entry is not a mapping");
        }
        var metadata = ChartYaml.MetadataFromNode(node, where);
        string? Text(string key) => map.Entries.FirstOrDefault(e => e.Key.Value == key).Value is YamlScalar s ? s.Value : null;
        var urls = map.Entries.FirstOrDefault(e => e.Key.Value == "urls").Value is YamlSequence seq
            ? seq.Items.OfType<YamlScalar>().Select(s => s.Value).ToList()
            : [];
        string digest = Text("digest") ?? "";
        int colon = digest.IndexOf(':', StringComparison.Ordinal);
        return new IndexEntry
        {
            Metadata = metadata,
            Urls = urls,
            Created = Text("created"),
            Digest = colon >= 0 ? digest[(colon + 1)..] : digest,
        };
    }

    private static GoNode EntryNode(IndexEntry entry)
    {
        var map = ChartYaml.MetadataNode(entry.Metadata, includeDependencies: true);
        if (entry.Created is { } created)
        {
            map.Add("created", GoNode.Str(created));
        }
        map.Add("digest", GoNode.Str(entry.Digest));
        map.Add("urls", new GoSequence(entry.Urls.Select(GoNode.Str)));
        return map;
    }

    /// <summary>Writes one entry as JSON, with exactly the fields and order of its index.yaml form (ChartMuseum's API shape).</summary>
    public static void WriteEntryJson(Utf8JsonWriter json, IndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(entry);
        GoJsonWriter.Write(json, EntryNode(entry));
    }

    /// <summary>Now, as Helm writes <c>created</c> and <c>generated</c>.</summary>
    public static string Timestamp(DateTimeOffset time) => GoTime.FormatUtc(time);

}

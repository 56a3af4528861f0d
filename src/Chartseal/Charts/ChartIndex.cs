
using System.Text;
using System.Text.Json;
using Chartseal.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using Chartseal.Compat;

namespace Chartseal.Charts;

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

    /// <summary>The file name of a repository's index.</summary>
    public const string FileName = "index.yaml";

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

    /// <summary>
    /// Helm's <c>IndexFile.Get</c>, which ChartMuseum answers <c>GET /api/charts/NAME/VERSION</c> with: the version
    /// listed exactly as <paramref name="version"/>, else the newest one it contains read as a SemVer range
    /// (<c>v1.2.3</c>, <c>~1.2</c>); with no version, the newest one without a pre-release part. Relies on the versions
    /// being newest first (<see cref="SortVersions"/>, as Helm sorts an index it loads).
    /// </summary>
    /// <returns>The entry, or null when none matches.</returns>
    public IndexEntry? Get(string name, string? version)
    {
        if (!_entries.TryGetValue(name, out var versions))
        {
            return null;
        }
        if (string.IsNullOrEmpty(version))
        {
            return versions.Find(e => SemanticVersion.TryParse(e.Metadata.Version, out var v) && v.Prerelease.Length == 0);
        }
        if (versions.Find(e => e.Metadata.Version == version) is { } exact)
        {
            return exact;
        }
        return VersionRange.TryParse(version, out var range)
            ? versions.Find(e => SemanticVersion.TryParse(e.Metadata.Version, out var v) && range.Contains(v))
            : null;
    }

    /// <summary>Adds (or replaces) the entry for the chart's name and version.</summary>
    public void Add(IndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        VersionsOf(entry.Metadata.Name).RemoveAll(e => e.Metadata.Version == entry.Metadata.Version);
        VersionsOf(entry.Metadata.Name).Add(entry);
    }

    /// <summary>
    /// Adds the entry after the chart's others, even when one has the same version, as Helm's
    /// <c>IndexFile.MustAdd</c> does: two archives of one chart version are both listed.
    /// </summary>
    public void Append(IndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        VersionsOf(entry.Metadata.Name).Add(entry);
    }

    /// <summary>
    /// Helm's <c>IndexFile.Has</c>: whether a version of the chart is listed as exactly <paramref name="version"/>,
    /// or, read as a constraint, matches a listed version (so <c>1.0.0+b</c> is found as <c>1.0.0+a</c>).
    /// </summary>
    public bool Has(string name, string version)
    {
        if (!_entries.TryGetValue(name, out var versions) || versions.Count == 0)
        {
            return false;
        }
        if (versions.Exists(e => e.Metadata.Version == version))
        {
            return true;
        }
        return VersionRange.TryParse(version.Length == 0 ? "*" : version, out var range)
            && versions.Exists(e => SemanticVersion.TryParse(e.Metadata.Version, out var v) && range.Contains(v));
    }

    private List<IndexEntry> VersionsOf(string name)
    {
        if (!_entries.TryGetValue(name, out var versions))
        {
            _entries[name] = versions = [];
        }
        return versions;
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

    /// <summary>
    /// Sorts each chart's versions as Helm's <c>SortEntries</c> does: by SemVer precedence, newest first,
    /// unparsable versions last, with Go's <c>sort.Sort</c>, so that entries of equal precedence (two archives
    /// of one version, or versions differing only in build metadata) end in Helm's order.
    /// </summary>
    public void SortVersions()
    {
        foreach (var versions in _entries.Values)
        {
            var parsed = versions.Select(e => (Entry: e, Version: SemanticVersion.TryParse(e.Metadata.Version, out var v) ? v : null)).ToList();
            // sort.Reverse(ChartVersions): Less(i, j) is ChartVersions.Less(j, i), where an unparsable left side is less.
            GoSort.Sort(parsed, static (x, y) => y.Version is null || (x.Version is not null && y.Version.CompareTo(x.Version) < 0));
            versions.Clear();
            versions.AddRange(parsed.Select(p => p.Entry));
        }
    }

    /// <summary>Serialises the index in Helm's layout (sorted keys, Go-style times, double-quoted).</summary>
    public string Serialize() => GoYamlEmitter.Emit(Document());

    /// <summary><see cref="Serialize"/> as the UTF-8 bytes of the file.</summary>
    internal byte[] SerializeUtf8() => GoYamlEmitter.EmitUtf8(Document());

    private GoMapping Document()
    {
        var entries = new GoMapping();
        foreach (var (name, versions) in _entries.OrderBy(e => e.Key, Comparer<string>.Create(GoYamlResolver.CompareKeys)))
        {
            // Each entry's tree is made as it is written, and dropped after.
            entries.Add(name, new GoSequence(versions.Count, versions.Select(EntryNode)));
        }
        return new GoMapping()
            .Add("apiVersion", GoNode.Str(ApiVersion))
            .Add("entries", entries)
            .Add("generated", GoNode.Str(Generated ?? GoTime.FormatUtc(DateTimeOffset.UtcNow)));
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
        AtomicFile.WriteAllBytesAsync(path, SerializeUtf8(), cancellationToken);

    /// <summary>
    /// Serialises the index as Helm's <c>repo index --json</c> writes it (Go's <c>json.MarshalIndent</c> with two
    /// spaces): <c>apiVersion</c>, <c>generated</c>, <c>entries</c> by name; each entry's Chart.yaml fields in Helm's
    /// struct order, then <c>urls</c>, <c>created</c>, <c>digest</c>. No trailing newline.
    /// </summary>
    public string SerializeJson()
    {
        var json = new GoJsonText().StartObject()
            .Member("apiVersion", ApiVersion)
            .Member("generated", Generated ?? GoTime.FormatUtc(DateTimeOffset.UtcNow))
            .Name("entries").StartObject();
        foreach (var (name, versions) in _entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.Name(name).StartArray();
            foreach (var entry in versions)
            {
                json.StartObject();
                ChartJson.WriteMetadata(json, entry.Metadata);
                json.Name("urls").StartArray();
                foreach (string url in entry.Urls)
                {
                    json.String(url);
                }
                json.EndArray();
                json.Member("created", entry.Created ?? GoTime.Zero);
                if (entry.DigestText.Length > 0)
                {
                    json.Member("digest", entry.DigestText);
                }
                json.EndObject();
            }
            json.EndArray();
        }
        return json.EndObject().EndObject().ToString();
    }

    /// <summary>Writes the index atomically in Helm's JSON form (<see cref="SerializeJson"/>).</summary>
    public Task WriteJsonAsync(string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAllBytesAsync(path, new UTF8Encoding(false).GetBytes(SerializeJson()), cancellationToken);

    /// <summary>Loads an index file.</summary>
    /// <exception cref="ChartsealException">Missing, too large, not an index, or an invalid entry.</exception>
    public static async Task<ChartIndex> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        byte[] bytes = await InputFile.ReadAsync(path, MaxIndexSize, cancellationToken).ConfigureAwait(false);
        using var stream = new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
        return Load(stream, path);
    }

    /// <summary>Reads an index (YAML or JSON) from a stream, streaming over its entries; every entry is kept, in file order.</summary>
    /// <exception cref="ChartsealException">Not an index, no apiVersion, or an invalid entry (named).</exception>
    public static ChartIndex Load(Stream stream, string sourceName)
    {
        var index = new ChartIndex();
        Read(stream, sourceName, index, index.Append);
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

    /// <summary>
    /// Indexes up to this size (from a seekable stream) are read whole and parsed by <see cref="BlockYamlReader"/>, about four
    /// times faster than YamlDotNet; larger ones are streamed through YamlDotNet, so that memory stays bounded whatever
    /// a server sends.
    /// </summary>
    internal const int FastReadLimit = 48 * 1024 * 1024;

    private static void Read(Stream stream, string sourceName, ChartIndex index, Action<IndexEntry> onEntry)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int emitted = 0;
        if (ReadWhole(stream) is { } whole)
        {
            var target = new FastTarget(index, sourceName, onEntry);
            bool read;
            try
            {
                read = BlockYamlReader.TryRead(whole.Array!, whole.Count, target);
            }
            finally
            {
                emitted = target.Emitted;
            }
            if (read)
            {
                if (!target.SawApiVersion)
                {
                    throw new ChartsealException(sourceName, "no API version specified");
                }
                return;
            }
            // Outside the fast reader's subset: YamlDotNet reads it all again (and gives the errors), skipping the
            // entries already handed on (they were read the same way).
            stream = new MemoryStream(whole.Array!, 0, whole.Count, writable: false);
        }
        ReadWithYamlDotNet(stream, sourceName, index, onEntry, emitted);
    }

    /// <summary>The rest of a seekable stream of at most <see cref="FastReadLimit"/> bytes, starting at offset 0 of the array; else null.</summary>
    private static ArraySegment<byte>? ReadWhole(Stream stream)
    {
        if (!stream.CanSeek || stream.Length - stream.Position > FastReadLimit)
        {
            return null;
        }
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer) && buffer.Offset == 0 && memory.Position == 0)
        {
            return buffer;
        }
        byte[] bytes = new byte[stream.Length - stream.Position];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Hands the fast reader's findings to the index and the caller.</summary>
    private sealed class FastTarget(ChartIndex index, string sourceName, Action<IndexEntry> onEntry) : BlockYamlReader.ITarget
    {
        public int Emitted { get; private set; }

        public bool SawApiVersion { get; private set; }

        public void ApiVersion(string value)
        {
            index.ApiVersion = value;
            SawApiVersion = value.Length > 0;
        }

        public void Generated(string value) => index.Generated = value;

        public void Entry(YamlNode? node, string name)
        {
            onEntry(ReadEntry(node, $"{sourceName}: entries.{name}"));
            Emitted++;
        }
    }

    private static void ReadWithYamlDotNet(Stream stream, string sourceName, ChartIndex index, Action<IndexEntry> onEntry, int skip)
    {
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
                        ReadEntries(parser, onEntry, sourceName, ref skip);
                        break;
                    default:
                        // Bounded: nested "[" make YamlDotNet's scanner quadratic (400 KB took minutes).
                        BoundedYamlReader.SkipNode(parser, sourceName);
                        break;
                }
            }
        }
        catch (DecoderFallbackException)
        {
            // First: it is an ArgumentException, which IsParserFailure also takes (YamlDotNet's tag errors).
            throw new ChartsealException(sourceName, "invalid index: not UTF-8 text");
        }
        catch (Exception e) when (BoundedYamlReader.IsParserFailure(e))
        {
            throw new ChartsealException(sourceName, "invalid index: " + e.Message.ReplaceLineEndings(" "), e);
        }
        if (!sawApiVersion)
        {
            throw new ChartsealException(sourceName, "no API version specified");
        }
    }

    private static void ReadEntries(IParser parser, Action<IndexEntry> onEntry, string sourceName, ref int skip)
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
                if (skip > 0)
                {
                    skip--; // handed on already by the fast reader
                    continue;
                }
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
            DigestAsWritten = colon >= 0 ? digest : null,
        };
    }

    private static GoNode EntryNode(IndexEntry entry)
    {
        // As Helm writes its struct: a missing created is Go's zero time, an empty digest is left out (omitempty).
        var map = ChartYaml.MetadataNode(entry.Metadata, includeDependencies: true);
        map.Add("created", GoNode.Str(entry.Created ?? GoTime.Zero));
        if (entry.DigestText.Length > 0)
        {
            map.Add("digest", GoNode.Str(entry.DigestText));
        }
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

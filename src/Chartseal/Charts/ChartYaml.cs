using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using Chartseal.Compat;

namespace Chartseal.Charts;

/// <summary>
/// Reads, validates and writes <c>Chart.yaml</c> the way Helm does, with hard limits for hostile input.
/// </summary>
/// <remarks>
/// Helm reads Chart.yaml through sigs.k8s.io/yaml (YAML 1.1 via go-yaml v2, then JSON), which gives these
/// rules, reproduced here: keys match fields case-insensitively (as Go folds case: <c>ſ</c> is s, the Kelvin sign k), unknown keys are dropped, an unquoted number
/// or boolean in a text field becomes text (<c>appVersion: 1.10</c> reads as <c>"1.1"</c>, because Go formats
/// the float), and output keys are sorted. Unlike Helm, duplicate keys, several documents (but for empty ones, a
/// trailing <c>---</c>, which Helm ignores too), merge keys
/// (<c>&lt;&lt;</c>) and aliases expanding to more than a few hundred nodes are refused.
/// </remarks>
public static partial class ChartYaml
{
    /// <summary>Largest Chart.yaml (and any chart file) accepted: 5 MiB, Helm's per-file limit.</summary>
    public const int MaxFileSize = 5 * 1024 * 1024;

    private static readonly string[] MetadataKeys =
        ["name", "home", "sources", "version", "description", "keywords", "maintainers", "icon", "apiVersion",
         "condition", "tags", "appVersion", "deprecated", "annotations", "kubeVersion", "dependencies", "type"];

    private static readonly string[] MaintainerKeys = ["name", "email", "url"];

    private static readonly string[] DependencyKeys =
        ["name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias"];

    private static readonly string[] LockKeys = ["generated", "digest", "dependencies"];

    /// <summary>
    /// Parses Chart.yaml bytes (a UTF-8 BOM is ignored). A missing <c>apiVersion</c> becomes <c>v1</c>. The
    /// result is not validated: call <see cref="Validate"/>.
    /// </summary>
    /// <param name="yaml">The file's bytes.</param>
    /// <param name="sourceName">Names the file in error messages, e.g. <c>mychart/Chart.yaml</c>.</param>
    /// <exception cref="ChartsealException">
    /// The file is over <see cref="MaxFileSize"/>, is not UTF-8 or YAML, nests too deeply, expands aliases too far,
    /// repeats a key, or a field has the wrong shape; the message names the field.
    /// </exception>
    public static ChartMetadata Parse(ReadOnlySpan<byte> yaml, string sourceName)
    {
        var root = ReadDocument(yaml, sourceName);
        var metadata = new Reader(sourceName).Metadata(root);
        if (metadata.ApiVersion.Length == 0)
        {
            metadata.ApiVersion = "v1";
        }
        return metadata;
    }

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte}, string)"/>
    public static ChartMetadata Parse(byte[] yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        return Parse(yaml.AsSpan(), sourceName);
    }

    /// <summary>Parses a Chart.lock or requirements.lock.</summary>
    /// <exception cref="ChartsealException">As for <see cref="Parse(ReadOnlySpan{byte}, string)"/>.</exception>
    internal static ChartLock ParseLock(ReadOnlySpan<byte> yaml, string sourceName)
    {
        var root = ReadDocument(yaml, sourceName);
        var reader = new Reader(sourceName);
        var lockFile = new ChartLock();
        var fields = reader.Fields(root, "", LockKeys);
        string? generated = reader.String(fields, "generated", "generated");
        if (generated is not null)
        {
            lockFile.Generated = GoTime.TryNormalize(generated, out string normalized)
                ? normalized
                : throw new ChartsealException(sourceName, $"field \"generated\": \"{generated}\" is not an RFC 3339 time");
        }
        lockFile.Digest = reader.String(fields, "digest", "digest") ?? "";
        lockFile.Dependencies = reader.Dependencies(fields.GetValueOrDefault("dependencies"), "dependencies");
        return lockFile;
    }

    /// <summary>
    /// Reads the <c>dependencies</c> of a legacy requirements.yaml; <paramref name="present"/> is false when the
    /// file has no such key (then the chart's own dependencies stay). Helm unmarshals the whole file over the
    /// chart's metadata, so any other Chart.yaml field there (<c>version</c>, <c>name</c>...) is refused.
    /// </summary>
    internal static List<ChartDependency>? ParseRequirements(ReadOnlySpan<byte> yaml, string sourceName, out bool present)
    {
        var reader = new Reader(sourceName);
        var fields = reader.Fields(ReadDocument(yaml, sourceName), "", MetadataKeys);
        if (fields.Keys.FirstOrDefault(key => key != "dependencies") is { } other)
        {
            throw new ChartsealException(sourceName, $"field \"{other}\": requirements.yaml may only hold dependencies (Helm would apply it over Chart.yaml)");
        }
        present = fields.ContainsKey("dependencies");
        return reader.Dependencies(fields.GetValueOrDefault("dependencies"), "dependencies");
    }

    private static YamlNode? ReadDocument(ReadOnlySpan<byte> yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (yaml.Length > MaxFileSize)
        {
            throw new ChartsealException(sourceName, $"file is {yaml.Length} bytes, larger than the maximum file size {MaxFileSize}");
        }
        return BoundedYamlReader.Read(yaml, sourceName, allowEmptyLaterDocuments: true);
    }

    /// <summary>
    /// Sanitises and validates <paramref name="metadata"/> with Helm's rules, in Helm's order: every Unicode
    /// space in the text fields becomes a plain space and non-printable characters are removed (in place);
    /// then apiVersion is required and must be v1 or v2, the name is required, must not be <c>.</c> or
    /// <c>..</c> and must not contain a path separator, the version is required and must be SemVer, type must
    /// be empty, <c>application</c> or <c>library</c>, dependency aliases must match <c>^[a-zA-Z0-9_-]+$</c>
    /// and dependency names-or-aliases must be unique.
    /// </summary>
    /// <exception cref="ChartsealException">
    /// Reason <c>validation: …</c> naming the field, e.g. <c>validation: chart.metadata.version "abc" is invalid: invalid semantic version</c>.
    /// </exception>
    public static void Validate(ChartMetadata metadata, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ChartsealException Fail(string message) => new(sourceName, "validation: " + message);

        metadata.Name = Sanitize(metadata.Name);
        metadata.Description = SanitizeOptional(metadata.Description);
        metadata.Home = SanitizeOptional(metadata.Home);
        metadata.Icon = SanitizeOptional(metadata.Icon);
        metadata.Condition = SanitizeOptional(metadata.Condition);
        metadata.Tags = SanitizeOptional(metadata.Tags);
        metadata.AppVersion = SanitizeOptional(metadata.AppVersion);
        metadata.KubeVersion = SanitizeOptional(metadata.KubeVersion);
        SanitizeAll(metadata.Sources);
        SanitizeAll(metadata.Keywords);

        if (string.IsNullOrEmpty(metadata.ApiVersion))
        {
            throw Fail("chart.metadata.apiVersion is required");
        }
        if (metadata.ApiVersion is not ("v1" or "v2"))
        {
            throw Fail($"chart.metadata.apiVersion \"{metadata.ApiVersion}\" is not supported (expected v1 or v2)");
        }
        if (string.IsNullOrEmpty(metadata.Name))
        {
            throw Fail("chart.metadata.name is required");
        }
        if (metadata.Name is "." or "..")
        {
            throw Fail($"chart.metadata.name \"{metadata.Name}\" is not allowed");
        }
        // Helm requires name == filepath.Base(name); the name also becomes the archive's top folder, so a
        // backslash (a separator for archive readers) is refused as well.
        if (metadata.Name.Contains('/') || metadata.Name.Contains('\\'))
        {
            throw Fail($"chart.metadata.name \"{metadata.Name}\" is invalid");
        }
        if (string.IsNullOrEmpty(metadata.Version))
        {
            throw Fail("chart.metadata.version is required");
        }
        if (!SemanticVersion.TryParse(metadata.Version, out _, out string? versionError))
        {
            throw Fail($"chart.metadata.version \"{metadata.Version}\" is invalid: {versionError}");
        }
        if (metadata.Type is not (null or "" or "application" or "library"))
        {
            throw Fail($"chart.metadata.type \"{metadata.Type}\" must be application or library");
        }
        foreach (var maintainer in metadata.Maintainers ?? [])
        {
            if (maintainer is null)
            {
                throw Fail("maintainers must not contain empty or null nodes");
            }
            maintainer.Name = SanitizeOptional(maintainer.Name);
            maintainer.Email = SanitizeOptional(maintainer.Email);
            maintainer.Url = SanitizeOptional(maintainer.Url);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dependency in metadata.Dependencies ?? [])
        {
            if (dependency is null)
            {
                throw Fail("dependencies must not contain empty or null nodes");
            }
            dependency.Name = Sanitize(dependency.Name);
            dependency.Version = SanitizeOptional(dependency.Version);
            dependency.Repository = Sanitize(dependency.Repository);
            dependency.Condition = SanitizeOptional(dependency.Condition);
            SanitizeAll(dependency.Tags);
            if (!string.IsNullOrEmpty(dependency.Alias) && !AliasFormat().IsMatch(dependency.Alias))
            {
                throw Fail($"dependency \"{dependency.Name}\" has disallowed characters in the alias (chart.metadata.dependencies alias \"{dependency.Alias}\")");
            }
            string key = string.IsNullOrEmpty(dependency.Alias) ? dependency.Name : dependency.Alias;
            if (!seen.Add(key))
            {
                throw Fail($"more than one dependency with name or alias \"{key}\"");
            }
        }
    }

    /// <summary>
    /// Serialises <paramref name="metadata"/> exactly as Helm does (sigs.k8s.io/yaml over go-yaml v2): keys in
    /// go-yaml order, empty fields omitted, sequences not indented, go-yaml's quoting rules, folding at 80
    /// columns, literal blocks for multi-line values, raw UTF-8. The text always ends with a line feed.
    /// </summary>
    public static string Serialize(ChartMetadata metadata) => Serialize(metadata, includeDependencies: true);

    /// <summary>
    /// As <see cref="Serialize(ChartMetadata)"/>; Helm leaves dependencies out of an apiVersion v1 Chart.yaml
    /// written into an archive (they live in requirements.yaml), hence <paramref name="includeDependencies"/>.
    /// </summary>
    internal static string Serialize(ChartMetadata metadata, bool includeDependencies) =>
        GoYamlEmitter.Emit(MetadataNode(metadata, includeDependencies));

    /// <summary>The metadata as a go-yaml mapping, for documents that embed it (index.yaml entries).</summary>
    internal static GoMapping MetadataNode(ChartMetadata metadata, bool includeDependencies)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var map = new GoMapping();
        AddText(map, "name", metadata.Name);
        AddText(map, "home", metadata.Home);
        AddList(map, "sources", metadata.Sources);
        AddText(map, "version", metadata.Version);
        AddText(map, "description", metadata.Description);
        AddList(map, "keywords", metadata.Keywords);
        if (metadata.Maintainers is { Count: > 0 } maintainers)
        {
            map.Add("maintainers", new GoSequence(maintainers.Select(m =>
            {
                var entry = new GoMapping();
                AddText(entry, "name", m.Name);
                AddText(entry, "email", m.Email);
                AddText(entry, "url", m.Url);
                return (GoNode)entry;
            })));
        }
        AddText(map, "icon", metadata.Icon);
        AddText(map, "apiVersion", metadata.ApiVersion);
        AddText(map, "condition", metadata.Condition);
        AddText(map, "tags", metadata.Tags);
        AddText(map, "appVersion", metadata.AppVersion);
        if (metadata.Deprecated)
        {
            map.Add("deprecated", GoNode.Plain("true"));
        }
        if (metadata.Annotations is { Count: > 0 } annotations)
        {
            var entry = new GoMapping();
            foreach (var (key, value) in annotations)
            {
                entry.Add(key, GoNode.Str(value ?? ""));
            }
            map.Add("annotations", entry);
        }
        AddText(map, "kubeVersion", metadata.KubeVersion);
        if (includeDependencies && metadata.Dependencies is { Count: > 0 } dependencies)
        {
            map.Add("dependencies", DependencyNodes(dependencies));
        }
        AddText(map, "type", metadata.Type);
        return map;
    }

    /// <summary>Reads chart metadata from an already-parsed node (an index.yaml entry); unknown keys are ignored.</summary>
    internal static ChartMetadata MetadataFromNode(YamlNode? node, string sourceName)
    {
        var metadata = new Reader(sourceName).Metadata(node);
        if (metadata.ApiVersion.Length == 0)
        {
            metadata.ApiVersion = "v1";
        }
        return metadata;
    }

    /// <summary>Serialises a lock as Helm writes Chart.lock: <c>dependencies</c> (null when absent), <c>digest</c>, <c>generated</c>.</summary>
    internal static string SerializeLock(ChartLock lockFile)
    {
        var map = new GoMapping();
        map.Add("generated", GoNode.Str(lockFile.Generated));
        map.Add("digest", GoNode.Str(lockFile.Digest));
        map.Add("dependencies", lockFile.Dependencies is null ? GoNode.Null : DependencyNodes(lockFile.Dependencies));
        return GoYamlEmitter.Emit(map);
    }

    private static GoSequence DependencyNodes(List<ChartDependency> dependencies) =>
        new(dependencies.Select(d =>
        {
            var entry = new GoMapping();
            entry.Add("name", GoNode.Str(d.Name ?? ""));
            AddText(entry, "version", d.Version);
            entry.Add("repository", GoNode.Str(d.Repository ?? ""));
            AddText(entry, "condition", d.Condition);
            AddList(entry, "tags", d.Tags);
            if (d.Enabled == true)
            {
                entry.Add("enabled", GoNode.Plain("true"));
            }
            if (d.ImportValues is { Count: > 0 } imports)
            {
                entry.Add("import-values", new GoSequence(imports.Select(GenericNode)));
            }
            AddText(entry, "alias", d.Alias);
            return (GoNode)entry;
        }));

    // Import values went through Go's encoding/json as interface{} (numbers are float64), then back to YAML.
    private static GoNode GenericNode(object? value) => value switch
    {
        null => GoNode.Null,
        string s => GoNode.Str(s),
        bool b => GoNode.Plain(b ? "true" : "false"),
        IDictionary<string, object?> map => map.Aggregate(new GoMapping(), (m, e) => m.Add(e.Key, GenericNode(e.Value))),
        IDictionary<string, string> map => map.Aggregate(new GoMapping(), (m, e) => m.Add(e.Key, GoNode.Str(e.Value))),
        System.Collections.IEnumerable items => new GoSequence(items.Cast<object?>().Select(GenericNode)),
        IConvertible number => GoNode.Plain(GoYamlResolver.FormatJsonNumber(number.ToDouble(CultureInfo.InvariantCulture))),
        _ => GoNode.Str(value.ToString() ?? ""),
    };

    private static void AddText(GoMapping map, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            map.Add(key, GoNode.Str(value));
        }
    }

    private static void AddList(GoMapping map, string key, List<string>? values)
    {
        if (values is { Count: > 0 })
        {
            map.Add(key, new GoSequence(values.Select(v => GoNode.Str(v ?? ""))));
        }
    }

    // Go's sanitizeString: unicode.IsSpace becomes ' ', runes that are not unicode.IsPrint are dropped.
    internal static string Sanitize(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (!value.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            return value; // printable ASCII: nothing to change
        }
        var sb = new StringBuilder(value.Length);
        foreach (Rune rune in value.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                sb.Append(' ');
            }
            else if (IsPrintable(Rune.GetUnicodeCategory(rune)))
            {
                sb.Append(rune.ToString());
            }
        }
        return sb.ToString();
    }

    private static string? SanitizeOptional(string? value) => value is null ? null : Sanitize(value);

    private static void SanitizeAll(List<string>? values)
    {
        for (int i = 0; values is not null && i < values.Count; i++)
        {
            values[i] = Sanitize(values[i]);
        }
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation and symbols (spaces are handled before).
    private static bool IsPrintable(UnicodeCategory category) => category switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.SpaceSeparator => false,
        _ => true,
    };

    [GeneratedRegex("^[a-zA-Z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasFormat();

    /// <summary>Maps YAML nodes onto the model with Helm's (JSON) typing; errors name the field.</summary>
    private sealed class Reader(string sourceName)
    {
        private ChartsealException Error(string path, string message) =>
            new(sourceName, path.Length == 0 ? message : $"field \"{path}\": {message}");

        public ChartMetadata Metadata(YamlNode? root)
        {
            var f = Fields(root, "", MetadataKeys);
            var md = new ChartMetadata
            {
                Name = String(f, "name", "name") ?? "",
                Home = String(f, "home", "home"),
                Sources = StringList(f.GetValueOrDefault("sources"), "sources"),
                Version = String(f, "version", "version") ?? "",
                Description = String(f, "description", "description"),
                Keywords = StringList(f.GetValueOrDefault("keywords"), "keywords"),
                Icon = String(f, "icon", "icon"),
                ApiVersion = String(f, "apiVersion", "apiVersion") ?? "",
                Condition = String(f, "condition", "condition"),
                Tags = String(f, "tags", "tags"),
                AppVersion = String(f, "appVersion", "appVersion"),
                Deprecated = Bool(f.GetValueOrDefault("deprecated"), "deprecated") ?? false,
                Annotations = StringMap(f.GetValueOrDefault("annotations"), "annotations"),
                KubeVersion = String(f, "kubeVersion", "kubeVersion"),
                Dependencies = Dependencies(f.GetValueOrDefault("dependencies"), "dependencies"),
                Type = String(f, "type", "type"),
            };
            if (f.GetValueOrDefault("maintainers") is { } maintainers)
            {
                md.Maintainers = Items(maintainers, "maintainers", "maintainers must not contain empty or null nodes", (node, path) =>
                {
                    var m = Fields(node, path, MaintainerKeys);
                    return new ChartMaintainer
                    {
                        Name = String(m, "name", path + ".name"),
                        Email = String(m, "email", path + ".email"),
                        Url = String(m, "url", path + ".url"),
                    };
                });
            }
            return md;
        }

        public List<ChartDependency>? Dependencies(YamlNode? node, string path) =>
            node is null ? null : Items(node, path, "dependencies must not contain empty or null nodes", (item, itemPath) =>
            {
                var d = Fields(item, itemPath, DependencyKeys);
                return new ChartDependency
                {
                    Name = String(d, "name", itemPath + ".name") ?? "",
                    Version = String(d, "version", itemPath + ".version"),
                    Repository = String(d, "repository", itemPath + ".repository") ?? "",
                    Condition = String(d, "condition", itemPath + ".condition"),
                    Tags = StringList(d.GetValueOrDefault("tags"), itemPath + ".tags"),
                    Enabled = Bool(d.GetValueOrDefault("enabled"), itemPath + ".enabled"),
                    ImportValues = ImportValues(d.GetValueOrDefault("import-values"), itemPath + ".import-values"),
                    Alias = String(d, "alias", itemPath + ".alias"),
                };
            });

        // A mapping's known keys: exact match first, else case-insensitive (as Go's encoding/json matches).
        public Dictionary<string, YamlNode?> Fields(YamlNode? node, string path, string[] known)
        {
            var result = new Dictionary<string, YamlNode?>(StringComparer.Ordinal);
            if (node is null)
            {
                return result;
            }
            if (node is not YamlMapping map)
            {
                throw Error(path, $"expected a mapping, got {Describe(node)}");
            }
            // Duplicates: a linear scan for the usual few keys (an index has ~20 per entry, 15,000 entries), a set beyond.
            var seen = map.Entries.Count > 32 ? new HashSet<string>(StringComparer.Ordinal) : null;
            var keys = seen is null ? new string[map.Entries.Count] : null;
            int count = 0;
            foreach (var (keyNode, value) in map.Entries)
            {
                string key = Key(keyNode, path);
                if (seen is not null ? !seen.Add(key) : Array.IndexOf(keys!, key, 0, count) >= 0)
                {
                    throw Error(path, $"duplicate key \"{key}\"");
                }
                if (keys is not null)
                {
                    keys[count++] = key;
                }
                string? field = KnownField(known, key);
                if (field is not null && !result.TryAdd(field, value))
                {
                    throw Error(path, $"duplicate key \"{key}\" (same field as another key)");
                }
            }
            return result;
        }

        private static string? KnownField(string[] known, string key)
        {
            foreach (string k in known)
            {
                if (k == key)
                {
                    return k;
                }
            }
            foreach (string k in known)
            {
                if (GoEqualFold(k, key))
                {
                    return k;
                }
            }
            return null;
        }

        // Go's bytes.EqualFold (encoding/json's key matching) for an ASCII field name: besides ASCII case, 'ſ'
        // (U+017F) folds to s and the Kelvin sign (U+212A) to k, so "verſion" sets the version for Helm.
        private static bool GoEqualFold(string field, string key)
        {
            if (field.Length != key.Length)
            {
                return false;
            }
            for (int i = 0; i < field.Length; i++)
            {
                char f = char.ToLowerInvariant(field[i]), c = key[i];
                bool same = c switch
                {
                    '\u017F' => f == 's',
                    '\u212A' => f == 'k',
                    _ => c < 0x80 && char.ToLowerInvariant(c) == f,
                };
                if (!same)
                {
                    return false;
                }
            }
            return true;
        }

        public string? String(Dictionary<string, YamlNode?> fields, string key, string path) =>
            Text(fields.GetValueOrDefault(key), path);

        // A JSON string target: scalars are coerced the way sigs.k8s.io/yaml does (ints in decimal, floats via
        // Go's float32 formatting, booleans as true/false); collections are an error.
        private string? Text(YamlNode? node, string path)
        {
            switch (node)
            {
                case null:
                    return null;
                case YamlScalar { IsPlain: false } s:
                    return s.Tag is null or "!" or "tag:yaml.org,2002:str" ? s.Value : throw Error(path, $"unsupported YAML tag \"{s.Tag}\"");
                case YamlScalar s:
                    return GoYamlResolver.Resolve(s.Value, out object? value) switch
                    {
                        GoYamlKind.Null => null,
                        GoYamlKind.Bool => (bool)value! ? "true" : "false",
                        GoYamlKind.Int when (BigInteger)value! >= long.MinValue && (BigInteger)value! <= ulong.MaxValue =>
                            ((BigInteger)value!).ToString(CultureInfo.InvariantCulture),
                        GoYamlKind.Int => throw Error(path, $"number {s.Value} is out of range"),
                        GoYamlKind.Float => GoYamlResolver.FormatFloat((double)value!, 32),
                        _ => s.Value,
                    };
                default:
                    throw Error(path, $"expected a string, got {Describe(node)}");
            }
        }

        public bool? Bool(YamlNode? node, string path) => node switch
        {
            null => null,
            YamlScalar { IsPlain: true } s when GoYamlResolver.Resolve(s.Value, out object? value) == GoYamlKind.Bool => (bool)value!,
            _ => throw Error(path, $"expected true or false, got {Describe(node)}"),
        };

        private List<string>? StringList(YamlNode? node, string path) =>
            node is null ? null : Items(node, path, null, (item, itemPath) => Text(item, itemPath) ?? "");

        private Dictionary<string, string>? StringMap(YamlNode? node, string path)
        {
            if (node is null)
            {
                return null;
            }
            if (node is not YamlMapping map)
            {
                throw Error(path, $"expected a mapping, got {Describe(node)}");
            }
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in map.Entries)
            {
                string key = Key(keyNode, path);
                if (!result.TryAdd(key, Text(value, $"{path}.{key}") ?? ""))
                {
                    throw Error(path, $"duplicate key \"{key}\"");
                }
            }
            return result;
        }

        private List<object>? ImportValues(YamlNode? node, string path) =>
            node is null ? null : Items(node, path, $"{path} must not contain null entries", (item, _) => Generic(item)!);

        // interface{} targets keep YAML types; numbers become float64 as in Go's encoding/json.
        private object? Generic(YamlNode? node)
        {
            switch (node)
            {
                case null:
                    return null;
                case YamlScalar { IsPlain: false } s:
                    return s.Value;
                case YamlScalar s:
                    return GoYamlResolver.Resolve(s.Value, out object? value) switch
                    {
                        GoYamlKind.Null => null,
                        GoYamlKind.Bool => value,
                        GoYamlKind.Int => (double)(BigInteger)value!,
                        GoYamlKind.Float => value,
                        _ => s.Value,
                    };
                case YamlSequence sequence:
                    return sequence.Items.Select(Generic).ToList();
                default:
                    var map = (YamlMapping)node;
                    var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var (keyNode, entry) in map.Entries)
                    {
                        string key = Key(keyNode, "import-values");
                        if (!result.TryAdd(key, Generic(entry)))
                        {
                            throw Error("import-values", $"duplicate key \"{key}\"");
                        }
                    }
                    return result;
            }
        }

        private List<T> Items<T>(YamlNode node, string path, string? nullMessage, Func<YamlNode?, string, T> read)
        {
            if (node is not YamlSequence sequence)
            {
                throw Error(path, $"expected a sequence, got {Describe(node)}");
            }
            var result = new List<T>(sequence.Items.Count);
            for (int i = 0; i < sequence.Items.Count; i++)
            {
                if (sequence.Items[i] is null && nullMessage is not null)
                {
                    throw new ChartsealException(sourceName, "validation: " + nullMessage);
                }
                result.Add(read(sequence.Items[i], $"{path}[{i}]"));
            }
            return result;
        }

        // Keys become strings as in sigs.k8s.io/yaml's YAML-to-JSON step; "<<" merges are refused.
        private string Key(YamlScalar key, string path)
        {
            if (!key.IsPlain)
            {
                return key.Value;
            }
            if (key.Value == "<<")
            {
                throw Error(path, "YAML merge keys (<<) are not supported");
            }
            return GoYamlResolver.Resolve(key.Value, out object? value) switch
            {
                GoYamlKind.Bool => (bool)value! ? "true" : "false",
                GoYamlKind.Int when (BigInteger)value! >= long.MinValue && (BigInteger)value! <= long.MaxValue =>
                    ((BigInteger)value!).ToString(CultureInfo.InvariantCulture),
                GoYamlKind.Int => throw Error(path, $"unsupported map key {key.Value}"),
                GoYamlKind.Float => GoYamlResolver.FormatFloat((double)value!, 32) switch
                {
                    "+Inf" => ".inf",
                    "-Inf" => "-.inf",
                    "NaN" => ".nan",
                    var s => s,
                },
                _ => key.Value,
            };
        }

        private static string Describe(YamlNode? node) => node switch
        {
            YamlMapping => "a mapping",
            YamlSequence => "a sequence",
            YamlScalar s => $"\"{(s.Value.Length > 40 ? s.Value[..40] + "…" : s.Value)}\"",
            _ => "null",
        };
    }
}

using System.Text;
using System.Text.RegularExpressions;
using Chartseal.Charts;

namespace Chartseal.Provenance;

/// <summary>
/// The signed body of a Helm provenance file: the chart metadata as YAML, a blank line, the YAML
/// document-end marker <c>...</c>, then <c>files:</c> mapping the archive name to <c>sha256:&lt;hex&gt;</c>.
/// </summary>
public sealed partial class ProvenanceBody
{
    /// <summary>The largest provenance body we parse; Helm's are a few kilobytes.</summary>
    public const int MaxBodyLength = 1024 * 1024;

    private const string Separator = "\n...\n";

    private ProvenanceBody(string metadataYaml, IReadOnlyDictionary<string, string> files)
    {
        MetadataYaml = metadataYaml;
        Files = files;
    }

    /// <summary>The metadata half (YAML, as signed).</summary>
    public string MetadataYaml { get; }

    /// <summary>The <c>files:</c> map: archive file name to <c>sha256:&lt;hex&gt;</c>.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    /// <summary>
    /// Builds the body exactly as Helm does: metadata YAML (ending in LF), a blank line, <c>...</c>, and the files map.
    /// </summary>
    /// <param name="metadataYaml">Chart metadata serialised with Helm's YAML rules.</param>
    /// <param name="archiveFileName">The archive's base name, e.g. <c>mysql-1.2.3.tgz</c>.</param>
    /// <param name="sha256Hex">Lower-case SHA-256 of the archive bytes.</param>
    public static string Build(string metadataYaml, string archiveFileName, string sha256Hex)
    {
        ArgumentNullException.ThrowIfNull(metadataYaml);
        ArgumentException.ThrowIfNullOrEmpty(archiveFileName);
        ArgumentException.ThrowIfNullOrEmpty(sha256Hex);
        var sb = new StringBuilder(metadataYaml);
        if (!metadataYaml.EndsWith('\n'))
        {
            sb.Append('\n');
        }
        // Helm writes the YAML (which ends in LF), then "\n...\n": a blank line precedes the marker.
        sb.Append("\n...\n");
        sb.Append("files:\n  ").Append(YamlKey(archiveFileName)).Append(": sha256:").Append(sha256Hex).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Parses the plaintext of a verified provenance document. Returns null with <paramref name="error"/>
    /// when it is not a Helm provenance body.
    /// </summary>
    public static ProvenanceBody? TryParse(string plaintext, out string error)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        if (plaintext.Length > MaxBodyLength)
        {
            error = $"provenance body is larger than {MaxBodyLength} bytes";
            return null;
        }
        int split = plaintext.IndexOf(Separator, StringComparison.Ordinal);
        if (split < 0)
        {
            error = "message block must have at least two parts (no '...' line)";
            return null;
        }
        string metadata = plaintext[..(split + 1)];
        string sums = plaintext[(split + Separator.Length)..];

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        // The usual block layout is read without YamlDotNet (whose representation model was a tenth of verifying a chart
        // in a repository audit); anything else, duplicate keys included, goes to the bounded reader below, for its messages.
        if (FastFiles(sums) is { } fast)
        {
            if (fast.Error is { } fastError)
            {
                error = fastError;
                return null;
            }
            error = "";
            return new ProvenanceBody(metadata, fast.Files!);
        }
        YamlNode? parsed;
        try
        {
            // Bounded (depth, aliases) like every other YAML we read: the signer may be a revoked key's thief.
            parsed = BoundedYamlReader.Read(Encoding.UTF8.GetBytes(sums), "files section");
        }
        catch (ChartsealException e)
        {
            error = "files section: " + e.Reason;
            return null;
        }
        if (parsed is not YamlMapping root)
        {
            error = "the part after '...' is not a YAML mapping";
            return null;
        }
        foreach (var (key, value) in root.Entries)
        {
            // Helm reads this half leniently through JSON, with case-insensitive keys.
            if (!string.Equals(key.Value, "files", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (value is not YamlMapping map)
            {
                error = "'files' is not a mapping";
                return null;
            }
            foreach (var (name, sum) in map.Entries)
            {
                // A null (empty) value is "" to Helm's JSON decoding.
                if (sum is not (YamlScalar or null))
                {
                    error = "'files' holds a value that is not a string";
                    return null;
                }
                if (!files.TryAdd(name.Value, (sum as YamlScalar)?.Value ?? ""))
                {
                    error = $"'files' lists {name.Value} twice";
                    return null;
                }
            }
        }

        error = "";
        return new ProvenanceBody(metadata, files);
    }

    /// <summary>The files section read by the block reader (null: outside its subset, or a duplicate key), with the checks below.</summary>
    private static (Dictionary<string, string>? Files, string? Error)? FastFiles(string sums)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(sums);
        if (!Charts.BlockYamlReader.TryReadDocument(bytes, bytes.Length, Charts.BoundedYamlReader.DefaultMaxDepth, keepNullScalars: true, out var root))
        {
            return null;
        }
        if (root is not Charts.YamlMapping top)
        {
            return (null, "the part after '...' is not a YAML mapping");
        }
        if (HasDuplicateKey(top))
        {
            return null; // the bounded reader below words the duplicate-key error
        }
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in top.Entries)
        {
            // Helm reads this half leniently through JSON, with case-insensitive keys.
            if (!string.Equals(key.Value, "files", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (value is not Charts.YamlMapping map)
            {
                return (null, "'files' is not a mapping");
            }
            if (HasDuplicateKey(map))
            {
                return null;
            }
            foreach (var (name, sum) in map.Entries)
            {
                if (sum is not Charts.YamlScalar s)
                {
                    return (null, "'files' holds a value that is not a string");
                }
                if (!files.TryAdd(name.Value, s.Value))
                {
                    return (null, $"'files' lists {name.Value} twice");
                }
            }
        }
        return (files, null);
    }

    private static bool HasDuplicateKey(Charts.YamlMapping map)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in map.Entries)
        {
            if (!keys.Add(key.Value))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A YAML mapping key: plain when that is unambiguous, else double-quoted.</summary>
    private static string YamlKey(string name) =>
        PlainKey().IsMatch(name) ? name : "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")]
    private static partial Regex PlainKey();
}

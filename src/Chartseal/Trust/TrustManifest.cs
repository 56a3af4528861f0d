using System.Globalization;
using System.Text;

namespace Chartseal.Trust;

/// <summary>
/// The body of <c>trust.yaml.asc</c>: what the root key vouches for. Serialised like a provenance body
/// (YAML header, a <c>...</c> line, then a <c>files:</c> map of SHA-256 sums), so plain
/// <c>gpg --verify</c> checks it and one clear-sign framing serves charts and trust alike.
/// </summary>
/// <param name="Version">Only grows; every change to the repository's trust bumps it.</param>
/// <param name="Expires">After this instant (UTC) the manifest is refused (freeze defence).</param>
/// <param name="Root">Fingerprint of the root key that signs this manifest.</param>
/// <param name="NextRoot">During a rotation: the root that clients pin after accepting this manifest.</param>
/// <param name="Files">File name → <c>sha256:HEX</c>, for <c>pubkeys.pgp</c> and <c>revoked.pgp</c>.</param>
public sealed record TrustManifest(long Version, DateTime Expires, string Root, string? NextRoot, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>The manifest's <c>apiVersion</c>.</summary>
    public const string ApiVersion = "chartseal/v1";

    /// <summary>The manifest's <c>kind</c>.</summary>
    public const string Kind = "TrustManifest";

    /// <summary>Largest manifest read.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>The YAML body (LF line endings, final newline).</summary>
    public string Serialize()
    {
        var sb = new StringBuilder();
        sb.Append("apiVersion: ").Append(ApiVersion).Append('\n');
        sb.Append("kind: ").Append(Kind).Append('\n');
        sb.Append("version: ").Append(Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("expires: ").Append(FormatTime(Expires)).Append('\n');
        sb.Append("root: ").Append(Root).Append('\n');
        if (NextRoot is not null)
        {
            sb.Append("nextRoot: ").Append(NextRoot).Append('\n');
        }
        sb.Append("\n...\nfiles:\n");
        foreach (var (name, sum) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            sb.Append("  ").Append(name).Append(": ").Append(sum).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>RFC 3339 UTC, whole seconds.</summary>
    public static string FormatTime(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a (verified) body strictly: known keys only, each once, the files map required.
    /// Returns null with <paramref name="error"/> set otherwise.
    /// </summary>
    public static TrustManifest? TryParse(string body, out string error)
    {
        ArgumentNullException.ThrowIfNull(body);
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        bool inFiles = false, sawSeparator = false;
        foreach (string raw in body.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }
            if (line == "...")
            {
                if (sawSeparator)
                {
                    error = "more than one '...' line";
                    return null;
                }
                sawSeparator = true;
                continue;
            }
            if (!sawSeparator)
            {
                if (!TrySplit(line, out string key, out string value) || line.StartsWith(' '))
                {
                    error = $"cannot read line \"{line}\"";
                    return null;
                }
                if (key is not ("apiVersion" or "kind" or "version" or "expires" or "root" or "nextRoot"))
                {
                    error = $"unknown field \"{key}\"";
                    return null;
                }
                if (!header.TryAdd(key, value))
                {
                    error = $"duplicate field \"{key}\"";
                    return null;
                }
                continue;
            }
            if (!inFiles)
            {
                if (line != "files:")
                {
                    error = $"expected \"files:\" after '...', found \"{line}\"";
                    return null;
                }
                inFiles = true;
                continue;
            }
            if (!line.StartsWith("  ", StringComparison.Ordinal) || !TrySplit(line.Trim(), out string name, out string sum))
            {
                error = $"cannot read files entry \"{line}\"";
                return null;
            }
            if (!files.TryAdd(name, sum))
            {
                error = $"duplicate files entry \"{name}\"";
                return null;
            }
        }

        if (header.GetValueOrDefault("apiVersion") != ApiVersion || header.GetValueOrDefault("kind") != Kind)
        {
            error = $"not a {ApiVersion} {Kind}";
            return null;
        }
        if (!long.TryParse(header.GetValueOrDefault("version"), NumberStyles.None, CultureInfo.InvariantCulture, out long version) || version < 1)
        {
            error = "version must be a positive integer";
            return null;
        }
        if (!DateTime.TryParseExact(header.GetValueOrDefault("expires"), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime expires))
        {
            error = "expires must be an RFC 3339 UTC time like 2030-01-01T00:00:00Z";
            return null;
        }
        if (header.GetValueOrDefault("root") is not { } root || !IsFingerprint(root))
        {
            error = "root must be a 40-digit upper-case fingerprint";
            return null;
        }
        string? next = header.GetValueOrDefault("nextRoot");
        if (next is not null && !IsFingerprint(next))
        {
            error = "nextRoot must be a 40-digit upper-case fingerprint";
            return null;
        }
        foreach (string required in TrustFiles.HashedNames)
        {
            if (!files.ContainsKey(required))
            {
                error = $"files does not list {required}";
                return null;
            }
        }
        error = "";
        return new TrustManifest(version, expires, root, next, files);
    }

    private static bool TrySplit(string line, out string key, out string value)
    {
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0)
        {
            key = value = "";
            return false;
        }
        key = line[..colon];
        value = line[(colon + 2)..].Trim();
        return value.Length > 0;
    }

    internal static bool IsFingerprint(string value) =>
        value.Length == 40 && value.All(c => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F');
}

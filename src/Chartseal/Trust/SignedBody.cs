using System.Globalization;

namespace Chartseal.Trust;

/// <summary>
/// The one reader of the bodies Chartseal signs itself (the trust manifest, the index snapshot): a flat header of
/// <c>key: value</c> lines, a <c>...</c> line, then a <c>files:</c> map of <c>name: value</c> lines indented by two
/// spaces, the layout of a Helm provenance body. Strict: known header keys only, each once, no duplicate file.
/// </summary>
internal static class SignedBody
{
    /// <summary>Splits a (verified) body into its header and files map; false with <paramref name="error"/> otherwise.</summary>
    public static bool TryParse(string body, IReadOnlySet<string> headerKeys, out Dictionary<string, string> header, out Dictionary<string, string> files, out string error)
    {
        header = new Dictionary<string, string>(StringComparer.Ordinal);
        files = new Dictionary<string, string>(StringComparer.Ordinal);
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
                    return false;
                }
                sawSeparator = true;
                continue;
            }
            if (!sawSeparator)
            {
                if (!TrySplit(line, out string key, out string value) || line.StartsWith(' '))
                {
                    error = $"cannot read line \"{line}\"";
                    return false;
                }
                if (!headerKeys.Contains(key))
                {
                    error = $"unknown field \"{key}\"";
                    return false;
                }
                if (!header.TryAdd(key, value))
                {
                    error = $"duplicate field \"{key}\"";
                    return false;
                }
                continue;
            }
            if (!inFiles)
            {
                if (line != "files:")
                {
                    error = $"expected \"files:\" after '...', found \"{line}\"";
                    return false;
                }
                inFiles = true;
                continue;
            }
            if (!line.StartsWith("  ", StringComparison.Ordinal) || !TrySplit(line.Trim(), out string name, out string sum))
            {
                error = $"cannot read files entry \"{line}\"";
                return false;
            }
            if (!files.TryAdd(name, sum))
            {
                error = $"duplicate files entry \"{name}\"";
                return false;
            }
        }
        error = "";
        return true;
    }

    /// <summary>
    /// The split above, then the fields every signed body has: <c>apiVersion: chartseal/v1</c>, its
    /// <paramref name="kind"/>, a positive <c>version</c> and an RFC 3339 UTC <c>expires</c>.
    /// </summary>
    public static bool TryParse(string body, string kind, IReadOnlySet<string> headerKeys, out Dictionary<string, string> header, out Dictionary<string, string> files,
        out long version, out DateTime expires, out string error)
    {
        version = 0;
        expires = default;
        if (!TryParse(body, headerKeys, out header, out files, out error))
        {
            return false;
        }
        if (header.GetValueOrDefault("apiVersion") != TrustManifest.ApiVersion || header.GetValueOrDefault("kind") != kind)
        {
            error = $"not a {TrustManifest.ApiVersion} {kind}";
            return false;
        }
        if (!TryPositive(header, "version", out version, out error))
        {
            return false;
        }
        if (!DateTime.TryParseExact(header.GetValueOrDefault("expires"), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out expires))
        {
            error = "expires must be an RFC 3339 UTC time like 2030-01-01T00:00:00Z";
            return false;
        }
        return true;
    }

    /// <summary>A header field that must be a positive whole number.</summary>
    public static bool TryPositive(Dictionary<string, string> header, string key, out long value, out string error)
    {
        if (!long.TryParse(header.GetValueOrDefault(key), NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < 1)
        {
            error = $"{key} must be a positive integer";
            return false;
        }
        error = "";
        return true;
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
}

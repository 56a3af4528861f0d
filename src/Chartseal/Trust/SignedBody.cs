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

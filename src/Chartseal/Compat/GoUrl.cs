using System.Text;

namespace Chartseal.Compat;

/// <summary>
/// Helm's <c>urlutil.URLJoin</c> (Go's <c>url.Parse</c>, <c>path.Join</c> on the path, <c>URL.String</c>), which
/// <c>helm repo index</c> uses to build each entry's URL: the base's path is decoded, joined and cleaned
/// (<c>//</c>, <c>.</c> and <c>..</c> resolved, no trailing slash), then escaped the way Go escapes a path
/// (<c>%20</c> for a space; <c>+</c>, <c>:</c>, <c>@</c>, <c>=</c> … kept). Query and fragment of the base stay.
/// A base Go cannot parse is joined as a plain path, as Helm falls back to <c>path.Join</c>.
/// </summary>
internal static class GoUrl
{
    /// <summary>Joins <paramref name="element"/> to <paramref name="baseUrl"/>'s path.</summary>
    public static string Join(string baseUrl, string element)
    {
        if (!TryParse(baseUrl, out var url))
        {
            return PathJoin(baseUrl, element);
        }
        if (url.Opaque is not null)
        {
            // Go prints an opaque URL (scheme:no-slash) without its path: the element is lost, as in Helm.
            return url.Scheme + ":" + url.Opaque + url.Suffix;
        }
        string path = PathJoin(url.Path, element);
        var text = new StringBuilder();
        if (url.Scheme.Length > 0)
        {
            text.Append(url.Scheme).Append(':');
        }
        if (url.Authority is not null && (url.Authority.Length > 0 || path.Length > 0))
        {
            text.Append("//").Append(url.Authority);
        }
        string escaped = EscapePath(path);
        if (escaped.Length > 0 && escaped[0] != '/' && !string.IsNullOrEmpty(url.Authority))
        {
            text.Append('/');
        }
        if (text.Length == 0 && escaped.Split('/')[0].Contains(':', StringComparison.Ordinal))
        {
            text.Append("./");
        }
        return text.Append(escaped).Append(url.Suffix).ToString();
    }

    /// <summary>Go's <c>path.Join</c>: the non-empty elements joined with <c>/</c> and cleaned; empty when all are empty.</summary>
    public static string PathJoin(params string[] elements)
    {
        var parts = elements.Where(e => e.Length > 0).ToList();
        return parts.Count == 0 ? "" : Clean(string.Join('/', parts));
    }

    /// <summary>Go's <c>path.Clean</c>.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }
        bool rooted = path[0] == '/';
        var segments = new List<string>();
        foreach (string segment in path.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (segments.Count > 0 && segments[^1] != "..")
                {
                    segments.RemoveAt(segments.Count - 1);
                }
                else if (!rooted)
                {
                    segments.Add("..");
                }
                continue;
            }
            segments.Add(segment);
        }
        string joined = string.Join('/', segments);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    private sealed record Parsed(string Scheme, string? Authority, string Path, string? Opaque, string Suffix);

    // The subset of Go's url.Parse that matters here: scheme, opaque form, authority, path (unescaped), and
    // the query and fragment kept as written.
    private static bool TryParse(string raw, out Parsed url)
    {
        url = new Parsed("", null, "", null, "");
        if (raw.Any(c => c < 0x20 || c == 0x7F))
        {
            return false;
        }
        string rest = raw;
        string suffix = "";
        int hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            suffix = rest[hash..];
            rest = rest[..hash];
        }
        string scheme = "";
        for (int i = 0; i < rest.Length; i++)
        {
            char c = rest[i];
            if (char.IsAsciiLetter(c) || (i > 0 && (char.IsAsciiDigit(c) || c is '+' or '-' or '.')))
            {
                continue;
            }
            if (c == ':')
            {
                if (i == 0)
                {
                    return false; // missing protocol scheme
                }
                scheme = rest[..i].ToLowerInvariant();
                rest = rest[(i + 1)..];
            }
            break;
        }
        int question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            suffix = rest[question..] + suffix;
            rest = rest[..question];
        }
        if (!rest.StartsWith('/'))
        {
            if (scheme.Length > 0)
            {
                url = new Parsed(scheme, null, "", rest, suffix);
                return true;
            }
            if (rest.Split('/')[0].Contains(':', StringComparison.Ordinal))
            {
                return false; // first path segment in URL cannot contain colon
            }
        }
        string? authority = null;
        if ((scheme.Length > 0 || !rest.StartsWith("///", StringComparison.Ordinal)) && rest.StartsWith("//", StringComparison.Ordinal))
        {
            int slash = rest.IndexOf('/', 2);
            authority = slash < 0 ? rest[2..] : rest[2..slash];
            rest = slash < 0 ? "" : rest[slash..];
        }
        if (!TryUnescape(rest, out string path))
        {
            return false;
        }
        url = new Parsed(scheme, authority, path, null, suffix);
        return true;
    }

    private static bool TryUnescape(string text, out string result)
    {
        result = "";
        var bytes = new List<byte>();
        int start = 0;
        for (int i = text.IndexOf('%', StringComparison.Ordinal); i >= 0; i = text.IndexOf('%', start))
        {
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                return false;
            }
            bytes.AddRange(Encoding.UTF8.GetBytes(text[start..i]));
            bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
            start = i + 3;
        }
        bytes.AddRange(Encoding.UTF8.GetBytes(text[start..]));
        result = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }

    // Go's escape(s, encodePath): unreserved characters, '/' and the sub-delimiters $&+,:;=@ stay; the rest is %XX.
    private static string EscapePath(string path)
    {
        var text = new StringBuilder(path.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(path))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '$' or '&' or '+' or ',' or '/' or ':' or ';' or '=' or '@')
            {
                text.Append(c);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }
}

using System.Text;

namespace Chartseal.Compat;

/// <summary>
/// The rules of a chart's <c>.helmignore</c>, with Helm's semantics (pkg/ignore), quirks included.
/// </summary>
/// <remarks>
/// One pattern per line, trimmed; blank lines and <c>#</c> comments are skipped; <c>**</c> is an error; a
/// pattern is a Go <c>filepath.Match</c> glob (<c>*</c> and <c>?</c> never match <c>/</c>). A leading <c>!</c>
/// negates, a trailing <c>/</c> matches directories only, a leading <c>/</c> anchors the pattern to the chart
/// root; a pattern containing <c>/</c> is matched against the whole relative path, any other pattern against
/// the base name only. The default rule <c>templates/.?*</c> is appended. Rules are tried in order and the
/// first positive match ignores the path. Helm's negation quirk is kept: a negated rule ignores every path it
/// does <em>not</em> match (and, if it ends in <c>/</c>, every file), and lets evaluation continue for paths it
/// matches; so <c>!keep.txt</c> alone ignores everything else.
/// </remarks>
public sealed class HelmIgnore
{
    /// <summary>The file name, at the chart root.</summary>
    public const string FileName = ".helmignore";

    /// <summary>Helm's default rule, always appended: dot files under templates/.</summary>
    public const string DefaultRule = "templates/.?*";

    private readonly List<Rule> _rules = [];

    private HelmIgnore()
    {
    }

    private sealed record Rule(string Pattern, bool Negate, bool DirectoryOnly, bool WholePath);

    /// <summary>Only the default rule.</summary>
    public static HelmIgnore Default() => Parse([], ".helmignore");

    /// <summary>Parses <c>.helmignore</c> bytes (UTF-8, a leading BOM is ignored) and appends the default rule.</summary>
    /// <exception cref="ChartsealException">A line uses <c>**</c> or is not a valid glob.</exception>
    public static HelmIgnore Parse(ReadOnlySpan<byte> content, string sourceName)
    {
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }
        var rules = new HelmIgnore();
        string text = Encoding.UTF8.GetString(content);
        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            rules.AddRule(line, sourceName, lineNumber);
        }
        rules.AddRule(DefaultRule, sourceName, 0);
        return rules;
    }

    private void AddRule(string line, string sourceName, int lineNumber)
    {
        string rule = line.Trim();
        if (rule.Length == 0 || rule.StartsWith('#'))
        {
            return;
        }
        if (rule.Contains("**", StringComparison.Ordinal))
        {
            throw new ChartsealException(sourceName, $"line {lineNumber}: double-star (**) syntax is not supported");
        }
        // Like Helm, the whole line (a leading '!' included) must be a valid pattern.
        if (!GoGlob.IsValid(rule))
        {
            throw new ChartsealException(sourceName, $"line {lineNumber}: syntax error in pattern \"{rule}\"");
        }
        bool negate = rule.StartsWith('!');
        if (negate)
        {
            rule = rule[1..];
        }
        bool directoryOnly = rule.EndsWith('/');
        if (directoryOnly)
        {
            rule = rule.TrimEnd('/');
        }
        bool anchored = rule.StartsWith('/');
        if (anchored)
        {
            rule = rule.TrimStart('/');
        }
        _rules.Add(new Rule(rule, negate, directoryOnly, WholePath: anchored || rule.Contains('/')));
    }

    /// <summary>
    /// Whether <paramref name="path"/> (relative to the chart root, <c>/</c>-separated) is ignored. An ignored
    /// directory is skipped with everything below it.
    /// </summary>
    public bool Ignore(string path, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path is "" or "." or "./")
        {
            return false;
        }
        foreach (var rule in _rules)
        {
            string subject = rule.WholePath ? path : path[(path.LastIndexOf('/') + 1)..];
            if (rule.Negate)
            {
                if ((rule.DirectoryOnly && !isDirectory) || !GoGlob.Match(rule.Pattern, subject))
                {
                    return true;
                }
                continue;
            }
            if (rule.DirectoryOnly && !isDirectory)
            {
                continue;
            }
            if (GoGlob.Match(rule.Pattern, subject))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>
/// Go's <c>path/filepath.Match</c> on Unix: <c>*</c> (any run of non-<c>/</c>), <c>?</c> (one non-<c>/</c>
/// character), <c>[...]</c> classes with <c>^</c> negation and ranges, <c>\</c> escapes. Ported chunk by chunk
/// so that edge cases (greedy chunk matching, error reporting) behave as in Helm.
/// </summary>
internal static class GoGlob
{
    public static bool IsValid(string pattern)
    {
        try
        {
            Match(pattern, "abc");
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Matches the whole of <paramref name="name"/>.</summary>
    /// <exception cref="FormatException">The pattern is malformed (Go's ErrBadPattern).</exception>
    public static bool Match(string pattern, string name)
    {
        ReadOnlySpan<byte> p = Encoding.UTF8.GetBytes(pattern);
        ReadOnlySpan<byte> n = Encoding.UTF8.GetBytes(name);
        while (p.Length > 0)
        {
            bool star = ScanChunk(p, out var chunk, out p);
            if (star && chunk.Length == 0)
            {
                // A trailing * matches the rest unless it contains a separator.
                return !n.Contains((byte)'/');
            }
            if (MatchChunk(chunk, n, out var t) && (t.Length == 0 || p.Length > 0))
            {
                n = t;
                continue;
            }
            bool matched = false;
            if (star)
            {
                // Let the star eat one more character, never a separator.
                for (int i = 0; i < n.Length && n[i] != '/'; i++)
                {
                    if (MatchChunk(chunk, n[(i + 1)..], out t))
                    {
                        if (p.Length == 0 && t.Length > 0)
                        {
                            continue;
                        }
                        n = t;
                        matched = true;
                        break;
                    }
                }
            }
            if (!matched)
            {
                // Report a malformed remainder even though the match already failed.
                while (p.Length > 0)
                {
                    ScanChunk(p, out chunk, out p);
                    MatchChunk(chunk, [], out _);
                }
                return false;
            }
        }
        return n.Length == 0;
    }

    // Splits off leading stars (returned as true) and the chunk up to the next star outside a class.
    private static bool ScanChunk(ReadOnlySpan<byte> pattern, out ReadOnlySpan<byte> chunk, out ReadOnlySpan<byte> rest)
    {
        bool star = false;
        while (pattern.Length > 0 && pattern[0] == '*')
        {
            pattern = pattern[1..];
            star = true;
        }
        bool inRange = false;
        int i;
        for (i = 0; i < pattern.Length; i++)
        {
            byte c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 < pattern.Length)
                {
                    i++;
                }
            }
            else if (c == '[')
            {
                inRange = true;
            }
            else if (c == ']')
            {
                inRange = false;
            }
            else if (c == '*' && !inRange)
            {
                break;
            }
        }
        chunk = pattern[..i];
        rest = pattern[i..];
        return star;
    }

    // Matches chunk against a prefix of s; keeps parsing the chunk after a failure to report bad patterns.
    private static bool MatchChunk(ReadOnlySpan<byte> chunk, ReadOnlySpan<byte> s, out ReadOnlySpan<byte> rest)
    {
        bool failed = false;
        while (chunk.Length > 0)
        {
            if (!failed && s.Length == 0)
            {
                failed = true;
            }
            switch (chunk[0])
            {
                case (byte)'[':
                    MatchClass(ref chunk, ref s, ref failed);
                    break;
                case (byte)'?':
                    if (!failed)
                    {
                        if (s[0] == '/')
                        {
                            failed = true;
                        }
                        DecodeRune(s, out int width);
                        s = s[width..];
                    }
                    chunk = chunk[1..];
                    break;
                default:
                    if (chunk[0] == '\\')
                    {
                        chunk = chunk[1..];
                        if (chunk.Length == 0)
                        {
                            throw new FormatException("syntax error in pattern");
                        }
                    }
                    if (!failed)
                    {
                        if (chunk[0] != s[0])
                        {
                            failed = true;
                        }
                        s = s[1..];
                    }
                    chunk = chunk[1..];
                    break;
            }
        }
        rest = failed ? [] : s;
        return !failed;
    }

    // A character class "[^lo-hi...]" at the start of chunk; consumes it and, unless already failed, one rune of s.
    private static void MatchClass(ref ReadOnlySpan<byte> chunk, ref ReadOnlySpan<byte> s, ref bool failed)
    {
        int r = -1;
        if (!failed)
        {
            r = DecodeRune(s, out int width);
            s = s[width..];
        }
        chunk = chunk[1..];
        bool negated = chunk.Length > 0 && chunk[0] == '^';
        if (negated)
        {
            chunk = chunk[1..];
        }
        bool match = false;
        for (int ranges = 0; ; ranges++)
        {
            if (chunk.Length > 0 && chunk[0] == ']' && ranges > 0)
            {
                chunk = chunk[1..];
                break;
            }
            int lo = GetEscaped(ref chunk);
            int hi = lo;
            if (chunk[0] == '-')
            {
                chunk = chunk[1..];
                hi = GetEscaped(ref chunk);
            }
            match |= lo <= r && r <= hi;
        }
        if (match == negated)
        {
            failed = true;
        }
    }

    private static int GetEscaped(ref ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length == 0 || chunk[0] == '-' || chunk[0] == ']')
        {
            throw new FormatException("syntax error in pattern");
        }
        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.Length == 0)
            {
                throw new FormatException("syntax error in pattern");
            }
        }
        int r = DecodeRune(chunk, out int width);
        chunk = chunk[width..];
        if (chunk.Length == 0)
        {
            throw new FormatException("syntax error in pattern");
        }
        return r;
    }

    private static int DecodeRune(ReadOnlySpan<byte> s, out int width)
    {
        var status = Rune.DecodeFromUtf8(s, out Rune rune, out width);
        return status == System.Buffers.OperationStatus.Done ? rune.Value : 0xFFFD;
    }
}

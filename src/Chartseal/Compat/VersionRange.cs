using System.Diagnostics.CodeAnalysis;

namespace Chartseal.Compat;

/// <summary>
/// A version constraint as Helm understands it (Masterminds semver v3 <c>NewConstraint</c>), used by
/// <c>pull --version RANGE</c>: <c>^1.2</c>, <c>~1.2.3</c>, <c>&gt;=1.0 &lt;2.0</c>, <c>1.2.x</c>, <c>*</c>,
/// <c>1.0 - 2.0</c>; constraints separated by spaces or commas must all hold, and <c>||</c> separates
/// alternatives.
/// </summary>
/// <remarks>
/// As in Masterminds v3, a pre-release version only satisfies a constraint whose own version has a
/// pre-release part (<c>&gt;=1.0</c> does not contain <c>1.5.0-beta</c>; <c>&gt;=1.0-0</c> does), and
/// missing or wildcard parts make a constraint a range (<c>=1.2</c> means <c>1.2.x</c>).
/// </remarks>
public sealed class VersionRange
{
    private static readonly string[] Operators = ["!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^"];

    private readonly List<List<Constraint>> _alternatives;

    private VersionRange(string original, List<List<Constraint>> alternatives)
    {
        Original = original;
        _alternatives = alternatives;
    }

    /// <summary>The constraint text as given.</summary>
    public string Original { get; }

    /// <summary>Parses a constraint.</summary>
    /// <exception cref="FormatException">The constraint is malformed (<c>improper constraint: …</c>).</exception>
    public static VersionRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var range, out string? error) ? range : throw new FormatException(error);
    }

    /// <summary>Parses a constraint, returning false when it is malformed.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out VersionRange? range) => TryParse(text, out range, out _);

    private static bool TryParse(string? text, [NotNullWhen(true)] out VersionRange? range, [NotNullWhen(false)] out string? error)
    {
        range = null;
        var alternatives = new List<List<Constraint>>();
        foreach (string group in (text ?? "").Split("||"))
        {
            var constraints = ParseGroup(group);
            if (constraints is null)
            {
                error = $"improper constraint: {group}";
                return false;
            }
            alternatives.Add(constraints);
        }
        range = new VersionRange(text!, alternatives);
        error = null;
        return true;
    }

    /// <summary>True when <paramref name="version"/> satisfies every constraint of at least one alternative.</summary>
    public bool Contains(SemanticVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return _alternatives.Any(group => group.All(c => c.Check(version)));
    }

    /// <summary>The original text.</summary>
    public override string ToString() => Original;

    // One AND-group: "op version" items separated by whitespace or a single comma; "a - b" is a range.
    private static List<Constraint>? ParseGroup(string text)
    {
        var result = new List<Constraint>();
        int pos = 0;
        while (true)
        {
            bool separated = SkipSpaces(text, ref pos) > 0;
            if (pos < text.Length && text[pos] == ',' && result.Count > 0)
            {
                pos++;
                SkipSpaces(text, ref pos);
                separated = true;
            }
            if (pos == text.Length)
            {
                return result.Count > 0 ? result : null;
            }
            if (result.Count > 0 && !separated)
            {
                return null;
            }

            string op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, pos, o, 0, o.Length) == 0) ?? "";
            pos += op.Length;
            SkipSpaces(text, ref pos);
            var constraint = Constraint.Create(op, ReadToken(text, ref pos));
            if (constraint is null)
            {
                return null;
            }

            // Hyphen range "a - b" (spaces required around the dash) means ">= a, <= b".
            int save = pos;
            if (op.Length == 0 && SkipSpaces(text, ref pos) > 0 && pos + 1 < text.Length && text[pos] == '-' && char.IsWhiteSpace(text[pos + 1]))
            {
                pos++;
                SkipSpaces(text, ref pos);
                var lower = Constraint.Create(">=", constraint.Text);
                var upper = Constraint.Create("<=", ReadToken(text, ref pos));
                if (lower is null || upper is null)
                {
                    return null;
                }
                result.Add(lower);
                result.Add(upper);
                continue;
            }
            pos = save;
            result.Add(constraint);
        }
    }

    private static int SkipSpaces(string text, ref int pos)
    {
        int start = pos;
        while (pos < text.Length && char.IsWhiteSpace(text[pos]))
        {
            pos++;
        }
        return pos - start;
    }

    private static string ReadToken(string text, ref int pos)
    {
        int start = pos;
        while (pos < text.Length && !char.IsWhiteSpace(text[pos]) && text[pos] != ',')
        {
            pos++;
        }
        return text[start..pos];
    }

    private static bool IsWildcard(string part) => part is "x" or "X" or "*";

    private sealed class Constraint
    {
        private Constraint(string op, string text, SemanticVersion version, bool dirty, bool minorDirty, bool patchDirty)
        {
            Operator = op;
            Text = text;
            Version = version;
            Dirty = dirty;
            MinorDirty = minorDirty;
            PatchDirty = patchDirty;
        }

        public string Operator { get; }
        public string Text { get; }
        public SemanticVersion Version { get; }

        // A wildcard or missing part: "1.x" or "1" is minor-dirty, "1.2.x" or "1.2" is patch-dirty, "*" is dirty.
        public bool Dirty { get; }
        public bool MinorDirty { get; }
        public bool PatchDirty { get; }

        public static Constraint? Create(string op, string text)
        {
            // v? P(.P)?(.P)?(-pre)?(+meta)? where P is digits or a wildcard.
            string rest = text.StartsWith('v') ? text[1..] : text;
            int plus = rest.IndexOf('+', StringComparison.Ordinal);
            if (plus >= 0)
            {
                rest = rest[..plus];
            }
            int dash = rest.IndexOf('-', StringComparison.Ordinal);
            string pre = dash >= 0 ? rest[dash..] : "";
            string[] parts = (dash >= 0 ? rest[..dash] : rest).Split('.');
            if (parts.Length > 3 || parts.Any(p => p.Length == 0 || (!IsWildcard(p) && !p.All(char.IsAsciiDigit))))
            {
                return null;
            }

            bool dirty = false, minorDirty = false, patchDirty = false;
            string canonical = text;
            if (IsWildcard(parts[0]))
            {
                dirty = true;
                canonical = "0.0.0" + pre;
            }
            else if (parts.Length < 2 || IsWildcard(parts[1]))
            {
                dirty = minorDirty = true;
                canonical = $"{parts[0]}.0.0{pre}";
            }
            else if (parts.Length < 3 || IsWildcard(parts[2]))
            {
                dirty = patchDirty = true;
                canonical = $"{parts[0]}.{parts[1]}.0{pre}";
            }
            return SemanticVersion.TryParse(canonical, out var version)
                ? new Constraint(op, text, version, dirty, minorDirty, patchDirty)
                : null;
        }

        public bool Check(SemanticVersion v)
        {
            // Masterminds issue 21: pre-releases only match constraints that mention a pre-release.
            if (v.Prerelease.Length > 0 && Version.Prerelease.Length == 0)
            {
                return false;
            }
            return Operator switch
            {
                "" or "=" => Dirty ? Tilde(v) : v.CompareTo(Version) == 0,
                "!=" => NotEqual(v),
                ">" => GreaterThan(v),
                "<" => v.CompareTo(Version) < 0,
                ">=" or "=>" => v.CompareTo(Version) >= 0,
                "<=" or "=<" => LessThanOrEqual(v),
                "~" or "~>" => Tilde(v),
                "^" => Caret(v),
                _ => false,
            };
        }

        private bool NotEqual(SemanticVersion v)
        {
            if (!Dirty)
            {
                return v.CompareTo(Version) != 0;
            }
            if (Version.Major != v.Major)
            {
                return true;
            }
            if (MinorDirty)
            {
                return false;
            }
            if (Version.Minor != v.Minor)
            {
                return true;
            }
            if (PatchDirty)
            {
                return SemanticVersion.ComparePrerelease(v.Prerelease, Version.Prerelease) != 0;
            }
            return v.CompareTo(Version) != 0;
        }

        private bool GreaterThan(SemanticVersion v)
        {
            if (!Dirty || v.Major != Version.Major)
            {
                return Dirty ? v.Major > Version.Major : v.CompareTo(Version) > 0;
            }
            if (MinorDirty)
            {
                return false; // ">1" needs 2.0.0 or later
            }
            if (PatchDirty)
            {
                return v.Minor > Version.Minor; // ">1.1" needs 1.2.0 or later
            }
            return v.CompareTo(Version) > 0;
        }

        private bool LessThanOrEqual(SemanticVersion v)
        {
            if (!Dirty)
            {
                return v.CompareTo(Version) <= 0;
            }
            if (v.Major > Version.Major)
            {
                return false;
            }
            return !(v.Major == Version.Major && v.Minor > Version.Minor && !MinorDirty);
        }

        // ~1.2.3 is >=1.2.3 <1.3.0; ~1 is >=1.0.0 <2.0.0; ~* (and ~0.0.0) is anything.
        private bool Tilde(SemanticVersion v)
        {
            if (v.CompareTo(Version) < 0)
            {
                return false;
            }
            if (Version.Major == 0 && Version.Minor == 0 && Version.Patch == 0 && !MinorDirty && !PatchDirty)
            {
                return true;
            }
            return v.Major == Version.Major && (MinorDirty || v.Minor == Version.Minor);
        }

        // ^1.2.3 is >=1.2.3 <2.0.0; ^0.2.3 is >=0.2.3 <0.3.0; ^0.0.3 is =0.0.3; ^0.0 is <0.1.0; ^0 is <1.0.0.
        private bool Caret(SemanticVersion v)
        {
            if (v.CompareTo(Version) < 0)
            {
                return false;
            }
            if (Version.Major > 0 || MinorDirty)
            {
                return v.Major == Version.Major;
            }
            if (v.Major > 0)
            {
                return false;
            }
            if (Version.Minor > 0 || PatchDirty)
            {
                return v.Minor == Version.Minor;
            }
            return v.Minor == 0 && v.Patch == Version.Patch;
        }
    }
}

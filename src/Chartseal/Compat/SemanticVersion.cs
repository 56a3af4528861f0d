using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Chartseal.Compat;

/// <summary>
/// A SemVer 2 version parsed as leniently as Helm's parser (Masterminds semver v3 <c>NewVersion</c>):
/// a leading <c>v</c> and missing minor/patch numbers are accepted (<c>v1.2</c> is 1.2.0), numeric
/// pre-release identifiers must not start with zero (<c>1.1.3-023658</c> is refused).
/// </summary>
/// <remarks>
/// Ordering follows SemVer precedence: build metadata is ignored, so <c>1.0.0+a</c> and <c>1.0.0+b</c>
/// compare (and are <see cref="Equals(SemanticVersion)"/>) equal although their <see cref="ToString"/> differ.
/// </remarks>
public sealed class SemanticVersion : IComparable<SemanticVersion>, IEquatable<SemanticVersion>
{
    private SemanticVersion(string original, ulong major, ulong minor, ulong patch, string prerelease, string metadata)
    {
        Original = original;
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
        Metadata = metadata;
    }

    /// <summary>The major number.</summary>
    public ulong Major { get; }

    /// <summary>The minor number (0 when omitted).</summary>
    public ulong Minor { get; }

    /// <summary>The patch number (0 when omitted).</summary>
    public ulong Patch { get; }

    /// <summary>The pre-release part without the leading <c>-</c>, or empty.</summary>
    public string Prerelease { get; }

    /// <summary>The build metadata without the leading <c>+</c>, or empty.</summary>
    public string Metadata { get; }

    /// <summary>The text exactly as parsed (Helm keeps it, e.g. in archive names).</summary>
    public string Original { get; }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">The text is not a valid version; the message says why.</exception>
    public static SemanticVersion Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var version, out string? error) ? version : throw new FormatException(error);
    }

    /// <summary>Parses <paramref name="text"/>, returning false when it is not a valid version.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SemanticVersion? version) =>
        TryParse(text, out version, out _);

    /// <summary>
    /// Parses <paramref name="text"/>; on failure <paramref name="error"/> holds Masterminds' message
    /// (e.g. <c>version segment starts with 0</c>, <c>invalid semantic version</c>).
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SemanticVersion? version, [NotNullWhen(false)] out string? error)
    {
        version = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "version string empty";
            return false;
        }

        // Grammar (Masterminds' loose regex): v? N (.N)? (.N)? (-ids)? (+ids)? where N is digits and
        // ids are dot-separated non-empty runs of [0-9A-Za-z-].
        int pos = text[0] == 'v' ? 1 : 0;
        var numbers = new ulong[3];
        for (int i = 0; i < 3; i++)
        {
            if (i > 0)
            {
                if (pos >= text.Length || text[pos] != '.')
                {
                    break;
                }
                pos++;
            }
            int start = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                pos++;
            }
            if (pos == start)
            {
                error = "invalid semantic version";
                return false;
            }
            if (!ulong.TryParse(text.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                error = "error parsing version segment: value out of range";
                return false;
            }
        }

        string prerelease = "";
        string metadata = "";
        if (pos < text.Length && text[pos] == '-')
        {
            prerelease = ReadIdentifiers(text, ref pos);
            if (prerelease.Length == 0)
            {
                error = "invalid semantic version";
                return false;
            }
        }
        if (pos < text.Length && text[pos] == '+')
        {
            metadata = ReadIdentifiers(text, ref pos);
            if (metadata.Length == 0)
            {
                error = "invalid semantic version";
                return false;
            }
        }
        if (pos != text.Length)
        {
            error = "invalid semantic version";
            return false;
        }

        foreach (string identifier in prerelease.Length > 0 ? prerelease.Split('.') : [])
        {
            if (identifier.Length > 1 && identifier[0] == '0' && IsNumeric(identifier))
            {
                error = "version segment starts with 0";
                return false;
            }
        }

        version = new SemanticVersion(text, numbers[0], numbers[1], numbers[2], prerelease, metadata);
        error = null;
        return true;
    }

    // Reads "-a.b" or "+a.b" starting at the sign; returns "" when the identifiers are malformed.
    private static string ReadIdentifiers(string text, ref int pos)
    {
        int start = ++pos;
        bool previousWasDot = true;
        while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '-' || text[pos] == '.'))
        {
            bool dot = text[pos] == '.';
            if (dot && previousWasDot)
            {
                return "";
            }
            previousWasDot = dot;
            pos++;
        }
        return pos == start || previousWasDot ? "" : text[start..pos];
    }

    private static bool IsNumeric(string s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Compares by SemVer precedence (build metadata ignored).</summary>
    public int CompareTo(SemanticVersion? other)
    {
        if (other is null)
        {
            return 1;
        }
        int c = Major.CompareTo(other.Major);
        if (c == 0)
        {
            c = Minor.CompareTo(other.Minor);
        }
        if (c == 0)
        {
            c = Patch.CompareTo(other.Patch);
        }
        return c != 0 ? c : ComparePrerelease(Prerelease, other.Prerelease);
    }

    /// <summary>SemVer 2 §11: a release outranks its pre-releases; identifiers compare numerically or by ASCII.</summary>
    internal static int ComparePrerelease(string a, string b)
    {
        if (a == b)
        {
            return 0;
        }
        if (a.Length == 0)
        {
            return 1;
        }
        if (b.Length == 0)
        {
            return -1;
        }
        string[] left = a.Split('.');
        string[] right = b.Split('.');
        for (int i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            int c = CompareIdentifier(left[i], right[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return left.Length.CompareTo(right.Length);
    }

    private static int CompareIdentifier(string a, string b)
    {
        bool aNumeric = IsNumeric(a);
        bool bNumeric = IsNumeric(b);
        if (aNumeric && bNumeric)
        {
            // Compare as numbers of any length: shorter (without leading zeros) is smaller.
            string x = a.TrimStart('0');
            string y = b.TrimStart('0');
            return x.Length != y.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y);
        }
        if (aNumeric != bNumeric)
        {
            return aNumeric ? -1 : 1;
        }
        return Math.Sign(string.CompareOrdinal(a, b));
    }

    /// <summary>True when both have the same precedence (build metadata ignored).</summary>
    public bool Equals(SemanticVersion? other) => other is not null && CompareTo(other) == 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SemanticVersion other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Major, Minor, Patch, Prerelease);

    /// <summary>The original text.</summary>
    public override string ToString() => Original;

    /// <summary>Precedence comparison.</summary>
    public static bool operator <(SemanticVersion left, SemanticVersion right) => Compare(left, right) < 0;

    /// <summary>Precedence comparison.</summary>
    public static bool operator >(SemanticVersion left, SemanticVersion right) => Compare(left, right) > 0;

    /// <summary>Precedence comparison.</summary>
    public static bool operator <=(SemanticVersion left, SemanticVersion right) => Compare(left, right) <= 0;

    /// <summary>Precedence comparison.</summary>
    public static bool operator >=(SemanticVersion left, SemanticVersion right) => Compare(left, right) >= 0;

    /// <summary>Precedence equality.</summary>
    public static bool operator ==(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) == 0;

    /// <summary>Precedence inequality.</summary>
    public static bool operator !=(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) != 0;

    private static int Compare(SemanticVersion? left, SemanticVersion? right) =>
        left is null ? (right is null ? 0 : -1) : left.CompareTo(right);
}

using System.Text.RegularExpressions;
using Chartseal.Compat;

namespace Chartseal.Charts;

/// <summary>
/// The one naming rule for what a repository accepts, stores, lists and serves, and what the client writes to disk:
/// a chart name is what <c>helm create</c> accepts (<c>^[a-zA-Z0-9._-]+$</c>, Helm 3 and 4), not starting with a dot
/// (a hidden file, <c>.</c> or <c>..</c>) or a dash (a file name that command-line tools take for an option), at most
/// <see cref="MaxLength"/> characters; a version is SemVer as Helm reads
/// it (so made of <c>[0-9A-Za-z.+-]</c>, with an optional leading <c>v</c>). Every such NAME-VERSION.tgz is a plain,
/// portable file name and a URL path segment that needs no escaping. Names that Helm's <c>lint</c> lets through but this
/// rule refuses (<c>my chart</c>, <c>a#b</c>, <c>café</c>, whose NFC and NFD spellings look alike) would be files that a
/// URL cannot name without escaping, or two charts that look the same.
/// </summary>
public static partial class ChartName
{
    /// <summary>The longest chart name accepted (NAME-VERSION.tgz.prov then fits any file system's 255-byte limit).</summary>
    public const int MaxLength = 100;

    /// <summary>Why <paramref name="name"/> is not an accepted chart name, or null when it is.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a chart name is required";
        }
        if (name.Length > MaxLength)
        {
            return $"chart name \"{name[..20]}...\" is longer than {MaxLength} characters";
        }
        if (!NamePattern().IsMatch(name))
        {
            return $"chart name \"{name}\" is not accepted: use ASCII letters, digits, '.', '_' and '-' (as helm create requires), not starting with '.' or '-'";
        }
        return null;
    }

    /// <summary>Whether <paramref name="name"/> is an accepted chart name.</summary>
    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Why <paramref name="version"/> is not an accepted chart version (SemVer as Helm reads it), or null when it is.</summary>
    public static string? VersionProblem(string? version) =>
        SemanticVersion.TryParse(version, out _, out string? error) ? null : $"chart version \"{version}\" is not SemVer: {error}";

    /// <summary>The file a repository stores the chart version in: <c>NAME-VERSION.tgz</c>.</summary>
    public static string ArchiveFileName(string name, string version) => $"{name}-{version}.tgz";

    /// <summary>
    /// Whether <paramref name="fileName"/> could be the archive (<c>NAME-VERSION.tgz</c>) of an accepted name and version:
    /// the client writes nothing else, and the server serves nothing else (besides the trust files).
    /// </summary>
    public static bool IsArchiveFileName(string? fileName)
    {
        if (fileName is null || !fileName.EndsWith(".tgz", StringComparison.Ordinal))
        {
            return false;
        }
        string stem = fileName[..^".tgz".Length];
        // NAME-VERSION splits at any dash followed by a version: a name may hold dashes, a version too (pre-releases).
        for (int dash = stem.IndexOf('-', StringComparison.Ordinal); dash > 0; dash = stem.IndexOf('-', dash + 1))
        {
            if (IsValid(stem[..dash]) && VersionProblem(stem[(dash + 1)..]) is null)
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

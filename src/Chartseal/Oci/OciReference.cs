using System.Text.RegularExpressions;

namespace Chartseal.Oci;

/// <summary>
/// A place in an OCI registry: <c>oci://HOST[:PORT]/PATH[:TAG][@DIGEST]</c>. The path is a repository (Helm stores a
/// chart at <c>NAMESPACE/NAME</c>) or a namespace holding repositories; it may be empty (the registry's root). Names
/// follow the distribution spec: lower-case path components of <c>[a-z0-9]</c> joined by <c>.</c>, <c>_</c>,
/// <c>__</c> or dashes; tags are <c>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}</c>; digests must be checkable
/// (<see cref="OciDigest"/>). As in Helm, a <c>+</c> in a tag is written <c>_</c> (SemVer build metadata is not
/// allowed in tags), so <c>oci://h/ns/app:1.0.0+build</c> names the tag <c>1.0.0_build</c>.
/// </summary>
public sealed partial class OciReference : IEquatable<OciReference>
{
    /// <summary>The URL scheme of OCI references, as Helm writes it.</summary>
    public const string Scheme = "oci://";

    /// <summary>The longest <c>HOST/PATH</c> accepted (the limit most registries and clients apply).</summary>
    public const int MaxNameLength = 255;

    /// <summary>The longest tag the distribution spec allows (its grammar: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>).</summary>
    public const int MaxTagLength = 128;

    private OciReference(string registry, string repository, string? tag, string? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry: host name or address, with the port when one was given (<c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>The repository or namespace path below the registry, without leading or trailing slash; may be empty.</summary>
    public string Repository { get; }

    /// <summary>The tag, or null.</summary>
    public string? Tag { get; }

    /// <summary>The digest, or null.</summary>
    public string? Digest { get; }

    /// <summary>What <c>/v2/NAME/manifests/REFERENCE</c> takes: the digest when there is one, else the tag.</summary>
    /// <exception cref="InvalidOperationException">The reference has neither.</exception>
    public string ManifestReference => Digest ?? Tag ?? throw new InvalidOperationException($"{this} has no tag or digest");

    /// <summary>The reference without tag and digest (the repository or namespace itself).</summary>
    public OciReference WithoutReference => Tag is null && Digest is null ? this : new(Registry, Repository, null, null);

    /// <summary>
    /// Parses <c>oci://HOST[:PORT]/PATH[:TAG][@DIGEST]</c>; the <c>oci://</c> prefix may be left out. A <c>+</c> in the
    /// tag becomes <c>_</c>, and one trailing slash is ignored.
    /// </summary>
    /// <exception cref="ChartsealException">Not a valid reference (the message says which part is wrong).</exception>
    public static OciReference Parse(string text) =>
        TryParse(text, out OciReference? reference, out string? error) ? reference : throw new ChartsealException(Printable(WithoutUserInfo(text) ?? text), error);

    /// <summary>
    /// <paramref name="text"/> without the <c>USER[:PASSWORD]@</c> written before its host, to name it in a refusal
    /// (such a reference is refused: the credentials would be neither sent nor kept secret); null when it holds none.
    /// </summary>
    public static string? WithoutUserInfo(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? Scheme.Length : 0;
        int slash = text.IndexOf('/', start);
        string registry = slash < 0 ? text[start..] : text[start..slash];
        return HasUserInfo(registry) ? text[..start] + text[(start + registry.LastIndexOf('@') + 1)..] : null;
    }

    // Whether the registry part holds USER[:PASSWORD]@ before a HOST[:PORT], rather than a digest typed without a
    // repository (HOST@sha256:…, refused as what it is).
    private static bool HasUserInfo(string registry)
    {
        int at = registry.LastIndexOf('@');
        if (at < 0)
        {
            return false;
        }
        string host = registry[(at + 1)..];
        int colon = host.LastIndexOf(':');
        return colon < 0 || host[(colon + 1)..].All(char.IsAsciiDigit);
    }

    /// <summary>Like <see cref="Parse"/>, returning the reason instead of throwing.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OciReference? reference,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "an OCI reference cannot be empty";
            return false;
        }
        string rest = text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? text[Scheme.Length..] : text;
        if (rest.Contains("://", StringComparison.Ordinal))
        {
            error = $"not an OCI reference: only {Scheme} is accepted";
            return false;
        }
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string registry = slash < 0 ? rest : rest[..slash];
        if (HasUserInfo(registry))
        {
            error = "a user name or password in the reference is neither sent nor printed: log in with helm registry login or docker login (or give --username where the command takes it)";
            return false;
        }
        string path = slash < 0 ? "" : rest[(slash + 1)..];
        if (path.EndsWith('/'))
        {
            path = path[..^1];
        }
        string? digest = null, tag = null;
        int at = path.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = path[(at + 1)..];
            path = path[..at];
        }
        int colon = path.LastIndexOf(':');
        if (colon >= 0 && path.IndexOf('/', colon) < 0)
        {
            tag = path[(colon + 1)..].Replace('+', '_');
            path = path[..colon];
        }
        error = Check(registry, path, tag, digest);
        if (error is not null)
        {
            return false;
        }
        reference = new OciReference(registry, path, tag, digest);
        return true;
    }

    /// <summary>The repository <c>PATH/NAME</c> below this namespace (tag and digest dropped).</summary>
    /// <exception cref="ChartsealException"><paramref name="name"/> is not a valid path component.</exception>
    public OciReference Child(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string repository = Repository.Length == 0 ? name : Repository + "/" + name;
        return Check(Registry, repository, null, null) is { } error ? throw new ChartsealException(Printable(this + "/" + name), error) : new(Registry, repository, null, null);
    }

    /// <summary>The same repository with tag <paramref name="tag"/> (and no digest).</summary>
    /// <exception cref="ChartsealException">Not a valid tag, or no repository.</exception>
    public OciReference WithTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return Check(Registry, Repository, tag, null) is { } error ? throw new ChartsealException(Printable($"{WithoutReference}:{tag}"), error) : new(Registry, Repository, tag, null);
    }

    /// <summary>The same repository at <paramref name="digest"/> (the tag is kept, as in <c>name:tag@digest</c>).</summary>
    /// <exception cref="ChartsealException">Not a valid digest, or no repository.</exception>
    public OciReference WithDigest(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return Check(Registry, Repository, Tag, digest) is { } error ? throw new ChartsealException(Printable($"{WithoutReference}@{digest}"), error) : new(Registry, Repository, Tag, digest);
    }

    /// <summary>The tag Helm gives chart version <paramref name="version"/>: <c>+</c> written as <c>_</c>.</summary>
    public static string TagForVersion(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Replace('+', '_');
    }

    /// <summary>The chart version Helm reads from tag <paramref name="tag"/>: <c>_</c> read as <c>+</c>.</summary>
    public static string VersionForTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return tag.Replace('_', '+');
    }

    /// <summary><c>HOST/PATH[:TAG][@DIGEST]</c>, without the scheme (what <c>docker</c> and ORAS print).</summary>
    public string Locator => Registry + (Repository.Length > 0 ? "/" + Repository : "") + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>The canonical form, <c>oci://HOST/PATH[:TAG][@DIGEST]</c>.</summary>
    public override string ToString() => Scheme + Locator;

    /// <inheritdoc />
    public bool Equals(OciReference? other) => other is not null && string.Equals(Registry, other.Registry, StringComparison.OrdinalIgnoreCase)
        && Repository == other.Repository && Tag == other.Tag && Digest == other.Digest;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as OciReference);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Registry.ToLowerInvariant(), Repository, Tag, Digest);

    private static string? Check(string registry, string path, string? tag, string? digest)
    {
        if (registry.Length == 0)
        {
            return "an OCI reference needs a registry host (oci://HOST/PATH)";
        }
        if (!RegistryPattern().IsMatch(registry))
        {
            return $"\"{Printable(registry)}\" is not a valid registry host[:port]";
        }
        if (path.Length > 0)
        {
            foreach (string component in path.Split('/'))
            {
                if (component.Length == 0)
                {
                    return $"the path \"{Printable(path)}\" has an empty component";
                }
                if (!ComponentPattern().IsMatch(component))
                {
                    return component.Any(char.IsAsciiLetterUpper) && ComponentPattern().IsMatch(component.ToLowerInvariant())
                        ? $"repository names must be lower case (\"{Printable(component)}\")"
                        : $"\"{Printable(component)}\" is not a valid repository name component (lower-case letters and digits, separated by '.', '_', '__' or dashes)";
                }
            }
        }
        if (registry.Length + 1 + path.Length > MaxNameLength)
        {
            return $"the name is longer than {MaxNameLength} characters";
        }
        if ((tag is not null || digest is not null) && path.Length == 0)
        {
            return "a tag or digest needs a repository path (oci://HOST/PATH:TAG)";
        }
        if (tag is not null && !TagPattern().IsMatch(tag))
        {
            return $"\"{Printable(tag)}\" is not a valid tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')";
        }
        return digest is null ? null : OciDigest.Problem(digest);
    }

    /// <summary>User input for a one-line message: control characters escaped as in Go's %q.</summary>
    internal static string Printable(string? text)
    {
        if (text is null || !text.Any(char.IsControl))
        {
            return text ?? "";
        }
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:.]+\])(?::[0-9]{1,5})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ComponentPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    /// <summary>Whether <paramref name="tag"/> is a valid tag (the distribution spec's grammar).</summary>
    public static bool IsTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);
}

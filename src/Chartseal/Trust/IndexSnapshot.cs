using System.Globalization;
using System.Text;

namespace Chartseal.Trust;

/// <summary>
/// The body of <c>snapshot.yaml.asc</c>: what an index key vouches for, often and briefly. Laid out like the trust
/// manifest (one clear-sign framing, so plain <c>gpg --verify</c> checks it): a version that only grows, a short expiry,
/// the trust manifest it was made with, and the SHA-256 and size of the one catalogue it covers: <c>index.yaml</c> for a
/// folder or http(s) repository, <c>tags.json</c> (every chart tag and its manifest digest) for a registry namespace.
/// </summary>
/// <param name="Version">Only grows (a signer uses at least the Unix time in seconds, so a restored repository still moves forward).</param>
/// <param name="Expires">After this instant (UTC) the snapshot, and the index it covers, are refused (freeze defence).</param>
/// <param name="TrustVersion">The version of the trust manifest the snapshot was made with.</param>
/// <param name="TrustManifestSha256">Lower-case hex SHA-256 of that <c>trust.yaml.asc</c> (mix-and-match defence).</param>
/// <param name="IndexName">What it covers: <see cref="IndexFileName"/> or <see cref="TagsFileName"/>.</param>
/// <param name="IndexSha256">Lower-case hex SHA-256 of the covered file.</param>
/// <param name="IndexSize">Its size in bytes.</param>
public sealed record IndexSnapshot(long Version, DateTime Expires, long TrustVersion, string TrustManifestSha256, string IndexName, string IndexSha256, long IndexSize)
{
    /// <summary>The snapshot's <c>kind</c>.</summary>
    public const string Kind = "IndexSnapshot";

    /// <summary>The signed snapshot's file name, beside <c>index.yaml</c>.</summary>
    public const string FileName = "snapshot.yaml.asc";

    /// <summary>What a folder or http(s) repository's snapshot covers.</summary>
    public const string IndexFileName = "index.yaml";

    /// <summary>What a registry namespace's snapshot covers: its chart tags and their manifest digests.</summary>
    public const string TagsFileName = "tags.json";

    /// <summary>Largest snapshot read.</summary>
    public const int MaxLength = 64 * 1024;

    private static readonly HashSet<string> HeaderKeys = new(StringComparer.Ordinal) { "apiVersion", "kind", "version", "expires", "trustVersion", "trustManifest" };

    /// <summary>
    /// The content-addressed name under which a repository publishes the <c>index.yaml</c> a snapshot covers
    /// (<c>index.sha256-HEX.yaml</c>), written before the snapshot and never changed: a reader that follows the snapshot
    /// to it never sees a mismatched pair, however often the index changes.
    /// </summary>
    public static string ContentAddressedIndexName(string sha256Hex) => $"index.sha256-{sha256Hex}.yaml";

    /// <summary>Whether <paramref name="name"/> is a content-addressed index name.</summary>
    public static bool IsContentAddressedIndexName(string name) =>
        name.Length == "index.sha256-.yaml".Length + 64 && name.StartsWith("index.sha256-", StringComparison.Ordinal) && name.EndsWith(".yaml", StringComparison.Ordinal)
        && name.AsSpan("index.sha256-".Length, 64).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>The YAML body (LF line endings, final newline).</summary>
    public string Serialize()
    {
        var sb = new StringBuilder();
        sb.Append("apiVersion: ").Append(TrustManifest.ApiVersion).Append('\n');
        sb.Append("kind: ").Append(Kind).Append('\n');
        sb.Append("version: ").Append(Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("expires: ").Append(TrustManifest.FormatTime(Expires)).Append('\n');
        sb.Append("trustVersion: ").Append(TrustVersion.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("trustManifest: sha256:").Append(TrustManifestSha256).Append('\n');
        sb.Append("\n...\nfiles:\n");
        sb.Append("  ").Append(IndexName).Append(": sha256:").Append(IndexSha256).Append(' ').Append(IndexSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Parses a (verified) body strictly; null with <paramref name="error"/> set otherwise.</summary>
    public static IndexSnapshot? TryParse(string body, out string error)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!SignedBody.TryParse(body, Kind, HeaderKeys, out var header, out var files, out long version, out DateTime expires, out error)
            || !SignedBody.TryPositive(header, "trustVersion", out long trustVersion, out error))
        {
            return null;
        }
        if (Sha256Of(header.GetValueOrDefault("trustManifest")) is not { } trustSha256)
        {
            error = "trustManifest must be sha256: and 64 lower-case hex digits";
            return null;
        }
        if (files.Count != 1 || files.Keys.Single() is not (IndexFileName or TagsFileName))
        {
            error = $"files must list exactly one of {IndexFileName} and {TagsFileName}";
            return null;
        }
        var (name, value) = files.Single();
        string[] parts = value.Split(' ');
        if (parts.Length != 2 || Sha256Of(parts[0]) is not { } indexSha256
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size))
        {
            error = $"files entry {name} must be \"sha256:HEX SIZE\"";
            return null;
        }
        error = "";
        return new IndexSnapshot(version, expires, trustVersion, trustSha256, name, indexSha256, size);
    }

    private static string? Sha256Of(string? value) =>
        value is { Length: 71 } && value.StartsWith("sha256:", StringComparison.Ordinal) && value.AsSpan(7).IndexOfAnyExcept("0123456789abcdef") < 0
            ? value[7..]
            : null;
}

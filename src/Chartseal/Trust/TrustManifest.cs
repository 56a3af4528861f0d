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

    /// <summary>
    /// The longest an index snapshot may live, from its signature to its expiry, when the manifest names index keys
    /// (<c>snapshotMaxLifetime</c>, whole seconds): a stolen index key cannot sign a snapshot that outlives it. Null
    /// when absent (<see cref="DefaultSnapshotMaxLifetime"/> then applies).
    /// </summary>
    public TimeSpan? SnapshotMaxLifetime { get; init; }

    /// <summary>The snapshot lifetime cap when the manifest names index keys but sets none.</summary>
    public static readonly TimeSpan DefaultSnapshotMaxLifetime = TimeSpan.FromDays(7);

    /// <summary>Whether the root delegated index snapshots to index keys (<c>indexkeys.pgp</c> is listed).</summary>
    public bool HasIndexKeys => Files.ContainsKey(TrustFiles.IndexKeysName);

    private static readonly HashSet<string> HeaderKeys = new(StringComparer.Ordinal) { "apiVersion", "kind", "version", "expires", "root", "nextRoot", "snapshotMaxLifetime" };

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
        if (SnapshotMaxLifetime is { } max)
        {
            sb.Append("snapshotMaxLifetime: ").Append(((long)max.TotalSeconds).ToString(CultureInfo.InvariantCulture)).Append('\n');
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
        if (!SignedBody.TryParse(body, Kind, HeaderKeys, out var header, out var files, out long version, out DateTime expires, out error))
        {
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
        TimeSpan? maxLifetime = null;
        if (header.GetValueOrDefault("snapshotMaxLifetime") is { } maxText)
        {
            if (!long.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds < 1 || seconds > (long)MaxSnapshotMaxLifetime.TotalSeconds)
            {
                error = $"snapshotMaxLifetime must be a whole number of seconds from 1 to {(long)MaxSnapshotMaxLifetime.TotalSeconds}";
                return null;
            }
            maxLifetime = TimeSpan.FromSeconds(seconds);
        }
        error = "";
        return new TrustManifest(version, expires, root, next, files) { SnapshotMaxLifetime = maxLifetime };
    }

    /// <summary>
    /// The largest <see cref="SnapshotMaxLifetime"/> a manifest may hold (366 days): a snapshot is a freshness promise;
    /// anything longer is no promise at all.
    /// </summary>
    public static readonly TimeSpan MaxSnapshotMaxLifetime = TimeSpan.FromDays(366);

    internal static bool IsFingerprint(string value) =>
        value.Length == 40 && value.All(c => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F');
}

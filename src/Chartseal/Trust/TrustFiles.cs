namespace Chartseal.Trust;

/// <summary>
/// The raw, unverified bytes of a repository's trust files, as read from disk or the network.
/// Nothing in here is trusted until <see cref="TrustedMaterial.Load"/> accepts it.
/// </summary>
/// <param name="Manifest">The bytes of <c>trust.yaml.asc</c>; null when absent.</param>
/// <param name="PublicKeys">The bytes of <c>pubkeys.pgp</c>; null when absent.</param>
/// <param name="Revoked">The bytes of <c>revoked.pgp</c>; null when absent.</param>
/// <param name="RootKeys">The bytes of <c>root.pgp</c> (the root certificates); null when absent.</param>
/// <param name="Rotations">The bytes of <c>rotations.asc</c> (every root hand-over ever written); null when absent.</param>
/// <param name="IndexKeys">The bytes of <c>indexkeys.pgp</c> (the keys that sign index snapshots); null when absent.</param>
public sealed record TrustFiles(byte[]? Manifest, byte[]? PublicKeys, byte[]? Revoked, byte[]? RootKeys, byte[]? Rotations = null, byte[]? IndexKeys = null)
{
    /// <summary>The signed manifest.</summary>
    public const string ManifestName = "trust.yaml.asc";

    /// <summary>The maintainers' keys.</summary>
    public const string PublicKeysName = "pubkeys.pgp";

    /// <summary>The revoked keys.</summary>
    public const string RevokedName = "revoked.pgp";

    /// <summary>The root certificates (current root, and the next one during a rotation). Not hashed: a root key is
    /// trusted only through the pinned fingerprint, never because it is in this file.</summary>
    public const string RootKeysName = "root.pgp";

    /// <summary>
    /// The rotation chain: the concatenation of every rotation manifest the repository ever wrote (each a complete
    /// clear-signed document by the outgoing root, naming <c>root</c> and <c>nextRoot</c>). Optional and not hashed:
    /// each hand-over is checked by its own signature, starting from the client's pin.
    /// </summary>
    public const string RotationsName = "rotations.asc";

    /// <summary>
    /// The index keys: the keys the root delegated index snapshots to (<c>snapshot.yaml.asc</c>), and nothing else (a
    /// chart they sign is not trusted). Optional; hashed in the manifest when present, and then snapshots are required.
    /// </summary>
    public const string IndexKeysName = "indexkeys.pgp";

    /// <summary>Every trust file name, in the order a writer puts them into place (the manifest last).</summary>
    public static readonly IReadOnlyList<string> AllNames = [PublicKeysName, RevokedName, IndexKeysName, RootKeysName, RotationsName, ManifestName];

    /// <summary>Largest <c>rotations.asc</c> read (about a thousand hand-overs).</summary>
    public const long MaxRotationsSize = 1024L * 1024;

    /// <summary>The files the manifest must list with their SHA-256.</summary>
    public static readonly IReadOnlyList<string> HashedNames = [PublicKeysName, RevokedName];

    /// <summary>Largest trust file read.</summary>
    public const long MaxFileSize = 16L * 1024 * 1024;
}

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

    /// <summary>
    /// Why a location without <see cref="ManifestName"/> has no trust material, in the same words for every door (a
    /// pinned refresh, trust on first use): the two usual causes, and who can mend it.
    /// </summary>
    public const string NoManifestExplanation =
        "the repository publishes no root-signed trust material (a plain Helm repository, or a mistyped URL; its maintainers create it with chartseal trust init)";

    /// <summary>Largest <c>rotations.asc</c> read (about a thousand hand-overs).</summary>
    public const long MaxRotationsSize = 1024L * 1024;

    /// <summary>The files the manifest must list with their SHA-256.</summary>
    public static readonly IReadOnlyList<string> HashedNames = [PublicKeysName, RevokedName];

    /// <summary>Largest trust file read.</summary>
    public const long MaxFileSize = 16L * 1024 * 1024;

    /// <summary>The bytes of the trust file named <paramref name="name"/> (one of <see cref="AllNames"/>); null when absent.</summary>
    public byte[]? Of(string name) => name switch
    {
        ManifestName => Manifest,
        PublicKeysName => PublicKeys,
        RevokedName => Revoked,
        RootKeysName => RootKeys,
        RotationsName => Rotations,
        IndexKeysName => IndexKeys,
        _ => throw new ArgumentException($"not a trust file: {name}", nameof(name)),
    };

    /// <summary>The largest file read under <paramref name="name"/>.</summary>
    public static long MaxSizeOf(string name) => name == RotationsName ? MaxRotationsSize : MaxFileSize;

    /// <summary>
    /// Reads every trust file through <paramref name="read"/> (name, size limit → bytes or null), the manifest first and
    /// one at a time, so a failure always names the first file that could not be read.
    /// </summary>
    public static async Task<TrustFiles> ReadAsync(Func<string, long, Task<byte[]?>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var files = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        foreach (string name in ReadOrder)
        {
            files[name] = await read(name, MaxSizeOf(name)).ConfigureAwait(false);
        }
        return From(name => files[name]);
    }

    private static readonly string[] ReadOrder = [ManifestName, PublicKeysName, RevokedName, RootKeysName, RotationsName, IndexKeysName];

    /// <summary>The set whose file named N is <paramref name="of"/>(N).</summary>
    public static TrustFiles From(Func<string, byte[]?> of)
    {
        ArgumentNullException.ThrowIfNull(of);
        return new(of(ManifestName), of(PublicKeysName), of(RevokedName), of(RootKeysName), of(RotationsName), of(IndexKeysName));
    }
}

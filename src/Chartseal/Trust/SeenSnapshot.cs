namespace Chartseal.Trust;

/// <summary>What a client remembers about a repository's index snapshots: the highest accepted, and under which index keys.</summary>
/// <param name="Version">The highest snapshot version accepted.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of that snapshot file.</param>
/// <param name="IndexKeysSha256">
/// The <c>indexkeys.pgp</c> it was accepted under. When the root replaces the index keys, what a stolen key signed is
/// forgotten (fast-forward recovery, as TUF resets its snapshot version when the timestamp key changes).
/// </param>
public sealed record SeenSnapshot(long Version, string Sha256, string IndexKeysSha256);

namespace Chartseal.Trust;

/// <summary>What a client remembers about a repository's trust material: the highest version accepted and its hash.</summary>
/// <param name="Version">The highest manifest version accepted.</param>
/// <param name="ManifestSha256">Lower-case hex SHA-256 of that manifest file.</param>
public sealed record SeenTrust(long Version, string ManifestSha256);

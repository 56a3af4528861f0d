namespace Chartseal.Gate;

/// <summary>
/// What the door that asks expects of the chart, beyond its signature: facts from the index or the request that are
/// not signed, checked after the trust decision in one order (see <see cref="TrustGate"/>).
/// </summary>
/// <param name="Name">The chart name the index entry or the request names, or null.</param>
/// <param name="Version">The chart version the index entry or the request names, or null.</param>
/// <param name="CanonicalFileName">Require the archive to be named <c>NAME-VERSION.tgz</c> after its own Chart.yaml (a repository stores it so).</param>
/// <param name="Digest">The SHA-256 the index lists for the archive (hex), or null.</param>
/// <param name="Rebuild">Rebuild the package from this source and require it to be the signed archive, or null.</param>
/// <param name="Origin">Where the name, version and digest come from, for messages (e.g. <c>index.yaml</c>).</param>
/// <param name="Unlisted">
/// Why the repository's signed index does not list this chart version although the repository holds it (a registry tag
/// outside the namespace's signed tag map), or null when the index lists it or the repository signs none. Such a chart is
/// judged only to say why it is refused: its signature's reason when that fails, else not-in-index with this message.
/// </param>
public sealed record GateExpectations(
    string? Name = null,
    string? Version = null,
    bool CanonicalFileName = false,
    string? Digest = null,
    RebuildSource? Rebuild = null,
    string Origin = "index.yaml",
    string? Unlisted = null)
{
    /// <summary>No expectations: the signature and the trust decide alone.</summary>
    public static GateExpectations None { get; } = new();
}

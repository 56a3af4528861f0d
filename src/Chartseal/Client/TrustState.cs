using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>What a client remembers about one repository.</summary>
/// <param name="CurrentRoot">The root pinned now (the initial pin, or the root it rotated to).</param>
/// <param name="Seen">The highest material accepted.</param>
/// <param name="Snapshot">The highest index snapshot accepted, or null (none yet, or the repository signs no index).</param>
public sealed record TrustState(string CurrentRoot, SeenTrust Seen, SeenSnapshot? Snapshot = null);

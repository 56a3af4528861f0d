using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>A namespace's trust artifact as read: its files (unverified) and the digest of the manifest that held them.</summary>
/// <param name="Files">The trust files; nothing in them is trusted until <see cref="TrustedMaterial.Load"/> accepts them.</param>
/// <param name="Digest">The artifact manifest's digest (what a writer compares before replacing it).</param>
public sealed record OciTrustSnapshot(TrustFiles Files, string Digest);

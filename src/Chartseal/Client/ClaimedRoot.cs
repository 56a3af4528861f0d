namespace Chartseal.Client;

/// <summary>The root a repository claims (unverified): what <c>repo add</c> shows before the user pins it.</summary>
/// <param name="Fingerprint">The <c>root:</c> of the repository's manifest.</param>
/// <param name="UserId">The root certificate's primary user id in <c>root.pgp</c>, when present.</param>
public sealed record ClaimedRoot(string Fingerprint, string? UserId);

namespace Chartseal.Repository;

/// <summary>A chart tag that <c>index sign</c> did not sign as the registry holds it, because the gate refused its chart.</summary>
/// <param name="Reference">The tag (<c>oci://HOST/NS/NAME:TAG</c>).</param>
/// <param name="Digest">The manifest the tag holds.</param>
/// <param name="Refusal">Why the gate refused the chart in it.</param>
/// <param name="KeptDigest">
/// The manifest the previous snapshot named for the tag, still trusted, and signed again instead; null when the tag was left
/// out of the signed map.
/// </param>
public sealed record RefusedTag(string Reference, string Digest, Refusal Refusal, string? KeptDigest);

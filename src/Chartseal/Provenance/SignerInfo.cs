namespace Chartseal.Provenance;

/// <summary>Who signed a document.</summary>
/// <param name="Fingerprint">Fingerprint of the signer's primary key (40 upper-case hex), as Helm prints it.</param>
/// <param name="KeyId">Key id of the (sub)key that made the signature (16 upper-case hex).</param>
/// <param name="SigningKeyFingerprint">Fingerprint of the (sub)key that made the signature.</param>
/// <param name="UserIds">The primary key's user ids.</param>
public sealed record SignerInfo(string Fingerprint, string KeyId, string SigningKeyFingerprint, IReadOnlyList<string> UserIds);

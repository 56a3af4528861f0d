namespace Chartseal.Keys;

/// <summary>A new key pair, as armored text.</summary>
/// <param name="PublicKeyArmored">The certificate, to publish (<c>-----BEGIN PGP PUBLIC KEY BLOCK-----</c>).</param>
/// <param name="SecretKeyArmored">The secret key (<c>-----BEGIN PGP PRIVATE KEY BLOCK-----</c>).</param>
/// <param name="Fingerprint">The primary key's fingerprint, 40 upper-case hex digits.</param>
public sealed record GeneratedKey(string PublicKeyArmored, string SecretKeyArmored, string Fingerprint);

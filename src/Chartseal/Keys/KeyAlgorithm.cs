namespace Chartseal.Keys;

/// <summary>The kinds of key <see cref="KeyGenerator"/> makes.</summary>
public enum KeyAlgorithm
{
    /// <summary>Ed25519 (legacy EdDSA, algorithm 22) with a Curve25519 encryption subkey, like gpg's default. Not verifiable by Helm 3.</summary>
    Ed25519,
    /// <summary>RSA 3072 bits: verifiable by every Helm version.</summary>
    Rsa3072,
    /// <summary>RSA 4096 bits.</summary>
    Rsa4096,
}

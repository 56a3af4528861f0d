using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Bcpg.Sig;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

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

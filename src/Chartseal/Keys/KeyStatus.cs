namespace Chartseal.Keys;

/// <summary>Whether a key may make signatures at a given time. Anything but <see cref="Valid"/> is a refusal.</summary>
public enum KeyStatus
{
    /// <summary>Unset. Never a success: an unset status fails closed.</summary>
    Unknown = 0,
    /// <summary>The key is valid for signing.</summary>
    Valid,
    /// <summary>The key, or its primary key, has expired.</summary>
    Expired,
    /// <summary>A verified revocation signature revokes the key or its primary key.</summary>
    Revoked,
    /// <summary>The key's flags (or, without flags, its algorithm) do not allow signing.</summary>
    NotForSigning,
    /// <summary>The subkey has no verifying binding signature, or a signing subkey no verifying back-signature.</summary>
    InvalidBinding,
    /// <summary>The primary key has no verifying self-signature.</summary>
    InvalidSelfSignature,
    /// <summary>The key, or its primary key, was created after the time checked.</summary>
    NotYetValid,
    /// <summary>The key's public parameters are unsound (e.g. an RSA modulus with a small factor).</summary>
    InvalidKeyMaterial,
}

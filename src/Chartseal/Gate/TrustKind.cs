namespace Chartseal.Gate;

/// <summary>Which kind of trust a verdict was reached under; written in every JSON result.</summary>
public enum TrustKind
{
    /// <summary>The repository's root-signed trust material decided (its <c>pubkeys.pgp</c> and <c>revoked.pgp</c>).</summary>
    Repository,

    /// <summary>The repository's trust material, and the signer also had to be in a local keyring.</summary>
    RepositoryAndLocalKeyring,

    /// <summary>
    /// Only a keyring the user gave (<c>verify --keyring</c>, like <c>helm verify</c>): the signature is good and made by
    /// a key in it. No repository vouched for that key.
    /// </summary>
    SignatureOnly,
}

/// <summary>Stable names of <see cref="TrustKind"/> for JSON and text.</summary>
public static class TrustKinds
{
    /// <summary><c>repository</c>, <c>repository+keyring</c> or <c>signature-only</c>.</summary>
    public static string Name(this TrustKind kind) => kind switch
    {
        TrustKind.Repository => "repository",
        TrustKind.RepositoryAndLocalKeyring => "repository+keyring",
        TrustKind.SignatureOnly => "signature-only",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

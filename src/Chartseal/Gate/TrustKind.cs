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

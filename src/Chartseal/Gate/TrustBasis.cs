using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Gate;

/// <summary>What a chart is judged against: a repository's verified trust material, or (signature only) a plain keyring.</summary>
public abstract record TrustBasis
{
    private TrustBasis() { }

    /// <summary>The keyring the signature is checked with.</summary>
    internal abstract Keyring VerificationKeyring { get; }

    /// <summary>Which kind of trust this is.</summary>
    public abstract TrustKind Kind { get; }

    /// <summary>When the signing key must be valid.</summary>
    internal abstract SignaturePolicy Policy { get; }

    /// <summary>The repository's trust material decides; with <paramref name="LocalKeyring"/>, the signer must also be in it.</summary>
    /// <param name="Material">The trust material, accepted against the pinned root.</param>
    /// <param name="LocalKeyring">A keyring the signer must also be in (<c>--keyring</c> beside <c>--repo</c>), or null.</param>
    public sealed record Repository(TrustedMaterial Material, Keyring? LocalKeyring = null) : TrustBasis
    {
        /// <inheritdoc />
        internal override Keyring VerificationKeyring => Material.VerificationKeyring;

        /// <inheritdoc />
        public override TrustKind Kind => LocalKeyring is null ? TrustKind.Repository : TrustKind.RepositoryAndLocalKeyring;

        /// <inheritdoc />
        /// <remarks>Valid when it signed: the repository's root still lists the key, and its revocation list says whether it is compromised.</remarks>
        internal override SignaturePolicy Policy => SignaturePolicy.ValidWhenSigned;
    }

    /// <summary>Only a keyring: the signature must be good and made by a key in it (Helm's <c>verify --keyring</c>).</summary>
    /// <param name="Keyring">The user's keyring.</param>
    public sealed record SignatureOnly(Keyring Keyring) : TrustBasis
    {
        /// <inheritdoc />
        internal override Keyring VerificationKeyring => Keyring;

        /// <inheritdoc />
        public override TrustKind Kind => TrustKind.SignatureOnly;

        /// <inheritdoc />
        /// <remarks>Valid now, as Helm: nobody else vouches for the key.</remarks>
        internal override SignaturePolicy Policy => SignaturePolicy.ValidNow;
    }
}

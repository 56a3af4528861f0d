using System.Security.Cryptography;
using System.Text;
using Chartseal.Keys;
using Chartseal.Provenance;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Trust;

/// <summary>The outcome of <see cref="TrustedMaterial.Load"/>.</summary>
public abstract record TrustResult
{
    private TrustResult() { }

    /// <summary>The material verified.</summary>
    public sealed record Accepted(TrustedMaterial Material) : TrustResult;

    /// <summary>The material was refused.</summary>
    public sealed record Rejected(RejectionReason Reason, string Message) : TrustResult;
}

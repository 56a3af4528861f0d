using Chartseal.Charts;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Gate;

/// <summary>
/// The answer of <see cref="TrustGate"/>: <see cref="Trusted"/> with its evidence, or <see cref="Refused"/> with one
/// <see cref="Refusal"/>. There is no public constructor, so a verdict can only come from the gate (or, for trust
/// material refused before any chart was looked at, <see cref="TrustRefused"/>).
/// </summary>
public abstract record Verdict
{
    private Verdict(string file, TrustKind kind, TrustedMaterial? material, ChartVerification? evidence, RebuildEvidence? rebuild)
    {
        File = file;
        Kind = kind;
        Material = material;
        Evidence = evidence;
        Rebuild = rebuild;
    }

    /// <summary>The archive's file name.</summary>
    public string File { get; }

    /// <summary>Which kind of trust the verdict was reached under.</summary>
    public TrustKind Kind { get; }

    /// <summary>The repository's trust material used, when the basis was a repository and its material was accepted.</summary>
    public TrustedMaterial? Material { get; }

    /// <summary>What the signature check found (file, sha256, chart, signer, signing time), as far as it got; null when no chart was looked at.</summary>
    public ChartVerification? Evidence { get; }

    /// <summary>The rebuild check, when the door asked for one.</summary>
    public RebuildEvidence? Rebuild { get; }

    /// <summary>Whether the chart passed the gate.</summary>
    public bool IsTrusted => this is Trusted;

    /// <summary>The chart passed every check of the gate.</summary>
    public sealed record Trusted : Verdict
    {
        internal Trusted(TrustKind kind, TrustedMaterial? material, ChartVerification.Verified verification, ChartMetadata metadata, RebuildEvidence? rebuild)
            : base(verification.File, kind, material, verification, rebuild)
        {
            Verification = verification;
            Metadata = metadata;
        }

        /// <summary>The successful verification: signer, sha256, chart, signing time.</summary>
        public ChartVerification.Verified Verification { get; }

        /// <summary>The archive's Chart.yaml, as verified (for the index entry a repository writes).</summary>
        public ChartMetadata Metadata { get; }
    }

    /// <summary>The chart (or the trust material it would be judged against) was refused.</summary>
    public sealed record Refused : Verdict
    {
        internal Refused(string file, TrustKind kind, TrustedMaterial? material, ChartVerification? evidence, RebuildEvidence? rebuild, Refusal refusal)
            : base(file, kind, material, evidence, rebuild)
        {
            Refusal = refusal;
        }

        /// <summary>Why.</summary>
        public Refusal Refusal { get; }
    }

    /// <summary>
    /// The verdict for a chart that was never looked at because the repository's trust material was refused first
    /// (a trust-* reason): the same shape as every other verdict, so every door reports it the same way.
    /// </summary>
    public static Refused TrustRefused(string file, TrustKind kind, Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(refusal);
        return new Refused(file, kind, null, null, null, refusal);
    }
}

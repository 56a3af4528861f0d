using Chartseal.Charts;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Gate;

/// <summary>
/// THE gate every door asks (verify, publish, upload, re-sign, pull, audit): what is verified (archive and
/// <c>.prov</c> bytes), what it is judged against (<see cref="TrustBasis"/>), and what the door expects
/// (<see cref="GateExpectations"/>) go in; one <see cref="Verdict"/> comes out. It is the only caller of
/// <see cref="TrustDecision.Decide"/>, and the only place the door's expectations are checked, always in this order:
/// <list type="number">
/// <item>the archive must exist (missing-archive);</item>
/// <item>the signature, with one verifier and policy (missing-provenance, malformed, ... name-version-mismatch between the
/// signed metadata and the archive);</item>
/// <item>the trust decision (signer-revoked before anything else, signer-not-trusted, not-in-local-keyring);</item>
/// <item>the signed index lists the version (not-in-index: a registry tag outside the namespace's signed tag map);</item>
/// <item>the name and version the index or request names (name-version-mismatch);</item>
/// <item>the canonical file name NAME-VERSION.tgz (name-version-mismatch);</item>
/// <item>the index digest (digest-mismatch);</item>
/// <item>the rebuild from source (rebuild-mismatch).</item>
/// </list>
/// What is signed is judged before what is merely claimed (the index, a request, a file name): a tampered archive is
/// hash-mismatch at every door, never digest-mismatch at one and hash-mismatch at another. Pure apart from reading
/// the rebuild's source folder: no network, no clock, no state.
/// </summary>
public static class TrustGate
{
    /// <summary>Judges one chart whose archive was read into an array (null: it does not exist).</summary>
    /// <remarks>
    /// This overload exists because a null <c>byte[]</c> converts implicitly to an EMPTY <see cref="ReadOnlyMemory{T}"/>:
    /// without it, a missing archive would be judged as an empty one.
    /// </remarks>
    public static Verdict Judge(string fileName, byte[]? archive, byte[]? provenance, TrustBasis basis, GateExpectations expectations, DateTime now) =>
        Judge(fileName, archive is null ? default(ReadOnlyMemory<byte>?) : new ReadOnlyMemory<byte>(archive), provenance, basis, expectations, now);

    /// <summary>Judges one chart.</summary>
    /// <param name="fileName">The archive's file name (as signed in its <c>.prov</c>; no folders).</param>
    /// <param name="archive">The archive's bytes; null when the archive does not exist.</param>
    /// <param name="provenance">
    /// The <c>.prov</c> bytes; null when it does not exist. Read it with a limit of
    /// <see cref="ChartVerifier.MaxProvenanceLength"/> + 1 bytes: a longer one is then refused as malformed, the same at every door.
    /// </param>
    /// <param name="basis">What the chart is judged against.</param>
    /// <param name="expectations">What the asking door expects (<see cref="GateExpectations.None"/> for nothing).</param>
    /// <param name="now">The one clock reading of the operation.</param>
    /// <exception cref="ChartsealException">The rebuild's source folder is not a readable chart.</exception>
    public static Verdict Judge(string fileName, ReadOnlyMemory<byte>? archive, byte[]? provenance, TrustBasis basis, GateExpectations expectations, DateTime now)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(expectations);
        string name = Path.GetFileName(fileName);
        TrustedMaterial? material = (basis as TrustBasis.Repository)?.Material;
        RebuildEvidence? notRebuilt = expectations.Rebuild is { } source ? new RebuildEvidence(source.Directory, null, false) : null;
        Verdict Refuse(Refusal refusal, ChartVerification? evidence, RebuildEvidence? rebuild = null) =>
            new Verdict.Refused(name, basis.Kind, material, evidence, rebuild ?? notRebuilt, refusal);

        // 1. The archive.
        if (archive is not { } bytes)
        {
            var missing = ChartVerification.Reject(name, RejectionReason.MissingArchive, $"{name} does not exist");
            return Refuse(missing.Refusal, missing);
        }

        // 2. The signature, with the basis' keyring (a repository's: its keys and its revoked keys, so a revoked signer is named)
        //    and its policy: a repository vouches for its keys, so a key that expired after it signed still counts
        //    (expired is not compromised; removal and revocation are); a plain keyring keeps Helm's rule (valid now).
        var (verification, contents) = ChartVerifier.VerifyReading(bytes, name, provenance, basis.VerificationKeyring, basis.Policy, now);

        // 3. The decision.
        Refusal? refused = basis switch
        {
            TrustBasis.Repository repository => TrustDecision.Decide(verification, repository.Material, repository.LocalKeyring) is TrustDecision.Rejected r ? r.Refusal : null,
            _ => (verification as ChartVerification.Rejected)?.Refusal,
        };
        if (refused is not null)
        {
            return Refuse(refused, verification);
        }
        var verified = (ChartVerification.Verified)verification;
        var chart = verified.Chart;

        // 4. A version the repository holds beside its signed index: never trusted, whatever it is (a rogue or pending tag).
        if (expectations.Unlisted is { } unlisted)
        {
            return Refuse(new Refusal(RejectionReason.NotInIndex, unlisted), verified);
        }

        // 5.-7. What the door was told, from unsigned sources: checked only against what was verified.
        if ((expectations.Name is { } expectedName && expectedName != chart.Name) || (expectations.Version is { } expectedVersion && expectedVersion != chart.Version))
        {
            return Refuse(new Refusal(RejectionReason.NameVersionMismatch,
                $"{expectations.Origin} names {expectations.Name ?? chart.Name} {expectations.Version ?? chart.Version}, but the signed archive holds {chart.Name} {chart.Version}"), verified);
        }
        string canonical = $"{chart.Name}-{chart.Version}.tgz";
        if (expectations.CanonicalFileName && name != canonical)
        {
            return Refuse(new Refusal(RejectionReason.NameVersionMismatch, $"{name} holds {chart.Name} {chart.Version}; a repository stores it as {canonical}"), verified);
        }
        if (expectations.Digest is { } digest && !string.Equals(digest, verified.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(new Refusal(RejectionReason.DigestMismatch, $"{expectations.Origin} lists digest \"{digest}\" but the archive's sha256 is \"{verified.Sha256}\""), verified);
        }

        // 8. The package is the one built from the reviewed source (compared with the archive as already read).
        RebuildEvidence? rebuilt = null;
        if (expectations.Rebuild is { } rebuild)
        {
            var result = ChartRebuild.Compare(contents!, bytes, rebuild.Directory, rebuild.SourceDateEpoch);
            rebuilt = new RebuildEvidence(rebuild.Directory, result.Matches, result.IdenticalBytes);
            if (!result.Matches)
            {
                return Refuse(new Refusal(RejectionReason.RebuildMismatch, $"{name} was not built from {rebuild.Directory}: {result.Difference}"), verified, rebuilt);
            }
        }
        return new Verdict.Trusted(basis.Kind, material, verified, contents!.Metadata, rebuilt);
    }
}

using System.Text.RegularExpressions;
using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Repository;
using Chartseal.Trust;
using Chartseal.Compat;
using Chartseal.Fetch;

namespace Chartseal.Client;

/// <summary>
/// The client's pull pipeline: pick the version in the cached index, check the repository's current trust
/// material against the pinned root, download the archive and its <c>.prov</c>, and decide with
/// <see cref="TrustDecision.Decide"/> using only that repository's keys. The result holds the verified bytes; the
/// caller writes them only when trusted.
/// </summary>
public static partial class ChartPuller
{
    /// <summary>The largest chart archive downloaded.</summary>
    public const long MaxArchiveSize = InputFile.DefaultMaxBytes;

    /// <summary>
    /// Pulls and verifies a chart. Reasons: every trust-* reason, every chart verification reason (missing-provenance
    /// when the <c>.prov</c> is absent), signer-not-trusted, signer-revoked, not-in-local-keyring, name-version-mismatch
    /// (the archive is not the chart version the index names), digest-mismatch (the archive is missing or its sha256
    /// differs from the index's digest).
    /// </summary>
    /// <exception cref="ChartsealException">No cached index, no such chart or version, a refused http URL, a download failure.</exception>
    public static async Task<PullResult> PullAsync(ClientHome home, PullRequest request, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(request);
        var repository = request.Repository;
        repository.CheckTransport();

        // 1. Which version: from the cached index (repo update refreshes it).
        var index = await new RepositoryCache(home.CacheFor(repository.Name)).LoadIndexAsync(repository.Name, cancellationToken).ConfigureAwait(false);
        IndexEntry entry = SelectVersion(index, repository.Name, request.Chart, request.Version);
        if (entry.Urls.Count == 0)
        {
            throw new ChartsealException($"{repository.Name}/{request.Chart}", $"index entry {entry.Metadata.Version} has no download URL");
        }
        if (!Uri.TryCreate(new Uri(repository.Url.TrimEnd('/') + "/"), entry.Urls[0], out Uri? archiveUri))
        {
            throw new ChartsealException($"{repository.Name}/{request.Chart}", $"index entry {entry.Metadata.Version} has an invalid download URL");
        }
        ConfiguredRepository.CheckTransport(archiveUri, repository.InsecureHttp);
        string archiveFileName = Uri.UnescapeDataString(archiveUri.Segments[^1]);
        if (!ArchiveFileNamePattern().IsMatch(archiveFileName))
        {
            throw new ChartsealException(archiveUri.ToString(), "the archive's file name is not a plain NAME-VERSION.tgz");
        }

        // 2. The repository's trust material, now: revocations and removals take effect at once (rollback and freeze checked).
        var trust = await RepositoryClient.RefreshTrustAsync(home, repository, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return new PullResult.Rejected(RepositoryClient.ManifestUrl(repository), t.Reason, t.Message, null, null);
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // 3. The archive and its .prov; a missing .prov is missing-provenance, never "unsigned, carry on".
        var fetchOptions = new FetchOptions(Progress: request.Progress);
        if (await HttpFetcher.FetchAsync(archiveUri, MaxArchiveSize, fetchOptions, cancellationToken).ConfigureAwait(false) is not FetchOutcome.Downloaded archive)
        {
            return new PullResult.Rejected(archiveUri.ToString(), RejectionReason.DigestMismatch, $"the index lists {archiveFileName} but the server has no such file", null, material);
        }
        Uri provUri = new(archiveUri + ".prov");
        byte[]? provenance = await HttpFetcher.GetAsync(provUri, ChartVerifier.MaxProvenanceLength + 1L, cancellationToken).ConfigureAwait(false);

        // 4. THE decision, with only this repository's keys (plus the local keyring when required).
        var verification = ChartVerifier.Verify(archive.Content, archiveFileName, provenance, material.VerificationKeyring, now);
        var decision = TrustDecision.Decide(verification, material, request.LocalKeyring);
        if (decision is TrustDecision.Rejected rejected)
        {
            return new PullResult.Rejected(archiveUri.ToString(), rejected.Reason, rejected.Message, verification, material);
        }
        var trusted = (TrustDecision.Trusted)decision;

        // 5. The expectations from the index: this very chart version, with the digest the index lists.
        var chart = trusted.Verification.Chart;
        if (chart.Name != entry.Metadata.Name || chart.Version != entry.Metadata.Version)
        {
            return new PullResult.Rejected(archiveUri.ToString(), RejectionReason.NameVersionMismatch,
                $"the index entry is {entry.Metadata.Name} {entry.Metadata.Version} but the signed archive is {chart.Name} {chart.Version}", verification, material);
        }
        if (!string.Equals(entry.Digest, trusted.Verification.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return new PullResult.Rejected(archiveUri.ToString(), RejectionReason.DigestMismatch,
                $"sha256 of {archiveFileName} is {trusted.Verification.Sha256} but the index lists \"{entry.Digest}\"", verification, material);
        }
        return new PullResult.Pulled(entry, archiveFileName, archive.Content, provenance!, trusted, material);
    }

    /// <summary>
    /// Picks a chart version from an index sorted newest first: an exact version, else the newest one a SemVer range
    /// contains; with no version, the newest version without a pre-release part (as Helm does).
    /// </summary>
    /// <exception cref="ChartsealException">No such chart, or no version matches.</exception>
    public static IndexEntry SelectVersion(ChartIndex index, string repositoryName, string chart, string? version)
    {
        ArgumentNullException.ThrowIfNull(index);
        string what = $"{repositoryName}/{chart}";
        if (!index.Entries.TryGetValue(chart, out var versions) || versions.Count == 0)
        {
            throw new ChartsealException(what, $"no chart named \"{chart}\" in the cached index of \"{repositoryName}\" (run chartseal repo update {repositoryName})");
        }
        if (string.IsNullOrEmpty(version))
        {
            return versions.Find(e => SemanticVersion.TryParse(e.Metadata.Version, out var v) && v.Prerelease.Length == 0)
                ?? throw new ChartsealException(what, "no stable version (pass --version to choose a pre-release)");
        }
        if (versions.Find(e => e.Metadata.Version == version) is { } exact)
        {
            return exact;
        }
        if (!VersionRange.TryParse(version, out var range))
        {
            throw new ChartsealException(what, $"version \"{version}\" not found (and not a version range)");
        }
        return versions.Find(e => SemanticVersion.TryParse(e.Metadata.Version, out var v) && range.Contains(v))
            ?? throw new ChartsealException(what, $"no version matches \"{version}\"");
    }

    [GeneratedRegex(@"^[A-Za-z0-9_+-][A-Za-z0-9._+-]*\.tgz$")]
    private static partial Regex ArchiveFileNamePattern();
}

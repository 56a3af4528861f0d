using Chartseal.Charts;
using Chartseal.Trust;
using Chartseal.Compat;
using Chartseal.Gate;

namespace Chartseal.Client;

/// <summary>
/// The client's pull pipeline: pick the version in the cached index, check the repository's current trust
/// material against the pinned root, download the archive and its <c>.prov</c> through the repository's source, and
/// ask <see cref="TrustGate"/> with only that repository's keys and the index's expectations. The result holds the
/// verified bytes; the caller writes them only when trusted.
/// </summary>
public static class ChartPuller
{
    /// <summary>
    /// Pulls and verifies a chart. Reasons: every trust-* reason, every reason of the gate (missing-archive when the
    /// archive is gone, missing-provenance when the <c>.prov</c> is, signer-not-trusted, signer-revoked,
    /// not-in-local-keyring, name-version-mismatch and digest-mismatch against the index entry).
    /// </summary>
    /// <exception cref="ChartsealException">No cached index, no such chart or version, a refused URL, a download failure.</exception>
    public static async Task<PullResult> PullAsync(ClientHome home, PullRequest request, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(request);
        var repository = request.Repository;
        var source = repository.OpenSource(request.Deadline);

        // 1. Which version: from the cached index (repo update refreshes it).
        var index = await new RepositoryCache(home.CacheFor(repository.Name)).LoadIndexAsync(repository.Name, cancellationToken).ConfigureAwait(false);
        IndexEntry entry = SelectVersion(index, repository.Name, request.Chart, request.Version);
        if ((entry.Urls.Count > 0 ? source.Locate(entry.Urls[0]) : null) is not { } chart)
        {
            throw new ChartsealException($"{repository.Name}/{request.Chart}", $"index entry {entry.Metadata.Version} has no usable download URL");
        }
        if (!ChartName.IsArchiveFileName(chart.FileName))
        {
            throw new ChartsealException(chart.Address, "the archive's file name is not a plain NAME-VERSION.tgz (chart names: ASCII letters, digits, '.', '_' and '-')");
        }

        // 2. The repository's trust material, now: revocations and removals take effect at once (rollback and freeze checked).
        var trust = await RepositoryClient.RefreshTrustAsync(home, repository, source, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return new PullResult.Rejected(source.AddressOf(TrustFiles.ManifestName), Verdict.TrustRefused(chart.FileName, TrustKindOf(request), t.Refusal));
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // 3. The archive and its .prov (either may be missing: the gate says so).
        byte[]? archive = await source.ReadArchiveAsync(chart, request.Progress, null, cancellationToken).ConfigureAwait(false);
        byte[]? provenance = archive is null ? null : await source.ReadProvenanceAsync(chart, cancellationToken).ConfigureAwait(false);

        // 4. THE gate, with only this repository's keys (plus the local keyring when required) and what the index says.
        var expectations = new GateExpectations(entry.Metadata.Name, entry.Metadata.Version, Digest: entry.Digest);
        var verdict = TrustGate.Judge(chart.FileName, archive, provenance, new TrustBasis.Repository(material, request.LocalKeyring), expectations, now);
        return verdict is Verdict.Trusted trusted
            ? new PullResult.Pulled(entry, chart.FileName, archive!, provenance!, trusted)
            : new PullResult.Rejected(chart.Address, (Verdict.Refused)verdict);
    }

    private static TrustKind TrustKindOf(PullRequest request) => request.LocalKeyring is null ? TrustKind.Repository : TrustKind.RepositoryAndLocalKeyring;

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
}

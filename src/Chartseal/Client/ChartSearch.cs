using System.Text.RegularExpressions;
using Chartseal.Compat;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>Searches the cached indexes of the configured repositories.</summary>
public static class ChartSearch
{
    /// <summary>
    /// Searches as Helm's <c>search repo</c> does, so that the same flags give the same rows. Each version of each chart
    /// is one line, <c>CHART \v REPO/CHART \v DESCRIPTION \v KEYWORDS</c>; the term matches it case-insensitively (a
    /// <c>--regexp</c> as written), and the field it first matches in is its score (the chart name first, then the
    /// reference, the description, the keywords). Results are sorted by score, then reference, then version (newest
    /// first); then the version constraint (<see cref="ChartSearchQuery.Version"/>, by default <c>&gt;0.0.0</c>, or
    /// <c>&gt;0.0.0-0</c> with <see cref="ChartSearchQuery.Devel"/>) keeps, per chart, the first version it contains,
    /// or every one with <see cref="ChartSearchQuery.AllVersions"/>. Versions that are not SemVer are never shown.
    /// <para>
    /// Repositories without a cached index are skipped. A repository that signs its index is searched only while its
    /// cached snapshot is fresh and covers the cached index (<see cref="RepositoryClient.CheckCachedIndexAsync"/>), which
    /// needs its cached trust material to be accepted still (else it is refused too, with the trust material's reason). A
    /// refused repository is listed in <see cref="ChartSearchResult.Refused"/> (a trust refusal, not an error) and the
    /// others are searched on.
    /// </para>
    /// </summary>
    /// <exception cref="ChartsealException">An invalid <c>--version</c> constraint or <c>--regexp</c>; a cached index that is damaged.</exception>
    public static async Task<ChartSearchResult> SearchAsync(ClientHome home, IEnumerable<ConfiguredRepository> repositories, ChartSearchQuery query,
        DateTime? now = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(repositories);
        ArgumentNullException.ThrowIfNull(query);
        DateTime at = now ?? DateTime.UtcNow;
        string versionText = query.Version ?? (query.Devel ? PullRequest.DevelopmentVersions : ">0.0.0");
        if (!VersionRange.TryParse(versionText, out var constraint))
        {
            throw new ChartsealException(null, $"--version \"{versionText}\" is not a version constraint (e.g. 1.2.3, ^1.2, ~1.2.3, >=1.0 <2.0)");
        }
        var match = Matcher(query);
        var found = new List<(ChartSearchHit Hit, int Score, SemanticVersion? Version)>();
        var refusals = new List<ChartSearchRefusal>();
        foreach (var repository in repositories)
        {
            var cache = new RepositoryCache(home.CacheFor(repository.Name));
            if (!cache.HasIndex)
            {
                continue;
            }
            var trust = await RepositoryClient.LoadCachedTrustAsync(home, repository, at, cancellationToken).ConfigureAwait(false);
            if (trust is TrustResult.Accepted { Material: var material }
                && await RepositoryClient.CheckCachedIndexAsync(home, repository, material, at, cancellationToken).ConfigureAwait(false) is { } stale)
            {
                refusals.Add(new ChartSearchRefusal(repository.Name, stale.File, stale.Refusal));
                continue;
            }
            if (trust is TrustResult.Rejected { Refusal: var refused } && await cache.ReadSnapshotAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                // The repository signs its index, and without accepted trust material its snapshot cannot be checked: fail closed.
                refusals.Add(new ChartSearchRefusal(repository.Name, Path.Combine(cache.Directory, TrustFiles.ManifestName), refused with
                {
                    Message = $"{refused.Message} (the cached index of \"{repository.Name}\" is covered by a signed snapshot that cannot be checked without it: run chartseal repo update {repository.Name})",
                }));
                continue;
            }
            var index = await cache.LoadIndexAsync(repository.Name, cancellationToken).ConfigureAwait(false);
            foreach (var (name, versions) in index.Entries)
            {
                foreach (var entry in versions)
                {
                    var metadata = entry.Metadata;
                    string line = string.Join(Separator, metadata.Name, repository.Name + "/" + metadata.Name, metadata.Description ?? "", string.Join(' ', metadata.Keywords ?? []));
                    if (match(line) is not int position || Score(line, position) is not (var score and < MaxScore))
                    {
                        continue;
                    }
                    SemanticVersion.TryParse(metadata.Version, out var version);
                    found.Add((new ChartSearchHit(repository.Name, name, metadata.Version, metadata.AppVersion, metadata.Description), score, version));
                }
            }
        }
        found.Sort((a, b) =>
        {
            int c = a.Score.CompareTo(b.Score);
            if (c == 0)
            {
                c = string.CompareOrdinal(a.Hit.Reference, b.Hit.Reference);
            }
            // Newest first; a version that is not SemVer last (it is never shown).
            return c != 0 ? c : (b.Version, a.Version) switch
            {
                (null, null) => 0,
                (null, _) => -1,
                (_, null) => 1,
                var (newer, older) => newer.CompareTo(older),
            };
        });
        var hits = new List<ChartSearchHit>();
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (hit, _, version) in found)
        {
            if ((!query.AllVersions && shown.Contains(hit.Reference)) || version is null || !constraint.Contains(version))
            {
                continue;
            }
            hits.Add(hit);
            shown.Add(hit.Reference);
        }
        return new ChartSearchResult(hits, refusals);
    }

    // Helm's separator between a line's fields, and the score beyond which a match is not one.
    private const string Separator = "\v";
    private const int MaxScore = 25;

    /// <summary>Where the query first matches a line, or null.</summary>
    private static Func<string, int?> Matcher(ChartSearchQuery query)
    {
        string term = query.Term ?? "";
        if (term.Length == 0)
        {
            return _ => 0;
        }
        if (!query.Regexp)
        {
            string lower = term.ToLowerInvariant();
            return line => line.ToLowerInvariant().IndexOf(lower, StringComparison.Ordinal) is var at and >= 0 ? at : null;
        }
        Regex pattern;
        try
        {
            // Helm's regular expressions are Go's (RE2): linear time, no backreferences or lookaround, as .NET's
            // non-backtracking engine; a hostile index cannot make a search hang.
            pattern = new Regex(term, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ChartsealException(null, $"--regexp \"{term}\" is not a regular expression this search takes: {e.Message}");
        }
        return line => pattern.Match(line) is { Success: true } m ? m.Index : null;
    }

    /// <summary>Which field the match at <paramref name="position"/> starts in: the separators before it.</summary>
    private static int Score(string line, int position)
    {
        int score = 0;
        for (int i = line.IndexOf(Separator, StringComparison.Ordinal); i >= 0 && i < position; i = line.IndexOf(Separator, i + 1, StringComparison.Ordinal))
        {
            score++;
        }
        return score;
    }
}

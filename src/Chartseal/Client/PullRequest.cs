using Chartseal.Keys;
using Chartseal.Fetch;
using Chartseal.Oci;

namespace Chartseal.Client;

/// <summary>What to pull.</summary>
/// <param name="Repository">The configured repository.</param>
/// <param name="Chart">The chart name (without the repository prefix).</param>
/// <param name="Version">An exact version or a SemVer range (<c>^1.2</c>, <c>&gt;=1.0 &lt;2</c>); null for the newest stable version.</param>
/// <param name="LocalKeyring">A keyring the signer must also be in (<c>--keyring</c>), or null.</param>
/// <param name="Progress">Download progress, or null.</param>
/// <param name="Deadline">The overall deadline of every download of the pull (<c>--timeout</c>), or null for none.</param>
public sealed record PullRequest(ConfiguredRepository Repository, string Chart, string? Version, Keyring? LocalKeyring = null, IProgress<DownloadProgress>? Progress = null, FetchDeadline? Deadline = null)
{
    /// <summary>
    /// The request for <paramref name="reference"/>: <c>NAME/CHART</c> (a configured repository's name and a chart), or
    /// <c>oci://HOST/NS/CHART[:VERSION]</c> in a namespace configured with <c>repo add</c> (its pin decides).
    /// </summary>
    /// <param name="config">The configured repositories.</param>
    /// <param name="reference">What the user named.</param>
    /// <param name="version">The <c>--version</c> given (an exact version or a range), or null.</param>
    /// <param name="localKeyring">A keyring the signer must also be in, or null.</param>
    /// <param name="progress">Download progress, or null.</param>
    /// <param name="deadline">The overall deadline of the pull's downloads, or null.</param>
    /// <param name="devel">
    /// Helm's <c>--devel</c>: with no version (neither <paramref name="version"/> nor a tag in the reference), take the newest
    /// version pre-releases included (<see cref="DevelopmentVersions"/>) rather than the newest stable one.
    /// </param>
    /// <exception cref="ChartsealException">Not such a reference, no such repository, an unconfigured namespace, or a tag and another --version.</exception>
    public static PullRequest Resolve(RepositoryConfigFile config, string reference, string? version, Keyring? localKeyring = null, IProgress<DownloadProgress>? progress = null, FetchDeadline? deadline = null, bool devel = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(reference);
        if (!OciRepositorySource.IsOciLocation(reference))
        {
            int slash = reference.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == reference.Length - 1 || reference.IndexOf('/', slash + 1) >= 0)
            {
                throw new ChartsealException(null, $"\"{reference}\" is not NAME/CHART (a configured repository name, a slash, a chart name) or oci://HOST/NAMESPACE/CHART");
            }
            return new PullRequest(config.Get(reference[..slash]), reference[(slash + 1)..], version ?? (devel ? DevelopmentVersions : null), localKeyring, progress, deadline);
        }
        OciReference chart = OciReference.Parse(reference);
        if (chart.Digest is not null)
        {
            throw new ChartsealException(reference, "a chart is pulled by version, not by digest (the signature names the version)");
        }
        int last = chart.Repository.LastIndexOf('/');
        string name = chart.Repository[(last + 1)..];
        if (name.Length == 0)
        {
            throw new ChartsealException(reference, "names no chart: give oci://HOST/NAMESPACE/CHART");
        }
        OciReference @namespace = OciReference.Parse(OciReference.Scheme + chart.Registry + (last > 0 ? "/" + chart.Repository[..last] : ""));
        ConfiguredRepository repository = config.FindNamespace(@namespace)
            ?? throw new ChartsealException(reference, $"the namespace {OciRepositorySource.CanonicalLocation(@namespace)} is not configured: add it with chartseal repo add NAME {OciRepositorySource.CanonicalLocation(@namespace)} --root-fingerprint FPR (its pinned root decides which keys are trusted)");
        string? tagged = chart.Tag is null ? null : OciReference.VersionForTag(chart.Tag);
        if (tagged is not null && version is not null && version != tagged)
        {
            throw new ChartsealException(reference, $"names version {tagged}, but --version says {version}");
        }
        return new PullRequest(repository, name, version ?? tagged ?? (devel ? DevelopmentVersions : null), localKeyring, progress, deadline);
    }

    /// <summary>The range Helm's <c>--devel</c> stands for: every version, pre-releases included.</summary>
    public const string DevelopmentVersions = ">0.0.0-0";
}

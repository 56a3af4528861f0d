using System.CommandLine;
using Chartseal.Client;
using Chartseal.Fetch;
using Chartseal.Keys;
using Chartseal.Trust;

namespace Chartseal.Cli.Commands;

/// <summary>
/// <c>--repo URL|oci://HOST/NS --root-fingerprint FPR</c> of <c>pull</c> and <c>install</c>: Helm's way to get a chart
/// without <c>helm repo add</c>, with the repository's root pinned on the command line (as <c>verify --repo URL</c> pins it).
/// Its trust material is checked now against the pin, its index read now, and nothing is left in the client's repository
/// configuration or cache; only the trust state advances (rollback protection). Its transport options are those of every
/// command that reads a repository by URL (<see cref="RegistryOptions"/>: <c>--plain-http</c>, the TLS settings,
/// <c>--username</c> with <c>--password</c> or <c>--password-stdin</c>); without <c>--repo</c>, Helm's transport flags are
/// refused as before, since a configured repository's were recorded by <c>repo add</c>.
/// </summary>
internal sealed class PullRepositoryOptions
{
    /// <param name="verb">What the command does: pull or install.</param>
    /// <param name="usage">How the command names a chart of a configured repository, e.g. <c>chartseal pull NAME/CHART</c>.</param>
    public PullRepositoryOptions(string verb, string usage)
    {
        _verb = verb;
        _usage = usage;
        Registry = new RegistryOptions(TransportOption.Create("With --repo: allow a plain http:// URL, or plain HTTP to an oci:// registry"), passwordStdin: true);
        Registry.CaFile.Description = "With --repo: verify the repository's TLS certificate with these CA certificates (PEM) instead of the system roots";
        Registry.CertFile.Description = "With --repo: present this TLS client certificate (PEM) to the repository or registry (mutual TLS)";
        Registry.InsecureSkipTlsVerify.Description = "With --repo: do not check the repository's TLS certificate (signatures still decide what is trusted)";
        Registry.Username.Description = "With --repo: user name for HTTP Basic auth to the repository (an oci:// registry: default Helm's registry config, then Docker's config.json)";
    }

    private readonly string _verb;
    private readonly string _usage;

    public Option<string?> Repo { get; } = new("--repo")
    {
        Description = "Get the chart from the repository at this https:// URL (or oci://HOST/NS namespace) without repo add, as helm --repo does: CHART is then a chart's name in it, and --root-fingerprint pins its root",
        HelpName = "URL",
    };

    public Option<string?> RootFingerprint { get; } = new("--root-fingerprint")
    {
        Description = "With --repo: the repository's root key fingerprint (from its maintainers), which its trust material must be signed by",
        HelpName = "FPR",
    };

    public RegistryOptions Registry { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Repo);
        command.Options.Add(RootFingerprint);
        command.Options.Add(Registry.PlainHttp);
        // Said first (one line is printed): without --repo, a transport flag is refused whatever else is wrong with it.
        HelmFlags.RefuseTransportWithout(command, Repo, Registry, _verb);
        command.Validators.Add(r =>
        {
            if (r.GetValue(Repo) is not { } location)
            {
                if (r.GetValue(RootFingerprint) is not null)
                {
                    r.AddError($"--root-fingerprint goes with --repo URL (a repository added with repo add has its root pinned already: {_usage})");
                }
                return;
            }
            if (RegistryOptions.WithoutCredentials(location) is { } shown)
            {
                r.AddError($"--repo {shown}: {RegistryOptions.CredentialsInUrl("--password-stdin (or --password)")}");
            }
            else if (!RepositorySource.IsRemoteLocation(location))
            {
                r.AddError($"--repo {location}: not an http(s) URL or an oci:// registry namespace (the chart repository's URL, as helm {_verb} --repo takes it)");
            }
            else if (r.GetValue(RootFingerprint) is null)
            {
                r.AddError($"--repo {location}: a bare URL names no root key, so nothing it serves could be trusted: add --root-fingerprint FPR " +
                    $"(the repository's root fingerprint, from its maintainers), or run chartseal repo add NAME {location} --root-fingerprint FPR once, then {_usage}");
            }
        });
        Registry.AddTo(command);
    }

    /// <summary>Whether <c>--repo</c> was given.</summary>
    public bool Given(ParseResult p) => p.GetValue(Repo) is not null;

    /// <summary>
    /// Pulls and verifies <paramref name="charts"/> (names of charts in the repository) from the repository given by
    /// <c>--repo</c>, with its root pinned by <c>--root-fingerprint</c> (<see cref="ChartPuller.PullAllFromAsync"/>); nothing is written.
    /// </summary>
    /// <exception cref="ChartsealException">A chart named as NAME/CHART or oci://, a refused URL, a download failure, no such chart or version.</exception>
    public async Task<IReadOnlyList<PullResult>> PullAsync(ParseResult p, IReadOnlyList<string> charts, string? version, Keyring? local,
        IProgress<DownloadProgress>? progress, FetchDeadline deadline, DateTime now, CancellationToken ct)
    {
        string location = p.GetValue(Repo) ?? throw new InvalidOperationException("--repo was not given");
        foreach (string chart in charts)
        {
            if (chart.Contains('/', StringComparison.Ordinal))
            {
                throw new ChartsealException(chart, $"with --repo, name a chart of that repository alone (CHART, as helm {_verb} --repo takes it), not NAME/CHART or an oci:// reference");
            }
        }
        var root = new PinnedRoot(p.GetValue(RootFingerprint)!);
        using var source = await Registry.OpenAsync(p, location, deadline, ct);
        return await ChartPuller.PullAllFromAsync(source, root, TrustStateStore.Default(), charts, version, local, progress, now, ct);
    }
}

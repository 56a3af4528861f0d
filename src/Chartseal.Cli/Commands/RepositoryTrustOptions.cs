using System.CommandLine;
using Chartseal.Client;
using Chartseal.Trust;

namespace Chartseal.Cli.Commands;

/// <summary>
/// <c>--repo DIR|URL|oci://HOST/NS --root-fingerprint FPR</c> (trust material refreshed now against the pin), or
/// <c>--repo NAME</c> of a repository added with <c>repo add</c> (its cached trust material, offline): the repository whose
/// trust material a chart is judged by, for <c>verify</c> and <c>resign</c>. Its transport options (<c>--insecure-http</c>,
/// the registry's, <c>--timeout</c>) are those of every command that reads a repository.
/// </summary>
internal sealed class RepositoryTrustOptions
{
    public RepositoryTrustOptions(string repoDescription)
    {
        Repo = new Option<string?>("--repo") { Description = repoDescription };
        Registry = new RegistryOptions(InsecureHttp);
    }

    public Option<string?> Repo { get; }

    public Option<string?> RootFingerprint { get; } = new("--root-fingerprint") { Description = "The repository's pinned root key fingerprint (required with --repo DIR|URL)" };

    public Option<bool> InsecureHttp { get; } = TransportOption.Create("Allow a plain http:// --repo URL, or plain HTTP to an oci:// registry");

    public Option<string?> Timeout { get; } = TimeoutOption.Create();

    public RegistryOptions Registry { get; }

    /// <summary>Adds the registry options and the rules every door with <c>--repo</c> shares (the command adds the others where its help lists them).</summary>
    public void AddTo(Command command)
    {
        Registry.AddTo(command);
        command.Validators.Add(result =>
        {
            string? repoValue = result.GetValue(Repo);
            bool hasRoot = result.GetValue(RootFingerprint) is not null;
            if (hasRoot && repoValue is null)
            {
                result.AddError("--root-fingerprint goes with --repo");
            }
            if (!hasRoot && repoValue is not null && (RepositorySource.IsRemoteLocation(repoValue) || Directory.Exists(repoValue)))
            {
                result.AddError("--repo DIR|URL|oci://HOST/NS needs --root-fingerprint (or give the NAME of a repository added with repo add)");
            }
        });
    }

    /// <summary>Whether <c>--repo</c> was given.</summary>
    public bool Given(ParseResult p) => p.GetValue(Repo) is not null;

    /// <summary>
    /// The repository's trust material: refreshed now and checked against the pin (and the rollback state) for a folder, URL
    /// or namespace; the cached copy, checked again, for the NAME of a configured repository. Also the address of its
    /// manifest, the file a refusal of the material names.
    /// </summary>
    /// <exception cref="ChartsealException">A trust file cannot be read or downloaded, or no repository has that name.</exception>
    public async Task<(TrustResult Trust, string Manifest)> LoadAsync(ParseResult p, DateTime now, CancellationToken ct)
    {
        string repository = p.GetValue(Repo) ?? throw new InvalidOperationException("--repo was not given");
        if (p.GetValue(RootFingerprint) is { } fingerprint)
        {
            using var source = await Registry.OpenAsync(p, repository, TimeoutOption.Start(p, Timeout), ct);
            string manifest = source.AddressOf(TrustFiles.ManifestName);
            return (await TrustUpdater.RefreshAsync(source, new PinnedRoot(fingerprint), TrustStateStore.Default(), now, ct), manifest);
        }
        var home = ClientHome.Default();
        var configured = (await RepositoryConfigFile.LoadAsync(home.ConfigFile, ct)).Get(repository);
        return (await RepositoryClient.LoadCachedTrustAsync(home, configured, now, ct), Path.Combine(home.CacheFor(configured.Name), TrustFiles.ManifestName));
    }
}

using System.Text;
using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Oci;
using Chartseal.Trust;
using Chartseal.Compat;

namespace Chartseal.Client;

/// <summary>
/// The client's <c>repositories.yaml</c>: the configured repositories with their pinned roots, read strictly and
/// written atomically.
/// </summary>
public sealed class RepositoryConfigFile
{
    /// <summary>The largest configuration file read.</summary>
    public const long MaxSize = 4L * 1024 * 1024;

    private const string ApiVersion = "chartseal/v1";
    private readonly List<ConfiguredRepository> _repositories;

    // Keys this version does not know (a newer one wrote them), at the top level (key "") and per repository name:
    // written back as they were, so that saving here never drops a setting the newer version relies on.
    private readonly Dictionary<string, List<KeyValuePair<string, GoNode>>> _unknown;

    private RepositoryConfigFile(string path, List<ConfiguredRepository> repositories, Dictionary<string, List<KeyValuePair<string, GoNode>>> unknown)
    {
        Path = path;
        _repositories = repositories;
        _unknown = unknown;
    }

    /// <summary>Where the file is.</summary>
    public string Path { get; }

    /// <summary>The repositories, in the order they were added.</summary>
    public IReadOnlyList<ConfiguredRepository> Repositories => _repositories;

    /// <summary>The repository named <paramref name="name"/>, or null.</summary>
    public ConfiguredRepository? Find(string name) => _repositories.Find(r => r.Name == name);

    /// <summary>The http(s) repository configured with the URL <paramref name="url"/> (compared in canonical form), or null.</summary>
    public ConfiguredRepository? FindUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return ConfiguredRepository.CanonicalUrl(url) is { } canonical
            ? _repositories.Find(r => !r.IsOci && ConfiguredRepository.CanonicalUrl(r.Url) == canonical)
            : null;
    }

    /// <summary>The repository configured for the registry namespace <paramref name="namespace"/> (compared in canonical form), or null.</summary>
    public ConfiguredRepository? FindNamespace(OciReference @namespace)
    {
        string location = OciRepositorySource.CanonicalLocation(@namespace);
        return _repositories.Find(r => r.IsOci && OciReference.TryParse(r.Url, out var configured, out _) && OciRepositorySource.CanonicalLocation(configured) == location);
    }

    /// <summary>The repository named <paramref name="name"/>.</summary>
    /// <exception cref="ChartsealException">No such repository.</exception>
    public ConfiguredRepository Get(string name) =>
        Find(name) ?? throw new ChartsealException(Path, $"no repository named \"{name}\" (see chartseal repo list)");

    /// <summary>Adds a repository (in memory; call <see cref="SaveAsync"/>).</summary>
    /// <exception cref="ChartsealException">The name is already configured.</exception>
    public void Add(ConfiguredRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        CheckFree(repository.Name);
        _repositories.Add(repository);
    }

    /// <summary>Refuses a name that is already configured (before any request is made for it).</summary>
    /// <exception cref="ChartsealException">The name is already configured.</exception>
    public void CheckFree(string name)
    {
        if (Find(name) is not null)
        {
            throw new ChartsealException(Path, $"repository \"{name}\" already exists (chartseal repo remove {name} first, or add it with --force-update)");
        }
    }

    /// <summary>
    /// Helm's idempotent <c>repo add</c>: whether <paramref name="name"/> is configured already exactly as asked (the same
    /// URL, plain-HTTP consent and CA file, and pinned to the same root, or both trusted on first use whatever root the
    /// repository names now), so that adding it again changes nothing.
    /// </summary>
    /// <param name="name">The repository name.</param>
    /// <param name="url">The URL as it would be recorded.</param>
    /// <param name="rootFingerprint">The root that would be pinned, or null for trust on first use.</param>
    /// <param name="insecureHttp">Whether plain http would be allowed.</param>
    /// <param name="caFile">The CA file that would be recorded, or null.</param>
    /// <param name="transport">
    /// The repository as it would be recorded, whose credentials and TLS settings (user name, password,
    /// <c>--pass-credentials</c>, client certificate, <c>--insecure-skip-tls-verify</c>) must be the same too; null for none.
    /// </param>
    /// <returns>True when it is configured so; false when the name is free.</returns>
    /// <exception cref="ChartsealException">The name is configured otherwise (the message says how, never naming a password).</exception>
    public bool IsConfiguredAs(string name, string url, string? rootFingerprint, bool insecureHttp, string? caFile, ConfiguredRepository? transport = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (Find(name) is not { } existing)
        {
            return false;
        }
        var differences = new List<string>();
        if (existing.Url != url)
        {
            differences.Add($"URL {existing.Url}");
        }
        if (rootFingerprint is null ? !existing.TrustOnFirstUse : existing.TrustOnFirstUse || existing.RootFingerprint != new PinnedRoot(rootFingerprint).Fingerprint)
        {
            differences.Add(existing.TrustOnFirstUse ? $"root {existing.RootFingerprint} trusted on first use" : $"root {existing.RootFingerprint} pinned");
        }
        if (existing.InsecureHttp != insecureHttp)
        {
            differences.Add(existing.InsecureHttp ? "plain http allowed" : "plain http not allowed");
        }
        if (existing.CaFile != caFile)
        {
            differences.Add(existing.CaFile is null ? "no CA file" : $"CA file {existing.CaFile}");
        }
        if (existing.Username != transport?.Username)
        {
            differences.Add(existing.Username is null ? "no user name" : $"user {existing.Username}");
        }
        if (existing.Password != transport?.Password)
        {
            differences.Add(existing.Password is null ? "no password" : "another password");
        }
        if (existing.PassCredentialsAll != (transport?.PassCredentialsAll ?? false))
        {
            differences.Add(existing.PassCredentialsAll ? "credentials passed to all hosts" : "credentials kept to its host");
        }
        if (existing.CertFile != transport?.CertFile || existing.KeyFile != transport?.KeyFile)
        {
            differences.Add(existing.CertFile is null ? "no client certificate" : $"client certificate {existing.CertFile} (key {existing.KeyFile})");
        }
        if (existing.InsecureSkipTlsVerify != (transport?.InsecureSkipTlsVerify ?? false))
        {
            differences.Add(existing.InsecureSkipTlsVerify ? "TLS certificate checks skipped" : "TLS certificate checked");
        }
        return differences.Count == 0
            ? true
            : throw new ChartsealException(Path, $"repository \"{name}\" already exists with {string.Join(", ", differences)} (chartseal repo remove {name} first, or add it with --force-update)");
    }

    /// <summary>Removes a repository (in memory); false when it was not there.</summary>
    public bool Remove(string name)
    {
        _unknown.Remove(name);
        return _repositories.RemoveAll(r => r.Name == name) > 0;
    }

    /// <summary>Loads the file; a missing file is an empty configuration.</summary>
    /// <exception cref="ChartsealException">The file is unreadable or not a valid configuration.</exception>
    public static async Task<RepositoryConfigFile> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // A folder in its place is an error, not an empty configuration.
        byte[]? bytes = await InputFile.ReadIfExistsAsync(path, MaxSize, cancellationToken: cancellationToken).ConfigureAwait(false);
        var unknown = new Dictionary<string, List<KeyValuePair<string, GoNode>>>(StringComparer.Ordinal);
        return new RepositoryConfigFile(path, bytes is null ? [] : Parse(bytes, path, unknown), unknown);
    }

    /// <summary>
    /// Reads the file, applies <paramref name="change"/> and writes it, holding the lock of the file's folder meanwhile
    /// (<see cref="RepositoryLock"/>): two commands changing the configuration at once (two <c>repo add</c> in parallel
    /// jobs) each see the other's change instead of the last write dropping it.
    /// </summary>
    /// <param name="path">The configuration file.</param>
    /// <param name="change">The change; it may throw (then nothing is written).</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>The configuration as written.</returns>
    /// <exception cref="ChartsealException">The file is unreadable or invalid, the lock cannot be taken, or what <paramref name="change"/> throws.</exception>
    public static async Task<RepositoryConfigFile> ChangeAsync(string path, Action<RepositoryConfigFile> change, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(change);
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        OutputFolder.Create(folder);
        var held = await RepositoryLock.AcquireAsync(folder, cancellationToken).ConfigureAwait(false);
        await using (held.ConfigureAwait(false))
        {
            var config = await LoadAsync(path, cancellationToken).ConfigureAwait(false);
            change(config);
            await config.SaveAsync(cancellationToken).ConfigureAwait(false);
            return config;
        }
    }

    /// <summary>
    /// Writes the file atomically (its folder is created when missing); readable only by its owner (mode 0600) when a
    /// repository has a password. The credential and TLS fields have the names of Helm's <c>repositories.yaml</c>.
    /// </summary>
    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        var list = new GoSequence(_repositories.Select(r =>
        {
            var entry = new GoMapping()
                .Add("name", GoNode.Str(r.Name))
                .Add("url", GoNode.Str(r.Url))
                .Add("rootFingerprint", GoNode.Str(r.RootFingerprint))
                .Add("trustOnFirstUse", GoNode.Plain(r.TrustOnFirstUse ? "true" : "false"))
                .Add("insecureHttp", GoNode.Plain(r.InsecureHttp ? "true" : "false"));
            void Text(string key, string? value)
            {
                if (value is not null)
                {
                    entry.Add(key, GoNode.Str(value));
                }
            }
            void Flag(string key, bool value)
            {
                if (value)
                {
                    entry.Add(key, GoNode.Plain("true"));
                }
            }
            Text("caFile", r.CaFile);
            Text("username", r.Username);
            Text("password", r.Password);
            Text("certFile", r.CertFile);
            Text("keyFile", r.KeyFile);
            Flag("insecure_skip_tls_verify", r.InsecureSkipTlsVerify);
            Flag("pass_credentials_all", r.PassCredentialsAll);
            return (GoNode)Keep(entry, r.Name);
        }));
        var root = Keep(new GoMapping().Add("apiVersion", GoNode.Str(ApiVersion)).Add("repositories", list), "");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        byte[] bytes = new UTF8Encoding(false).GetBytes(GoYamlEmitter.Emit(root));
        if (_repositories.Exists(r => r.HasSecret))
        {
            await AtomicFile.WritePrivateAsync(Path, bytes, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await AtomicFile.WriteAllBytesAsync(Path, bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    private GoMapping Keep(GoMapping map, string owner)
    {
        foreach (var (key, value) in _unknown.GetValueOrDefault(owner) ?? [])
        {
            map.Add(key, value);
        }
        return map;
    }

    private static readonly string[] TopKeys = ["apiVersion", "repositories"];
    private static readonly string[] RepositoryKeys = ["name", "url", "rootFingerprint", "trustOnFirstUse", "insecureHttp", "caFile", "username", "password", "certFile", "keyFile", "insecure_skip_tls_verify", "pass_credentials_all"];

    // The keys of map not in known, as they were read.
    private static List<KeyValuePair<string, GoNode>> Unknown(YamlMapping map, string[] known) =>
        [.. map.Entries.Where(e => !known.Contains(e.Key.Value)).Select(e => new KeyValuePair<string, GoNode>(e.Key.Value, ToGo(e.Value)))];

    private static GoNode ToGo(YamlNode? node) => node switch
    {
        YamlScalar { IsPlain: true } s => GoNode.Plain(s.Value),
        YamlScalar s => GoNode.Str(s.Value),
        YamlSequence q => new GoSequence(q.Items.Select(ToGo)),
        YamlMapping m => m.Entries.Aggregate(new GoMapping(), (map, e) => map.Add(e.Key.Value, ToGo(e.Value))),
        _ => GoNode.Null,
    };

    private static List<ConfiguredRepository> Parse(byte[] bytes, string path, Dictionary<string, List<KeyValuePair<string, GoNode>>> unknown)
    {
        var document = BoundedYamlReader.Read(bytes, path);
        if (document is not YamlMapping top)
        {
            throw new ChartsealException(path, document is null
                ? "is empty, not a repository configuration (restore it from a backup, or delete it and add the repositories again)"
                : "not a repository configuration: the top level is not a mapping");
        }
        // Keys of a newer version are read past (and written back by SaveAsync); a key given twice or a
        // list where one value belongs is refused, never read as one of its values or as nothing.
        static void CheckKeys(YamlMapping map, string where)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.Entries)
            {
                if (!seen.Add(entry.Key.Value))
                {
                    throw new ChartsealException(where, $"duplicate key \"{entry.Key.Value}\"");
                }
            }
        }
        static string? Scalar(YamlMapping map, string key, string where) => map.Entries.FirstOrDefault(e => e.Key.Value == key).Value switch
        {
            null => null,
            YamlScalar s => s.Value,
            _ => throw new ChartsealException(where, $"{key} must be a single value, not a list or mapping"),
        };
        CheckKeys(top, path);
        unknown[""] = Unknown(top, TopKeys);
        if (Scalar(top, "apiVersion", path) != ApiVersion)
        {
            throw new ChartsealException(path, $"apiVersion must be {ApiVersion}");
        }
        var result = new List<ConfiguredRepository>();
        switch (top.Entries.FirstOrDefault(e => e.Key.Value == "repositories").Value)
        {
            case null:
                return result;
            case YamlSequence items:
                foreach (var item in items.Items)
                {
                    result.Add(ParseRepository(item, path, result));
                }
                return result;
            default:
                throw new ChartsealException(path, "repositories must be a list");
        }

        ConfiguredRepository ParseRepository(YamlNode? item, string path, List<ConfiguredRepository> result)
        {
            if (item is not YamlMapping map)
            {
                throw new ChartsealException(path, "a repository is not a mapping");
            }
            string name = Scalar(map, "name", path) ?? throw new ChartsealException(path, "a repository has no name");
            string where = $"{path}: repository \"{name}\"";
            CheckKeys(map, where);
            unknown[name] = Unknown(map, RepositoryKeys);
            string Required(string key) => Scalar(map, key, where) ?? throw new ChartsealException(where, $"no {key}");
            bool Flag(string key) => Scalar(map, key, where) switch
            {
                null or "false" => false,
                "true" => true,
                var other => throw new ChartsealException(where, $"{key} must be true or false, not \"{other}\""),
            };
            string url = Required("url");
            if (!Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                throw new ChartsealException(where, $"url \"{url}\" is not an absolute URL");
            }
            if (result.Exists(r => r.Name == name))
            {
                throw new ChartsealException(where, "listed twice");
            }
            try
            {
                return new ConfiguredRepository(ConfiguredRepository.CheckName(name), url, new PinnedRoot(Required("rootFingerprint")).Fingerprint, Flag("trustOnFirstUse"), Flag("insecureHttp"))
                {
                    CaFile = Scalar(map, "caFile", where),
                    Username = Scalar(map, "username", where),
                    Password = Scalar(map, "password", where),
                    CertFile = Scalar(map, "certFile", where),
                    KeyFile = Scalar(map, "keyFile", where),
                    InsecureSkipTlsVerify = Flag("insecure_skip_tls_verify"),
                    PassCredentialsAll = Flag("pass_credentials_all"),
                };
            }
            catch (ChartsealException e) when (e.File is null)
            {
                throw new ChartsealException(where, e.Reason, e);
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Chartseal.IO;

namespace Chartseal.Oci;

/// <summary>
/// Where registry credentials are found, in this order (the first that has an entry for the registry wins):
/// <list type="number">
/// <item>an explicit user name and password (<see cref="WithUser"/>, the <c>--username</c>/<c>--password</c> flags);</item>
/// <item>Helm's registry config, as <c>helm registry login</c> writes it: <c>$HELM_REGISTRY_CONFIG</c>, else
/// <c>registry/config.json</c> in Helm's config folder (<c>$HELM_CONFIG_HOME</c>, else <c>$XDG_CONFIG_HOME/helm</c>
/// or <c>~/.config/helm</c>; <c>~/Library/Preferences/helm</c> on macOS, <c>%APPDATA%\helm</c> on Windows);</item>
/// <item>Docker's config, as <c>docker login</c> writes it: <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>.</item>
/// </list>
/// This is Helm 4's order (its own file with a fallback to Docker's). In each file the entry <c>auths.HOST</c> is used
/// (<c>HOST</c> with the port when the registry has one; a key written as a URL, <c>https://HOST/...</c>, matches too).
/// Credential helpers (<c>credsStore</c>, <c>credHelpers</c>) are not run; when one holds the registry's
/// credentials, <see cref="ExplainAsync"/> says so. Files are read when credentials are first needed, not before.
/// </summary>
public sealed class RegistryCredentials
{
    /// <summary>The largest config file read.</summary>
    public const long MaxConfigSize = 1024 * 1024;

    private readonly RegistryCredential? _explicit;
    private readonly ConcurrentDictionary<string, ConfigFile> _files = new(StringComparer.Ordinal);

    /// <summary>Credentials from the given Docker-format config files (tried in order) and optionally an explicit user.</summary>
    public RegistryCredentials(IReadOnlyList<string> configFiles, string? username = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(configFiles);
        ConfigFiles = configFiles;
        if (username is not null || password is not null)
        {
            _explicit = new RegistryCredential(username ?? "", password ?? "", "--username/--password");
        }
    }

    /// <summary>No credentials at all: every request is anonymous.</summary>
    public static RegistryCredentials None { get; } = new([]);

    /// <summary>Helm's registry config, then Docker's config, at their usual places for this environment.</summary>
    public static RegistryCredentials FromEnvironment() => new([HelmRegistryConfigPath(), DockerConfigPath()]);

    /// <summary>The files searched, in order.</summary>
    public IReadOnlyList<string> ConfigFiles { get; }

    /// <summary>The same files, with an explicit user name and password in front of them.</summary>
    public RegistryCredentials WithUser(string username, string password) => new(ConfigFiles, username, password);

    /// <summary>Helm's registry config file for this environment (see the class summary).</summary>
    public static string HelmRegistryConfigPath()
    {
        if (Environment.GetEnvironmentVariable("HELM_REGISTRY_CONFIG") is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }
        return Path.Combine(HelmConfigHome(), "registry", "config.json");
    }

    /// <summary>Docker's config file: <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>.</summary>
    public static string DockerConfigPath()
    {
        string folder = Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } d
            ? d : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return Path.Combine(folder, "config.json");
    }

    private static string HelmConfigHome()
    {
        if (Environment.GetEnvironmentVariable("HELM_CONFIG_HOME") is { Length: > 0 } home)
        {
            return home;
        }
        string user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "helm");
        }
        string config = OperatingSystem.IsMacOS() ? Path.Combine(user, "Library", "Preferences")
            : Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(user, ".config");
        return Path.Combine(config, "helm");
    }

    /// <summary>The credentials for <paramref name="registry"/> (<c>host[:port]</c>), or null when none are found.</summary>
    /// <exception cref="ChartsealException">A config file that exists is unreadable or malformed (named in the message).</exception>
    public async Task<RegistryCredential?> FindAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        if (_explicit is not null)
        {
            return _explicit;
        }
        foreach (string path in ConfigFiles)
        {
            if ((await LoadAsync(path, cancellationToken).ConfigureAwait(false)).Find(registry) is { IsEmpty: false } found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>
    /// One sentence for an error message: where credentials for <paramref name="registry"/> were looked for, and which
    /// credential helper holds them when a file names one.
    /// </summary>
    public async Task<string> ExplainAsync(string registry, CancellationToken cancellationToken = default)
    {
        if (_explicit is not null)
        {
            return "credentials were given with --username/--password";
        }
        if (ConfigFiles.Count == 0)
        {
            return "no credential sources are configured";
        }
        var notes = new List<string>();
        foreach (string path in ConfigFiles)
        {
            try
            {
                if ((await LoadAsync(path, cancellationToken).ConfigureAwait(false)).Helper(registry) is { } helper)
                {
                    notes.Add($"{path} leaves them to the credential helper docker-credential-{helper}, which Chartseal does not run (log in with `helm registry login {registry}` using a Helm registry config without credsStore)");
                }
            }
            catch (ChartsealException e)
            {
                notes.Add(e.Message);
            }
        }
        string searched = $"none for {registry} in {string.Join(" or ", ConfigFiles)}";
        return notes.Count == 0 ? searched : searched + "; " + string.Join("; ", notes);
    }

    private async Task<ConfigFile> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (_files.TryGetValue(path, out ConfigFile? loaded))
        {
            return loaded;
        }
        ConfigFile file = await ConfigFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        return _files.GetOrAdd(path, file);
    }

    /// <summary>One Docker-format config file: its <c>auths</c> entries and credential helper settings.</summary>
    private sealed class ConfigFile
    {
        private readonly string _path;
        private readonly Dictionary<string, RegistryCredential> _auths = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _helpers = new(StringComparer.OrdinalIgnoreCase);
        private string? _store;

        private ConfigFile(string path) => _path = path;

        public static async Task<ConfigFile> ReadAsync(string path, CancellationToken cancellationToken)
        {
            var file = new ConfigFile(path);
            if (!File.Exists(path))
            {
                return file;
            }
            byte[] bytes = await InputFile.ReadAsync(path, MaxConfigSize, cancellationToken).ConfigureAwait(false);
            try
            {
                using JsonDocument document = OciJson.Parse(bytes);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ChartsealException(path, "is not a registry config (not a JSON object)");
                }
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "auths" when property.Value.ValueKind == JsonValueKind.Object:
                            foreach (JsonProperty entry in property.Value.EnumerateObject())
                            {
                                file._auths[entry.Name] = file.ReadEntry(entry.Name, entry.Value);
                            }
                            break;
                        case "credHelpers" when property.Value.ValueKind == JsonValueKind.Object:
                            foreach (JsonProperty entry in property.Value.EnumerateObject())
                            {
                                if (entry.Value.ValueKind == JsonValueKind.String && entry.Value.GetString() is { Length: > 0 } helper)
                                {
                                    file._helpers[entry.Name] = helper;
                                }
                            }
                            break;
                        case "credsStore" when property.Value.ValueKind == JsonValueKind.String:
                            file._store = property.Value.GetString() is { Length: > 0 } store ? store : null;
                            break;
                    }
                }
            }
            catch (JsonException e)
            {
                throw new ChartsealException(path, "is not valid JSON: " + e.Message);
            }
            return file;
        }

        public RegistryCredential? Find(string registry)
        {
            foreach (string key in Keys(registry))
            {
                if (_auths.TryGetValue(key, out RegistryCredential? exact))
                {
                    return exact;
                }
            }
            foreach (var (key, credential) in _auths)
            {
                if (Keys(registry).Contains(ToHostname(key), StringComparer.OrdinalIgnoreCase))
                {
                    return credential;
                }
            }
            return null;
        }

        /// <summary>The helper holding <paramref name="registry"/>'s credentials when this file has no usable entry for it.</summary>
        public string? Helper(string registry)
        {
            if (Find(registry) is { IsEmpty: false })
            {
                return null;
            }
            foreach (string key in Keys(registry))
            {
                if (_helpers.TryGetValue(key, out string? helper))
                {
                    return helper;
                }
            }
            return _store;
        }

        private RegistryCredential ReadEntry(string key, JsonElement entry)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new ChartsealException(_path, $"auths entry \"{key}\" is not a JSON object");
            }
            string? Text(string name) => entry.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            string? username = Text("username"), password = Text("password");
            if (Text("auth") is { Length: > 0 } auth)
            {
                string decoded;
                try
                {
                    decoded = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(auth));
                }
                catch (Exception e) when (e is FormatException or DecoderFallbackException)
                {
                    throw new ChartsealException(_path, $"auths entry \"{key}\": \"auth\" is not base64 of user:password");
                }
                int colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    throw new ChartsealException(_path, $"auths entry \"{key}\": \"auth\" is not base64 of user:password (no colon)");
                }
                (username, password) = (decoded[..colon], decoded[(colon + 1)..]);
            }
            return new RegistryCredential(username, password, _path)
            {
                IdentityToken = Text("identitytoken") is { Length: > 0 } identity ? identity : null,
                RegistryToken = Text("registrytoken") is { Length: > 0 } registryToken ? registryToken : null,
            };
        }

        /// <summary>The keys a registry's entry may have: its name, and Docker Hub's historical key.</summary>
        private static string[] Keys(string registry) =>
            registry is "docker.io" or "registry-1.docker.io" or "index.docker.io"
                ? [registry, "https://index.docker.io/v1/", "index.docker.io"]
                : [registry];

        // Docker and ORAS match keys written as URLs (https://host/v1/) by their host name.
        private static string ToHostname(string key)
        {
            string host = key.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? key[7..]
                : key.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? key[8..] : key;
            int slash = host.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? host : host[..slash];
        }
    }
}

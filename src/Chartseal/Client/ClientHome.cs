namespace Chartseal.Client;

/// <summary>
/// Where the client keeps its files, following Helm's split: <c>repositories.yaml</c> (the configured repositories)
/// and a cache folder with one sub-folder per repository (its <c>index.yaml</c> and accepted trust material).
/// With <c>$CHARTSEAL_HOME</c> everything lives below it; otherwise the XDG config and cache folders are used.
/// </summary>
/// <param name="ConfigFile">The <c>repositories.yaml</c> path.</param>
/// <param name="CacheDirectory">The folder holding one cache folder per repository.</param>
/// <param name="TrustState">The store remembering accepted trust versions (rollback protection).</param>
public sealed record ClientHome(string ConfigFile, string CacheDirectory, TrustStateStore TrustState)
{
    /// <summary>The configuration file's name.</summary>
    public const string ConfigFileName = "repositories.yaml";

    /// <summary>Everything below <paramref name="home"/> (as with <c>$CHARTSEAL_HOME</c>).</summary>
    /// <exception cref="ChartsealException"><paramref name="home"/> is a file (every command would otherwise see no repositories, or fail on a path below it).</exception>
    public static ClientHome Under(string home)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        if (File.Exists(home))
        {
            throw new ChartsealException(home, "is a file, not a folder (the client's home: CHARTSEAL_HOME)");
        }
        return new ClientHome(Path.Combine(home, ConfigFileName), Path.Combine(home, "cache"), new TrustStateStore(Path.Combine(home, "trust-state")));
    }

    /// <summary>The locations for this environment: <c>$CHARTSEAL_HOME</c>, else <c>$XDG_CONFIG_HOME</c> / <c>$XDG_CACHE_HOME</c> (or their defaults).</summary>
    public static ClientHome Default()
    {
        string? home = Environment.GetEnvironmentVariable("CHARTSEAL_HOME");
        if (!string.IsNullOrEmpty(home))
        {
            return Under(home);
        }
        string user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } c ? c : Path.Combine(user, ".config");
        string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } k ? k : Path.Combine(user, ".cache");
        return new ClientHome(Path.Combine(config, "chartseal", ConfigFileName), Path.Combine(cache, "chartseal", "repository"), TrustStateStore.Default());
    }

    /// <summary>The cache folder of the repository named <paramref name="name"/>.</summary>
    public string CacheFor(string name) => Path.Combine(CacheDirectory, ConfiguredRepository.CheckName(name));
}

using Chartseal.Charts;

namespace Chartseal.Client;

/// <summary>Options of <see cref="DependencyUpdater.UpdateAsync"/>.</summary>
public sealed class DependencyUpdateOptions
{
    /// <summary>Allow plain <c>http://</c> dependency repositories (<c>--insecure-http</c>); https is required otherwise.</summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>
    /// The repositories added with <c>repo add</c>: a dependency repository with the URL of one of them is read with its
    /// credentials and TLS settings, as <c>helm dependency update</c> takes them from Helm's <c>repositories.yaml</c>.
    /// </summary>
    public IReadOnlyList<ConfiguredRepository> Repositories { get; init; } = [];

    /// <summary>The overall deadline of every download (<c>--timeout</c>), or null for none.</summary>
    public Fetch.FetchDeadline? Deadline { get; init; }

    /// <summary>The time of the archives packaged from <c>file://</c> dependencies (as <see cref="PackageOptions.ModificationTime"/>).</summary>
    public DateTimeOffset? ModificationTime { get; init; }
}

namespace Chartseal.Charts;

/// <summary>Options of <see cref="ChartPackager.Package(string, PackageOptions?)"/>.</summary>
public sealed class PackageOptions
{
    /// <summary>Overrides the chart version (<c>--version</c>); must be SemVer. Null or empty leaves Chart.yaml's version.</summary>
    public string? Version { get; init; }

    /// <summary>
    /// Overrides the app version (<c>--app-version</c>): any text, as in Helm (<c>latest</c>, <c>stable</c>,
    /// <c>RELEASE.2023-01-01T00-00-00Z</c>); null or empty leaves Chart.yaml's appVersion.
    /// </summary>
    public string? AppVersion { get; init; }

    /// <summary>
    /// The modification time of every archive entry, normally from <c>SOURCE_DATE_EPOCH</c>
    /// (<see cref="ChartPackager.SourceDateEpochFromEnvironment"/>); when set it also replaces Chart.lock's
    /// <c>generated</c>, as Helm does. Null means <see cref="ChartPackager.DefaultModificationTime"/>.
    /// </summary>
    public DateTimeOffset? ModificationTime { get; init; }

    /// <summary>
    /// Whether dependencies declared in Chart.yaml must be in <c>charts/</c> (true, as <c>helm package</c>); false
    /// packages like Helm's <c>chartutil.Save</c> alone, which <c>package -u</c> uses for <c>file://</c> dependencies.
    /// </summary>
    internal bool CheckDependencies { get; init; } = true;
}

namespace Chartseal.Charts;

/// <summary>A chart loaded the way Helm loads it, ready to be packaged.</summary>
public sealed class LoadedChart
{
    internal LoadedChart(ChartMetadata metadata, ChartLock? lockFile, IReadOnlyList<ChartFile> files, IReadOnlyList<LoadedChart> subcharts)
    {
        Metadata = metadata;
        Lock = lockFile;
        Files = files;
        Subcharts = subcharts;
    }

    /// <summary>The validated metadata (for apiVersion v1, requirements.yaml dependencies merged in).</summary>
    public ChartMetadata Metadata { get; }

    /// <summary>The Chart.lock (or requirements.lock) content, if any; only apiVersion v2 archives carry it.</summary>
    public ChartLock? Lock { get; }

    /// <summary>
    /// The chart's own files in archive order: values.yaml, values.schema.json, templates, then every other
    /// file, each group in load order. Chart.yaml and Chart.lock are not listed: they are written from
    /// <see cref="Metadata"/> and <see cref="Lock"/>. Files of subcharts are in <see cref="Subcharts"/>.
    /// </summary>
    public IReadOnlyList<ChartFile> Files { get; }

    /// <summary>Subcharts from <c>charts/</c> (folders and archives), ordered by chart name.</summary>
    public IReadOnlyList<LoadedChart> Subcharts { get; }

    /// <summary>
    /// The symbolic links followed while loading the folder (subchart folders included), in walk order; empty
    /// for a chart read from an archive.
    /// </summary>
    public IReadOnlyList<FollowedLink> Links { get; internal set; } = [];
}

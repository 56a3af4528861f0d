namespace Chartseal.Charts;

/// <summary>A packaged chart.</summary>
public sealed class PackagedChart
{
    internal PackagedChart(ChartMetadata metadata, string fileName, byte[] archive, IReadOnlyList<FollowedLink> links)
    {
        Metadata = metadata;
        FileName = fileName;
        Archive = archive;
        Links = links;
    }

    /// <summary>The metadata written into the archive (overrides applied).</summary>
    public ChartMetadata Metadata { get; }

    /// <summary><c>NAME-VERSION.tgz</c>.</summary>
    public string FileName { get; }

    /// <summary>The archive bytes.</summary>
    public byte[] Archive { get; }

    /// <summary>The symbolic links whose targets' contents were packaged (see <see cref="LoadedChart.Links"/>).</summary>
    public IReadOnlyList<FollowedLink> Links { get; }
}

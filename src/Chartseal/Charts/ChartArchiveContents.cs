namespace Chartseal.Charts;

/// <summary>The checked contents of a chart archive, held in memory.</summary>
public sealed class ChartArchiveContents
{
    internal ChartArchiveContents(string fileName, ChartMetadata metadata, IReadOnlyList<ChartArchiveFile> files)
    {
        FileName = fileName;
        Metadata = metadata;
        Files = files;
    }

    /// <summary>The archive name given to the reader.</summary>
    public string FileName { get; }

    /// <summary>The validated metadata of the top folder's Chart.yaml (requirements.yaml dependencies merged).</summary>
    public ChartMetadata Metadata { get; }

    /// <summary>The chart name, which is also the archive's single top folder.</summary>
    public string ChartName => Metadata.Name;

    /// <summary>Regular files in archive order.</summary>
    public IReadOnlyList<ChartArchiveFile> Files { get; }
}

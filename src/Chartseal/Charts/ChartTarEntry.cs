namespace Chartseal.Charts;

/// <summary>One file or folder of a chart's tar stream, as Go's <c>archive/tar</c> (Helm's reader) sees it.</summary>
/// <param name="Name">The full entry name (PAX <c>path</c> or GNU long name applied), valid UTF-8.</param>
/// <param name="IsDirectory">A folder entry (it carries no data).</param>
/// <param name="Size">The number of data bytes that follow.</param>
internal readonly record struct ChartTarEntry(string Name, bool IsDirectory, long Size);

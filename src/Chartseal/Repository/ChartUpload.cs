namespace Chartseal.Repository;

/// <summary>A chart to publish, in memory: read from files by the CLI, received by the server.</summary>
/// <param name="FileName">The archive's file name, as signed in its <c>.prov</c> (no folders).</param>
/// <param name="Archive">The archive bytes.</param>
/// <param name="Provenance">The <c>.prov</c> bytes, or null when there is none (always refused).</param>
public sealed record ChartUpload(string FileName, ReadOnlyMemory<byte> Archive, byte[]? Provenance);

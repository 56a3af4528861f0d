namespace Chartseal.Charts;

/// <summary>
/// The CI gate's proof that a package was built from the reviewed source: package the source folder again
/// and compare with the archive. Archives Chartseal made are compared byte for byte; archives made by another
/// tool (Helm's deflate differs from ours) are compared by contents: the same file names with the same bytes.
/// </summary>
public static class ChartRebuild
{
    /// <summary>Rebuilds <paramref name="sourceDir"/> and compares it with <paramref name="archive"/>.</summary>
    /// <param name="archive">The signed archive's bytes.</param>
    /// <param name="archiveFileName">Its file name, for messages.</param>
    /// <param name="sourceDir">The chart source folder.</param>
    /// <param name="modificationTime">SOURCE_DATE_EPOCH, when the release was built with one.</param>
    /// <exception cref="ChartsealException">The source folder is not a valid chart, or the archive is unsafe.</exception>
    public static RebuildResult Compare(ReadOnlyMemory<byte> archive, string archiveFileName, string sourceDir, DateTimeOffset? modificationTime) =>
        Compare(ChartArchive.Read(archive, Path.GetFileName(archiveFileName)), archive, sourceDir, modificationTime);

    /// <summary>Rebuilds <paramref name="sourceDir"/> and compares it with a signed archive already read as <paramref name="signed"/>.</summary>
    /// <param name="signed">The signed archive, as read (<see cref="ChartArchive.Read(ReadOnlyMemory{byte}, string, ArchiveLimits?)"/>).</param>
    /// <param name="archive">The same archive's bytes (for the byte-for-byte comparison).</param>
    /// <param name="sourceDir">The chart source folder.</param>
    /// <param name="modificationTime">SOURCE_DATE_EPOCH, when the release was built with one.</param>
    /// <exception cref="ChartsealException">The source folder is not a valid chart, or declares a dependency missing from <c>charts/</c>.</exception>
    public static RebuildResult Compare(ChartArchiveContents signed, ReadOnlyMemory<byte> archive, string sourceDir, DateTimeOffset? modificationTime)
    {
        ArgumentNullException.ThrowIfNull(signed);
        // Rebuild at the signed version: `package --version` may have set it at release time.
        var rebuilt = ChartPackager.Package(sourceDir, new PackageOptions
        {
            Version = signed.Metadata.Version,
            AppVersion = signed.Metadata.AppVersion,
            ModificationTime = modificationTime,
        });
        if (rebuilt.Archive.AsSpan().SequenceEqual(archive.Span))
        {
            return new RebuildResult(true, true, null);
        }
        var rebuiltContents = ChartArchive.Read(rebuilt.Archive, "the rebuild from " + sourceDir);
        string? difference = ChartArchive.FindFirstDifference(signed, rebuiltContents);
        return new RebuildResult(difference is null, false, difference);
    }
}

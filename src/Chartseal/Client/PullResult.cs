using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Gate;

namespace Chartseal.Client;

/// <summary>The outcome of <see cref="ChartPuller.PullAsync"/>. Nothing is written to disk until <see cref="Pulled.SaveAsync"/>.</summary>
public abstract record PullResult
{
    private PullResult() { }

    /// <summary>The chart is trusted: the verified bytes, held in memory.</summary>
    /// <param name="Entry">The index entry that was pulled.</param>
    /// <param name="ArchiveFileName">The archive's file name as verified (the last segment of its URL; for a registry, the canonical <c>NAME-VERSION.tgz</c>).</param>
    /// <param name="Archive">The archive's bytes, exactly those that were verified.</param>
    /// <param name="Provenance">The <c>.prov</c> bytes.</param>
    /// <param name="Verdict">The gate's verdict (signer, sha256, chart, the trust material it was judged against).</param>
    public sealed record Pulled(IndexEntry Entry, string ArchiveFileName, byte[] Archive, byte[] Provenance, Verdict.Trusted Verdict) : PullResult
    {
        /// <summary>
        /// Writes the verified archive and its <c>.prov</c> into <paramref name="directory"/> (each atomically), or with
        /// <paramref name="untar"/> the unpacked chart as <c>DIRECTORY/CHART</c> (complete or not at all).
        /// </summary>
        /// <returns>The archive path, or the unpacked chart's folder.</returns>
        /// <exception cref="ChartsealException">The chart folder already exists, or a write failed.</exception>
        public async Task<string> SaveAsync(string directory, bool untar, CancellationToken cancellationToken = default)
        {
            ArgumentException.ThrowIfNullOrEmpty(directory);
            // A file in the way is named as such (not as a file that "already exists" or a path not found).
            OutputFolder.Create(directory);
            if (untar)
            {
                string chartDir = TargetIn(directory, untar: true);
                await ChartArchive.ExtractToAsync(ChartArchive.Read(Archive, ArchiveFileName), chartDir, cancellationToken).ConfigureAwait(false);
                return chartDir;
            }
            string archivePath = TargetIn(directory, untar: false);
            string provPath = archivePath + ".prov";
            try
            {
                await AtomicFile.WriteAllBytesAsync(provPath, Provenance, cancellationToken).ConfigureAwait(false);
                try
                {
                    await AtomicFile.WriteAllBytesAsync(archivePath, Archive, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    File.Delete(provPath);
                    throw;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                string why = e switch
                {
                    PathTooLongException => "the path is longer than the file system allows",
                    UnauthorizedAccessException => "permission denied",
                    _ => e.Message,
                };
                throw new ChartsealException(archivePath, "cannot write the pulled chart: " + why, e);
            }
            return archivePath;
        }

        /// <summary>What <see cref="SaveAsync"/> writes in <paramref name="directory"/>: the archive (and its <c>.prov</c> beside it), or the chart folder.</summary>
        public string TargetIn(string directory, bool untar) =>
            Path.Combine(directory, untar ? Verdict.Metadata.Name : ArchiveFileName);
    }

    /// <summary>The chart (or the repository's trust material) was refused.</summary>
    /// <param name="File">What was refused: the archive's URL, or the trust manifest's URL.</param>
    /// <param name="Verdict">The gate's verdict (or <see cref="Verdict.TrustRefused"/> when the trust material was refused first).</param>
    public sealed record Rejected(string File, Verdict.Refused Verdict) : PullResult
    {
        /// <summary>Why.</summary>
        public Refusal Refusal => Verdict.Refusal;

        /// <summary>Why (the refusal's reason).</summary>
        public RejectionReason Reason => Refusal.Reason;

        /// <summary>One line for people (the refusal's message).</summary>
        public string Message => Refusal.Message;
    }
}

using Chartseal.Charts;
using Chartseal.Fetch;
using Chartseal.IO;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>A repository in a local folder (the publisher's side, CI, and <c>audit DIR</c>).</summary>
public sealed class FolderRepositorySource : RepositorySource
{
    /// <summary>A source for the folder <paramref name="directory"/>.</summary>
    /// <exception cref="ChartsealException">The folder does not exist.</exception>
    public FolderRepositorySource(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Location = LocationOf(directory);
        if (!Directory.Exists(Location))
        {
            throw new ChartsealException(directory, "repository folder not found");
        }
    }

    /// <inheritdoc />
    public override string Location { get; }

    /// <summary>The <see cref="Location"/> of the folder <paramref name="directory"/> (its full path), whether it exists yet or not.</summary>
    public static string LocationOf(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
    }

    /// <summary>
    /// Where a trust change is staged, complete, before it is written into place: a reader that finds a staged manifest
    /// reads the whole staged set, so it never sees old and new trust files mixed, even after a writer was killed
    /// between two renames (the next change completes it).
    /// </summary>
    public const string StagedTrustFolder = ".trust-next";

    /// <inheritdoc />
    public override bool IsRemote => false;

    /// <inheritdoc />
    /// <remarks>Prefers a complete staged change (see <see cref="StagedTrustFolder"/>); falls back to the published files.</remarks>
    public override async Task<TrustFiles> ReadTrustFilesAsync(CancellationToken cancellationToken = default)
    {
        string staged = Path.Combine(Location, StagedTrustFolder);
        if (File.Exists(Path.Combine(staged, TrustFiles.ManifestName)))
        {
            // rotations.asc is kept for good: an older writer's stage may lack it.
            var set = await TrustFiles.ReadAsync(async (name, maxBytes) =>
                await InputFile.ReadIfExistsAsync(Path.Combine(staged, name), maxBytes, truncate: false, cancellationToken).ConfigureAwait(false)
                ?? (name == TrustFiles.RotationsName ? await ReadFileAsync(name, maxBytes, cancellationToken).ConfigureAwait(false) : null)).ConfigureAwait(false);
            // The writer may be removing the staged set right now; then the published files are already the new ones.
            if (set.Manifest is not null && set.PublicKeys is not null && set.Revoked is not null && set.RootKeys is not null)
            {
                return set;
            }
        }
        return await base.ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string AddressOf(string name) => Path.Combine(Location, name);

    /// <inheritdoc />
    public override Task<byte[]?> ReadFileAsync(string name, long maxBytes, CancellationToken cancellationToken = default) =>
        InputFile.ReadIfExistsAsync(AddressOf(name), maxBytes, truncate: false, cancellationToken);

    /// <inheritdoc />
    public override async Task<FetchOutcome> ReadIndexAsync(string? etag, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default) =>
        await ReadFileAsync(ChartIndex.FileName, ChartIndex.MaxIndexSize, cancellationToken).ConfigureAwait(false) is { } index
            ? new FetchOutcome.Downloaded(index, null)
            : new FetchOutcome.NotFound();

    /// <inheritdoc />
    public override Task<FetchOutcome> SaveIndexAsync(string? etag, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default) =>
        SaveFileAsync(ChartIndex.FileName, ChartIndex.MaxIndexSize, path, progress, cancellationToken);

    /// <inheritdoc />
    public override async Task<FetchOutcome> SaveFileAsync(string name, long maxBytes, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string index = AddressOf(name);
        try
        {
            var from = new FileStream(index, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            await using (from.ConfigureAwait(false))
            {
                if (from.Length > maxBytes)
                {
                    throw new ChartsealException(index, $"is larger than the {maxBytes} byte limit");
                }
                var to = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (to.ConfigureAwait(false))
                {
                    using var sha256 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
                    byte[] chunk = new byte[81920];
                    int read;
                    while ((read = await from.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        sha256.AppendData(chunk, 0, read);
                        await to.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                    to.Flush(flushToDisk: true);
                    return new FetchOutcome.Saved(to.Length, Convert.ToHexStringLower(sha256.GetHashAndReset()), null);
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new FetchOutcome.NotFound();
        }
        catch (UnauthorizedAccessException)
        {
            throw new ChartsealException(index, "permission denied");
        }
    }

    /// <inheritdoc />
    public override ChartLocation? Locate(string url) =>
        LocalArchivePath(Location, url) is { } full ? new ChartLocation(full, Path.GetFileName(full)) : null;

    /// <inheritdoc />
    public override async Task<byte[]?> ReadArchiveAsync(ChartLocation chart, IProgress<DownloadProgress>? progress, MemoryLease? lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (lease is not null)
        {
            var file = new FileInfo(chart.Address);
            await lease.ReserveAsync(file.Exists ? Math.Min(file.Length, MaxArchiveSize) : 0, cancellationToken).ConfigureAwait(false);
        }
        return await InputFile.ReadIfExistsAsync(chart.Address, MaxArchiveSize, truncate: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task<byte[]?> ReadProvenanceAsync(ChartLocation chart, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return InputFile.ReadIfExistsAsync(chart.Address + ".prov", ProvenanceReadLimit, truncate: true, cancellationToken);
    }

    /// <summary>
    /// The one mapping from an index URL to a file in a repository folder: a relative URL (unescaped) or the last
    /// segment of an absolute http(s) URL, resolved in <paramref name="repositoryDir"/>; null when it would leave the
    /// folder or names no file at all (a NUL). Used by audit, re-sign, and publish's and delete's file-name checks.
    /// </summary>
    public static string? LocalArchivePath(string repositoryDir, string url)
    {
        ArgumentNullException.ThrowIfNull(repositoryDir);
        ArgumentNullException.ThrowIfNull(url);
        string dir = Path.GetFullPath(repositoryDir);
        string relative = Uri.TryCreate(url, UriKind.Absolute, out Uri? abs) && (abs.Scheme == Uri.UriSchemeHttp || abs.Scheme == Uri.UriSchemeHttps)
            ? FileNameOf(abs.AbsolutePath)
            : Uri.UnescapeDataString(url);
        // A NUL names no file (the platform refuses the path outright): no archive of this folder, as for a URL outside it.
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }
        string full = Path.GetFullPath(Path.Combine(dir, relative));
        return full.StartsWith(dir.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}

using Chartseal.Keys;

namespace Chartseal.Provenance;

/// <summary>File-level entry point of <see cref="ChartVerifier"/>.</summary>
public static class ChartFileVerifier
{
    /// <summary>
    /// Reads an archive and its provenance file (default: the archive path + <c>.prov</c>) and verifies them.
    /// A missing default provenance file is the rejection missing-provenance, never a pass.
    /// </summary>
    /// <exception cref="ChartsealException">The archive cannot be read, or is not a <c>.tgz</c>; or <paramref name="provenancePath"/> was given and does not exist.</exception>
    public static async Task<ChartVerification> VerifyAsync(string archivePath, string? provenancePath, Keyring keyring, DateTime now, CancellationToken cancellationToken = default)
    {
        var (archive, prov) = await ReadAsync(archivePath, provenancePath, cancellationToken).ConfigureAwait(false);
        return ChartVerifier.Verify(archive, archivePath, prov, keyring, now);
    }

    /// <summary>
    /// Reads an archive and its provenance file (default: the archive path + <c>.prov</c>); the provenance is
    /// null when that default file does not exist.
    /// </summary>
    /// <exception cref="ChartsealException">The archive cannot be read, is a folder, or is not a <c>.tgz</c>; or <paramref name="provenancePath"/> was given and does not exist.</exception>
    public static async Task<(byte[] Archive, byte[]? Provenance)> ReadAsync(string archivePath, string? provenancePath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        if (Directory.Exists(archivePath))
        {
            throw new ChartsealException(archivePath, "unpacked charts cannot be verified");
        }
        if (!archivePath.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            throw new ChartsealException(archivePath, "chart must be a tgz file");
        }
        byte[] archive = await Chartseal.IO.InputFile.ReadAsync(archivePath, cancellationToken: cancellationToken).ConfigureAwait(false);
        // Read up to one byte over the limit: an oversized .prov is then refused as malformed (exit 1, a JSON result),
        // as at every other door, not reported as an unreadable file.
        byte[]? prov = await Chartseal.IO.InputFile.ReadIfExistsAsync(provenancePath ?? archivePath + ".prov", ChartVerifier.MaxProvenanceLength + 1L, truncate: true, cancellationToken).ConfigureAwait(false);
        // A provenance file named explicitly and absent is a mistyped path, not an unsigned chart.
        return prov is null && provenancePath is not null ? throw new ChartsealException(provenancePath, "no such file (the provenance file given)") : (archive, prov);
    }
}

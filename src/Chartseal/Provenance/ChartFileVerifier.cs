using System.Security.Cryptography;
using System.Text;
using Chartseal.Charts;
using Chartseal.Keys;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Provenance;

/// <summary>File-level entry point of <see cref="ChartVerifier"/>.</summary>
public static class ChartFileVerifier
{
    /// <summary>
    /// Reads an archive and its provenance file (default: the archive path + <c>.prov</c>) and verifies them.
    /// A missing provenance file is the rejection missing-provenance, never a pass.
    /// </summary>
    /// <exception cref="ChartsealException">The archive cannot be read, or is not a <c>.tgz</c>.</exception>
    public static async Task<ChartVerification> VerifyAsync(string archivePath, string? provenancePath, Keyring keyring, DateTime now, CancellationToken cancellationToken = default)
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
        var (archive, prov) = await ReadAsync(archivePath, provenancePath, cancellationToken).ConfigureAwait(false);
        return ChartVerifier.Verify(archive, archivePath, prov, keyring, now);
    }

    /// <summary>
    /// Reads an archive and its provenance file (default: the archive path + <c>.prov</c>); the provenance is
    /// null when the file does not exist.
    /// </summary>
    /// <exception cref="ChartsealException">The archive cannot be read.</exception>
    public static async Task<(byte[] Archive, byte[]? Provenance)> ReadAsync(string archivePath, string? provenancePath, CancellationToken cancellationToken = default)
    {
        byte[] archive = await Chartseal.IO.InputFile.ReadAsync(archivePath, cancellationToken: cancellationToken).ConfigureAwait(false);
        string provPath = provenancePath ?? archivePath + ".prov";
        if (!File.Exists(provPath))
        {
            return (archive, null);
        }
        // An oversized .prov is a malformed one (a rejection: exit 1, JSON result), not an unreadable file;
        // its content is never looked at, so stand in an over-limit buffer instead of reading it.
        byte[] prov = new FileInfo(provPath).Length > ChartVerifier.MaxProvenanceLength
            ? new byte[ChartVerifier.MaxProvenanceLength + 1]
            : await Chartseal.IO.InputFile.ReadAsync(provPath, ChartVerifier.MaxProvenanceLength + 1L, cancellationToken).ConfigureAwait(false);
        return (archive, prov);
    }
}

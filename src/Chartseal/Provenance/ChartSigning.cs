using System.Security.Cryptography;
using System.Text;
using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Keys;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Provenance;

/// <summary>
/// Signing a chart archive: archive → (re-loaded) metadata → provenance body → clear-signed <c>.prov</c>,
/// written atomically beside the archive. Used by <c>package --sign</c>, <c>sign</c> and <c>resign</c>.
/// </summary>
public static class ChartSigning
{
    /// <summary>
    /// Builds the provenance body for an archive, as Helm does: the archive is read back (so the
    /// metadata signed is what the archive holds), its metadata serialised, and its SHA-256 listed.
    /// </summary>
    /// <exception cref="UnsafeArchiveException">The archive is not a safe, well-formed chart.</exception>
    public static string BuildBody(ReadOnlyMemory<byte> archive, string archiveFileName)
    {
        string name = Path.GetFileName(archiveFileName);
        var contents = ChartArchive.Read(archive, name);
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(archive.Span));
        return ProvenanceBody.Build(ChartYaml.Serialize(contents.Metadata), name, sha256);
    }

    /// <summary>Signs an archive with a BouncyCastle key and returns the <c>.prov</c> bytes.</summary>
    public static byte[] Sign(ReadOnlyMemory<byte> archive, string archiveFileName, SigningKey key, PgpPrivateKey privateKey, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(key);
        string body = BuildBody(archive, archiveFileName);
        return ProvenanceSigner.Sign(body, privateKey, key.SecretKey.PublicKey, now);
    }

    /// <summary>
    /// Signs an archive through the installed GnuPG (agent or smartcard keys), then checks gpg's output with
    /// our own verifier against the key gpg exports, so a broken signature is never written.
    /// </summary>
    public static async Task<byte[]> SignWithGpgAsync(ReadOnlyMemory<byte> archive, string archiveFileName, string keyName, GpgAgentSigner gpg, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gpg);
        string body = BuildBody(archive, archiveFileName);
        string signed = await gpg.ClearSignAsync(body, keyName, cancellationToken).ConfigureAwait(false);
        byte[] prov = new UTF8Encoding(false).GetBytes(signed);
        Keyring publicKeys = await gpg.ExportPublicAsync(keyName, cancellationToken).ConfigureAwait(false);
        if (ChartVerifier.Verify(archive, archiveFileName, prov, publicKeys, now) is ChartVerification.Rejected r)
        {
            throw new ChartsealException(archiveFileName, $"gpg made a signature that does not verify ({r.Reason.Name()}): {r.Message}");
        }
        return prov;
    }

    /// <summary>
    /// Checks, writing nothing, that <c>ARCHIVE.prov</c> can be written beside the archive: for <c>sign</c> and <c>resign</c> to
    /// refuse a read-only folder before they ask for a passphrase.
    /// </summary>
    /// <exception cref="ChartsealException">A folder is in the <c>.prov</c>'s place, or the archive's folder cannot be written (<see cref="OutputFolder.CheckWritable"/>).</exception>
    public static void CheckProvenanceWritable(string archivePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        string path = archivePath + ".prov";
        if (Directory.Exists(path))
        {
            // The words AtomicFile would use once the passphrase had been typed.
            throw new ChartsealException(path, "cannot write: is a folder, not a file");
        }
        OutputFolder.CheckWritable(Path.GetDirectoryName(Path.GetFullPath(archivePath))!);
    }

    /// <summary>Writes <c>ARCHIVE.prov</c> atomically and returns its path.</summary>
    public static async Task<string> WriteProvenanceAsync(string archivePath, byte[] provenance, CancellationToken cancellationToken)
    {
        string path = archivePath + ".prov";
        await AtomicFile.WriteAllBytesAsync(path, provenance, cancellationToken).ConfigureAwait(false);
        return path;
    }
}

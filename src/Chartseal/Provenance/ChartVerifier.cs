using System.Security.Cryptography;
using System.Text;
using Chartseal.Charts;
using Chartseal.Keys;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Provenance;

/// <summary>
/// Verifies a chart archive against its provenance file and a keyring: the one straight line every
/// front end goes through. It never throws for bad input; every failure is a
/// <see cref="ChartVerification.Rejected"/> with its reason.
/// </summary>
public static class ChartVerifier
{
    /// <summary>The largest provenance file we read.</summary>
    public const int MaxProvenanceLength = 1024 * 1024;

    /// <summary>
    /// Verifies <paramref name="archive"/> (named <paramref name="archiveFileName"/>) against
    /// <paramref name="provenance"/> with the keys of <paramref name="keyring"/>, at time <paramref name="now"/>.
    /// </summary>
    /// <remarks>Pass <c>null</c> (not a null <c>byte[]</c>, which converts to an empty memory) for a missing provenance file.</remarks>
    /// <returns>
    /// <see cref="ChartVerification.Verified"/>, or <see cref="ChartVerification.Rejected"/> with one of:
    /// missing-provenance, malformed, unsupported-signature, unknown-signer, weak-hash, bad-signature,
    /// key-expired, key-revoked, file-not-in-provenance, hash-mismatch, unsafe-archive, name-version-mismatch.
    /// </returns>
    public static ChartVerification Verify(ReadOnlyMemory<byte> archive, string archiveFileName, byte[]? provenance, Keyring keyring, DateTime now) =>
        VerifyReading(archive, archiveFileName, provenance, keyring, now).Verification;

    /// <summary>
    /// <see cref="Verify"/>, also handing on the archive as it was read for the checks (null when it was not read), so
    /// the gate's later checks (rebuild, the index entry) do not read the archive again.
    /// </summary>
    internal static (ChartVerification Verification, ChartArchiveContents? Contents) VerifyReading(ReadOnlyMemory<byte> archive, string archiveFileName, byte[]? provenance, Keyring keyring, DateTime now)
    {
        ChartVerification verification = Check(archive, archiveFileName, provenance, keyring, now, out ChartArchiveContents? contents);
        return (verification, contents);
    }

    private static ChartVerification Check(ReadOnlyMemory<byte> archive, string archiveFileName, byte[]? provenance, Keyring keyring, DateTime now, out ChartArchiveContents? read)
    {
        read = null;
        ArgumentException.ThrowIfNullOrEmpty(archiveFileName);
        ArgumentNullException.ThrowIfNull(keyring);
        string name = Path.GetFileName(archiveFileName);
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(archive.Span));

        ChartVerification.Rejected Reject(RejectionReason reason, string message, SignerInfo? signer = null, DateTime? signedAt = null) =>
            ChartVerification.Reject(name, reason, message) with { Sha256 = sha256, Signer = signer, SignedAt = signedAt };

        // 1. A provenance file must exist: a missing one is a failure, never "unsigned, carry on".
        if (provenance is not { } prov)
        {
            return Reject(RejectionReason.MissingProvenance, $"no provenance file for {name}");
        }
        if (prov.Length > MaxProvenanceLength)
        {
            return Reject(RejectionReason.Malformed, $"provenance file is larger than {MaxProvenanceLength} bytes");
        }

        // 2. The clear-sign framing.
        if (ClearSignedMessage.TryParse(prov, out string framingError) is not { } message)
        {
            return Reject(RejectionReason.Malformed, "provenance is not a clear-signed document: it " + framingError);
        }

        // 3. The signature, by a key of the keyring, valid now (the policy every signature check shares).
        var signature = SignatureVerifier.Verify(message, keyring, SignaturePolicy.ValidNow, now);
        if (signature.Failure is { } failure)
        {
            return Reject(failure.Reason, failure.Message, signature.Signer, signature.SignedAt);
        }
        SignerInfo signer = signature.Signer!;
        DateTime signedAt = signature.SignedAt!.Value;

        // 4. Only now, parse what was verified: the files map must name this archive with its hash.
        if (ProvenanceBody.TryParse(message.Plaintext, out string bodyError) is not { } body)
        {
            return Reject(RejectionReason.Malformed, bodyError, signer, signedAt);
        }
        if (!body.Files.TryGetValue(name, out string? signedSum))
        {
            return Reject(RejectionReason.FileNotInProvenance, $"provenance does not contain a SHA for a file named \"{name}\"", signer, signedAt);
        }
        if (!string.Equals(signedSum, "sha256:" + sha256, StringComparison.Ordinal))
        {
            return Reject(RejectionReason.HashMismatch, $"sha256 sum does not match for {name}: \"{signedSum}\" != \"sha256:{sha256}\"", signer, signedAt);
        }

        // 5. The archive must be a safe, well-formed chart (read in memory, never extracted).
        ChartArchiveContents contents;
        try
        {
            read = contents = ChartArchive.Read(archive, name);
        }
        catch (UnsafeArchiveException e)
        {
            return Reject(RejectionReason.UnsafeArchive, e.Reason, signer, signedAt);
        }
        var chart = new ChartIdentity(contents.Metadata.Name, contents.Metadata.Version);

        // 6. The signed metadata must describe this chart, so a signature cannot be moved to another one.
        ChartMetadata signedMetadata;
        try
        {
            signedMetadata = ChartYaml.Parse(Encoding.UTF8.GetBytes(body.MetadataYaml), name + ".prov");
        }
        catch (ChartsealException e)
        {
            return Reject(RejectionReason.Malformed, "signed metadata is not valid chart metadata: " + e.Reason, signer, signedAt) with { Chart = chart };
        }
        if (signedMetadata.Name != chart.Name || signedMetadata.Version != chart.Version)
        {
            return Reject(
                RejectionReason.NameVersionMismatch,
                $"provenance is for {signedMetadata.Name} {signedMetadata.Version}, but the archive holds {chart.Name} {chart.Version}",
                signer,
                signedAt) with
            { Chart = chart };
        }

        return new ChartVerification.Verified(name, sha256, chart, signer, signedAt);
    }
}

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

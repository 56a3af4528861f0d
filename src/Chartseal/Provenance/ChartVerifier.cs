using Chartseal.IO;
using System.Text;
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.OpenPgp;

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
        VerifyReading(archive, archiveFileName, provenance, keyring, SignaturePolicy.ValidNow, now).Verification;

    /// <summary>
    /// <see cref="Verify"/>, also handing on the archive as it was read for the checks (null when it was not read), so
    /// the gate's later checks (rebuild, the index entry) do not read the archive again.
    /// </summary>
    /// <remarks>The <c>policy</c> says when the key must be valid: now (a plain keyring, as Helm), or when it signed (a repository vouches for it).</remarks>
    internal static (ChartVerification Verification, ChartArchiveContents? Contents) VerifyReading(ReadOnlyMemory<byte> archive, string archiveFileName, byte[]? provenance, Keyring keyring, SignaturePolicy policy, DateTime now)
    {
        ChartVerification verification = Check(archive, archiveFileName, provenance, keyring, policy, now, out ChartArchiveContents? contents);
        return (verification, contents);
    }

    private static ChartVerification Check(ReadOnlyMemory<byte> archive, string archiveFileName, byte[]? provenance, Keyring keyring, SignaturePolicy policy, DateTime now, out ChartArchiveContents? read)
    {
        read = null;
        ArgumentException.ThrowIfNullOrEmpty(archiveFileName);
        ArgumentNullException.ThrowIfNull(keyring);
        string name = Path.GetFileName(archiveFileName);
        string sha256 = ContentHash.Sha256Hex(archive.Span);

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
        var signature = SignatureVerifier.Verify(message, keyring, policy, now);
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

        return new ChartVerification.Verified(name, sha256, chart, signer, signedAt) { KeyExpiredSince = signature.KeyExpiredSince };
    }
}

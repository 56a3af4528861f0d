using System.Security.Cryptography;
using Chartseal.OpenPgp;

namespace Chartseal.Provenance;

/// <summary>
/// Re-signing after a key compromise: a chart's archive never changes (so its <c>digest</c> in
/// <c>index.yaml</c> stays valid); only its <c>.prov</c> is replaced by one signed with another key.
/// </summary>
public static class ChartResigning
{
    /// <summary>
    /// Checks that <paramref name="archive"/> is still the archive an existing provenance file was made for: its
    /// <c>files:</c> entry for <paramref name="archiveFileName"/> holds the archive's SHA-256. The old signature is
    /// deliberately not checked (its key may be revoked or gone); the new signature is what will be verified.
    /// </summary>
    /// <returns>Null when the archive matches; otherwise missing-provenance, malformed, file-not-in-provenance or hash-mismatch, with a message.</returns>
    public static Refusal? CheckArchiveUnchanged(ReadOnlyMemory<byte> archive, string archiveFileName, byte[]? oldProvenance)
    {
        ArgumentException.ThrowIfNullOrEmpty(archiveFileName);
        string name = Path.GetFileName(archiveFileName);
        if (oldProvenance is null)
        {
            return new Refusal(RejectionReason.MissingProvenance, $"no provenance file for {name}: nothing to re-sign (use sign)");
        }
        if (ReadUnverifiedBody(oldProvenance, out string error) is not { } body)
        {
            return new Refusal(RejectionReason.Malformed, error);
        }
        if (!body.Files.TryGetValue(name, out string? signedSum))
        {
            return new Refusal(RejectionReason.FileNotInProvenance, $"the old provenance does not contain a SHA for a file named \"{name}\"");
        }
        string sha256 = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(archive.Span));
        return string.Equals(signedSum, sha256, StringComparison.Ordinal)
            ? null
            : new Refusal(RejectionReason.HashMismatch, $"the archive changed since it was signed: \"{signedSum}\" != \"{sha256}\"");
    }

    /// <summary>
    /// The check a repository makes before it replaces a stored <c>.prov</c> (<c>publish --resign-only</c>,
    /// <c>POST /api/prov</c>, <c>push --resign-only</c>): when the current provenance names another SHA-256 for the stored
    /// archive, the archive changed since it was signed, and a new signature over it would bless the change (the index
    /// digest proves nothing: whoever swapped the archive can rewrite it too). A missing, unreadable or other-file
    /// current provenance says nothing about the archive: the index digest is then the only reference.
    /// </summary>
    /// <param name="storedArchive">The archive the repository holds.</param>
    /// <param name="archiveFileName">Its file name (what the provenance's <c>files:</c> lists).</param>
    /// <param name="currentProvenance">The provenance the repository holds for it now, or null.</param>
    /// <returns>Null, or hash-mismatch naming both digests.</returns>
    public static Refusal? CheckStoredArchiveUnchanged(ReadOnlyMemory<byte> storedArchive, string archiveFileName, byte[]? currentProvenance)
    {
        // CheckArchiveUnchanged's comparison; only its hash-mismatch speaks about the archive.
        return currentProvenance is not null && CheckArchiveUnchanged(storedArchive, archiveFileName, currentProvenance) is { Reason: RejectionReason.HashMismatch } changed
            ? changed with { Message = $"the stored {Path.GetFileName(archiveFileName)} is not the archive its current .prov signed ({changed.Message}): a new signature would bless a changed archive; restore the released archive, or publish the change as a new version" }
            : null;
    }

    /// <summary>The body of a provenance file read WITHOUT checking its signature: only to locate or compare, never to trust.</summary>
    internal static ProvenanceBody? ReadUnverifiedBody(byte[] provenance, out string error)
    {
        if (provenance.Length > ChartVerifier.MaxProvenanceLength)
        {
            error = $"provenance file is larger than {ChartVerifier.MaxProvenanceLength} bytes";
            return null;
        }
        if (ClearSignedMessage.TryParse(provenance, out string framingError) is not { } message)
        {
            error = "provenance is not a clear-signed document: it " + framingError;
            return null;
        }
        return ProvenanceBody.TryParse(message.Plaintext, out error);
    }
}

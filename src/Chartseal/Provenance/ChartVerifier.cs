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

    /// <summary>Allowed clock skew for a signature's creation time.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

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
    public static ChartVerification Verify(ReadOnlyMemory<byte> archive, string archiveFileName, byte[]? provenance, Keyring keyring, DateTime now)
    {
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

        // 3. The signature, by a key of the keyring, valid now.
        var signature = CheckSignature(message, keyring, now);
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
            contents = ChartArchive.Read(archive, name);
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

    private sealed record SignatureCheck(SignerInfo? Signer, DateTime? SignedAt, (RejectionReason Reason, string Message)? Failure);

    private static SignatureCheck CheckSignature(ClearSignedMessage message, Keyring keyring, DateTime now)
    {
        PgpSignatureList signatures;
        try
        {
            signatures = ReadSignatures(message.ArmoredSignature);
        }
        catch (UnsupportedPacketVersionException e)
        {
            return new(null, null, (RejectionReason.UnsupportedSignature, "unsupported signature: " + e.Message + " (OpenPGP v6 signatures are not supported)"));
        }
        catch (Exception e) when (e is IOException or PgpException or InvalidOperationException or FormatException)
        {
            return new(null, null, (RejectionReason.Malformed, "cannot decode the signature block: " + e.Message));
        }
        if (signatures.Count == 0)
        {
            return new(null, null, (RejectionReason.UnsupportedSignature, "no signature we can read (OpenPGP v6 signatures are not supported)"));
        }

        var issuers = new List<string>();
        for (int i = 0; i < signatures.Count; i++)
        {
            PgpSignature sig = signatures[i];
            byte[]? issuerFingerprint = sig.GetHashedSubPackets()?.GetIssuerFingerprint()?.GetFingerprint();
            issuers.Add(issuerFingerprint is null ? sig.KeyId.ToString("X16") : Convert.ToHexString(issuerFingerprint));
            if (keyring.Find(sig.KeyId, issuerFingerprint) is not { } match)
            {
                continue;
            }
            return OpenPgpPerformance.RunWithoutRepeatedKeyValidation(() => CheckOne(sig, match, message, now));
        }
        return new(null, null, (RejectionReason.UnknownSigner, $"signature made by unknown key {string.Join(", ", issuers)} (not in {keyring.SourceName})"));
    }

    private static SignatureCheck CheckOne(PgpSignature sig, KeyMatch match, ClearSignedMessage message, DateTime now)
    {
        PgpPublicKey primary = match.Ring.GetPublicKey();
        var signer = new SignerInfo(
            KeyInfo.Fingerprint(primary),
            KeyInfo.KeyId(match.Key),
            KeyInfo.Fingerprint(match.Key),
            KeyInfo.UserIds(match.Ring));
        DateTime signedAt = sig.CreationTime.ToUniversalTime();
        SignatureCheck Fail(RejectionReason reason, string text) => new(signer, signedAt, (reason, text));

        string hashName = HashName(sig.HashAlgorithm);
        if (sig.HashAlgorithm is not (HashAlgorithmTag.Sha224 or HashAlgorithmTag.Sha256 or HashAlgorithmTag.Sha384 or HashAlgorithmTag.Sha512))
        {
            return Fail(RejectionReason.WeakHash, $"signature uses {hashName}; only SHA-2 hashes are accepted");
        }
        if (message.HashHeaders.Count > 0 && !message.HashHeaders.Contains(hashName))
        {
            return Fail(RejectionReason.Malformed, $"Hash header ({string.Join(",", message.HashHeaders)}) does not match the signature's hash {hashName}");
        }
        if (sig.SignatureType is not (PgpSignature.CanonicalTextDocument or PgpSignature.BinaryDocument))
        {
            return Fail(RejectionReason.BadSignature, $"signature has type 0x{sig.SignatureType:x2}, not a document signature");
        }
        if (UnknownCriticalSubpacket(sig) is { } critical)
        {
            return Fail(RejectionReason.UnsupportedSignature, $"signature carries an unknown critical subpacket (type {critical})");
        }

        bool valid;
        try
        {
            valid = SignatureMath.Verify(sig, match.Key, message.SignedText);
        }
        catch (PgpException e)
        {
            return Fail(RejectionReason.BadSignature, "signature cannot be checked: " + e.Message);
        }
        if (!valid)
        {
            return Fail(RejectionReason.BadSignature, $"BAD signature from {signer.Fingerprint}: the signed text or the signature was modified");
        }

        if (signedAt > now + ClockSkew)
        {
            return Fail(RejectionReason.BadSignature, $"signature was made in the future ({signedAt:yyyy-MM-dd HH:mm:ss}Z)");
        }
        DateTime keyCreated = match.Key.CreationTime.ToUniversalTime();
        if (signedAt < keyCreated)
        {
            // gpg: "Time conflict"; go-crypto: "signature is older than the key".
            return Fail(RejectionReason.BadSignature, $"signature ({signedAt:yyyy-MM-dd HH:mm:ss}Z) is older than its key ({keyCreated:yyyy-MM-dd HH:mm:ss}Z)");
        }
        long expirySeconds = sig.GetHashedSubPackets()?.GetSignatureExpirationTime() ?? 0;
        if (expirySeconds > 0 && signedAt.AddSeconds(expirySeconds) <= now)
        {
            return Fail(RejectionReason.KeyExpired, $"signature expired {signedAt.AddSeconds(expirySeconds):yyyy-MM-dd HH:mm:ss}Z");
        }

        // The math is not enough: BouncyCastle leaves key expiry, revocation, usage and bindings to us.
        var validity = KeyValidity.Check(match.Key, match.Ring, now);
        return validity.Status switch
        {
            KeyStatus.Valid => new(signer, signedAt, null),
            KeyStatus.Expired => Fail(RejectionReason.KeyExpired, $"signing key {signer.KeyId} is expired: {validity.Detail}"),
            KeyStatus.Revoked => Fail(RejectionReason.KeyRevoked, $"signing key {signer.KeyId} is revoked: {validity.Detail}"),
            _ => Fail(RejectionReason.BadSignature, $"signing key {signer.KeyId} is not valid for signing: {validity.Detail}"),
        };
    }

    internal static PgpSignatureList ReadSignatures(string armored)
    {
        using var input = new ArmoredInputStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
        var factory = new PgpObjectFactory(input);
        var signatures = new List<PgpSignature>();
        for (PgpObject? o = factory.NextPgpObject(); o is not null; o = factory.NextPgpObject())
        {
            if (o is PgpSignatureList list)
            {
                for (int i = 0; i < list.Count; i++)
                {
                    signatures.Add(list[i]);
                }
            }
            else
            {
                throw new PgpException($"unexpected {o.GetType().Name} in the signature block");
            }
        }
        return new PgpSignatureList(signatures.ToArray());
    }

    private static int? UnknownCriticalSubpacket(PgpSignature sig)
    {
        int[] known = [2, 3, 4, 5, 7, 9, 11, 12, 16, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 32, 33];
        foreach (int tag in sig.GetHashedSubPackets()?.GetCriticalTags() ?? [])
        {
            if (!known.Contains(tag))
            {
                return tag;
            }
        }
        return null;
    }

    private static string HashName(HashAlgorithmTag tag) => tag switch
    {
        HashAlgorithmTag.MD5 => "MD5",
        HashAlgorithmTag.Sha1 => "SHA1",
        HashAlgorithmTag.RipeMD160 => "RIPEMD160",
        HashAlgorithmTag.Sha224 => "SHA224",
        HashAlgorithmTag.Sha256 => "SHA256",
        HashAlgorithmTag.Sha384 => "SHA384",
        HashAlgorithmTag.Sha512 => "SHA512",
        _ => tag.ToString().ToUpperInvariant(),
    };
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

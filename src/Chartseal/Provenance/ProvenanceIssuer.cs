using Chartseal.Keys;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Provenance;

/// <summary>
/// Who a provenance file says signed it, without trusting it: used to answer "what did this key sign?"
/// when the signature does not verify (the key was removed, the chart was changed...). Never a trust input.
/// </summary>
public static class ProvenanceIssuer
{
    /// <summary>The issuers of the signatures in a provenance file; empty when it cannot be read.</summary>
    public static IReadOnlyList<SignatureIssuer> Read(byte[]? provenance)
    {
        if (provenance is null || provenance.Length > ChartVerifier.MaxProvenanceLength
            || ClearSignedMessage.TryParse(provenance, out _) is not { } message)
        {
            return [];
        }
        List<PgpSignature> signatures;
        try
        {
            signatures = SignatureVerifier.ReadSignatures(message.ArmoredSignature);
        }
        catch (Exception e) when (e is IOException or PgpException or InvalidOperationException or FormatException or UnsupportedPacketVersionException)
        {
            return [];
        }
        var issuers = new List<SignatureIssuer>(signatures.Count);
        for (int i = 0; i < signatures.Count; i++)
        {
            PgpSignature sig = signatures[i];
            byte[]? fingerprint = sig.GetHashedSubPackets()?.GetIssuerFingerprint()?.GetFingerprint();
            issuers.Add(new SignatureIssuer(sig.KeyId.ToString("X16"), fingerprint is { Length: 20 } ? Convert.ToHexString(fingerprint) : null));
        }
        return issuers;
    }

    /// <summary>
    /// The signer of a provenance file as named by its first issuer, looked up in <paramref name="keyring"/>
    /// (primary fingerprint and user ids when the key is there). Null when the file holds no readable signature.
    /// </summary>
    public static (SignatureIssuer Issuer, SignerInfo? Signer)? Identify(byte[]? provenance, Keyring keyring)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        var issuers = Read(provenance);
        foreach (SignatureIssuer issuer in issuers)
        {
            byte[]? fingerprint = issuer.Fingerprint is null ? null : Convert.FromHexString(issuer.Fingerprint);
            if (keyring.Find(Convert.ToInt64(issuer.KeyId, 16), fingerprint) is { } match)
            {
                return (issuer, SignerInfo.Of(match));
            }
        }
        return issuers.Count > 0 ? (issuers[0], null) : null;
    }
}

using System.Security.Cryptography.X509Certificates;

namespace Chartseal.Tls;

/// <summary>
/// The CA certificates of a PEM file that a TLS peer's certificate must chain to, instead of the system's roots: a
/// client's <c>--ca-file</c> (the server's certificate) and the server's <c>--tls-ca-cert</c> (the clients'
/// certificates, mutual TLS). The one check of a peer's certificate against such a file.
/// </summary>
public sealed class CertificateAuthorities
{
    /// <summary>The extended key usage of a TLS server's certificate (id-kp-serverAuth).</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>The extended key usage of a TLS client's certificate (id-kp-clientAuth).</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _roots;

    private CertificateAuthorities(string file, X509Certificate2Collection roots)
    {
        File = file;
        _roots = roots;
    }

    /// <summary>The file the certificates were read from.</summary>
    public string File { get; }

    /// <summary>How many CA certificates the file holds.</summary>
    public int Count => _roots.Count;

    /// <summary>Reads the CA certificates of <paramref name="file"/> (given to <paramref name="option"/>, for the messages).</summary>
    /// <exception cref="ChartsealException">The file is missing or unreadable, or holds no PEM certificate.</exception>
    public static CertificateAuthorities Load(string file, string option) => Load(PemFile.Read(file, option));

    /// <summary>The CA certificates of a PEM file already read.</summary>
    /// <exception cref="ChartsealException">The file holds no PEM certificate.</exception>
    internal static CertificateAuthorities Load(PemFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new(file.Path, PemBlocks.Certificates(file));
    }

    /// <summary>
    /// The rules of a chain built for a peer's certificate and <paramref name="purpose"/>: these CAs are the only roots
    /// (the system's are not used), the purpose's extended key usage, and nothing is downloaded: no issuer certificate
    /// from the URL a certificate names (authority information access), no CRL, no OCSP. A peer could otherwise make
    /// this process request a URL of its choosing during the handshake, and a chain could be completed with
    /// certificates the peer did not present. Given to the TLS stack as well (its <c>CertificateChainPolicy</c>), so that
    /// the chain it builds before asking <see cref="WhyNotAccepted"/> follows the same rules. A new policy each call.
    /// </summary>
    public X509ChainPolicy ChainPolicy(string purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(_roots);
        policy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(purpose));
        return policy;
    }

    /// <summary>
    /// Why <paramref name="certificate"/> is not accepted for <paramref name="purpose"/> at <paramref name="at"/>, or
    /// null when it chains to one of these CAs through the intermediates the peer sent (the extra certificates of
    /// <paramref name="presented"/>, the chain the TLS stack built with <see cref="ChainPolicy"/>; none when null), is
    /// valid then, and its extended key usage, if any, allows the purpose. Nothing is downloaded (see
    /// <see cref="ChainPolicy"/>); revocation is not checked (the CAs are private ones).
    /// </summary>
    public string? WhyNotAccepted(X509Certificate2 certificate, X509Chain? presented, string purpose, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain { ChainPolicy = ChainPolicy(purpose) };
        chain.ChainPolicy.VerificationTime = at.ToUniversalTime();
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (presented is not null)
        {
            // What the peer sent (the TLS stack's extra store), not the elements of the chain it built, which may hold
            // certificates from elsewhere when its policy was not this one.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }
        if (chain.Build(certificate))
        {
            return null;
        }
        var problems = new List<string>();
        foreach (X509ChainStatus status in chain.ChainStatus)
        {
            string problem = status.Status switch
            {
                X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => NotAnchored(chain),
                X509ChainStatusFlags.NotTimeValid => NotTimeValid(chain),
                X509ChainStatusFlags.NotValidForUsage => purpose == ClientAuthentication
                    ? "its extended key usage does not allow TLS client authentication"
                    : "its extended key usage does not allow TLS server authentication",
                _ => status.StatusInformation.Trim().TrimEnd('.'),
            };
            if (!problems.Contains(problem))
            {
                problems.Add(problem);
            }
        }
        return problems.Count > 0 ? string.Join("; ", problems) : $"does not chain to a CA of {File}";
    }

    // Why the chain reaches no root of the file: the file holds a CA of the chain that is not self-signed (only roots
    // anchor a chain here, as in OpenSSL's default; Go's pools differ), or no CA of the chain at all.
    private string NotAnchored(X509Chain chain)
    {
        foreach (X509ChainElement element in chain.ChainElements)
        {
            X509Certificate2 ca = element.Certificate;
            if (ca.SubjectName.RawData.AsSpan().SequenceEqual(ca.IssuerName.RawData) || !_roots.Any(r => r.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span)))
            {
                continue;
            }
            return $"the CA {ca.Subject} of its chain is in {File}, but as an intermediate (not self-signed), which anchors nothing: add the root CA it chains to (its issuer is {ca.Issuer})";
        }
        return $"not issued by a CA of {File}";
    }

    // Which certificate of the chain is out of its validity: the peer's own, or a CA's above it.
    private static string NotTimeValid(X509Chain chain)
    {
        var parts = new List<string>();
        for (int i = 0; i < chain.ChainElements.Count; i++)
        {
            X509ChainElement element = chain.ChainElements[i];
            if (element.ChainElementStatus.Any(s => s.Status == X509ChainStatusFlags.NotTimeValid))
            {
                X509Certificate2 c = element.Certificate;
                string validity = $"(valid {c.NotBefore.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ} to {c.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ})";
                parts.Add(i == 0 ? $"expired or not yet valid {validity}" : $"the CA certificate {c.Subject} of its chain expired or is not valid yet {validity}");
            }
        }
        return parts.Count > 0 ? string.Join("; ", parts) : "expired or not yet valid";
    }
}

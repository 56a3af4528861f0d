using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chartseal.Tls;

/// <summary>
/// A TLS certificate with its private key, read from two PEM files: the certificate file (the certificate first, then
/// any intermediate CA certificates of its chain) and the key file (unencrypted RSA or EC, as PKCS #8
/// <c>PRIVATE KEY</c>, PKCS #1 <c>RSA PRIVATE KEY</c> or SEC 1 <c>EC PRIVATE KEY</c>; both may be one file). The one
/// reader of such pairs: a client's <c>--cert-file</c>/<c>--key-file</c> and the server's <c>--tls-cert</c>/<c>--tls-key</c>.
/// </summary>
public sealed class CertificateWithKey : IDisposable
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    private CertificateWithKey(X509Certificate2 certificate, X509Certificate2Collection chain)
    {
        Certificate = certificate;
        Chain = chain;
    }

    /// <summary>The certificate (the first of its file), with its private key, usable by TLS on every platform.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The other certificates of the certificate file, in its order (the chain towards the CA), maybe none.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>When the certificate's validity starts (UTC).</summary>
    public DateTime NotBefore => Certificate.NotBefore.ToUniversalTime();

    /// <summary>When the certificate's validity ends (UTC).</summary>
    public DateTime NotAfter => Certificate.NotAfter.ToUniversalTime();

    /// <summary>The certificate in a few words for a log line: its subject, SHA-256 fingerprint and validity.</summary>
    public string Description =>
        $"{Certificate.Subject} (sha256 {Certificate.GetCertHashString(HashAlgorithmName.SHA256)}, valid {NotBefore:yyyy-MM-ddTHH:mm:ssZ} to {NotAfter:yyyy-MM-ddTHH:mm:ssZ})";

    /// <summary>
    /// Whether the certificate may be used for <paramref name="purpose"/> (an extended key usage such as
    /// <see cref="CertificateAuthorities.ServerAuthentication"/>): a certificate without that extension may be used for any.
    /// </summary>
    public bool AllowsPurpose(string purpose)
    {
        foreach (X509Extension extension in Certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage)
            {
                return usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == purpose || o.Value == "2.5.29.37.0"); // or anyExtendedKeyUsage
            }
        }
        return true;
    }

    /// <summary>
    /// Reads the pair. <paramref name="certOption"/> and <paramref name="keyOption"/> name the options the files were
    /// given to, for the messages.
    /// </summary>
    /// <exception cref="ChartsealException">
    /// One line naming the file and what is wrong: missing or unreadable, not PEM, no certificate, no private key, an
    /// encrypted key, a key of another algorithm than RSA and EC, a key that does not belong to the first certificate.
    /// </exception>
    public static CertificateWithKey Load(string certFile, string keyFile, string certOption, string keyOption)
    {
        ArgumentException.ThrowIfNullOrEmpty(certFile);
        ArgumentException.ThrowIfNullOrEmpty(keyFile);
        PemFile cert = PemFile.Read(certFile, certOption);
        return Load(cert, keyFile == certFile ? cert.As(keyOption) : PemFile.Read(keyFile, keyOption));
    }

    /// <summary>The pair of files already read (each read once: what is parsed is what was read).</summary>
    /// <exception cref="ChartsealException">As for <see cref="Load(string, string, string, string)"/>.</exception>
    internal static CertificateWithKey Load(PemFile certFile, PemFile keyFile)
    {
        X509Certificate2Collection certificates = PemBlocks.Certificates(certFile);
        try
        {
            using AsymmetricAlgorithm key = ReadKey(keyFile);
            using X509Certificate2 withKey = Pair(certificates[0], key) ?? throw Mismatch(certificates, key, certFile, keyFile);
            // Exported and read back: a key imported from PEM is ephemeral, which TLS cannot use on every platform.
            X509Certificate2 usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            var chain = new X509Certificate2Collection();
            for (int i = 1; i < certificates.Count; i++)
            {
                chain.Add(certificates[i]);
            }
            certificates[0].Dispose();
            return new CertificateWithKey(usable, chain);
        }
        catch
        {
            foreach (X509Certificate2 certificate in certificates)
            {
                certificate.Dispose();
            }
            throw;
        }
    }

    /// <summary>Frees the private key.</summary>
    public void Dispose()
    {
        Certificate.Dispose();
        foreach (X509Certificate2 certificate in Chain)
        {
            certificate.Dispose();
        }
    }

    // The certificate with the key, or null when the key is not the certificate's (another algorithm, another pair).
    private static X509Certificate2? Pair(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        try
        {
            return (certificate.GetKeyAlgorithm(), key) switch
            {
                (RsaOid, RSA rsa) => certificate.CopyWithPrivateKey(rsa),
                (EcOid, ECDsa ec) => certificate.CopyWithPrivateKey(ec),
                _ => null,
            };
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return null; // "The provided key does not match the public key for this certificate."
        }
    }

    private static ChartsealException Mismatch(X509Certificate2Collection certificates, AsymmetricAlgorithm key, PemFile certFile, PemFile keyFile)
    {
        string algorithm = certificates[0].GetKeyAlgorithm() switch
        {
            RsaOid => "RSA",
            EcOid => "EC",
            string other => $"another algorithm ({other})",
        };
        string keyAlgorithm = key is RSA ? "RSA" : "EC";
        if (algorithm != keyAlgorithm)
        {
            return new ChartsealException(keyFile.Path, $"{keyFile.Option}: holds an {keyAlgorithm} key, and the certificate of {certFile.Path} ({certFile.Option}) has an {algorithm} key: they are not a pair");
        }
        for (int i = 1; i < certificates.Count; i++)
        {
            using X509Certificate2? other = Pair(certificates[i], key);
            if (other is not null)
            {
                return new ChartsealException(certFile.Path, $"{certFile.Option}: the key of {keyFile.Path} belongs to certificate {i + 1} of the file, not the first: put the certificate itself first, then its chain");
            }
        }
        return new ChartsealException(keyFile.Path, $"{keyFile.Option}: this private key does not belong to the certificate of {certFile.Path} ({certFile.Option}): give the key the certificate was issued for");
    }

    // The file's first private key: PKCS #8, PKCS #1 (RSA) or SEC 1 (EC), unencrypted.
    private static AsymmetricAlgorithm ReadKey(PemFile keyFile)
    {
        string text = keyFile.Text();
        if (PemBlocks.HasEncryptedKey(text))
        {
            throw new ChartsealException(keyFile.Path, $"{keyFile.Option}: the private key is encrypted; give it unencrypted (openssl pkey -in KEY -out PLAIN-KEY), readable only by its user");
        }
        var blocks = PemBlocks.Find(text);
        foreach (var (label, data) in blocks)
        {
            if (label is not ("PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY"))
            {
                continue;
            }
            try
            {
                return label switch
                {
                    "RSA PRIVATE KEY" => Import(RSA.Create(), key => key.ImportRSAPrivateKey(data, out _)),
                    "EC PRIVATE KEY" => Import(ECDsa.Create(), key => key.ImportECPrivateKey(data, out _)),
                    _ => Pkcs8(data) ?? throw new ChartsealException(keyFile.Path, $"{keyFile.Option}: the \"PRIVATE KEY\" is neither RSA nor EC (ECDSA), which are the keys TLS certificates use here"),
                };
            }
            catch (CryptographicException e)
            {
                throw new ChartsealException(keyFile.Path, $"{keyFile.Option}: the \"{label}\" block is not a valid private key: {e.Message}");
            }
        }
        throw new ChartsealException(keyFile.Path, $"{keyFile.Option}: holds no PEM private key (\"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\"), {PemBlocks.Labels(blocks)}");
    }

    private static AsymmetricAlgorithm? Pkcs8(byte[] data)
    {
        foreach (Func<AsymmetricAlgorithm> create in new Func<AsymmetricAlgorithm>[] { RSA.Create, ECDsa.Create })
        {
            AsymmetricAlgorithm key = create();
            try
            {
                key.ImportPkcs8PrivateKey(data, out _);
                return key;
            }
            catch (CryptographicException)
            {
                key.Dispose(); // another algorithm's key
            }
        }
        return null;
    }

    private static T Import<T>(T key, Action<T> import)
        where T : AsymmetricAlgorithm
    {
        try
        {
            import(key);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}

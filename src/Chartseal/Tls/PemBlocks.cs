using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Chartseal.IO;

namespace Chartseal.Tls;

/// <summary>
/// The blocks of a PEM file (RFC 7468: <c>-----BEGIN LABEL-----</c>, base64, <c>-----END LABEL-----</c>), in order, read
/// with a size cap and one-line errors naming the file and the option it was given to.
/// </summary>
internal static class PemBlocks
{
    /// <summary>The largest PEM file read (a certificate chain or a CA bundle is a few kilobytes; the system bundle about 200).</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    /// <summary>The file's text.</summary>
    /// <exception cref="ChartsealException">Missing, a folder, unreadable, too large or not text.</exception>
    public static string ReadText(string path, string option)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = InputFile.ReadIfExists(path, MaxBytes) ?? throw new ChartsealException(path, $"{option}: no such file");
        }
        catch (ChartsealException e) when (!e.Reason.StartsWith(option, StringComparison.Ordinal))
        {
            throw new ChartsealException(path, $"{option}: {e.Reason}", e);
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ChartsealException(path, $"{option}: is not PEM text (a DER file? convert it with openssl x509 -inform der, or openssl pkey -inform der)");
        }
    }

    /// <summary>Every well-formed block of <paramref name="text"/>: its label and its decoded bytes.</summary>
    public static List<(string Label, byte[] Data)> Find(string text)
    {
        var blocks = new List<(string, byte[])>();
        ReadOnlySpan<char> rest = text;
        while (PemEncoding.TryFind(rest, out PemFields fields))
        {
            byte[] data = new byte[fields.DecodedDataLength];
            if (Convert.TryFromBase64Chars(rest[fields.Base64Data], data, out int written))
            {
                blocks.Add((rest[fields.Label].ToString(), data[..written]));
            }
            rest = rest[fields.Location.End..];
        }
        return blocks;
    }

    /// <summary>The certificates of a PEM file, in the file's order.</summary>
    /// <exception cref="ChartsealException">The file cannot be read, holds no <c>CERTIFICATE</c> block, or one that is not X.509.</exception>
    public static X509Certificate2Collection Certificates(string path, string option)
    {
        var blocks = Find(ReadText(path, option));
        var certificates = new X509Certificate2Collection();
        foreach (var (_, data) in blocks.Where(b => b.Label == "CERTIFICATE"))
        {
            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(data));
            }
            catch (CryptographicException e)
            {
                throw new ChartsealException(path, $"{option}: certificate {certificates.Count + 1} is not a valid X.509 certificate: {e.Message}");
            }
        }
        return certificates.Count > 0
            ? certificates
            : throw new ChartsealException(path, $"{option}: holds no PEM certificate (-----BEGIN CERTIFICATE-----), {Labels(blocks)}");
    }

    /// <summary>Whether <paramref name="text"/> holds an encrypted private key (PKCS #8 or OpenSSL's legacy <c>Proc-Type</c> header).</summary>
    public static bool HasEncryptedKey(string text) =>
        text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal)
        || text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal);

    /// <summary>The labels found, for a message ("CERTIFICATE, CERTIFICATE"), or "none".</summary>
    public static string Labels(List<(string Label, byte[] Data)> blocks) =>
        blocks.Count == 0 ? "no PEM block at all" : "only " + string.Join(", ", blocks.Select(b => b.Label).Distinct(StringComparer.Ordinal).Select(l => $"\"{l}\""));
}

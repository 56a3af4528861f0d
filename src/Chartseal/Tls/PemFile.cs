using System.Text;
using Chartseal.IO;

namespace Chartseal.Tls;

/// <summary>
/// A PEM file given to an option, read once, with a size cap: its bytes (what is parsed is what was read, and what a
/// look at the file compares), its text, and whether it can be read again (not a pipe). Errors are one line naming the
/// file and the option.
/// </summary>
internal sealed class PemFile
{
    /// <summary>The largest PEM file read (a certificate chain or a CA bundle is a few kilobytes; the system bundle about 200).</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    private PemFile(string path, string option, byte[] bytes, bool rereadable)
    {
        Path = path;
        Option = option;
        Bytes = bytes;
        Rereadable = rereadable;
    }

    /// <summary>The file's path, as given.</summary>
    public string Path { get; }

    /// <summary>The option it was given to, for the messages.</summary>
    public string Option { get; }

    /// <summary>What was read.</summary>
    public byte[] Bytes { get; }

    /// <summary>
    /// Whether the file can be read again for a later look: false for a pipe (a shell's process substitution,
    /// <c>--tls-key &lt;(vault read …)</c>, or a FIFO), whose content is gone once read.
    /// </summary>
    public bool Rereadable { get; }

    /// <summary>The SHA-256 of <see cref="Bytes"/>, in hex: what a later look compares.</summary>
    public string Digest => ContentHash.Sha256Hex(Bytes);

    /// <summary>The same bytes, given to <paramref name="option"/> too (one file holding both the certificate and its key).</summary>
    public PemFile As(string option) => new(Path, option, Bytes, Rereadable);

    /// <summary>Reads <paramref name="path"/>, given to <paramref name="option"/>.</summary>
    /// <exception cref="ChartsealException">Missing, a folder, unreadable or too large.</exception>
    public static PemFile Read(string path, string option)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            byte[] bytes = InputFile.ReadIfExists(path, MaxBytes, out bool rereadable) ?? throw new ChartsealException(path, $"{option}: no such file");
            return new PemFile(path, option, bytes, rereadable);
        }
        catch (ChartsealException e) when (!e.Reason.StartsWith(option, StringComparison.Ordinal))
        {
            throw new ChartsealException(path, $"{option}: {e.Reason}", e);
        }
    }

    /// <summary>The file's text.</summary>
    /// <exception cref="ChartsealException">The bytes are not UTF-8 text (a DER file).</exception>
    public string Text()
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ChartsealException(Path, $"{Option}: is not PEM text (a DER file? convert it with openssl x509 -inform der, or openssl pkey -inform der)");
        }
    }
}

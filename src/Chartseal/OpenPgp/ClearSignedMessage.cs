using System.Text;

namespace Chartseal.OpenPgp;

/// <summary>
/// The RFC 4880 §7 cleartext signature framework, as Helm, GnuPG and Sequoia write it.
/// Only the text framing lives here; the signature packet itself is BouncyCastle's.
/// </summary>
/// <remarks>
/// We frame the text ourselves because BouncyCastle's clear-text helpers add a <c>Version:</c> header,
/// write platform newlines, glue the armor onto a body without a final newline, and return a stray
/// <c>-</c> when reading (see docs/file-formats.md).
/// Parsing mirrors go-crypto's <c>clearsign.Decode</c>, which Helm uses, so every framing real tools
/// write is accepted: Helm ≤ 3.21.3 (CRC, no blank line), Helm 4 (blank line, no CRC), GnuPG (armor
/// headers, final newline), LF or CRLF.
/// </remarks>
public sealed class ClearSignedMessage
{
    private const string BeginMessage = "-----BEGIN PGP SIGNED MESSAGE-----";
    private const string BeginSignature = "-----BEGIN PGP SIGNATURE-----";
    private const string EndSignature = "-----END PGP SIGNATURE-----";

    /// <summary>Hash names allowed in a <c>Hash:</c> header (go-crypto's list).</summary>
    private static readonly HashSet<string> KnownHashNames =
        ["MD5", "SHA1", "RIPEMD160", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-512"];

    private ClearSignedMessage(IReadOnlyList<string> hashHeaders, byte[] signedText, string plaintext, string armoredSignature)
    {
        HashHeaders = hashHeaders;
        SignedText = signedText;
        Plaintext = plaintext;
        ArmoredSignature = armoredSignature;
    }

    /// <summary>The hash names from the <c>Hash:</c> headers, upper-cased (may be empty).</summary>
    public IReadOnlyList<string> HashHeaders { get; }

    /// <summary>The canonical text the signature covers: unescaped lines, trailing blanks removed, joined by CRLF.</summary>
    public byte[] SignedText { get; }

    /// <summary>The same lines joined by LF: the text a reader sees, and the only text to parse.</summary>
    public string Plaintext { get; }

    /// <summary>The armored signature block, from its BEGIN line to its END line.</summary>
    public string ArmoredSignature { get; }

    /// <summary>
    /// Parses a clear-signed document. Returns null with <paramref name="error"/> set when the bytes are not
    /// one (no BEGIN line at the start, unknown header, no signature block...).
    /// </summary>
    public static ClearSignedMessage? TryParse(ReadOnlySpan<byte> document, out string error)
    {
        if (document.StartsWith("\uFEFF"u8))
        {
            error = "starts with a byte-order mark";
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(document);
        }
        catch (DecoderFallbackException)
        {
            error = "is not UTF-8 text";
            return null;
        }

        var reader = new LineReader(text);
        if (reader.Next() is not { } first || first.TrimEnd(' ', '\t') != BeginMessage)
        {
            error = $"does not start with '{BeginMessage}'";
            return null;
        }

        // Armor headers up to the first blank line: only Hash: is allowed (go-crypto rejects any other).
        var hashes = new List<string>();
        while (true)
        {
            if (reader.Next() is not { } header)
            {
                error = "ends inside the message headers";
                return null;
            }
            if (header.Trim(' ', '\t').Length == 0)
            {
                break;
            }
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || header[..colon] != "Hash" || header.Any(c => c < 0x20 || c > 0x7E))
            {
                error = $"has an unexpected message header '{Truncate(header)}'";
                return null;
            }
            foreach (string name in header[(colon + 1)..].Split(','))
            {
                string upper = name.Trim().ToUpperInvariant();
                if (!KnownHashNames.Contains(upper))
                {
                    error = $"names an unknown hash '{Truncate(name.Trim())}'";
                    return null;
                }
                hashes.Add(upper);
            }
        }

        // Body lines until the signature armor; the line break before the armor belongs to the framing.
        var lines = new List<string>();
        while (true)
        {
            if (reader.Next() is not { } line)
            {
                error = $"has no '{BeginSignature}' line";
                return null;
            }
            if (line.TrimEnd(' ', '\t') == BeginSignature)
            {
                break;
            }
            if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                line = line[2..];
            }
            lines.Add(line.TrimEnd(' ', '\t'));
        }

        var armor = new StringBuilder(BeginSignature).Append('\n');
        while (true)
        {
            if (reader.Next() is not { } line)
            {
                error = $"has no '{EndSignature}' line";
                return null;
            }
            armor.Append(line.TrimEnd(' ', '\t')).Append('\n');
            if (line.TrimEnd(' ', '\t') == EndSignature)
            {
                break;
            }
        }

        error = "";
        return new ClearSignedMessage(
            hashes,
            Encoding.UTF8.GetBytes(string.Join("\r\n", lines)),
            string.Join('\n', lines),
            armor.ToString());
    }

    /// <summary>
    /// Splits <paramref name="body"/> into the lines the signature covers, as GnuPG does: LF or CRLF line
    /// ends, trailing spaces and tabs dropped (they are never signed, so they are not shown either), and a
    /// final line break that is not part of the text.
    /// </summary>
    public static IReadOnlyList<string> CanonicalLines(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var lines = body.Split('\n').Select(l => l.TrimEnd('\r').TrimEnd(' ', '\t')).ToList();
        if (lines.Count > 1 && body.EndsWith('\n'))
        {
            lines.RemoveAt(lines.Count - 1);
        }
        return lines;
    }

    /// <summary>The bytes a signature over <paramref name="lines"/> covers: the lines joined by CRLF.</summary>
    public static byte[] SignedTextOf(IReadOnlyList<string> lines) => Encoding.UTF8.GetBytes(string.Join("\r\n", lines));

    /// <summary>
    /// Writes the clear-signed document in GnuPG's layout: <c>Hash: SHA512</c>, dash-escaped lines
    /// (<c>-</c> and <c>From </c>), LF only, no BOM, then the signature armor with no headers, 64-column
    /// base64 and always a CRC line (gpg 2.2 misreads some CRC-less armor), ending with LF.
    /// </summary>
    public static byte[] Write(IReadOnlyList<string> lines, string hashName, byte[] signaturePacket)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(signaturePacket);
        var sb = new StringBuilder();
        sb.Append(BeginMessage).Append('\n').Append("Hash: ").Append(hashName).Append("\n\n");
        foreach (string line in lines)
        {
            if (line.StartsWith('-') || line.StartsWith("From ", StringComparison.Ordinal))
            {
                sb.Append("- ");
            }
            sb.Append(line).Append('\n');
        }
        sb.Append(Armor(signaturePacket));
        return new UTF8Encoding(false).GetBytes(sb.ToString());
    }

    /// <summary>ASCII armor for a signature packet: GnuPG's layout, with a CRC-24 checksum line.</summary>
    public static string Armor(byte[] packet) => OpenPgp.Armor.Encode("SIGNATURE", packet);

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>Reads lines ending in LF or CRLF (the CR is dropped).</summary>
    private ref struct LineReader(string text)
    {
        private int _position;

        public string? Next()
        {
            if (_position >= text.Length)
            {
                return null;
            }
            int lf = text.IndexOf('\n', _position);
            int end = lf < 0 ? text.Length : lf;
            string line = text[_position..end];
            _position = lf < 0 ? text.Length : lf + 1;
            return line.EndsWith('\r') ? line[..^1] : line;
        }
    }
}

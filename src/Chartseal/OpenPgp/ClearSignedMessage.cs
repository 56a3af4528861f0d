using System.Text;
using System.Text.Unicode;

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
        // Read as bytes: lines end at LF, which never occurs inside a UTF-8 sequence, so each line of valid UTF-8 is the
        // same text as that line of the decoded document; only what is kept is decoded.
        if (!Utf8.IsValid(document))
        {
            error = "is not UTF-8 text";
            return null;
        }

        var reader = new LineReader(document);
        if (!reader.Next(out ReadOnlySpan<byte> first) || !first.TrimEnd(Blanks).SequenceEqual("-----BEGIN PGP SIGNED MESSAGE-----"u8))
        {
            error = $"does not start with '{BeginMessage}'";
            return null;
        }

        // Armor headers up to the first blank line: only Hash: is allowed (go-crypto rejects any other).
        var hashes = new List<string>();
        while (true)
        {
            if (!reader.Next(out ReadOnlySpan<byte> header))
            {
                error = "ends inside the message headers";
                return null;
            }
            if (header.Trim(Blanks).Length == 0)
            {
                break;
            }
            int colon = header.IndexOf((byte)':');
            if (colon < 0 || !header[..colon].SequenceEqual("Hash"u8) || header.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
            {
                error = $"has an unexpected message header '{Truncate(Encoding.UTF8.GetString(header))}'";
                return null;
            }
            foreach (string name in Encoding.ASCII.GetString(header[(colon + 1)..]).Split(','))
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

        // Body lines until the signature armor; the line break before the armor belongs to the framing. Each line is a
        // slice of the document (dash escape and trailing blanks cut off), joined below.
        var lines = new List<Range>();
        while (true)
        {
            if (!reader.Next(out ReadOnlySpan<byte> line, out int start))
            {
                error = $"has no '{BeginSignature}' line";
                return null;
            }
            if (line.TrimEnd(Blanks).SequenceEqual("-----BEGIN PGP SIGNATURE-----"u8))
            {
                break;
            }
            if (line.StartsWith("- "u8))
            {
                line = line[2..];
                start += 2;
            }
            lines.Add(new Range(start, start + line.TrimEnd(Blanks).Length));
        }

        // The armor from its BEGIN line (as the constant: the document's may carry trailing blanks) to its END line,
        // each line without trailing blanks and ended by LF.
        var armor = new List<Range>();
        while (true)
        {
            if (!reader.Next(out ReadOnlySpan<byte> line, out int start))
            {
                error = $"has no '{EndSignature}' line";
                return null;
            }
            line = line.TrimEnd(Blanks);
            armor.Add(new Range(start, start + line.Length));
            if (line.SequenceEqual("-----END PGP SIGNATURE-----"u8))
            {
                break;
            }
        }

        error = "";
        return new ClearSignedMessage(
            hashes,
            Join(document, lines, "\r\n"u8),
            Encoding.UTF8.GetString(Join(document, lines, "\n"u8)),
            BeginSignature + "\n" + Encoding.UTF8.GetString(Join(document, armor, "\n"u8)) + "\n");
    }

    private static ReadOnlySpan<byte> Blanks => " \t"u8;

    /// <summary>The slices <paramref name="lines"/> of <paramref name="document"/>, joined by <paramref name="separator"/>.</summary>
    private static byte[] Join(ReadOnlySpan<byte> document, List<Range> lines, ReadOnlySpan<byte> separator)
    {
        int length = Math.Max(0, lines.Count - 1) * separator.Length;
        foreach (Range line in lines)
        {
            length += line.GetOffsetAndLength(document.Length).Length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                separator.CopyTo(joined.AsSpan(at));
                at += separator.Length;
            }
            document[lines[i]].CopyTo(joined.AsSpan(at));
            at += document[lines[i]].Length;
        }
        return joined;
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
    private ref struct LineReader(ReadOnlySpan<byte> text)
    {
        private readonly ReadOnlySpan<byte> _text = text;
        private int _position;

        public bool Next(out ReadOnlySpan<byte> line) => Next(out line, out _);

        /// <summary>The next line and where it starts in the text; false at the end.</summary>
        public bool Next(out ReadOnlySpan<byte> line, out int start)
        {
            start = _position;
            if (_position >= _text.Length)
            {
                line = default;
                return false;
            }
            int lf = _text[_position..].IndexOf((byte)'\n');
            int end = lf < 0 ? _text.Length : _position + lf;
            line = _text[_position..end];
            _position = lf < 0 ? _text.Length : end + 1;
            if (line.EndsWith((byte)'\r'))
            {
                line = line[..^1];
            }
            return true;
        }
    }
}

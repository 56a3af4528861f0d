using System.Text;
using Org.BouncyCastle.Bcpg;

namespace Chartseal.OpenPgp;

/// <summary>ASCII armor (RFC 4880 section 6) as we need it: splitting files, decoding, and writing keys.</summary>
internal static class Armor
{
    public const string PublicKeyBlock = "PUBLIC KEY BLOCK";
    public const string PrivateKeyBlock = "PRIVATE KEY BLOCK";
    private const string BeginPrefix = "-----BEGIN PGP ";
    private const string EndPrefix = "-----END PGP ";
    private const string Dashes = "-----";

    /// <summary>Whether the text contains an armor BEGIN line.</summary>
    public static bool LooksArmored(ReadOnlySpan<byte> data) => data.IndexOf("-----BEGIN PGP "u8) >= 0;

    /// <summary>
    /// Splits a file into its armor blocks. BouncyCastle's decoder stops after the first block, which
    /// silently loses every key after the first in <c>cat a.asc b.asc</c>.
    /// </summary>
    public static List<ArmorBlock> Split(ReadOnlySpan<byte> data)
    {
        string text = Encoding.Latin1.GetString(data);
        string[] lines = text.Split('\n');
        var blocks = new List<ArmorBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r', ' ', '\t');
            if (!line.StartsWith(BeginPrefix, StringComparison.Ordinal) || !line.EndsWith(Dashes, StringComparison.Ordinal))
            {
                continue;
            }
            string type = line[BeginPrefix.Length..^Dashes.Length];
            string endLine = EndPrefix + type + Dashes;
            int end = i + 1;
            while (end < lines.Length && lines[end].TrimEnd('\r', ' ', '\t') != endLine)
            {
                end++;
            }
            bool complete = end < lines.Length;
            int last = Math.Min(end, lines.Length - 1);
            string blockText = string.Join('\n', lines[i..(last + 1)]);
            blocks.Add(new ArmorBlock(type, blockText, i + 1, complete));
            i = last;
        }
        return blocks;
    }

    /// <summary>Decodes one armor block to its binary packets.</summary>
    /// <exception cref="IOException">Bad base64 or CRC (BouncyCastle's <see cref="ArmoredInputException"/>).</exception>
    public static byte[] Decode(ArmorBlock block)
    {
        using var input = new ArmoredInputStream(new MemoryStream(Encoding.Latin1.GetBytes(block.Text + "\n")));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>
    /// Decodes one armor block laid out as every writer lays it out (gpg, Helm, go-crypto, Sequoia, Chartseal), to the
    /// bytes BouncyCastle's <see cref="ArmoredInputStream"/> would return for it, or returns null for anything else
    /// (which then goes to BouncyCastle, for its own reading and its messages). That stream reads a byte at a time:
    /// about a twentieth of verifying a chart.
    /// </summary>
    /// <remarks>
    /// The layout, with LF line ends and printable ASCII: the BEGIN line; armor headers, each with a colon; one empty
    /// line; lines of base64 whose lengths are multiples of 4, padding (<c>=</c>) only at the end of the last one and
    /// the first not starting with <c>=</c> or <c>-</c>; optionally <c>=</c> and the four characters of a CRC-24 that
    /// matches; the END line, and nothing after it. Spaces, tabs, CRs, blank lines in the data, padding inside the
    /// data, a bad CRC and any other character are left to BouncyCastle, which reads some of them differently from a
    /// plain base64 decoder (it skips spaces inside lines, decodes data after a padded group, fails on a bad CRC).
    /// </remarks>
    public static byte[]? TryDecodePlain(string armored)
    {
        ArgumentNullException.ThrowIfNull(armored);
        int position = 0;
        if (!NextLine(armored, ref position, out ReadOnlySpan<char> line) || line.ContainsAnyExceptInRange(' ', '~')
            || !line.StartsWith(BeginPrefix, StringComparison.Ordinal) || !line.EndsWith(Dashes, StringComparison.Ordinal))
        {
            return null;
        }
        while (true)
        {
            if (!NextLine(armored, ref position, out line))
            {
                return null;
            }
            if (line.Length == 0)
            {
                break;
            }
            if (!line.Contains(':') || line.ContainsAnyExceptInRange(' ', '~'))
            {
                return null;
            }
        }

        // The data lines, up to the CRC or END line: checked, and their decoded length counted.
        int dataStart = position, dataEnd = position, length = 0;
        bool padded = false;
        while (true)
        {
            if (!NextLine(armored, ref position, out line) || line.Length == 0)
            {
                return null;
            }
            if (dataEnd > dataStart && line[0] is '=' or '-')
            {
                break;
            }
            if (padded || line.Length % 4 != 0)
            {
                return null; // more data after a padded group, or a group split over lines
            }
            int pad = line[^1] != '=' ? 0 : line[^2] == '=' ? 2 : 1;
            if (line[..^pad].ContainsAnyExcept(Base64Chars))
            {
                return null;
            }
            padded = pad > 0;
            length += line.Length / 4 * 3 - pad;
            dataEnd = position;
        }
        string? crc = null;
        if (line[0] == '=')
        {
            if (line.Length != 5 || line[1..].ContainsAnyExcept(Base64Chars))
            {
                return null;
            }
            crc = line[1..].ToString();
            if (!NextLine(armored, ref position, out line))
            {
                return null;
            }
        }
        if (!line.StartsWith(EndPrefix, StringComparison.Ordinal) || line.ContainsAnyExceptInRange(' ', '~') || position != armored.Length)
        {
            return null;
        }

        byte[] output = new byte[length];
        int o = 0;
        for (int p = dataStart; NextLine(armored, ref p, out line) && p <= dataEnd;)
        {
            // Unpadded groups decode the same everywhere; a padded one as BouncyCastle does (its unused bits ignored).
            ReadOnlySpan<char> whole = line[^1] == '=' ? line[..^4] : line;
            if (!Convert.TryFromBase64Chars(whole, output.AsSpan(o), out int written))
            {
                return null;
            }
            o += written;
            if (whole.Length < line.Length)
            {
                o += DecodeGroup(line[^4..], output.AsSpan(o));
            }
        }
        if (crc is not null)
        {
            Span<byte> stored = stackalloc byte[3];
            DecodeGroup(crc, stored);
            if (((uint)stored[0] << 16 | (uint)stored[1] << 8 | stored[2]) != Crc24(output))
            {
                return null; // BouncyCastle words the failure
            }
        }
        return output;
    }

    private static readonly System.Buffers.SearchValues<char> Base64Chars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /// <summary>The next LF-terminated line of <paramref name="text"/> from <paramref name="position"/>, without its LF (false when no LF is left).</summary>
    private static bool NextLine(string text, scoped ref int position, out ReadOnlySpan<char> line)
    {
        int lf = text.IndexOf('\n', position);
        if (lf < 0)
        {
            line = default;
            return false;
        }
        line = text.AsSpan(position, lf - position);
        position = lf + 1;
        return true;
    }

    /// <summary>One checked group of four base64 characters (<c>xx==</c> and <c>xxx=</c> included), as BouncyCastle decodes it; returns the bytes written.</summary>
    private static int DecodeGroup(ReadOnlySpan<char> group, Span<byte> output)
    {
        int b1 = Base64Value(group[0]), b2 = Base64Value(group[1]);
        output[0] = (byte)((b1 << 2) | (b2 >> 4));
        if (group[2] == '=')
        {
            return 1;
        }
        int b3 = Base64Value(group[2]);
        output[1] = (byte)((b2 << 4) | (b3 >> 2));
        if (group[3] == '=')
        {
            return 2;
        }
        output[2] = (byte)((b3 << 6) | Base64Value(group[3]));
        return 3;
    }

    private static int Base64Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        _ => 63,
    };

    /// <summary>
    /// Armors <paramref name="data"/> the way gpg does: no headers (so no <c>Version:</c>), a blank
    /// line, 64-column base64, the CRC24 line and LF line ends. BouncyCastle's writer adds a Version
    /// header and uses <see cref="Environment.NewLine"/>.
    /// </summary>
    public static string Encode(string type, ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder();
        sb.Append(BeginPrefix).Append(type).Append(Dashes).Append("\n\n");
        string base64 = Convert.ToBase64String(data);
        for (int i = 0; i < base64.Length; i += 64)
        {
            sb.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
        }
        uint crc = Crc24(data);
        Span<byte> crcBytes = [(byte)(crc >> 16), (byte)(crc >> 8), (byte)crc];
        sb.Append('=').Append(Convert.ToBase64String(crcBytes)).Append('\n');
        sb.Append(EndPrefix).Append(type).Append(Dashes).Append('\n');
        return sb.ToString();
    }

    /// <summary>The armor checksum (RFC 4880 section 6.1): CRC-24, a byte at a time through a table (BouncyCastle's goes bit by bit).</summary>
    internal static uint Crc24(ReadOnlySpan<byte> data)
    {
        uint crc = 0xB704CE;
        foreach (byte b in data)
        {
            crc = ((crc << 8) ^ Crc24Table[(int)(((crc >> 16) ^ b) & 0xFF)]) & 0xFFFFFF;
        }
        return crc;
    }

    private static readonly uint[] Crc24Table = MakeCrc24Table();

    private static uint[] MakeCrc24Table()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i << 16;
            for (int bit = 0; bit < 8; bit++)
            {
                crc <<= 1;
                if ((crc & 0x1000000) != 0)
                {
                    crc ^= 0x1864CFB;
                }
            }
            table[i] = crc & 0xFFFFFF;
        }
        return table;
    }
}

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

    /// <summary>The armor checksum (RFC 4880 section 6.1), computed by BouncyCastle's CRC-24.</summary>
    private static uint Crc24(ReadOnlySpan<byte> data)
    {
        var crc = new Org.BouncyCastle.Bcpg.Crc24();
        foreach (byte b in data)
        {
            crc.Update(b);
        }
        return (uint)crc.Value & 0xFFFFFF;
    }
}

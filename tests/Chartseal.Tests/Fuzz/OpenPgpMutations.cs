namespace Chartseal.Tests.Fuzz;

/// <summary>
/// Structure-aware mutations of a binary OpenPGP packet stream (a keyring): packets are split by their headers (old
/// and new format) and then dropped, duplicated, reordered, re-tagged, given other length encodings (partial,
/// five-byte, indeterminate, wrong) or mutated inside. Armored input is mutated as text.
/// </summary>
internal sealed class OpenPgpMutations(Mutator bytes)
{
    private static readonly byte[] Tags = [2, 5, 6, 7, 13, 14, 17, 60, 0, 1, 3, 8, 11, 12, 63];

    private Random Random => bytes.Random;

    public byte[] Mutate(byte[] input)
    {
        var packets = Split(input);
        if (packets is null || packets.Count == 0 || Random.Next(5) == 0)
        {
            return bytes.Mutate(input);
        }
        int ops = 1 + Random.Next(3);
        for (int i = 0; i < ops; i++)
        {
            int at = Random.Next(packets.Count);
            var (tag, body, encoding) = packets[at];
            switch (Random.Next(7))
            {
                case 0:
                    packets.RemoveAt(at);
                    break;
                case 1:
                    packets.Insert(Random.Next(packets.Count + 1), packets[at]);
                    break;
                case 2:
                    packets[at] = (Tags[Random.Next(Tags.Length)], body, encoding);
                    break;
                case 3:
                    packets[at] = (tag, body, Random.Next(5));
                    break;
                case 4:
                    packets[at] = (tag, bytes.Mutate(body), encoding);
                    break;
                case 5:
                    {
                        int other = Random.Next(packets.Count);
                        (packets[at], packets[other]) = (packets[other], packets[at]);
                        break;
                    }
                default:
                    packets[at] = (tag, body, 5); // a length that lies
                    break;
            }
            if (packets.Count == 0)
            {
                break;
            }
        }
        byte[] joined = Join(packets);
        return Random.Next(10) == 0 ? bytes.Mutate(joined) : joined;
    }

    // Packets as (tag, body, encoding); null when the stream does not parse as packets (armor, garbage).
    private static List<(int Tag, byte[] Body, int Encoding)>? Split(byte[] data)
    {
        var packets = new List<(int, byte[], int)>();
        for (int i = 0; i < data.Length;)
        {
            byte first = data[i];
            if ((first & 0x80) == 0)
            {
                return null;
            }
            int tag;
            long length;
            int header;
            if ((first & 0x40) != 0)
            {
                tag = first & 0x3F;
                if (i + 1 >= data.Length)
                {
                    return null;
                }
                byte l0 = data[i + 1];
                if (l0 < 192)
                {
                    (length, header) = (l0, 2);
                }
                else if (l0 < 224 && i + 2 < data.Length)
                {
                    (length, header) = (((l0 - 192) << 8) + data[i + 2] + 192, 3);
                }
                else if (l0 == 255 && i + 5 < data.Length)
                {
                    (length, header) = ((long)data[i + 2] << 24 | (long)data[i + 3] << 16 | (long)data[i + 4] << 8 | data[i + 5], 6);
                }
                else
                {
                    return null;
                }
            }
            else
            {
                tag = (first >> 2) & 0x0F;
                int type = first & 3;
                int size = type switch { 0 => 1, 1 => 2, 2 => 4, _ => 0 };
                if (type == 3 || i + size >= data.Length)
                {
                    return null;
                }
                length = 0;
                for (int k = 1; k <= size; k++)
                {
                    length = (length << 8) | data[i + k];
                }
                header = 1 + size;
            }
            if (i + header + length > data.Length)
            {
                return null;
            }
            packets.Add((tag, data.AsSpan(i + header, (int)length).ToArray(), 0));
            i += header + (int)length;
        }
        return packets;
    }

    private byte[] Join(List<(int Tag, byte[] Body, int Encoding)> packets)
    {
        var output = new MemoryStream();
        foreach (var (tag, body, encoding) in packets)
        {
            int length = body.Length;
            switch (encoding)
            {
                case 1 when tag < 16: // old format, four-byte length
                    output.WriteByte((byte)(0x80 | (tag << 2) | 2));
                    output.Write([(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length]);
                    break;
                case 2 when tag < 16: // old format, indeterminate length (runs to the end)
                    output.WriteByte((byte)(0x80 | (tag << 2) | 3));
                    break;
                case 3: // new format, five-byte length
                    output.WriteByte((byte)(0xC0 | tag));
                    output.Write([0xFF, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length]);
                    break;
                case 4 when length > 1: // new format, partial lengths
                    {
                        output.WriteByte((byte)(0xC0 | tag));
                        output.WriteByte(0xE0); // a first part of 1 byte
                        output.WriteByte(body[0]);
                        output.WriteByte((byte)Math.Min(length - 1, 191));
                        output.Write(body, 1, Math.Min(length - 1, 191));
                        continue;
                    }
                case 5: // a wrong length
                    output.WriteByte((byte)(0xC0 | tag));
                    output.WriteByte((byte)Random.Next(256));
                    break;
                default:
                    output.WriteByte((byte)(0xC0 | tag));
                    if (length < 192)
                    {
                        output.WriteByte((byte)length);
                    }
                    else if (length < 8384)
                    {
                        output.WriteByte((byte)(((length - 192) >> 8) + 192));
                        output.WriteByte((byte)(length - 192));
                    }
                    else
                    {
                        output.Write([0xFF, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length]);
                    }
                    break;
            }
            output.Write(body);
        }
        return output.ToArray();
    }
}

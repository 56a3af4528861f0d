namespace Chartseal.OpenPgp;

/// <summary>
/// Walks the packet headers of a binary OpenPGP stream (RFC 4880 section 4.2) without interpreting
/// the bodies. We split keyrings into transferable keys ourselves so that one key BouncyCastle
/// cannot parse (a v6 key, an unknown algorithm) does not take the rest of the file down with it.
/// </summary>
internal static class PacketReader
{
    public const int SignatureTag = 2;
    public const int SecretKeyTag = 5;
    public const int PublicKeyTag = 6;
    public const int SecretSubkeyTag = 7;
    public const int TrustTag = 12;
    public const int UserIdTag = 13;
    public const int PublicSubkeyTag = 14;
    public const int UserAttributeTag = 17;

    /// <summary>
    /// Reads packet headers until the end of <paramref name="data"/>. Stops at the first header that is
    /// malformed or runs past the end, and reports its offset in <paramref name="errorOffset"/>.
    /// </summary>
    public static List<RawPacket> ReadAll(ReadOnlySpan<byte> data, out int? errorOffset)
    {
        var packets = new List<RawPacket>();
        int pos = 0;
        while (pos < data.Length)
        {
            if (!TryRead(data, pos, out RawPacket packet))
            {
                errorOffset = pos;
                return packets;
            }
            packets.Add(packet);
            pos = packet.End;
        }
        errorOffset = null;
        return packets;
    }

    private static bool TryRead(ReadOnlySpan<byte> data, int start, out RawPacket packet)
    {
        packet = default;
        byte header = data[start];
        if ((header & 0x80) == 0)
        {
            return false;
        }

        int pos = start + 1;
        int tag;
        long length;
        if ((header & 0x40) == 0)
        {
            // Old format: the tag is in bits 5-2, the length type in bits 1-0.
            tag = (header >> 2) & 0x0F;
            int lengthType = header & 0x03;
            if (lengthType == 3)
            {
                // Indeterminate length: the packet runs to the end of the data.
                packet = new RawPacket(tag, start, pos, data.Length);
                return true;
            }
            int size = 1 << lengthType;
            if (!TryReadBigEndian(data, pos, size, out length))
            {
                return false;
            }
            pos += size;
        }
        else
        {
            tag = header & 0x3F;
            if (pos >= data.Length)
            {
                return false;
            }
            int first = data[pos++];
            if (first < 192)
            {
                length = first;
            }
            else if (first < 224)
            {
                if (pos >= data.Length)
                {
                    return false;
                }
                length = ((first - 192) << 8) + data[pos++] + 192;
            }
            else if (first == 255)
            {
                if (!TryReadBigEndian(data, pos, 4, out length))
                {
                    return false;
                }
                pos += 4;
            }
            else
            {
                // Partial body lengths are only allowed for data packets, never inside a keyring.
                return false;
            }
        }

        if (length > data.Length - pos)
        {
            return false;
        }
        packet = new RawPacket(tag, start, pos, pos + (int)length);
        return true;
    }

    private static bool TryReadBigEndian(ReadOnlySpan<byte> data, int pos, int size, out long value)
    {
        value = 0;
        if (pos + size > data.Length)
        {
            return false;
        }
        for (int i = 0; i < size; i++)
        {
            value = (value << 8) | data[pos + i];
        }
        return true;
    }
}

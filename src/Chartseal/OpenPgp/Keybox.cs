using System.Buffers.Binary;

namespace Chartseal.OpenPgp;

/// <summary>
/// Unwraps a GnuPG keybox (<c>pubring.kbx</c>, GnuPG 2.1+), which BouncyCastle cannot read. A keybox is a
/// series of blobs: u32 length, u8 type, u8 version, u16 flags. The first blob is a header carrying
/// the magic <c>KBXf</c> at offset 8. OpenPGP blobs (type 2) hold a plain binary keyblock whose offset
/// and length (u32 each, relative to the blob) sit at offsets 8 and 12. Other blob types (X.509) are
/// of no use to us.
/// </summary>
internal static class Keybox
{
    private const byte HeaderBlob = 1;
    private const byte OpenPgpBlob = 2;
    private const ushort EphemeralFlag = 0x0002;

    /// <summary>Whether <paramref name="data"/> starts with a keybox header blob.</summary>
    public static bool IsKeybox(ReadOnlySpan<byte> data) =>
        data.Length >= 12 && data[4] == HeaderBlob && data.Slice(8, 4).SequenceEqual("KBXf"u8);

    /// <summary>
    /// The keyblocks of the non-ephemeral OpenPGP blobs, in file order. Ephemeral blobs are keys gpg
    /// fetched for one operation (e.g. auto-key-retrieve) and never meant to keep.
    /// </summary>
    /// <exception cref="FormatException">A blob length or keyblock range does not fit the file.</exception>
    public static List<ReadOnlyMemory<byte>> ExtractKeyblocks(ReadOnlyMemory<byte> data)
    {
        var blocks = new List<ReadOnlyMemory<byte>>();
        ReadOnlySpan<byte> span = data.Span;
        int pos = 0;
        while (pos < span.Length)
        {
            if (span.Length - pos < 8)
            {
                throw new FormatException($"truncated keybox blob at byte {pos}");
            }
            uint length = BinaryPrimitives.ReadUInt32BigEndian(span[pos..]);
            if (length < 8 || length > (uint)(span.Length - pos))
            {
                throw new FormatException($"invalid keybox blob length {length} at byte {pos}");
            }
            ReadOnlySpan<byte> blob = span.Slice(pos, (int)length);
            if (blob[4] == OpenPgpBlob)
            {
                if (blob.Length < 16)
                {
                    throw new FormatException($"truncated keybox blob at byte {pos}");
                }
                ushort flags = BinaryPrimitives.ReadUInt16BigEndian(blob[6..]);
                uint offset = BinaryPrimitives.ReadUInt32BigEndian(blob[8..]);
                uint size = BinaryPrimitives.ReadUInt32BigEndian(blob[12..]);
                if (offset > length || size > length - offset)
                {
                    throw new FormatException($"keyblock outside its keybox blob at byte {pos}");
                }
                if ((flags & EphemeralFlag) == 0)
                {
                    blocks.Add(data.Slice(pos + (int)offset, (int)size));
                }
            }
            pos += (int)length;
        }
        return blocks;
    }
}

using System.Buffers.Binary;

namespace Chartseal.IO;

/// <summary>
/// The check at the end of a gzip member (RFC 1952: CRC-32 and length mod 2^32 of the decoded data, little-endian).
/// <see cref="System.IO.Compression.GZipStream"/> stops quietly when the compressed data ends early, so every reader of
/// gzip that must not take a cut stream for a shorter one (chart archives, HTTP answers) compares this trailer with what
/// it decoded.
/// </summary>
public static class GzipTrailer
{
    /// <summary>The trailer's size in bytes.</summary>
    public const int Length = 8;

    /// <summary>Whether <paramref name="lastBytes"/> (the last bytes of the gzip data) end with the trailer of <paramref name="crc32"/> and <paramref name="decodedLength"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> lastBytes, uint crc32, long decodedLength) =>
        lastBytes.Length >= Length
        && BinaryPrimitives.ReadUInt32LittleEndian(lastBytes[^Length..]) == crc32
        && BinaryPrimitives.ReadUInt32LittleEndian(lastBytes[^4..]) == (uint)decodedLength;
}

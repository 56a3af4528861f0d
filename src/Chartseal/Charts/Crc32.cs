namespace Chartseal.Charts;

/// <summary>CRC-32 (IEEE, as in gzip trailers); small table-driven version, the BCL has none.</summary>
internal sealed class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private uint _crc = 0xFFFFFFFF;

    /// <summary>The CRC of everything appended so far.</summary>
    public uint Value => ~_crc;

    public void Append(ReadOnlySpan<byte> data)
    {
        uint crc = _crc;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        _crc = crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}

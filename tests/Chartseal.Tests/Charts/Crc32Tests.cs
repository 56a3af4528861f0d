using System.Text;
using Chartseal.Charts;

namespace Chartseal.Tests.Charts;

public sealed class Crc32Tests
{
    [Fact]
    public void Append_CheckString_IsTheIeeeCheckValue()
    {
        var crc = new Crc32();
        crc.Append(Encoding.ASCII.GetBytes("123456789"));
        Assert.Equal(0xCBF43926u, crc.Value);
    }

    [Fact]
    public void Append_AnyLengthAndSplit_MatchesTheBytewiseDefinition()
    {
        var random = new Random(42);
        for (int length = 0; length < 70; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            int split = length == 0 ? 0 : random.Next(length);
            var crc = new Crc32();
            crc.Append(data.AsSpan(0, split));
            crc.Append(data.AsSpan(split));
            Assert.Equal(Bytewise(data), crc.Value);
        }
    }

    private static uint Bytewise(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }
}

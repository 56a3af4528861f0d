namespace Chartseal.OpenPgp;

/// <summary>One OpenPGP packet located in a buffer: its tag and where its header and body lie.</summary>
internal readonly record struct RawPacket(int Tag, int Start, int BodyStart, int End)
{
    public int BodyLength => End - BodyStart;
}

using System.Text;
using Chartseal.OpenPgp;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;

namespace Chartseal.Tests.OpenPgp;

/// <summary>
/// <see cref="Armor.TryDecodePlain"/> (the fast armor decoder of every signature check) against BouncyCastle's
/// <see cref="ArmoredInputStream"/>, which reads everything it declines: whenever it decodes, the bytes must be
/// BouncyCastle's, on the real vectors and on thousands of mutations of them.
/// </summary>
public sealed class ArmorTests
{
    /// <summary>The signature blocks of every clear-signed vector (gpg's, Helm 3's and Helm 4's layouts), as the framing hands them over.</summary>
    private static List<(string Name, string Armor)> Blocks()
    {
        var blocks = new List<(string, string)>();
        foreach (string file in Directory.EnumerateFiles(TestPaths.Vectors, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (file.EndsWith(".prov", StringComparison.Ordinal) || file.EndsWith(".asc", StringComparison.Ordinal))
            {
                if (ClearSignedMessage.TryParse(File.ReadAllBytes(file), out _) is { } message)
                {
                    blocks.Add((Path.GetRelativePath(TestPaths.Vectors, file), message.ArmoredSignature));
                }
            }
        }
        Assert.True(blocks.Count >= 5, $"only {blocks.Count} clear-signed vectors found");
        return blocks;
    }

    /// <summary>BouncyCastle's reading: the bytes, or null when it refuses.</summary>
    private static byte[]? BouncyCastle(string armored)
    {
        try
        {
            using var input = new ArmoredInputStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public void Crc24_RandomData_IsBouncyCastles()
    {
        var random = new Random(24);
        foreach (int length in new[] { 0, 1, 2, 3, 57, 64, 541, 4096 })
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            var reference = new Crc24();
            foreach (byte b in data)
            {
                reference.Update(b);
            }
            Assert.Equal((uint)reference.Value & 0xFFFFFF, Armor.Crc24(data));
        }
    }

    [Fact]
    public void TryDecodePlain_EveryVector_DecodesAsBouncyCastle()
    {
        foreach (var (name, armor) in Blocks())
        {
            byte[]? fast = Armor.TryDecodePlain(armor);
            Assert.True(fast is not null, $"{name}: the usual layout should take the fast path");
            Assert.Equal(BouncyCastle(armor), fast);
        }
    }

    [Theory]
    [InlineData("Comment: GPGTools - https://gpgtools.org\nVersion: GnuPG v2\n", true)]
    [InlineData("Charset: UTF-8\n", true)]
    [InlineData("no colon\n", false)]
    public void TryDecodePlain_ArmorHeaders_OnlyWellFormedOnes(string headers, bool fast)
    {
        string gpg = Blocks().First(b => b.Name.EndsWith("msgblock.yaml.asc", StringComparison.Ordinal)).Armor;
        string text = gpg.Replace("-----BEGIN PGP SIGNATURE-----\n", "-----BEGIN PGP SIGNATURE-----\n" + headers, StringComparison.Ordinal);
        Assert.Equal(fast, Armor.TryDecodePlain(text) is not null);
        if (fast)
        {
            Assert.Equal(BouncyCastle(text), Armor.TryDecodePlain(text));
        }
    }

    [Fact]
    public void TryDecodePlain_CrcLine_RemovedDecodes_WrongDeclined()
    {
        string gpg = Blocks().First(b => b.Name.EndsWith("msgblock.yaml.asc", StringComparison.Ordinal)).Armor;
        var lines = gpg.Split('\n').ToList();
        int crc = lines.FindIndex(l => l.Length == 5 && l[0] == '=');
        Assert.True(crc > 0, "vector should carry a CRC24 line");

        var without = lines.ToList();
        without.RemoveAt(crc);
        string noCrc = string.Join('\n', without);
        Assert.Equal(BouncyCastle(noCrc), Armor.TryDecodePlain(noCrc));

        var wrong = lines.ToList();
        wrong[crc] = "=" + (wrong[crc][1] == 'A' ? 'B' : 'A') + wrong[crc][2..];
        string badCrc = string.Join('\n', wrong);
        Assert.Null(Armor.TryDecodePlain(badCrc));
        Assert.Null(BouncyCastle(badCrc)); // "crc check failed in armored message"
    }

    [Fact]
    public void TryDecodePlain_MutatedBlocks_DecodesOnlyAsBouncyCastle()
    {
        // Single and double edits with the characters that matter to either reader: base64, padding, dashes, blanks, line ends.
        const string alphabet = "AZaz09+/=-: \t\n\r\f\u00e9*";
        var random = new Random(20261130);
        var blocks = Blocks();
        int decoded = 0, declined = 0;
        for (int i = 0; i < 4000; i++)
        {
            var text = new StringBuilder(blocks[random.Next(blocks.Count)].Armor);
            for (int edits = 1 + random.Next(2); edits > 0; edits--)
            {
                int at = random.Next(text.Length);
                char c = alphabet[random.Next(alphabet.Length)];
                switch (random.Next(3))
                {
                    case 0:
                        text[at] = c;
                        break;
                    case 1:
                        text.Insert(at, c);
                        break;
                    default:
                        text.Remove(at, 1);
                        break;
                }
            }
            string mutated = text.ToString();
            if (Armor.TryDecodePlain(mutated) is { } fast)
            {
                decoded++;
                byte[]? reference = BouncyCastle(mutated);
                Assert.True(reference is not null, $"decoded what BouncyCastle refuses:\n{mutated}");
                Assert.Equal(reference, fast);
            }
            else
            {
                declined++;
            }
        }
        // Both kinds must occur, or the comparison proves nothing.
        Assert.True(decoded > 100 && declined > 100, $"decoded {decoded}, declined {declined}");
    }
}

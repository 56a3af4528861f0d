using System.Globalization;
using System.Text;

namespace Chartseal.Tests.Fuzz;

/// <summary>
/// Byte-level mutations in the style of AFL/libFuzzer, driven by a seeded <see cref="Random"/> so that a run is
/// reproducible: bit flips, interesting bytes, truncation, insertion, deletion, duplication, splicing with another
/// corpus input, dictionary tokens, and edits of decimal or octal numbers (the length fields of tar, PAX and YAML).
/// </summary>
internal sealed class Mutator(Random random, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> dictionary)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x0A, 0x0D, 0x09, (byte)'0', (byte)'7', (byte)'9', (byte)':', (byte)'-', (byte)'[', (byte)'{', (byte)'"', (byte)'\\', (byte)'=', 0xC3, 0xE2];

    private static readonly string[] Numbers = ["0", "1", "-1", "+1", "07", "00000000000", "77777777777", "18446744073709551616", "9223372036854775807", "4294967296", "1e9", "0x10", "1_0", " 1", "2147483648"];

    public Random Random => random;

    /// <summary>One to four mutations of <paramref name="input"/>.</summary>
    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        int rounds = 1 + random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            MutateOnce(data);
        }
        return [.. data];
    }

    /// <summary>A corpus input, mutated.</summary>
    public byte[] Next() => Mutate(corpus[random.Next(corpus.Count)]);

    private void MutateOnce(List<byte> data)
    {
        int op = random.Next(11);
        if (data.Count == 0 && op is not (3 or 7))
        {
            op = 7;
        }
        switch (op)
        {
            case 0:
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                data[random.Next(data.Count)] = Interesting[random.Next(Interesting.Length)];
                break;
            case 2:
                {
                    int cut = random.Next(data.Count);
                    data.RemoveRange(cut, data.Count - cut);
                    break;
                }
            case 3:
                data.InsertRange(random.Next(data.Count + 1), Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256)));
                break;
            case 4:
                {
                    int start = random.Next(data.Count);
                    data.RemoveRange(start, Math.Min(data.Count - start, 1 + random.Next(64)));
                    break;
                }
            case 5:
                {
                    int start = random.Next(data.Count);
                    int length = Math.Min(data.Count - start, 1 + random.Next(256));
                    data.InsertRange(random.Next(data.Count + 1), data.GetRange(start, length));
                    break;
                }
            case 6:
                {
                    byte[] other = corpus[random.Next(corpus.Count)];
                    int at = random.Next(data.Count + 1);
                    int from = random.Next(other.Length + 1);
                    data.RemoveRange(at, data.Count - at);
                    data.AddRange(other.AsSpan(from).ToArray());
                    break;
                }
            case 7:
                data.InsertRange(random.Next(data.Count + 1), Token());
                break;
            case 8:
                {
                    byte[] token = Token();
                    int at = random.Next(data.Count);
                    for (int i = 0; i < token.Length && at + i < data.Count; i++)
                    {
                        data[at + i] = token[i];
                    }
                    break;
                }
            case 9:
                EditNumber(data);
                break;
            default:
                {
                    // Repeat a token many times: deep nesting, long lines, many records.
                    byte[] token = Token();
                    int times = random.Next(2) == 0 ? 1 + random.Next(64) : 1 + random.Next(5000);
                    int at = random.Next(data.Count + 1);
                    data.InsertRange(at, Enumerable.Repeat(token, times).SelectMany(t => t));
                    break;
                }
        }
    }

    private byte[] Token() => dictionary.Count == 0 ? [(byte)random.Next(256)] : dictionary[random.Next(dictionary.Count)];

    // Finds a run of digits near a random position and replaces it with another number.
    private void EditNumber(List<byte> data)
    {
        int start = random.Next(data.Count);
        int found = -1;
        for (int i = 0; i < data.Count; i++)
        {
            int at = (start + i) % data.Count;
            if (data[at] is >= (byte)'0' and <= (byte)'9')
            {
                found = at;
                break;
            }
        }
        if (found < 0)
        {
            data.InsertRange(start, Encoding.ASCII.GetBytes(Numbers[random.Next(Numbers.Length)]));
            return;
        }
        while (found > 0 && data[found - 1] is >= (byte)'0' and <= (byte)'9')
        {
            found--;
        }
        int end = found;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }
        string digits = Encoding.ASCII.GetString([.. data.GetRange(found, end - found)]);
        string replacement = random.Next(3) switch
        {
            0 when long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n < long.MaxValue / 16 =>
                (n + random.Next(-2, 3) * (random.Next(2) == 0 ? 1 : 512)).ToString(CultureInfo.InvariantCulture),
            1 => Numbers[random.Next(Numbers.Length)],
            _ => new string('9', 1 + random.Next(20)),
        };
        data.RemoveRange(found, end - found);
        data.InsertRange(found, Encoding.ASCII.GetBytes(replacement));
    }

    /// <summary>Tokens for YAML documents (index.yaml, Chart.yaml, the .prov body).</summary>
    public static IReadOnlyList<byte[]> YamlTokens { get; } = Utf8(
        "[", "]", "{", "}", ", ", ": ", "- ", "? ", "\n", "\n  ", "\n    - ", "&a ", "*a", "&b [*a, *a, *a]", "!!str ", "!!map ", "!!binary ",
        "!custom ", "'", "\"", "\\u0000", "#", "\n...\n", "\n---\n", "|", ">-", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "<<: *a\n", "~", "null", "true",
        "0x1F", "1e400", ".inf", "-.nan", "2001-12-14t21:59:43.10-05:00", "\t", "\r\n", "\uFEFF", "\u202e", "\u001b[2J", "é", "𝄞",
        "apiVersion: v1\n", "entries:\n", "  demo:\n  - name: demo\n    version: 1.0.0\n", "urls: [x.tgz]", "digest: ", "version: ", "name: ",
        "dependencies:\n- name: x\n", "maintainers: [{name: a}]", "files:\n  a.tgz: sha256:00\n", "\n...\nfiles:\n");

    /// <summary>Tokens for JSON documents (OCI manifests) and HTTP authentication headers.</summary>
    public static IReadOnlyList<byte[]> JsonTokens { get; } = Utf8(
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "-0", "1e999", "18446744073709551616", "\"schemaVersion\":",
        "\"mediaType\":", "\"digest\":", "\"size\":", "\"layers\":", "\"config\":", "\"annotations\":", "\"subject\":", "\"urls\":",
        "\"sha256:", "\"sha512:", "\"application/vnd.cncf.helm.chart.content.v1.tar+gzip\"", "\"application/vnd.cncf.helm.chart.provenance.v1.prov\"",
        "\"application/vnd.oci.image.index.v1+json\"", "Bearer ", "Basic ", "realm=", "=\"", "\", ", "scope=\"repository:a:pull\"", "\t", "\r\n", "\uFEFF");

    /// <summary>Tokens for clear-signed documents.</summary>
    public static IReadOnlyList<byte[]> ClearSignTokens { get; } = Utf8(
        "-----BEGIN PGP SIGNED MESSAGE-----\n", "-----BEGIN PGP SIGNATURE-----\n", "-----END PGP SIGNATURE-----\n", "Hash: SHA512\n", "Hash: MD5\n",
        "Hash: SHA256,SHA1\n", "Version: x\n", "Comment: \u001b[2J\n", "\n", "\r\n", "- ", "- -----", "=", "=AAAA\n", "====", "\uFEFF", " \t",
        "iQEzBAEBCgAdFiEE", "AAAA", "////", "\n...\n", "files:\n", "sha256:");

    /// <summary>Tokens for OpenPGP binary packets (tags, lengths) and armor.</summary>
    public static IReadOnlyList<byte[]> OpenPgpTokens { get; } =
    [
        [0x99], [0xC6], [0xB4], [0xCD], [0x89], [0xC2], [0xB9], [0xCE], [0xB0], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xEF], [0xE0], [0xC0, 0xFF],
        [0x04], [0x05], [0x06], [0x16], [0x13], [0x1F], [0x18], [0x20], [0x28], [0x30], [0x01, 0x00], [0xFF, 0xFF],
        .. Utf8("-----BEGIN PGP PUBLIC KEY BLOCK-----\n", "-----END PGP PUBLIC KEY BLOCK-----\n", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n", "\n", "=AAAA\n", "Version: x\n"),
    ];

    /// <summary>Tokens for tar headers and PAX records.</summary>
    public static IReadOnlyList<byte[]> TarTokens { get; } =
    [
        .. Utf8(
            "ustar\0", "00", "ustar  \0", "tar\0", "././@LongLink", "PaxHeaders.0/", "demo/", "demo/../", "/", "\\", "..", "C:",
            "30 path=demo/templates/a.yaml\n", "16 size=99999999\n", "26 GNU.sparse.name=demo/x\n", "22 GNU.sparse.major=1\n", "22 linkpath=/etc/x\n",
            "30 mtime=1700000000.123456789\n", "12 uid=0000\n", "20 hdrcharset=BINARY\n", "5 a=\n", "0000644\0", "0040644\0", "7777777\0"),
        [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
    ];

    private static byte[][] Utf8(params string[] tokens) => [.. tokens.Select(t => Encoding.UTF8.GetBytes(t))];
}

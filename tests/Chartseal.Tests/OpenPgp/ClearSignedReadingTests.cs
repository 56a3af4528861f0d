using System.Text;
using Chartseal.OpenPgp;
using Chartseal.Tests.Fuzz;

namespace Chartseal.Tests.OpenPgp;

/// <summary>
/// <see cref="ClearSignedMessage.TryParse"/> reads lines as slices of the text; it must give what the plain reading
/// below (one string per line, as it read before) gives, field for field and error for error, on the provenance corpus
/// and on mutations of it.
/// </summary>
public sealed class ClearSignedReadingTests
{
    private static readonly string[] KnownHashes = ["MD5", "SHA1", "RIPEMD160", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-512"];

    private static string Describe(ClearSignedMessage? message, string error) => message is null
        ? "error: " + error
        : $"hashes [{string.Join(",", message.HashHeaders)}]\nsigned {Convert.ToHexString(message.SignedText)}\nplain {message.Plaintext}\narmor {message.ArmoredSignature}";

    /// <summary>The reading line by line, one string each: the reference.</summary>
    private static string Reference(byte[] document)
    {
        const string begin = "-----BEGIN PGP SIGNED MESSAGE-----", beginSignature = "-----BEGIN PGP SIGNATURE-----", endSignature = "-----END PGP SIGNATURE-----";
        static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
        if (document.AsSpan().StartsWith("\uFEFF"u8))
        {
            return "error: starts with a byte-order mark";
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(document);
        }
        catch (DecoderFallbackException)
        {
            return "error: is not UTF-8 text";
        }
        var all = text.Length == 0 ? [] : text.Split('\n').Select(l => l.EndsWith('\r') ? l[..^1] : l).ToList();
        if (text.EndsWith('\n'))
        {
            all.RemoveAt(all.Count - 1); // the reader returns no line after a final LF
        }
        int at = 0;
        string? Next() => at < all.Count ? all[at++] : null;
        if (Next() is not { } first || first.TrimEnd(' ', '\t') != begin)
        {
            return $"error: does not start with '{begin}'";
        }
        var hashes = new List<string>();
        while (true)
        {
            if (Next() is not { } header)
            {
                return "error: ends inside the message headers";
            }
            if (header.Trim(' ', '\t').Length == 0)
            {
                break;
            }
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || header[..colon] != "Hash" || header.Any(c => c < 0x20 || c > 0x7E))
            {
                return $"error: has an unexpected message header '{Truncate(header)}'";
            }
            foreach (string name in header[(colon + 1)..].Split(','))
            {
                string upper = name.Trim().ToUpperInvariant();
                if (!KnownHashes.Contains(upper))
                {
                    return $"error: names an unknown hash '{Truncate(name.Trim())}'";
                }
                hashes.Add(upper);
            }
        }
        var lines = new List<string>();
        while (true)
        {
            if (Next() is not { } line)
            {
                return $"error: has no '{beginSignature}' line";
            }
            if (line.TrimEnd(' ', '\t') == beginSignature)
            {
                break;
            }
            lines.Add((line.StartsWith("- ", StringComparison.Ordinal) ? line[2..] : line).TrimEnd(' ', '\t'));
        }
        var armor = new StringBuilder(beginSignature).Append('\n');
        while (true)
        {
            if (Next() is not { } line)
            {
                return $"error: has no '{endSignature}' line";
            }
            armor.Append(line.TrimEnd(' ', '\t')).Append('\n');
            if (line.TrimEnd(' ', '\t') == endSignature)
            {
                break;
            }
        }
        return $"hashes [{string.Join(",", hashes)}]\nsigned {Convert.ToHexString(Encoding.UTF8.GetBytes(string.Join("\r\n", lines)))}\nplain {string.Join('\n', lines)}\narmor {armor}";
    }

    [Fact]
    public void TryParse_CorpusAndMutations_ReadsAsLineByLine()
    {
        var corpus = FuzzRunner.Corpus("prov");
        foreach (byte[] document in corpus)
        {
            Assert.Equal(Reference(document), Describe(ClearSignedMessage.TryParse(document, out string error), error));
        }
        var mutator = new Mutator(new Random(20261130), corpus, Mutator.ClearSignTokens);
        int parsed = 0, refused = 0;
        for (int i = 0; i < 4000; i++)
        {
            byte[] document = mutator.Next();
            string expected = Reference(document);
            Assert.Equal(expected, Describe(ClearSignedMessage.TryParse(document, out string error), error));
            _ = expected.StartsWith("error:", StringComparison.Ordinal) ? refused++ : parsed++;
        }
        Assert.True(parsed > 100 && refused > 100, $"parsed {parsed}, refused {refused}");
    }
}

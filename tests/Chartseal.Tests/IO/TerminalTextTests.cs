using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chartseal.IO;

namespace Chartseal.Tests.IO;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("\u001b]52;c;ZXZpbA==\u0007", @"\e]52;c;ZXZpbA==\x07")] // OSC 52: set the clipboard
    [InlineData("\u001b[2J\u001b[H", @"\e[2J\e[H")] // clear the screen, cursor home
    [InlineData("ok\r\u001b[32mverified", @"ok\r\e[32mverified")] // overwrite the line
    [InlineData("a\nUsing Key With Fingerprint: X", @"a\nUsing Key With Fingerprint: X")] // a forged second line
    [InlineData("tab\there\u007f", @"tab\there\x7F")]
    [InlineData("\u009b31m\u0085", @"\x9B31m\x85")] // C1: 8-bit CSI, NEL
    [InlineData("abc\u202edef\u2066g\u2069\u200e\u200f\u061c", @"abc\u202Edef\u2066g\u2069\u200E\u200F\u061C")] // bidi
    [InlineData("line\u2028para\u2029", @"line\u2028para\u2029")]
    public void Escape_ControlSequences_BecomeVisibleText(string raw, string shown)
    {
        Assert.Equal(shown, TerminalText.Escape(raw));
        Assert.False(TerminalText.ContainsUnsafe(TerminalText.Escape(raw)));
    }

    [Theory]
    [InlineData("José Müller <jose@example.com>")]
    [InlineData("日本語 チャート 🚀")]
    [InlineData("")]
    public void Escape_OrdinaryText_Unchanged(string text)
    {
        Assert.Same(text, TerminalText.Escape(text));
    }

    [Fact]
    public void TerminalJsonStream_WrittenInPiecesAndFlushed_SameBytesAsEscapeJson()
    {
        // Bidi controls, separators, ordinary non-ASCII, and broken UTF-8, cut at every kind of place by the writes.
        string[] pieces = ["{\"a\": \"", "x", "\u202e", "é", "日本", "🚀", "\u2066", "\u2028", "\"}", "\n", " ", "\u0085", "z"];
        byte[][] broken = [[0xE2], [0xE2, 0x80], [0xF0, 0x9F], [0x80], [0xFF], [0xC3]];
        var random = new Random(83);
        int large = 0;
        for (int round = 0; round < 300; round++)
        {
            var document = new MemoryStream();
            int parts = round % 10 == 0 ? random.Next(30_000, 60_000) : random.Next(1, 400); // some over the 64 KiB chunks
            large += parts >= 30_000 ? 1 : 0;
            for (int i = 0; i < parts; i++)
            {
                byte[] part = random.Next(8) == 0 ? broken[random.Next(broken.Length)] : Encoding.UTF8.GetBytes(pieces[random.Next(pieces.Length)]);
                document.Write(part);
            }
            byte[] bytes = document.ToArray();
            var output = new MemoryStream();
            using (var escaping = new TerminalJsonStream(output))
            {
                for (int at = 0; at < bytes.Length;)
                {
                    int n = Math.Min(bytes.Length - at, random.Next(8) == 0 ? random.Next(1, 70_000) : random.Next(1, 9));
                    escaping.Write(bytes, at, n);
                    at += n;
                    if (random.Next(16) == 0)
                    {
                        escaping.Flush();
                    }
                }
            }
            Assert.Equal(TerminalText.EscapeJson(bytes), output.ToArray());
        }
        Assert.Equal(30, large);
    }

    [Fact]
    public void EscapeJson_BidiControlsLeftRawByTheRelaxedWriter_EscapedAndTheValueKept()
    {
        const string Hostile = "a\u202eb\u2066c\u001b[2Jd\u009be é";
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("description", Hostile);
            json.WriteEndObject();
        }
        Assert.Contains("\u202e", Encoding.UTF8.GetString(buffer.ToArray()), StringComparison.Ordinal); // what the writer leaves

        string escaped = Encoding.UTF8.GetString(TerminalText.EscapeJson(buffer.ToArray()));

        Assert.DoesNotContain(escaped, c => c != '\n' && TerminalText.IsUnsafe(c));
        Assert.Contains(@"\u202E", escaped, StringComparison.Ordinal);
        Assert.Contains("é", escaped, StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(escaped);
        Assert.Equal(Hostile, parsed.RootElement.GetProperty("description").GetString());
    }

    [Theory]
    [InlineData("repo", "repo")]
    [InlineData("./charts/my-repo_2.0", "./charts/my-repo_2.0")]
    [InlineData("my repo", "'my repo'")]
    [InlineData("it's $HOME `x` \\ *", "'it'\\''s $HOME `x` \\ *'")]
    [InlineData("", "''")]
    public void ShellQuote_GivesOneWordThatAShellReadsBackAsItWas(string word, string expected)
    {
        string quoted = TerminalText.ShellQuote(word);
        Assert.Equal(expected, quoted);
        var sh = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", "printf %s " + quoted]) { RedirectStandardOutput = true })!;
        string back = sh.StandardOutput.ReadToEnd();
        sh.WaitForExit();
        Assert.Equal(word, back);
    }
}

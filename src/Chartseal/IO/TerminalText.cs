using System.Buffers;
using System.Globalization;
using System.Text;

namespace Chartseal.IO;

/// <summary>
/// Makes untrusted text safe to print on a terminal. Chart descriptions and URLs from an <c>index.yaml</c>, user ids
/// from a <c>root.pgp</c> shown before it is pinned, tar entry names, a server's reason phrase: any of them may hold
/// control sequences that clear the screen, move the cursor to forge "verified" next to a fingerprint, set the
/// clipboard (OSC 52) or retitle the window, or bidirectional overrides that show a fingerprint in another order.
/// Front ends pass every such string through <see cref="Escape"/> (text) or <see cref="EscapeJson"/> (JSON) before
/// printing it.
/// </summary>
public static class TerminalText
{
    /// <summary>
    /// Whether <paramref name="codePoint"/> must not reach a terminal raw: C0 controls (line breaks and tabs
    /// included, since one field must stay on its line), DEL, C1 controls (U+009B is CSI), the bidirectional marks,
    /// embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), and the line and
    /// paragraph separators (U+2028, U+2029).
    /// </summary>
    public static bool IsUnsafe(int codePoint) => codePoint switch
    {
        < 0x20 or (>= 0x7F and <= 0x9F) => true,
        0x061C or 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069) => true,
        0x2028 or 0x2029 => true,
        _ => false,
    };

    /// <summary>
    /// <paramref name="word"/> as one POSIX shell word, for a command printed to be pasted: as it is when it holds only
    /// characters no shell treats specially, else in single quotes (a quote inside written <c>'\''</c>).
    /// </summary>
    public static string ShellQuote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@+%".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// <paramref name="text"/> with every <see cref="IsUnsafe">unsafe</see> character written as a visible escape:
    /// <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\e</c> for ESC, <c>\xHH</c> for other controls, <c>\uHHHH</c> for the
    /// bidirectional and separator characters. Text without any is returned as it is; null becomes "".
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || !ContainsUnsafe(text))
        {
            return text ?? "";
        }
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (!IsUnsafe(c))
            {
                sb.Append(c);
                continue;
            }
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\u001B' => "\\e",
                <= '\u009F' => "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture),
                _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            });
        }
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="text"/> holds any character that <see cref="Escape"/> would rewrite.</summary>
    public static bool ContainsUnsafe(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A UTF-8 JSON document with every non-ASCII <see cref="IsUnsafe">unsafe</see> character written as a
    /// <c>\uHHHH</c> escape (ASCII controls are either the document's own line breaks or already escaped).
    /// <c>Utf8JsonWriter</c> escapes the controls itself but, with the relaxed encoder, leaves the bidirectional
    /// overrides and isolates raw. Such characters can only occur inside JSON strings, where the escape means the same
    /// character, so the document's value is unchanged.
    /// </summary>
    public static byte[] EscapeJson(ReadOnlySpan<byte> utf8Json)
    {
        var output = new ArrayBufferWriter<byte>(utf8Json.Length + 16);
        EscapeJsonTo(utf8Json, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary><see cref="EscapeJson(ReadOnlySpan{byte})"/>, written to <paramref name="output"/>.</summary>
    internal static void EscapeJsonTo(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output)
    {
        int start = 0;
        for (int i = 0; i < utf8Json.Length;)
        {
            // ASCII controls outside strings are the document's own line breaks; the writer escapes those inside.
            if (utf8Json[i] < 0x80)
            {
                int next = utf8Json[i..].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
                if (next < 0)
                {
                    break;
                }
                i += next;
            }
            if (Rune.DecodeFromUtf8(utf8Json[i..], out Rune rune, out int length) != OperationStatus.Done || !IsUnsafe(rune.Value))
            {
                i += Math.Max(length, 1);
                continue;
            }
            output.Write(utf8Json[start..i]);
            output.Write(Encoding.ASCII.GetBytes("\\u" + rune.Value.ToString("X4", CultureInfo.InvariantCulture)));
            i += length;
            start = i;
        }
        output.Write(utf8Json[start..]);
    }
}

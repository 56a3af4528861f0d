using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Chartseal.Server.Page;

/// <summary>
/// Builds one HTML page. Every piece of text goes through <c>Text</c> (made inert by <see cref="PageText"/>,
/// then HTML-encoded) or <see cref="Attribute"/>; only the page's own markup goes through <see cref="Raw"/>.
/// </summary>
internal sealed class PageHtml
{
    // Every script is allowed through as text (a description in any language stays readable); what HTML gives meaning
    // to (< > & " ' and the like) is always encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringBuilder _html = new(16 * 1024);

    /// <summary>The page's own markup, never data.</summary>
    public PageHtml Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>Data as text: cut to <paramref name="max"/> characters, invisible characters shown, encoded.</summary>
    public PageHtml Text(string? text, int max = PageLimits.ShortText)
    {
        _html.Append(Encoder.Encode(PageText.Inert(text, max)));
        return this;
    }

    /// <summary>A number.</summary>
    public PageHtml Number(long value)
    {
        _html.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary><c> name="value"</c>, the value encoded (URLs, search terms: built by the page, or data made inert).</summary>
    public PageHtml Attribute(string name, string value)
    {
        _html.Append(' ').Append(name).Append("=\"").Append(Encoder.Encode(value)).Append('"');
        return this;
    }

    /// <summary>A link: <c>&lt;a href="URL"&gt;text&lt;/a&gt;</c>, with a fuller name for screen readers when given.</summary>
    public PageHtml Link(string href, string text, string? ariaLabel = null)
    {
        Raw("<a").Attribute("href", href);
        if (ariaLabel is not null)
        {
            Attribute("aria-label", PageText.Inert(ariaLabel, PageLimits.ShortText));
        }
        return Raw(">").Text(text).Raw("</a>");
    }

    /// <summary>A command to copy: one click selects it all (CSS <c>user-select: all</c>), no script needed.</summary>
    public PageHtml Command(string label, string command)
    {
        Raw("<figure class=\"command\"><figcaption>").Text(label).Raw("</figcaption><pre tabindex=\"0\"><code>")
            .Text(command, PageLimits.LongText, keepLines: true).Raw("</code></pre></figure>");
        return this;
    }

    /// <summary>The text, kept with line breaks (a command of several lines).</summary>
    public PageHtml Text(string text, int max, bool keepLines)
    {
        _html.Append(Encoder.Encode(PageText.Inert(text, max, keepLines)));
        return this;
    }

    /// <summary>The page so far as UTF-8.</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_html.ToString());

    /// <inheritdoc />
    public override string ToString() => _html.ToString();
}

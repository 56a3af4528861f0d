using System.Security.Cryptography;
using System.Text;

namespace Chartseal.Server.Page;

/// <summary>
/// The page's one stylesheet, served as a file (<c>/static/page.css</c>) so that the Content-Security-Policy needs no
/// inline style. Colours meet WCAG AA contrast on their backgrounds; verdicts carry a word and a symbol, never colour alone;
/// narrow screens get one row per card.
/// </summary>
internal static class PageStyle
{
    public const string Css = """
        :root { color-scheme: light; --ok: #0b6b2e; --bad: #a3000f; --warn-bg: #fff4d6; --warn: #6b4700; --muted: #4a4f57; --line: #d0d4da; --link: #0b4ea2; }
        * { box-sizing: border-box; }
        html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 100%; line-height: 1.45; color: #16181c; background: #fff; }
        body { margin: 0 auto; max-width: 72rem; padding: 0 1rem 2rem; overflow-wrap: break-word; }
        a { color: var(--link); }
        a:focus-visible, input:focus-visible, button:focus-visible, summary:focus-visible, pre:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
        .skip { position: absolute; left: -999rem; }
        .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
        header { padding: 1rem 0 .5rem; border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
        h1 { font-size: 1.6rem; margin: .2rem 0; display: flex; align-items: center; gap: .6rem; }
        h2 { font-size: 1.25rem; margin: 1.6rem 0 .6rem; }
        p { margin: .4rem 0; }
        .muted, caption, figcaption { color: var(--muted); }
        caption { text-align: left; padding: .2rem 0; }
        code, pre, .fpr { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
        .fpr { letter-spacing: .02em; word-break: break-all; }
        #root-fingerprint { font-size: 1.2rem; font-weight: 600; margin: .3rem 0 .6rem; }
        pre { background: #f3f5f8; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; margin: .2rem 0 .8rem;
              white-space: pre-wrap; word-break: break-all; user-select: all; -webkit-user-select: all; }
        figure.command { margin: .4rem 0; }
        figcaption { font-size: .9rem; }
        .banner { border-radius: 6px; padding: .7rem 1rem; margin: .8rem 0; border: 2px solid; }
        .banner.warn { background: var(--warn-bg); color: var(--warn); border-color: #c79200; }
        .banner.bad { background: #fde8ea; color: var(--bad); border-color: var(--bad); }
        .banner strong { display: block; }
        .table { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; }
        th, td { text-align: left; vertical-align: top; padding: .45rem .5rem; border-bottom: 1px solid var(--line); }
        th { background: #f3f5f8; font-weight: 600; overflow-wrap: normal; }
        tbody th { min-width: 5.5rem; overflow-wrap: anywhere; }
        td { max-width: 28rem; overflow: hidden; overflow-wrap: anywhere; }
        .verdict { font-weight: 600; white-space: nowrap; }
        .verdict.ok { color: var(--ok); }
        .verdict.bad { color: var(--bad); }
        .reason { display: block; font-weight: 400; color: #16181c; white-space: normal; }
        .counts { font-size: .9rem; }
        .icon { width: 32px; height: 32px; object-fit: contain; flex: none; }
        .chart-name { display: flex; align-items: center; gap: .5rem; font-weight: 600; }
        form.search { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .5rem 0 1rem; }
        form.search label { display: block; font-weight: 600; width: 100%; }
        input[type=search] { font: inherit; padding: .45rem .6rem; min-width: 16rem; flex: 1 1 16rem; border: 1px solid #6b717a; border-radius: 6px; }
        button { font: inherit; padding: .45rem 1rem; border-radius: 6px; border: 1px solid var(--link); background: var(--link); color: #fff; cursor: pointer; }
        nav.pages { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: .5rem 0 1rem; }
        nav.pages a, nav.pages span { padding: .3rem .2rem; }
        details summary { cursor: pointer; color: var(--link); }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; }
        footer { margin-top: 2rem; padding-top: .8rem; border-top: 1px solid var(--line); font-size: .9rem; color: var(--muted); }
        footer ul { padding-left: 1.2rem; }
        @media (max-width: 44rem) {
          body { padding: 0 .6rem 1.5rem; }
          h1 { font-size: 1.35rem; }
          table.cards, table.cards tbody, table.cards tr, table.cards tbody th, table.cards td { display: block; width: 100%; max-width: none; }
          table.cards thead { position: absolute; left: -999rem; }
          table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .8rem; padding: .3rem .2rem; }
          table.cards tbody th, table.cards td { border: 0; padding: .25rem .5rem; background: none; }
          table.cards tbody th::before, table.cards td::before { content: attr(data-label); display: block; font-size: .8rem; font-weight: 600; color: var(--muted); }
          dl.facts { grid-template-columns: 1fr; }
          input[type=search] { min-width: 0; }
        }
        """;

    public static readonly byte[] Bytes = Encoding.UTF8.GetBytes(Css);

    /// <summary>A short hash of the stylesheet: its URL changes with it, so it can be cached for long.</summary>
    public static readonly string Version = Convert.ToHexStringLower(SHA256.HashData(Bytes).AsSpan(0, 6));
}

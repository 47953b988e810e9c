"""Paper as HTML and CSS: notices, wallet cards and the review sheet.

WeasyPrint lays these out through Pango and HarfBuzz, so every script is shaped
by the same engine as a desktop browser's: Arabic joined and right to left,
Chinese and Korean from their own Noto CJK faces, Vietnamese with its stacked
accents. Phone numbers are set in left-to-right isolates (`<bdi dir="ltr">`):
inside Arabic text, the bidi algorithm would otherwise show "1-888-3737-888"
with its groups reversed.
"""

from __future__ import annotations

from html import escape

from kiosk.i18n.names import base_language
from kiosk.paper.model import SIZES, Block, Card, Line, Notice
from kiosk.paper.qr import qr_svg_uri

# Families installed by fonts-noto-core and fonts-noto-cjk (lantern.sh). Noto Sans comes
# first for Latin letters and digits; Pango falls back along the list for the rest.
_CJK = {"zh-Hans": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC", "zh": "Noto Sans CJK SC",
        "ko": "Noto Sans CJK KR", "ja": "Noto Sans CJK JP"}
_SCRIPT = {"ar": "Noto Sans Arabic", "fa": "Noto Sans Arabic", "ur": "Noto Sans Arabic",
           "he": "Noto Sans Hebrew"}


def font_stack(tag: str) -> str:
    """The CSS font-family list for a language: a script face before Noto Sans where the
    script's own digits and punctuation should win (Arabic), after it where only the
    ideographs need it (CJK)."""
    base = base_language(tag)
    script = _SCRIPT.get(base)
    cjk = _CJK.get(tag) or _CJK.get(base)
    families = [script, "Noto Sans", cjk, "Noto Sans CJK SC", "sans-serif"]
    return ", ".join(f'"{f}"' if " " in f else f for f in dict.fromkeys(f for f in families if f))


def _e(text: str) -> str:
    return escape(text, quote=True)


def _attrs(block: Block) -> str:
    return (f'lang="{_e(block.tag)}" dir="{"rtl" if block.rtl else "ltr"}" '
            f'style="font-family: {_e(font_stack(block.tag))}"')


def _num(number: str) -> str:
    return f'<bdi dir="ltr" class="num">{_e(number)}</bdi>'


def _line(line: Line) -> str:
    return f'<li class="{line.kind}"><span class="label">{_e(line.label)}:</span> {_num(line.number)}</li>'


# Paper from a sample pack (fictional local numbers) says so where the pack's name is printed.
SAMPLE_MARK = "SAMPLE PACK: NOT FOR POSTING"

BASE_CSS = """
* { box-sizing: border-box; }
html { color: #111; }
body { margin: 0; font-family: "Noto Sans", sans-serif; }
h1, h2, h3, p, ul { margin: 0; }
ul { padding: 0; list-style: none; }
bdi.num { font-weight: 700; white-space: nowrap; unicode-bidi: isolate; }
span.w { white-space: nowrap; }
[dir=rtl] { text-align: right; }
[dir=ltr] { text-align: left; }
/* Arabic vowel marks stand above the line: room for them, so they never touch the line above. */
:lang(ar), :lang(fa), :lang(ur) { line-height: 1.55; }
"""

NOTICE_CSS = """
@page { size: %(size)s; margin: %(margin)s; }
body { font-size: %(font)spt; line-height: 1.3; }
.band { border: 3pt solid #0b4f6c; border-radius: 8pt; padding: 0.12in 0.2in; margin-bottom: 0.16in; }
.band .row { display: flex; align-items: flex-end; gap: 0.25in; }
.band .nums { flex: 1; min-width: 0; }
.band .call-label { font-size: 1.2em; font-weight: 700; color: #0b4f6c; }
.band .big { font-size: %(big)spt; font-weight: 800; line-height: 1.1; margin-top: 0.1in; }
.band .remember { font-size: 1.05em; color: #333; }
.band .sub { font-size: 1.35em; margin-top: 0.06in; }
.band .sub span + span { margin-left: 0.25in; }
.qrs { display: flex; gap: 0.14in; }
.qrs figure { margin: 0; text-align: center; font-size: 0.8em; }
.qrs img { width: %(qr)s; height: %(qr)s; display: block; }
.qr-warning { font-size: 0.7em; color: #444; max-width: 2.6in; margin-top: 0.04in; }
.blocks { display: grid; grid-template-columns: %(columns)s; gap: 0.14in 0.22in; }
.block { border-top: 2pt solid #0b4f6c; padding-top: 0.06in; }
.block .lang { font-size: 0.75em; color: #0b4f6c; font-weight: 700; text-transform: uppercase; }
.block h2 { font-size: 1.3em; line-height: 1.2; margin: 0.02in 0 0.04in; }
.block p, .block ul { margin-bottom: 0.05in; }
.block .lines li { font-size: 1.1em; }
.block h3 { font-size: 1em; margin-top: 0.04in; }
.block .indicators li::before { content: "• "; }
.block .others { font-size: 0.95em; }
.block .verified { font-size: 0.72em; color: #444; }
footer { margin-top: 0.14in; font-size: 7pt; color: #444; border-top: 0.5pt solid #999; padding-top: 0.04in; }
"""

# (body pt, number pt, columns) for a notice on letter or A4, by how many languages it has.
_NOTICE_SCALE = {1: (15, 62, 1), 2: (10.4, 62, 2), 3: (8.4, 62, 3), 4: (8.6, 62, 2), 5: (7, 62, 3),
                 6: (7, 62, 3)}


# Smallest body text a notice may shrink to before it takes a second page (points, on letter).
MIN_NOTICE_PT = 7.0


def notice_css(notice: Notice, shrink: float = 1.0) -> str:
    body, big, columns = _NOTICE_SCALE.get(len(notice.blocks), (7, 62, 3))
    body = max(MIN_NOTICE_PT, body * shrink)
    scale = 1.45 if notice.size == "tabloid" else 1.0
    return BASE_CSS + NOTICE_CSS % {
        "size": SIZES[notice.size], "margin": "0.5in" if notice.size != "tabloid" else "0.7in",
        # The band gives up a little room too, never so much that the number stops being large.
        "font": round(body * scale, 1), "big": round(big * scale * max(shrink, 0.8)),
        "qr": f"{1.05 * scale * max(shrink, 0.85):.2f}in",
        "columns": " ".join(["1fr"] * columns),
    }


def words(text: str, tag: str) -> str:
    """Escaped text; Korean breaks lines only between words (CSS `word-break: keep-all`, which
    WeasyPrint lacks): each word is kept whole."""
    if base_language(tag) != "ko":
        return _e(text)
    return " ".join(f'<span class="w">{_e(w)}</span>' for w in text.split(" "))


def _block_html(block: Block) -> str:
    def w(text: str) -> str:
        return words(text, block.tag)

    parts = [f'<section class="block" {_attrs(block)}>',
             f'<div class="lang">{_e(block.language_name)}</div>',
             f"<h2>{w(block.title)}</h2>"]
    parts += [f"<p>{w(p)}</p>" for p in block.lead]
    parts.append('<ul class="lines">' + "".join(_line(x) for x in block.lines) + "</ul>")
    parts += [f"<p>{w(x)}</p>" for x in (block.hours, block.languages) if x]
    if block.indicators:
        parts.append(f"<h3>{w(block.indicators_title)}</h3>")
        parts.append('<ul class="indicators">' + "".join(f"<li>{w(i)}</li>" for i in block.indicators)
                     + "</ul>")
    for other in block.others:
        parts.append(f'<p class="others"><b>{w(other.name)}</b>: '
                     + " · ".join(f"{w(x.label)} {_num(x.number)}" for x in other.lines) + "</p>")
    parts += [f'<p class="wording">{w(x)}</p>' for x in block.wording]
    if block.verified:
        parts.append(f'<p class="verified">{w(block.verified)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _doc(title: str, css: str, body: str, lang: str) -> str:
    return (f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title><style>{css}</style></head><body>{body}</body></html>")


def notice_html(notice: Notice, shrink: float = 1.0) -> str:
    """The notice; `shrink` < 1 sets the language blocks smaller (never below MIN_NOTICE_PT)."""
    first = notice.blocks[0]
    sub = []
    text_line = next((x for x in first.lines if x.kind == "text"), None)
    if text_line:
        sub.append(f"<span>{_e(text_line.label)}: {_num(text_line.number)}</span>")
    tty_line = next((x for x in first.lines if x.kind == "tty"), None)
    if tty_line:
        sub.append(f"<span>TTY: {_num(tty_line.number)}</span>")
    call_label = next((x.label for x in first.lines if x.kind == "call"), "")
    qrs = [f'<figure><img src="{qr_svg_uri(notice.tel_uri)}" alt="{_e(notice.tel_uri)}">'
           f"<figcaption>{_e(call_label)}</figcaption></figure>"]
    if notice.sms_uri and text_line:
        qrs.append(f'<figure><img src="{qr_svg_uri(notice.sms_uri)}" alt="{_e(notice.sms_uri)}">'
                   f"<figcaption>{_e(text_line.label)}</figcaption></figure>")
    band = (f'<header class="band" {_attrs(first)}>'
            f'<div class="call-label">{_e(call_label)}</div>'
            f'<div class="big">{_num(notice.call_display)}</div>'
            f'<div class="row"><div class="nums">'
            f'<div class="remember">{_e(first.remember)} · {_e(first.free)}</div>'
            f'<div class="sub">{"".join(sub)}</div></div>'
            f'<div><div class="qrs">{"".join(qrs)}</div>'
            f'<div class="qr-warning">{_e(first.qr_warning)}</div></div></div></header>')
    blocks = '<main class="blocks">' + "\n".join(_block_html(b) for b in notice.blocks) + "</main>"
    foot = [x for x in (SAMPLE_MARK if notice.sample else "", notice.citation, f"{notice.pack_label}",
                        f"verified {notice.verified_iso}" if notice.verified_iso else "") if x]
    footer = f"<footer>{' · '.join(_e(x) for x in foot)}</footer>"
    return _doc(first.title, notice_css(notice, shrink), band + blocks + footer, first.tag)


CARD_CSS = """
@page { size: 85mm 55mm; margin: 3.5mm; }
body { font-size: %(font)spt; line-height: 1.25; }
.back { break-before: page; }
.head { background: #2e7d5b; color: #fff; border-radius: 2mm; padding: 1.2mm 2.5mm; font-weight: 700;
        font-size: 1.15em; }
.front .title { font-size: 1.2em; margin-top: 2mm; }
.front .big { font-size: 19pt; font-weight: 800; margin: 0.5mm 0 1mm; }
.front .small { font-size: 0.95em; color: #222; }
.back .qr { float: right; width: 19mm; margin: 0 0 1mm 2mm; }
[dir=rtl] .back .qr, .back[dir=rtl] .qr { float: left; margin: 0 2mm 1mm 0; }
.back .qr img { width: 19mm; height: 19mm; display: block; }
.back .block { margin-bottom: 1.2mm; }
/* Beside the QR code, never under it, whichever side the card's first language puts it. */
.back[dir=ltr] .block { margin-right: 21mm; }
.back[dir=rtl] .block { margin-left: 21mm; }
.back .block b { font-size: 1.05em; }
.foot { font-size: 5pt; color: #555; }
"""


def _card_block(block: Block) -> str:
    lines = " · ".join(f"{_e(x.label)} {_num(x.number)}" for x in block.lines if x.kind in ("call", "text"))
    extra = " · ".join(words(x, block.tag) for x in (block.free, block.hours) if x)
    return (f'<div class="block" {_attrs(block)}><b>{words(block.title, block.tag)}</b><br>{lines}'
            + (f"<br>{extra}" if extra else "") + "</div>")


def card_html(card: Card) -> str:
    f = card.front
    text_line = next((x for x in f.lines if x.kind == "text"), None)
    small = [f"{_e(f.remember)}", " · ".join(_e(x) for x in (f.free, f.hours) if x)]
    if text_line:
        small.append(f"{_e(text_line.label)}: {_num(text_line.number)}")
    front = (f'<div class="front" {_attrs(f)}>'
             f'<div class="head">{_e(card.heading)}</div>'
             f'<div class="title">{_e(card.front_title)}</div>'
             f'<div class="big">{_num(card.call_display)}</div>'
             + "".join(f'<div class="small">{x}</div>' for x in small if x)
             + "</div>")
    verified = f.verified or card.verified_iso
    back = (f'<div class="back" {_attrs(f)}>'
            f'<div class="qr"><img src="{qr_svg_uri(card.tel_uri)}" alt="{_e(card.tel_uri)}"></div>'
            f'{"".join(_card_block(b) for b in card.back)}'
            f'<div class="foot">{_e(SAMPLE_MARK + " · ") if card.sample else ""}'
            f'{_e(verified)} · {_e(card.pack_label)}</div>'
            "</div>")
    font = {1: 7.5, 2: 6.5, 3: 5.8}.get(len(card.back), 5.2)
    return _doc(card.heading, BASE_CSS + CARD_CSS % {"font": font}, front + back, f.tag)

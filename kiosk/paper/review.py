"""The review sheet: every screen of every language, drawn by the real UI, on paper.

A facility signs a pack off on paper before it goes to devices. The screens are
drawn exactly as `kiosk preview` draws them (the same Kivy widgets, offscreen),
all in one process: one window, one session, each screen reached with the same
`GoTo` event voice uses. Each picture is captioned with its screen id, its
language and every number it shows with the day that number was checked.
Screens are held in memory only: the PDF is the one file written.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path

from kiosk.content.model import Pack
from kiosk.paper.html import BASE_CSS, font_stack
from kiosk.paper.model import check_languages

SCREEN_SIZE = (800, 480)


@dataclass(frozen=True)
class Shot:
    node_id: str
    tag: str
    title: str
    numbers: tuple[str, ...]  # "National Human Trafficking Hotline: 1-888-3737-888 (checked 2026-11-01)"
    png: bytes


def screen_numbers(pack: Pack, node_id: str) -> tuple[str, ...]:
    """Each number a screen shows, with the day it was verified (ISO: one format for all)."""
    from kiosk.view import Strings, contact_view
    out = []
    s = Strings(pack, pack.manifest.default_language)
    for cid in pack.nodes[node_id].contacts:
        contact = pack.contacts.get(cid)
        if contact is None:
            continue
        view = contact_view(contact, s, pack.manifest.region)
        numbers = [x for x in (view.call_display, contact.text, contact.tty) if x]
        day = contact.verified.isoformat() if contact.verified else "not verified"
        out.append(f"{cid}: {' / '.join(numbers)} (verified {day})")
    return tuple(out)


def draw_screens(pack: Pack, tags: tuple[str, ...]) -> list[Shot]:
    """Every node in every language, through the real Kivy UI, offscreen, in this process."""
    # Without Kivy this raises ModuleNotFoundError, which `kiosk` turns into its one line
    # naming the 'ui' extra (exit 3), as for every command that needs an extra.
    import kivy  # noqa: F401
    import dataclasses

    from kiosk.ui.env import WindowMode, configure_kivy
    configure_kivy(WindowMode(fullscreen=False, size=SCREEN_SIZE, offscreen=True))
    from kiosk.session import GoTo, SetLanguage, Session
    from kiosk.ui.kiosk import Kiosk, settle, window_png

    shots: list[Shot] = []
    for tag in tags:
        # Each language from a fresh session whose home language it is, as `kiosk preview --lang` does.
        lang_pack = dataclasses.replace(pack, manifest=dataclasses.replace(pack.manifest, default_language=tag))
        session = Session(lang_pack, clock=time.monotonic)
        kiosk = Kiosk(session, clock=time.monotonic)
        kiosk.attach()
        try:
            kiosk.send(SetLanguage(tag))
            for node_id in pack.nodes:
                view = kiosk.send(GoTo(node_id))
                settle()
                shots.append(Shot(node_id, tag, view.title, screen_numbers(pack, node_id), window_png()))
        finally:
            kiosk.detach()
    return shots


_CSS = """
@page { size: %(size)s landscape; margin: 0.75in 0.4in;
        @top-left { content: "%(head)s"; font: 8pt "Noto Sans"; color: #333; }
        @bottom-right { content: counter(page) " / " counter(pages); font: 8pt "Noto Sans"; color: #333; } }
body { font-size: 8pt; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0.12in 0.25in; }
.grid + .grid { break-before: page; }  /* each language from a new page: one signs it off whole */
figure { margin: 0; break-inside: avoid; }
/* Two rows of two on a landscape page: the screen's own 5:3 shape, 2.8 in high. */
figure img { height: 2.8in; width: 4.667in; border: 0.5pt solid #888; display: block; }
figcaption { margin-top: 0.03in; }
figcaption b { font-size: 9pt; }
.sign { margin-top: 0.2in; font-size: 10pt; }
"""


def review_html(pack: Pack, shots: list[Shot], size: str, today: dt.date) -> str:
    m = pack.manifest
    head = escape(f"{m.name} · {m.id} v{m.version} · review sheet · {today.isoformat()}").replace('"', "'")
    figures: dict[str, list[str]] = {}
    for shot in shots:
        uri = "data:image/png;base64," + base64.b64encode(shot.png).decode("ascii")
        numbers = "".join(f"<br>{escape(n)}" for n in shot.numbers)
        figures.setdefault(shot.tag, []).append(
            f'<figure><img src="{uri}" alt="{escape(shot.node_id)} {escape(shot.tag)}">'
            f"<figcaption><b>{escape(shot.node_id)}</b> · {escape(shot.tag)} · "
            f'<span lang="{escape(shot.tag)}" style="font-family: {escape(font_stack(shot.tag))}">'
            f"{escape(shot.title)}</span>{numbers}</figcaption></figure>")
    sign = ('<p class="sign">Reviewed by: ______________________ &nbsp; Date: ____________ '
            "&nbsp; Signature: ______________________</p>")
    css = BASE_CSS + _CSS % {"size": "letter" if size == "letter" else "A4", "head": head}
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{head}</title>'
            f'<style>{css}</style></head><body>'
            + "".join(f'<div class="grid">{"".join(group)}</div>' for group in figures.values())
            + f"{sign}</body></html>")


def make_review(out: Path, pack_path: str | None, tags: tuple[str, ...], size: str) -> Path:
    from kiosk.paper.commands import open_checked
    from kiosk.paper.render import pdf_bytes, write_atomic

    pack = open_checked(pack_path)
    tags = tags or pack.manifest.languages
    check_languages(pack, tags)
    shots = draw_screens(pack, tags)
    import logging
    for noisy in ("PIL", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # Kivy turns the root logger up to debug
    return write_atomic(out, pdf_bytes(review_html(pack, shots, size, dt.date.today())))

"""Open every language's fonts while the kiosk is idle, before a visitor asks for them.

A visitor switches language once, so the switch they wait for is always the
first one into that language: SDL_ttf opens the face at each type size (a CJK
face is a 16 MB file), Arabic's character map is read for the Latin fallback,
the line metrics are measured and babel loads the language's CLDR data. Done one language per frame after the
kiosk has started, that work is gone from the tap that needs it
(bench/bench_language_switch.py, "cold" against "warm").
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

from babel.dates import format_date

from kiosk.ui.text import fonts_for, measurer, with_fallback
from kiosk.ui.theme import Sizes

_pending: list[str] = []


def warm_language(tag: str, sizes: Sizes) -> None:
    """Everything the first drawing of a screen in `tag` would otherwise load."""
    try:  # CLDR data, as kiosk.view formats a contact's "checked on" date
        format_date(dt.date(2026, 1, 1), format="medium", locale=tag.replace("-", "_"))
    except Exception:  # noqa: BLE001 - babel raises several types for unknown locales; view copes too
        pass
    fonts = fonts_for(tag)
    for bold in (False, True):
        with_fallback("Hg", fonts, bold)  # reads the face's character map where a fallback may be needed
        for size in {sizes.body, sizes.title, sizes.small}:
            measurer(fonts.face(bold), size)("Hg")  # SDL_ttf opens the face at this size


def warm_languages_soon(tags: Sequence[str], sizes: Callable[[], Sizes]) -> None:
    """Warm each language in turn, one per frame, starting on the next frame."""
    from kivy.clock import Clock

    fresh = not _pending
    _pending.extend(tag for tag in tags if tag not in _pending)

    def step(_dt: float) -> None:
        if not _pending:
            return
        warm_language(_pending.pop(0), sizes())
        if _pending:
            Clock.schedule_once(step, 0)

    if fresh and _pending:
        Clock.schedule_once(step, 0)


def warming_done() -> bool:
    return not _pending

"""Open every language's fonts while the kiosk is idle, before a visitor asks for them.

A visitor switches language once, so the switch they wait for is always the
first one into that language: SDL_ttf opens the face at each type size (a CJK
face is a 16 MB file), Arabic's character map is read for the Latin fallback,
the line metrics are measured and babel loads the language's CLDR data. Done one language per frame after the
kiosk has drawn its first screen, that work is gone from the tap that needs it
(bench/bench_language_switch.py, "cold" against "warm"), and from the start-up.
The libraries that only later screens need (phone numbers, Arabic shaping,
bidi, CLDR lists and dates) are imported the same way, first.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

from kiosk.ui.text import fonts_for, measurer, with_fallback
from kiosk.ui.theme import Sizes

_pending: list[str] = []
_warmed: set[str] = set()


def warm_libraries() -> None:
    """Import what later screens use, which start-up leaves out (about 0.1 s here)."""
    import phonenumbers  # noqa: F401 - kiosk.content.phones, on services screens
    from babel.lists import format_list  # noqa: F401 - kiosk.view, a contact's languages

    from kiosk.i18n.bidi import visual_line
    visual_line("مرحبا 1", True)  # arabic_reshaper (and fontTools under it) and python-bidi


def warm_language(tag: str, sizes: Sizes) -> None:
    """Everything the first drawing of a screen in `tag` would otherwise load."""
    from babel.dates import format_date

    try:  # CLDR data, as kiosk.view formats a contact's "checked on" date
        format_date(dt.date(2026, 1, 1), format="medium", locale=tag.replace("-", "_"))
    except Exception:  # noqa: BLE001 - babel raises several types for unknown locales; view copes too
        pass
    fonts = fonts_for(tag)
    for bold in (False, True):
        with_fallback("Hg", fonts, bold)  # reads the face's character map where a fallback may be needed
        for size in {sizes.body, sizes.title, sizes.small}:
            measurer(fonts.face(bold), size)("Hg")  # SDL_ttf opens the face at this size


LIBRARIES = "(libraries)"  # a pending step that is not a language: warm_libraries()


def warm_languages_soon(tags: Sequence[str], sizes: Callable[[], Sizes]) -> None:
    """Warm the libraries, then each language in turn, one step per frame, starting once
    the next frame is drawn (never before the kiosk's first screen)."""
    from kivy.clock import Clock
    from kivy.core.window import Window

    fresh = not _pending
    for item in [LIBRARIES, *tags]:
        if item not in _pending and item not in _warmed:
            _pending.append(item)

    def step(_dt: float) -> None:
        if not _pending:
            return
        item = _pending.pop(0)
        if item == LIBRARIES:
            warm_libraries()
            _warmed.add(item)  # once per process; languages warm again for new sizes
        else:
            warm_language(item, sizes())
        if _pending:
            Clock.schedule_once(step, 0)
        else:
            # Fonts, CLDR data and libraries now live as long as the process, like the
            # start-up heap: frozen too, the collection after each screen skips them
            # (kiosk.ui.memory; without this each one scanned them all, ~0.15 s here).
            from kiosk.ui.memory import freeze_startup_heap
            freeze_startup_heap()

    def after_flip(*_a: object) -> None:
        Window.unbind(on_flip=after_flip)
        Clock.schedule_once(step, 0)

    if fresh and _pending:
        Window.bind(on_flip=after_flip)


def warming_done() -> bool:
    return not _pending

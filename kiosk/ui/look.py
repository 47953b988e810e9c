"""How to draw (`Look`) and what taps do (`Actions`): what every painter is handed.

Apart from the painters themselves so that they, and the layout measurements
(kiosk.ui.fit), can all name these without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.ui.text import Fonts
from kiosk.ui.theme import Sizes
from kiosk.view import ContactView


@dataclass(frozen=True)
class Look:
    """Everything about how to draw, for one window size and language."""

    sizes: Sizes
    fonts: Fonts
    width: int
    height: int
    pack_root: Path | None
    # (tag, name in its own words) of the pack's languages: the neutral screen's way in.
    languages: tuple[tuple[str, str], ...] = ()

    @property
    def rtl(self) -> bool:
        return self.fonts.rtl


@dataclass(frozen=True)
class Actions:
    """What taps do; the Kiosk supplies these (bound to one build), each sends one event."""

    choose: Callable[[int], None]
    back: Callable[[], None]
    home: Callable[[], None]
    quick_exit: Callable[[], None]
    open_languages: Callable[[], None]
    set_language: Callable[[str], None]
    close_overlay: Callable[[], None]
    read_aloud: Callable[[], None] | None  # None: no speaker, no button
    say_number: Callable[[ContactView], None] | None
    ask_qr: Callable[[ContactView], None]
    show_qr: Callable[[ContactView], None]
    speak: Callable[[], None] | None = None  # None: no speech model for this language, no button
    answer_yes: Callable[[], None] = lambda: None  # "Did you mean ...?"
    answer_no: Callable[[], None] = lambda: None
    go: Callable[[str], None] = lambda node_id: None  # the primary bar: straight to a screen
    stay: Callable[[], None] = lambda: None  # the idle countdown's Stay

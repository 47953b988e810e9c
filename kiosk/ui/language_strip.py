"""A calm way into every language from the neutral screen: each named in its own script.

The header's Language control says "Language" in the current language, which a
visitor who cannot read it will not find. Under the neutral screen's first
words stands a quiet row of the pack's other languages, each in its own words
and font ("Tiếng Việt", "Kreyòl ayisyen", "中文"), like the language bar of
any multilingual health website: plain small chips, no flags, nothing about
help. One tap switches the language (the same event the picker sends).
"""

from __future__ import annotations

from typing import Sequence

from kivy.uix.stacklayout import StackLayout

from kiosk.i18n.names import is_rtl
from kiosk.ui.look import Actions, Look
from kiosk.ui.text import fonts_for, label_width
from kiosk.ui.theme import PALETTE
from kiosk.ui.widgets import Tile


def chip_width(name: str, tag: str, look: Look) -> float:
    """Wide enough for the name on one line (the tile's padding, and the TextBlock's
    hair of room), never wider than the page."""
    s = look.sizes
    fonts = fonts_for(tag)
    return min(look.width - 2 * s.pad, 2 * s.gap + label_width(name, fonts, s.small) + 8)


def language_strip(choices: Sequence[tuple[str, str]], current: str, look: Look, actions: Actions) -> StackLayout:
    """Every other language as a small chip in its own name, flowing over as many rows as it needs."""
    s = look.sizes
    strip = StackLayout(orientation="rl-tb" if look.rtl else "lr-tb", spacing=s.gap * 0.6,
                        size_hint_y=None, height=s.touch)
    strip.bind(minimum_height=strip.setter("height"))
    for tag, name in choices:
        if tag == current:
            continue
        tile = Tile(label=name, icon=None, fonts=fonts_for(tag), sizes=s, text_size=s.small,
                    text_colour=PALETTE.text_muted, centred=True, fixed_height=s.touch,
                    size_hint_x=None, width=chip_width(name, tag, look),
                    action=lambda t=tag: actions.set_language(t))
        tile.language_tag = tag
        if tile.label_widget is not None:
            tile.label_widget.rtl = is_rtl(tag)
        strip.add_widget(tile)
    return strip

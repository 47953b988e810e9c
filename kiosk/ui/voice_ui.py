"""Voice in the kiosk: the Speak turn's microphone, and how Speak and "Did you mean ...?" look.

What Speak does, what was heard and what to do about it are the screen
controller's (kiosk.screen: voice.policy decides act, ask or drop). Here is
only the Kivy side: `VoiceUi` carries out the controller's Listen,
StopListening and PrepareVoice effects on the listener, and hands what the
listener heard (on its worker thread) to Kivy's main thread as a VoiceHeard
event; `speak_strip` and `did_you_mean` draw.
"""

from __future__ import annotations

import logging
from typing import Callable

from kivy.clock import Clock
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.screen import Controller, Effect, Input, Listen, PrepareVoice, StopListening, VoiceHeard
from kiosk.speech import Heard, Listener
from kiosk.ui.look import Look
from kiosk.ui.screens import Strip, page_scroller
from kiosk.ui.text import TextBlock
from kiosk.ui.theme import PALETTE, is_portrait
from kiosk.ui.widgets import Card, IconGlyph, Row, Tile, glyph
from kiosk.view import View

log = logging.getLogger("lantern.voice")


class VoiceUi:
    """The microphone side of Speak for one Kiosk: the listener, driven by the controller's effects."""

    def __init__(self, listener: Listener, send: Callable[[Input], object], controller: Controller) -> None:
        self.listener = listener
        self._send = send
        self._controller = controller

    @property
    def listening(self) -> bool:
        """The microphone is open (or about to be) for a turn."""
        return self._controller.listening

    @property
    def turn(self) -> int:
        return self._controller.turn

    def carry_out(self, effect: Effect) -> None:
        match effect:
            case Listen(turn, language, options):
                def done(heard: Heard) -> None:  # the listener's worker thread: no widgets here
                    Clock.schedule_once(lambda _dt: self.heard(turn, heard))
                self.listener.listen(language, list(options), done)
            case StopListening():
                self.listener.cancel()
            case PrepareVoice(language):
                self.listener.prepare(language)

    def stop(self) -> None:
        """The kiosk is going away: close the microphone if it is open."""
        if self.listening:
            self.listener.cancel()

    def heard(self, turn: int, heard: Heard) -> None:
        """The turn's answer, on the main thread."""
        if heard.error is not None and heard.error != "cancelled":
            # Nothing to tell the visitor: Speak is simply ready again. The reason
            # (a device gone, no model) is for the facility's log, with no words heard.
            log.warning("voice turn failed: %s", heard.error)
        self._send(VoiceHeard(turn, heard))


class BottomStrip(Strip):
    """A header-coloured strip whose hairline runs along its top edge."""

    def _redraw(self, *_: object) -> None:
        super()._redraw()
        self._line.pos = (self.x, self.top - 1)


def speak_strip(view: View, look: Look, speak: Callable[[], None] | None, listening: bool) -> Widget | None:
    """Speak as one wide control across the bottom (portrait), or None (landscape: it is in the header)."""
    if speak is None or not is_portrait(look.width, look.height):
        return None
    s = look.sizes
    bar = BottomStrip(PALETTE.header, orientation="horizontal", size_hint_y=None, height=s.header,
                      padding=(s.pad * 0.6, (s.header - s.touch) / 2))
    live = dict(fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                icon_colour=PALETTE.primary_text, border=None, bold=True) if listening else {}
    tile = Tile(label=view.ui["listening"] if listening else view.ui["speak"], icon=glyph("mic"), fonts=look.fonts,
                sizes=s, action=speak, icon_size=round(s.icon * 0.8), centred=True, fixed_height=s.touch, **live)
    tile.role = "speak"
    bar.add_widget(tile)
    return bar


def did_you_mean(question: str, view: View, look: Look, *, yes: Callable[[], None],
                 no: Callable[[], None]) -> ScrollView:
    """The question over the page: the sentence understood, and two large buttons."""
    s, fonts, ui = look.sizes, look.fonts, view.ui
    scroller, column = page_scroller(look)
    card = Card(s)
    card.add_widget(Row(IconGlyph(glyph("mic"), s.icon, PALETTE.accent),
                        TextBlock(question, fonts, s.title, PALETTE.text, bold=True), s, look.rtl))
    column.add_widget(card)
    yes_tile = Tile(label=ui["yes"], icon=glyph("check"), fonts=fonts, sizes=s, action=yes,
                    fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                    icon_colour=PALETTE.primary_text, border=None, bold=True,
                    min_height=round(s.touch * 1.3))
    yes_tile.answer = "yes"
    # "No" is the question's one way out; no X on it: that glyph means Close, the quick exit.
    no_tile = Tile(label=ui["no"], icon=None, fonts=fonts, sizes=s, action=no, centred=True,
                   min_height=round(s.touch * 1.3))
    no_tile.answer = "no"
    no_tile.overlay_role = "done"
    grid = GridLayout(cols=2, spacing=s.gap, size_hint_y=None, orientation="rl-tb" if look.rtl else "lr-tb")
    grid.bind(minimum_height=grid.setter("height"))
    grid.add_widget(yes_tile)
    grid.add_widget(no_tile)
    yes_tile.peers = no_tile.peers = [yes_tile, no_tile]
    yes_tile._fit()
    column.add_widget(grid)
    return scroller

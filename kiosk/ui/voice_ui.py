"""Voice in the kiosk: the Speak control's push-to-talk turn, what it heard, "Did you mean ...?".

One `VoiceUi` belongs to one `Kiosk` (kiosk.ui.kiosk) when a listener was
given. A tap on Speak opens the microphone for one turn (the listener closes
it at the end of speech); the header's Speak control turns into a filled
"Listening" control meanwhile, and tapping it again cancels. The listener
answers from its worker thread; the answer hops to Kivy's main thread before
anything here touches a widget or the session.

What was heard becomes the same session events touch makes
(voice.actions.action_for), sent through the Kiosk like a tap. When the
recogniser was unsure, the kiosk asks first, showing the allowed sentence it
matched (never the raw transcript), and a spoken or tapped yes or no answers.
"exit" never waits for an answer: leaving fast is the safe side.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.session import Event, QuickExit, SetLanguage, Touch
from kiosk.speech import Heard, Listener
from kiosk.ui.screens import Actions, Look, Strip, page_scroller
from kiosk.ui.text import TextBlock
from kiosk.ui.theme import PALETTE, is_portrait
from kiosk.ui.widgets import GLYPH_CLOSE, Card, IconGlyph, Row, Tile, glyph
from kiosk.view import View, fill
from voice.actions import UiAction, action_for

if TYPE_CHECKING:
    from kiosk.ui.kiosk import Kiosk

log = logging.getLogger("lantern.voice")

DIALOG = "did_you_mean"  # the Kiosk's overlay name while the question is open
ANSWERS = frozenset({"yes", "no"})


class VoiceUi:
    """Push-to-talk for one Kiosk: the turn, its result, and the question before acting."""

    def __init__(self, kiosk: Kiosk, listener: Listener) -> None:
        self.kiosk = kiosk
        self.listener = listener
        self.listening = False  # the microphone is open (or about to be) for a turn
        self.turn = 0  # bumps on every start and cancel: a late answer from an old turn is dropped
        self.pending: Event | UiAction | None = None  # what "yes" does while the question is open
        self.strip: Widget | None = None  # portrait only: Speak's own strip under the page

    def available(self, language: str) -> bool:
        """Speak is offered only in a language with a speech model installed."""
        return self.listener.available(language)

    def offered(self) -> bool:
        """Speak belongs on the screen now (the language of the view drawn has a model)."""
        view = self.kiosk.view
        return view is not None and self.available(view.language)

    def place_strip(self, root: BoxLayout, view: View, look: Look, actions: Actions) -> None:
        """(Re)draw Speak's strip at the bottom of `root` in portrait, where the header has no room."""
        if self.strip is not None and self.strip.parent is not None:
            self.strip.parent.remove_widget(self.strip)
        self.strip = speak_strip(view, look, actions.speak, self.listening)
        if self.strip is not None:
            root.add_widget(self.strip)  # last in a vertical box: the bottom

    # --- the turn ---------------------------------------------------------------
    def toggle(self) -> None:
        """The Speak control: start a turn, or cancel the one in progress."""
        if self.listening:
            self.cancel()
        else:
            self.start()

    def start(self) -> None:
        view = self.kiosk.view
        if view is None or not self.available(view.language):
            return
        self.turn += 1
        turn = self.turn
        self.listening = True
        self.kiosk.send(Touch("voice"))  # the daily counts: voice was used in this session

        def done(heard: Heard) -> None:  # the listener's worker thread: no widgets here
            Clock.schedule_once(lambda _dt: self._heard(turn, heard))

        self.listener.listen(view.language, [o.label for o in view.options], done)
        self.kiosk.redraw_header()

    def cancel(self, redraw: bool = True) -> None:
        """Close the microphone now (tap again, quick exit, a new screen); the answer is dropped."""
        if not self.listening:
            return
        self.listening = False
        self.turn += 1
        self.listener.cancel()
        if redraw:
            self.kiosk.redraw_header()

    def screen_changed(self, old: View, new: View) -> None:
        """The Kiosk is about to draw a new view: a turn for the old screen is over."""
        if old.node_id != new.node_id or old.language != new.language:
            self.cancel(redraw=False)  # the rebuild that follows draws Speak at rest
            self.pending = None
        if old.language != new.language and self.available(new.language):
            self.listener.prepare(new.language)  # load the model now, not at the first tap

    def _heard(self, turn: int, heard: Heard) -> None:
        """The turn's answer, on the main thread."""
        if turn != self.turn or not self.listening:
            return  # cancelled meanwhile, or a newer turn is running
        self.listening = False
        rebuilds = self.kiosk.rebuilds
        if heard.error is not None:
            # Nothing to tell the visitor: Speak is simply ready again. The reason
            # (a device gone, no model) is for the facility's log, with no words heard.
            if heard.error != "cancelled":
                log.warning("voice turn failed: %s", heard.error)
        elif heard.intent is not None:
            self._act_on(heard)
        if self.kiosk.rebuilds == rebuilds:
            self.kiosk.redraw_header()  # Listening -> Speak, the page keeps its place

    # --- what was heard -----------------------------------------------------------
    def _act_on(self, heard: Heard) -> None:
        intent = heard.intent
        if intent == "exit":
            self.kiosk.quick_exit()  # even when unsure: hiding the screen must not wait for a yes
            return
        if intent in ANSWERS:
            if self.asking():
                self.answer(intent == "yes")
            return  # a yes or no with no question open means nothing
        action = action_for(intent, dict(heard.slots), self.kiosk.session.pack)
        if action is None:
            return
        if heard.confirm:
            self.ask(heard.sentence or heard.text, action)
        else:
            self.perform(action)

    def perform(self, action: Event | UiAction) -> None:
        """Carry out a command the way touch would."""
        kiosk = self.kiosk
        if self.asking():
            kiosk._set_overlay(None, None)  # a new command replaces an open question
            self.pending = None
        match action:
            case UiAction("repeat"):
                self._read_again()
            case UiAction("stop"):
                if kiosk.speaker is not None:
                    kiosk.speaker.stop()
            case UiAction("pick_language"):
                kiosk._open_languages()
            case UiAction():
                pass  # yes / no are answers, handled above
            case QuickExit():
                kiosk.quick_exit()
            case SetLanguage(tag):
                kiosk._set_language(tag)
            case _:
                kiosk.send(action)

    def _read_again(self) -> None:
        speaker, view = self.kiosk.speaker, self.kiosk.view
        if speaker is None or view is None:
            return
        speaker.stop()
        speaker.say(view.speech, view.language)  # from the top, even if it was reading
        self.kiosk.send(Touch("read_aloud"))

    # --- "Did you mean ...?" --------------------------------------------------------
    def asking(self) -> bool:
        return self.kiosk.overlay == DIALOG and self.kiosk.overlay_widget is not None

    def ask(self, sentence: str, action: Event | UiAction) -> None:
        view = self.kiosk.view
        assert view is not None
        self.pending = action
        widget = did_you_mean(sentence, view, self.kiosk.look(), yes=lambda: self.answer(True),
                              no=lambda: self.answer(False))
        self.kiosk._set_overlay(DIALOG, widget)

    def answer(self, yes: bool) -> None:
        if not self.asking():
            return  # a second tap on a question already answered
        action, self.pending = self.pending, None
        self.kiosk._set_overlay(None, None)
        if yes and action is not None:
            self.perform(action)


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


def did_you_mean(sentence: str, view: View, look: Look, *, yes: Callable[[], None],
                 no: Callable[[], None]) -> ScrollView:
    """The question over the page: the sentence understood, and two large buttons."""
    s, fonts, ui = look.sizes, look.fonts, view.ui
    scroller, column = page_scroller(look)
    card = Card(s)
    card.add_widget(Row(IconGlyph(glyph("mic"), s.icon, PALETTE.accent),
                        TextBlock(fill(ui["did_you_mean"], text=sentence), fonts, s.title, PALETTE.text,
                                  bold=True), s, look.rtl))
    column.add_widget(card)
    yes_tile = Tile(label=ui["yes"], icon=glyph("check"), fonts=fonts, sizes=s, action=yes,
                    fill=PALETTE.primary_bg, pressed=PALETTE.text, text_colour=PALETTE.primary_text,
                    icon_colour=PALETTE.primary_text, border=None, bold=True,
                    min_height=round(s.touch * 1.3))
    yes_tile.answer = "yes"
    no_tile = Tile(label=ui["no"], icon=GLYPH_CLOSE, fonts=fonts, sizes=s, action=no,
                   min_height=round(s.touch * 1.3))
    no_tile.answer = "no"
    grid = GridLayout(cols=2, spacing=s.gap, size_hint_y=None, orientation="rl-tb" if look.rtl else "lr-tb")
    grid.bind(minimum_height=grid.setter("height"))
    grid.add_widget(yes_tile)
    grid.add_widget(no_tile)
    yes_tile.peers = no_tile.peers = [yes_tile, no_tile]
    yes_tile._fit()
    column.add_widget(grid)
    return scroller

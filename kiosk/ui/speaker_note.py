"""Read aloud through an open speaker: said once a visit, on screen, that others may hear.

Read-aloud speaks help content. With headphones in (kiosk.system.jack), only
the visitor hears it; without them, or where the sound card cannot tell, the
first Read aloud of a visit puts a quiet note under the header: "People nearby
may hear this. With headphones, only you hear it." Once a visit, never
spoken: saying it aloud would be the very thing it warns about. The note
goes with the next screen drawn. Speech is quiet by default (voice.tts).
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from kiosk.system import jack
from kiosk.ui.look import Look
from kiosk.ui.text import TextBlock
from kiosk.ui.theme import PALETTE
from kiosk.ui.widgets import Card, IconGlyph, Row, glyph


class SpeakerNotice:
    """Whether this Read aloud should bring the note: the first of a visit, and no headphones."""

    def __init__(self) -> None:
        self._told = False

    def new_visit(self) -> None:
        self._told = False

    def due(self) -> bool:
        if self._told:
            return False
        self._told = True
        return not jack.detect().private  # looked up now: a plug may go in or out at any time


def speaker_note(text: str, look: Look) -> BoxLayout:
    """The note: a speaker icon beside the words, on the calm note background, in the page's margins."""
    s = look.sizes
    card = Card(s, fill=PALETTE.note_bg, border=None)
    card.add_widget(Row(IconGlyph(glyph("speaker"), s.icon, PALETTE.accent),
                        TextBlock(text, look.fonts, s.body, PALETTE.text), s, look.rtl))
    frame = BoxLayout(size_hint_y=None, padding=(s.pad, s.gap * 0.5, s.pad, 0))
    card.bind(height=lambda _w, h: setattr(frame, "height", h + s.gap * 0.5))
    frame.add_widget(card)
    frame.is_speaker_note = True  # for tests
    return frame

"""Read aloud through an open speaker, through the real window at 800x480.

The first Read aloud of a visit, with no headphones known to be in, puts
"People nearby may hear this..." on screen, once; never spoken. A second Read
aloud in the same visit does not; a new visit (after Close) does again; with
headphones in (kiosk.system.jack says so), it never shows. The header keeps the
Read aloud control's word, not only its icon, with voice on at 800x480.
"""

from __future__ import annotations

import pytest

from tests.ui.conftest import RecordingSpeaker
from tests.ui.uihelp import GATE_CLEAR, tap, widgets


def header_tile(kiosk, role: str):
    from kiosk.ui.widgets import Tile
    found = [t for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None) == role]
    assert found, f"no {role!r} control in the header"
    return found[0]


def notes(kiosk) -> list:
    return [w for w in kiosk.root.children if getattr(w, "is_speaker_note", False)]


def note_text(kiosk) -> str:
    from kiosk.ui.text import TextBlock
    [note] = notes(kiosk)
    return " ".join(block.source for block in widgets(note, TextBlock))


@pytest.fixture
def jack_says(monkeypatch):
    from kiosk.system import jack

    def set_state(plugged: str) -> list[int]:
        asked: list[int] = []

        def detect() -> jack.JackState:
            asked.append(1)
            return jack.JackState(plugged, "recorded for the test")  # type: ignore[arg-type]
        monkeypatch.setattr(jack, "detect", detect)
        return asked
    return set_state


def read_aloud(env, kiosk, speaker: RecordingSpeaker) -> None:
    speaker.talking = False  # whatever was read has ended
    tap(env, header_tile(kiosk, "read_aloud"))
    env.step(GATE_CLEAR, frames=2)


def test_once_a_visit_on_screen_never_spoken(kivy_env, make_kiosk, jack_says) -> None:
    from kiosk.session import GoTo
    asked = jack_says("unknown")
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    kiosk.send(GoTo("hotline"))
    kivy_env.step(GATE_CLEAR, frames=2)

    read_aloud(kivy_env, kiosk, speaker)
    expected = kiosk.view.ui["others_may_hear"]
    assert note_text(kiosk) == expected == "People nearby may hear this. With headphones, only you hear it."
    # Under the header, above the page, inside the window.
    [note] = notes(kiosk)
    assert note.top <= kiosk.header.widget.y + 1 and note.y >= 0
    assert all(expected not in " ".join(sentences) for sentences, _ in speaker.said)  # shown, not spoken
    assert speaker.said and speaker.said[-1][0] == kiosk.view.speech  # and the page is read all the same

    kiosk.send(GoTo("safety"))  # the next screen: the note has gone
    kivy_env.step(GATE_CLEAR, frames=2)
    assert notes(kiosk) == []
    read_aloud(kivy_env, kiosk, speaker)
    assert notes(kiosk) == [] and len(asked) == 1  # once a visit

    tap(kivy_env, kiosk.header.exit_button)  # the visit ends
    kiosk.send(GoTo("hotline"))
    kivy_env.step(GATE_CLEAR, frames=2)
    read_aloud(kivy_env, kiosk, speaker)
    assert len(notes(kiosk)) == 1 and len(asked) == 2  # a new visitor is told again


def test_never_with_headphones_in(kivy_env, make_kiosk, jack_says) -> None:
    from kiosk.session import GoTo
    asked = jack_says("yes")
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    kiosk.send(GoTo("hotline"))
    kivy_env.step(GATE_CLEAR, frames=2)
    read_aloud(kivy_env, kiosk, speaker)
    assert notes(kiosk) == [] and asked == [1] and speaker.said


def test_the_note_is_in_the_visitors_language(kivy_env, make_kiosk, jack_says, built_in_pack) -> None:
    from kiosk.session import GoTo, SetLanguage
    jack_says("no")
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    kiosk.send(SetLanguage("ht"))
    kiosk.send(GoTo("hotline"))
    kivy_env.step(GATE_CLEAR, frames=2)
    read_aloud(kivy_env, kiosk, speaker)
    assert note_text(kiosk) == built_in_pack.string("ht", "ui.others_may_hear")

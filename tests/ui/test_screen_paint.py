"""The Kiosk paints the controller's Screen: the voice question and its answers, drawn and
tapped for real, with what was heard handed over as the listener hands it."""

from __future__ import annotations

from typing import Iterator

import pytest

from kiosk.speech import Heard
from tests.kit.speaker import HandListener, RecordingSpeaker
from tests.ui.uihelp import GATE_CLEAR, tap, texts, widgets


@pytest.fixture
def hand_kiosk(kivy_env, built_in_pack) -> Iterator:
    from kiosk.session import Session
    from kiosk.ui.kiosk import Kiosk
    made: list = []

    def make():  # noqa: ANN202
        speaker, listener = RecordingSpeaker(), HandListener()
        kiosk = Kiosk(Session(built_in_pack, clock=kivy_env.time), clock=kivy_env.time, speaker=speaker,
                      listener=listener)
        kiosk.attach()
        made.append(kiosk)
        kivy_env.step(GATE_CLEAR, frames=3)
        return kiosk, speaker, listener

    yield make
    for kiosk in made:
        kiosk.detach()
    kivy_env.step(1.0)


def header_tile(kiosk, role: str):  # noqa: ANN001, ANN201
    from kiosk.ui.widgets import Tile
    return next((t for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None) == role), None)


def heard(env, kiosk, listener: HandListener, result: Heard) -> None:  # noqa: ANN001
    tap(env, header_tile(kiosk, "speak"))
    assert kiosk.voice.listening and "Listening" in " ".join(texts(kiosk.header.widget))
    listener.answer(result)
    env.step(0.0, frames=2)  # the answer hops to Kivy's thread and is painted
    env.step(GATE_CLEAR, frames=3)
    assert not kiosk.voice.listening


def doubtful(intent: str) -> Heard:
    return Heard(text="take me to help", intent=intent, score=0.7, sentence="I need help", margin=0.1)


def answer_tile(kiosk, answer: str):  # noqa: ANN001, ANN201
    from kiosk.ui.widgets import Tile
    return next(t for t in widgets(kiosk.stage, Tile) if getattr(t, "answer", None) == answer)


def test_a_doubtful_command_is_asked_on_screen_and_aloud_and_a_tap_on_yes_does_it(kivy_env, hand_kiosk):
    kiosk, speaker, listener = hand_kiosk()
    heard(kivy_env, kiosk, listener, doubtful("help"))
    assert kiosk.overlay == "did_you_mean" and kiosk.view.node_id == "home"
    question = next(t for t in texts(kiosk.stage) if "I need help" in t)
    assert speaker.said == [((question,), "en")]
    assert kiosk.header.exit_button is None or kiosk.header.exit_button.parent is not None
    tap(kivy_env, answer_tile(kiosk, "yes"))
    assert kiosk.overlay is None and kiosk.view.node_id == "safety"
    assert kiosk.view.title in texts(kiosk.page)
    assert speaker.said[-1] == ((kiosk.view.title,), "en")  # speech answers speech: where it went


def test_no_closes_the_question_and_a_doubtful_exit_does_nothing(kivy_env, hand_kiosk):
    from kiosk.session import GoTo
    kiosk, speaker, listener = hand_kiosk()
    kiosk.send(GoTo("hotline"))
    kivy_env.step(GATE_CLEAR, frames=3)
    heard(kivy_env, kiosk, listener, doubtful("help"))
    tap(kivy_env, answer_tile(kiosk, "no"))
    assert kiosk.overlay is None and kiosk.view.node_id == "hotline"
    said = len(speaker.said)
    heard(kivy_env, kiosk, listener, doubtful("exit"))
    assert kiosk.overlay is None and kiosk.view.node_id == "hotline" and kiosk.session.active
    assert len(speaker.said) == said
    heard(kivy_env, kiosk, listener, Heard(text="yes", intent="yes", score=1.0, sentence="yes"))
    assert kiosk.overlay is None and kiosk.view.node_id == "hotline"  # no question open: nothing

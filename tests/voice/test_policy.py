"""voice.policy.decide, every intent x clear/doubtful x question open x emergency.

The expected decision is written out as a table (the one in docs/voice.md), not
computed the way the module computes it, so a change to either shows here.
"""

from __future__ import annotations

import itertools

import pytest

from kiosk.speech import Heard
from voice.policy import CLEAR_MARGIN, EXIT_MARGIN, Context, decide
from voice.templates import INTENTS

DOUBTS = ("clear", "fuzzy", "rival", "narrow")  # each doubt must be enough on its own

# intent -> (clear, doubtful) decision when no question is open and no emergency.
TABLE: dict[str, tuple[str, str]] = {
    "help": ("act", "ask"),
    "hotline": ("act", "ask"),
    "emergency": ("act", "ask"),
    "change_language": ("act", "ask"),
    "repeat": ("act", "ask"),
    "back": ("act", "ask"),
    "home": ("act", "ask"),
    "exit": ("act", "drop"),
    "yes": ("drop", "drop"),  # no question open: an answer means nothing
    "no": ("drop", "drop"),
    "stop": ("act", "ask"),
    "choose": ("act", "ask"),
}


def expected(intent: str, doubt: str, asking: bool, emergency: bool) -> str:
    clear = doubt == "clear"
    if intent in ("yes", "no"):
        return "act" if asking and clear else "drop"
    if intent == "exit" and emergency:
        return "drop"
    return TABLE[intent][0 if clear else 1]


def heard(intent: str | None, doubt: str = "clear") -> Heard:
    score = 0.85 if doubt == "fuzzy" else 1.0  # fuzzy: near an allowed sentence, not one
    margin = 0.05 if doubt == "narrow" else 1.0  # the next alternative was nearly as likely
    rivals = (("hotline",) if intent == "help" else ("help",)) if doubt == "rival" else ()
    return Heard("words", intent, score=score, sentence="words", rivals=rivals, margin=margin)


def test_the_table_covers_every_intent() -> None:
    assert set(TABLE) == set(INTENTS)


@pytest.mark.parametrize("intent,doubt,asking,emergency",
                         list(itertools.product(INTENTS, DOUBTS, (False, True), (False, True))))
def test_every_case(intent: str, doubt: str, asking: bool, emergency: bool) -> None:
    ctx = Context(asking=asking, node="start", emergency=emergency)
    assert decide(heard(intent, doubt), ctx) == expected(intent, doubt, asking, emergency)


@pytest.mark.parametrize("asking,emergency", list(itertools.product((False, True), (False, True))))
def test_nothing_understood_is_dropped(asking: bool, emergency: bool) -> None:
    ctx = Context(asking=asking, node="start", emergency=emergency)
    assert decide(Heard("", None), ctx) == "drop"
    assert decide(Heard("mumble", None, score=0.5, sentence="help"), ctx) == "drop"
    assert decide(Heard("", None, error="no speech model installed for ko"), ctx) == "drop"


def test_an_exit_with_emergency_among_the_alternatives_is_dropped() -> None:
    ctx = Context(asking=False, node="start")
    assert decide(Heard("나가기 해요", "exit", score=1.0, rivals=("emergency",)), ctx) == "drop"
    assert decide(Heard("나가기", "exit", score=1.0), ctx) == "act"


def test_on_the_emergency_screen_an_exit_is_dropped() -> None:
    assert decide(Heard("exit", "exit", score=1.0), Context(asking=False, node="emergency")) == "drop"


def test_an_exit_needs_a_wider_margin_than_other_commands() -> None:
    ctx = Context(asking=False, node="start")
    between = (CLEAR_MARGIN + EXIT_MARGIN) / 2
    assert CLEAR_MARGIN < EXIT_MARGIN
    assert decide(Heard("back", "back", score=1.0, margin=between), ctx) == "act"
    assert decide(Heard("exit", "exit", score=1.0, margin=between), ctx) == "drop"
    assert decide(Heard("exit", "exit", score=1.0, margin=EXIT_MARGIN), ctx) == "act"


def test_a_rival_of_the_same_intent_is_no_doubt() -> None:
    ctx = Context(asking=False, node="start")
    assert decide(Heard("help me", "help", score=1.0, rivals=("help",)), ctx) == "act"


def test_a_language_change_asks_unless_exact_and_clear() -> None:
    ctx = Context(asking=False, node="start")
    spanish = {"language": "es"}
    assert decide(Heard("spanish", "change_language", spanish, score=1.0), ctx) == "act"
    assert decide(Heard("spanich", "change_language", spanish, score=0.9), ctx) == "ask"
    assert decide(Heard("spanish", "change_language", spanish, score=1.0, rivals=("repeat",)), ctx) == "ask"


def test_while_a_question_is_open_a_clear_new_command_acts_and_a_doubtful_one_asks_again() -> None:
    ctx = Context(asking=True, node="start")
    assert decide(Heard("hotline", "hotline", score=1.0), ctx) == "act"
    assert decide(Heard("hotlin", "hotline", score=0.9), ctx) == "ask"
    assert decide(Heard("yes", "yes", score=1.0), ctx) == "act"
    assert decide(Heard("yes", "yes", score=1.0, rivals=("no",)), ctx) == "drop"

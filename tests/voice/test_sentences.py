"""Sentence tests in the style of home-assistant/intents: tests/voice/<lang>/*.yaml.

Each case lists sentences and the intent (with the slots that must be there) they
must give, or `intent: null` for sentences that must match nothing. `options:`
at the top are the current screen's option labels. Accuracy per language is
printed in the run's summary (tests/voice/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from voice import LANGUAGES
from voice.intents import matcher_for

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Case:
    lang: str
    file: str
    sentence: str
    intent: str | None
    slots: dict[str, str]
    options: tuple[str, ...]


def load_cases(lang: str) -> list[Case]:
    cases = []
    for path in sorted((HERE / lang).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        assert doc["language"] == lang, f"{path}: language must be {lang}"
        options = tuple(doc.get("options") or ())
        for test in doc["tests"]:
            expected = test.get("intent")
            name = expected["name"] if expected else None
            slots = {k: str(v) for k, v in ((expected or {}).get("slots") or {}).items()}
            for sentence in test["sentences"]:
                cases.append(Case(lang, path.name, sentence, name, slots, options))
    return cases


def check(case: Case) -> str | None:
    """None when the case passes, else what went wrong."""
    result = matcher_for(case.lang).recognize(case.sentence, case.options)
    if result.intent != case.intent:
        return f"{case.sentence!r}: expected {case.intent}, got {result.intent} " \
               f"(score {result.score:.2f}, nearest {result.sentence!r})"
    for key, value in case.slots.items():
        if result.slots.get(key) != value:
            return f"{case.sentence!r}: expected {key}={value}, got {result.slots}"
    return None


# lang -> (passed, total): printed by tests/voice/conftest.py's terminal summary.
RESULTS: dict[str, tuple[int, int]] = {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sentences(lang: str) -> None:
    cases = load_cases(lang)
    assert len(cases) >= 40, f"{lang}: too few sentence tests"
    assert any(c.intent is None for c in cases), f"{lang}: no negative sentences"
    covered = {c.intent for c in cases if c.intent}
    from voice.templates import INTENTS
    assert covered == set(INTENTS), f"{lang}: intents without tests: {set(INTENTS) - covered}"
    failures = [msg for msg in map(check, cases) if msg]
    RESULTS[lang] = (len(cases) - len(failures), len(cases))
    assert not failures, f"{lang}: {len(failures)} of {len(cases)} failed:\n" + "\n".join(failures)

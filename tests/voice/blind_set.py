"""The independent ("blind") sentence sets: tests/voice/blind/<lang>.yaml.

Written by sessions that never saw the templates (see blind/README.md), so they
measure how people really talk to the kiosk. Shared by tests/voice/test_blind.py
and bench/bench_voice.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

BLIND_DIR = Path(__file__).parent / "blind"


@dataclass(frozen=True)
class BlindCase:
    lang: str
    sentence: str
    intent: str | None  # None: a negative, must match nothing
    slots: dict[str, str] = field(default_factory=dict)


@dataclass
class Score:
    right: int = 0
    missed: int = 0  # no intent: the visitor tries again, nothing went wrong
    wrong: list[str] = field(default_factory=list)  # a wrong intent or slot on a command
    false: list[str] = field(default_factory=list)  # an intent on a negative
    commands: int = 0
    negatives: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.commands if self.commands else 0.0


def blind_languages() -> list[str]:
    return sorted(p.stem for p in BLIND_DIR.glob("*.yaml"))


def load_blind(lang: str) -> list[BlindCase]:
    path = BLIND_DIR / f"{lang}.yaml"
    doc = yaml.safe_load(path.read_text("utf-8"))
    assert doc.get("language") == lang, f"{path}: language must be {lang}"
    cases = []
    for item in doc.get("commands") or []:
        intent, sentence = str(item[0]), str(item[1])
        slots = {str(k): str(v) for k, v in (item[2] if len(item) > 2 else {}).items()}
        cases.append(BlindCase(lang, sentence, intent, slots))
    for sentence in doc.get("negatives") or []:
        cases.append(BlindCase(lang, str(sentence), None))
    return cases


def score(lang: str, cases: list[BlindCase]) -> Score:
    """Runs every case through the language's matcher (text, so a perfect transcript)."""
    from voice.intents import matcher_for
    matcher = matcher_for(lang)
    out = Score()
    for case in cases:
        result = matcher.recognize(case.sentence)
        got = f"{case.sentence!r} -> {result.intent} {result.slots}"
        if case.intent is None:
            out.negatives += 1
            if result.intent is not None:
                out.false.append(got)
            continue
        out.commands += 1
        slots = {k: v for k, v in result.slots.items() if k in ("language", "option")}
        if result.intent is None:
            out.missed += 1
        elif result.intent == case.intent and slots == case.slots:
            out.right += 1
        else:
            out.wrong.append(f"{got}, expected {case.intent} {case.slots}")
    return out

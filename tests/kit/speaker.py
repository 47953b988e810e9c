"""A `kiosk.speech.Speaker` that remembers what it was asked to say."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence


@dataclass
class RecordingSpeaker:
    """Implements kiosk.speech.Speaker and remembers what it was asked to say."""

    said: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    stops: int = 0
    talking: bool = False

    def say(self, sentences: Sequence[str], language: str, quiet: bool = False) -> None:
        self.said.append((tuple(sentences), language))
        self.talking = True

    def stop(self) -> None:
        self.stops += 1
        self.talking = False

    def speaking(self) -> bool:
        return self.talking


@dataclass
class HandListener:
    """Implements kiosk.speech.Listener for tests that hand the kiosk what was heard
    themselves (`answer`), as the real listener would from its worker thread."""

    languages: frozenset[str] = frozenset({"en"})
    turns: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    cancels: int = 0
    prepared: list[str] = field(default_factory=list)
    done: object = None  # the open turn's callback

    def listen(self, language: str, options: Sequence[str], done) -> None:  # noqa: ANN001
        self.turns.append((language, tuple(options)))
        self.done = done

    def answer(self, heard) -> None:  # noqa: ANN001 - a kiosk.speech.Heard
        done, self.done = self.done, None
        assert done is not None, "no turn is open"
        done(heard)

    def cancel(self) -> None:
        self.cancels += 1
        self.done = None

    def available(self, language: str) -> bool:
        return language in self.languages

    def prepare(self, language: str) -> None:
        self.prepared.append(language)

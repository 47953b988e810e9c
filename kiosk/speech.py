"""What the UI needs from optional speech, as protocols.

The voice package implements these; the UI receives them at start-up and
hides the speech buttons when none is given. Keeping the protocols here lets
the UI and voice/ both depend on kiosk/ without depending on each other.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence


class Speaker(Protocol):
    """Read-aloud. Must never block the caller; stop() silences within 100 ms."""

    def say(self, sentences: Sequence[str], language: str) -> None: ...

    def stop(self) -> None: ...

    def speaking(self) -> bool: ...


class Listener(Protocol):
    """Push-to-talk recognition. `listen` opens the microphone until end of speech
    (or about 8 s) and calls `done` from a worker thread with the result;
    nothing heard is kept."""

    def listen(self, language: str, options: Sequence[str],
               done: Callable[["Heard"], None]) -> None: ...

    def cancel(self) -> None: ...

    def available(self, language: str) -> bool: ...  # a speech model for this language?

    def prepare(self, language: str) -> None: ...  # load its model now, in the background


class Heard(Protocol):
    text: str
    intent: str | None
    slots: dict[str, str]
    confirm: bool  # True: ask "Did you mean ...?" before acting
    sentence: str | None  # the allowed sentence matched: what "Did you mean ...?" shows
    error: str | None  # the turn failed (no model, device gone); intent is None

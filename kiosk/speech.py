"""What the UI needs from optional speech, as protocols.

The voice package implements these; the UI receives them at start-up and
hides the speech buttons when none is given. Keeping the protocols here lets
the UI and voice/ both depend on kiosk/ without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence


class Speaker(Protocol):
    """Read-aloud. Must never block the caller; stop() silences within 100 ms, and
    nothing is spoken while the microphone is open (voice/duplex.py).
    quiet=True: softer, for saying back where a voice request went."""

    def say(self, sentences: Sequence[str], language: str, quiet: bool = False) -> None: ...

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


@dataclass(frozen=True)
class Heard:
    """What one push-to-talk turn (or one typed sentence) was understood as.

    `text` is the transcript as recognised; `sentence` the allowed sentence it
    was matched to, which is what "Did you mean ...?" shows (never the raw
    transcript). Whether to act, ask or drop is decided in one place,
    voice.policy.decide; `confirm` is its "ask" for callers that have no
    screen context (the `kiosk voice transcribe` command)."""
    text: str
    intent: str | None
    slots: dict[str, str] = field(default_factory=dict)
    confirm: bool = False  # True: ask "Did you mean ...?" before acting
    score: float = 0.0  # 1.0: the words are exactly an allowed sentence (filler aside)
    sentence: str | None = None  # the allowed sentence matched
    error: str | None = None  # the turn failed (no model, device gone); intent is None
    speech_seconds: float = 0.0
    latency: float = 0.0  # end of speech -> intent, seconds
    # Other intents the recogniser's alternatives (or the words around the
    # command) pointed to: a rival means the intent is not clear.
    rivals: tuple[str, ...] = ()
    # How far the chosen alternative stood above the next one that did not
    # mean the same intent (0..1); 1.0 when there was nothing to compare (typed text).
    margin: float = 1.0
